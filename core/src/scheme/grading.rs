//! Grading: from factor values to a level, with the reason.
//!
//! A scheme declares its grading in data, in one of two forms, so that a unit's own scheme needs
//! no code:
//! - a **decision table**: ordered rules, each a set of conditions `factor ∈ {values}` that must
//!   all hold; the first rule that matches decides, and `otherwise` decides when none does;
//! - a **score**: points for every value of every factor, summed, and thresholds from the highest
//!   down; the first threshold the sum reaches decides.
//!
//! [`grade`] is the one function that evaluates either form. The form, the ingest and the SQL
//! functions all call it, so they give the same level with the same explanation.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::{Scheme, Severity};
use crate::error::{Error, Result};
use crate::text::Text;

/// How a scheme maps factor values to a level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Grading {
    /// Ordered rules, first match wins.
    DecisionTable {
        /// The rules, in order.
        rules: Vec<Rule>,
        /// The outcome when no rule matches.
        otherwise: Outcome,
    },
    /// Weighted factor values summed against thresholds.
    Score {
        /// Points per factor id, per option id.
        points: BTreeMap<String, BTreeMap<String, i32>>,
        /// Thresholds, highest `min` first; the last must be reachable by every combination.
        thresholds: Vec<Threshold>,
    },
}

/// One rule of a decision table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Conditions: factor id → the option ids that satisfy it. All must hold.
    pub when: BTreeMap<String, Vec<String>>,
    /// The level the rule gives.
    pub level: String,
    /// Why, in the scheme's words.
    pub reason: Text,
}

/// The fallback of a decision table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The level.
    pub level: String,
    /// Why.
    pub reason: Text,
}

/// One threshold of a score grading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// The smallest score that reaches this level.
    pub min: i32,
    /// The level.
    pub level: String,
}

/// What decided a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// A decision-table rule matched.
    Rule,
    /// No rule matched; the table's fallback applied.
    Otherwise,
    /// A score reached a threshold.
    Score,
}

/// The explanation of a grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// What decided.
    pub kind: ReasonKind,
    /// The 1-based number of the rule that matched, for [`ReasonKind::Rule`].
    pub rule: Option<u32>,
    /// The score, for [`ReasonKind::Score`].
    pub score: Option<i32>,
    /// The factors that decided, as `(factor id, option id)`.
    pub factors: Vec<(String, String)>,
    /// A sentence for people.
    pub text: Text,
}

/// The result of grading one risk point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    /// The level id.
    pub level: String,
    /// The level's name.
    pub level_name: Text,
    /// The level's rank (1 = most severe).
    pub rank: u8,
    /// The level's normalised severity.
    pub severity: Severity,
    /// The id of the role that answers for it.
    pub responsible: String,
    /// The role's name.
    pub responsible_name: Text,
    /// Why this level.
    pub reasons: Vec<Reason>,
}

/// Grades one risk point: `factors` maps every factor id of the scheme to one of its option ids.
///
/// ```
/// use std::collections::BTreeMap;
/// let scheme = sunlight_core::presets::get("university-2010").unwrap();
/// let factors = BTreeMap::from([("consequence".to_string(), "crime".to_string())]);
/// let g = sunlight_core::grade(scheme, &factors).unwrap();
/// assert_eq!(g.level, "level-1");
/// assert_eq!(g.responsible, "principal-leader");
/// ```
pub fn grade(scheme: &Scheme, factors: &BTreeMap<String, String>) -> Result<Grade> {
    check_factors(scheme, factors)?;
    let (level, reason) = match &scheme.grading {
        Grading::DecisionTable { rules, otherwise } => decide(scheme, rules, otherwise, factors),
        Grading::Score { points, thresholds } => score(scheme, points, thresholds, factors)?,
    };
    let l = scheme.level(&level).ok_or_else(|| Error::UnknownLevel {
        scheme: scheme.id.clone(),
        level: level.clone(),
    })?;
    let role = scheme.responsible_for(&level)?;
    Ok(Grade {
        level: l.id.clone(),
        level_name: l.name.clone(),
        rank: l.rank,
        severity: l.severity,
        responsible: role.id.clone(),
        responsible_name: role.name.clone(),
        reasons: vec![reason],
    })
}

/// The grades of a scheme's factor combinations, each worked out the first time a row needs
/// it and shared from then on, across tables and threads. A [`crate::presets::Registry`] keeps
/// one per scheme: grading writes the reason's sentences, and ingest grades every row of every
/// table, nearly always one of a few dozen combinations (7 % of its CPU time when each table
/// graded its own).
///
/// A combination is numbered by its options' positions in the scheme's factors, in mixed radix
/// (the first factor most significant); schemes of more than [`GradeMemo::MAX`] combinations
/// keep none.
#[derive(Debug, Clone, Default)]
pub(crate) struct GradeMemo {
    grades: Box<[std::sync::OnceLock<Option<std::sync::Arc<Grade>>>]>,
}

impl GradeMemo {
    /// The most combinations remembered.
    pub(crate) const MAX: u64 = 4096;

    /// Room for every combination of `scheme`'s factors, or none when there are too many.
    pub(crate) fn new(scheme: &Scheme) -> Self {
        let count = scheme
            .factors
            .iter()
            .try_fold(1_u64, |n, f| n.checked_mul(f.options.len() as u64))
            .filter(|&n| n <= Self::MAX)
            .unwrap_or(0);
        GradeMemo {
            grades: (0..count).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    /// The grade of combination `number`, worked out by `compute` when first asked for; `None`
    /// when the memo has no room for that number.
    pub(crate) fn get(
        &self,
        number: u64,
        compute: impl FnOnce() -> Option<std::sync::Arc<Grade>>,
    ) -> Option<Option<std::sync::Arc<Grade>>> {
        let slot = self.grades.get(usize::try_from(number).ok()?)?;
        Some(slot.get_or_init(compute).clone())
    }
}

fn check_factors(scheme: &Scheme, factors: &BTreeMap<String, String>) -> Result<()> {
    let err = |factor: &str, message: String| Error::Factor {
        scheme: scheme.id.clone(),
        factor: factor.to_owned(),
        message,
    };
    for f in &scheme.factors {
        match factors.get(&f.id) {
            None => return Err(err(&f.id, "no value was given".into())),
            Some(v) if !f.options.iter().any(|o| o.id == *v) => {
                let allowed: Vec<&str> = f.options.iter().map(|o| o.id.as_str()).collect();
                return Err(err(
                    &f.id,
                    format!("'{v}' is not one of {}", allowed.join(", ")),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(k) = factors.keys().find(|k| scheme.factor(k).is_none()) {
        return Err(err(k, "the scheme has no such factor".into()));
    }
    Ok(())
}

fn option_name<'a>(scheme: &'a Scheme, factor: &str, option: &str) -> (&'a Text, &'a Text) {
    // Both exist: check_factors ran first and schemes are checked on load.
    let f = scheme.factors.iter().find(|f| f.id == factor);
    let o = f.and_then(|f| f.options.iter().find(|o| o.id == option));
    static EMPTY: Text = Text {
        zh: String::new(),
        en: String::new(),
    };
    (f.map_or(&EMPTY, |f| &f.name), o.map_or(&EMPTY, |o| &o.name))
}

fn decide(
    scheme: &Scheme,
    rules: &[Rule],
    otherwise: &Outcome,
    factors: &BTreeMap<String, String>,
) -> (String, Reason) {
    for (i, rule) in rules.iter().enumerate() {
        let matches = rule
            .when
            .iter()
            .all(|(f, allowed)| factors.get(f).is_some_and(|v| allowed.contains(v)));
        if matches {
            let decided: Vec<(String, String)> = rule
                .when
                .keys()
                .filter_map(|f| factors.get(f).map(|v| (f.clone(), v.clone())))
                .collect();
            // Written into one string per language: a table grades many rows.
            let mut zh = format!("{}（第 {} 条规则：", rule.reason.zh, i + 1);
            let mut en = format!("{} (rule {}: ", rule.reason.en, i + 1);
            for (k, (f, v)) in decided.iter().enumerate() {
                let (fname, oname) = option_name(scheme, f, v);
                let (zsep, esep) = if k == 0 { ("", "") } else { ("，", ", ") };
                let _ = write!(zh, "{zsep}{}为{}", fname.zh, oname.zh);
                let _ = write!(en, "{esep}{} is {}", fname.en, oname.en);
            }
            zh.push('）');
            en.push(')');
            let text = Text::new(zh, en);
            let reason = Reason {
                kind: ReasonKind::Rule,
                rule: u32::try_from(i + 1).ok(),
                score: None,
                factors: decided,
                text,
            };
            return (rule.level.clone(), reason);
        }
    }
    let text = Text::new(
        format!("{}（无规则适用，按兜底规定）", otherwise.reason.zh),
        format!(
            "{} (no rule applies; the fallback decides)",
            otherwise.reason.en
        ),
    );
    (
        otherwise.level.clone(),
        Reason {
            kind: ReasonKind::Otherwise,
            rule: None,
            score: None,
            factors: Vec::new(),
            text,
        },
    )
}

/// Appends `n` with its sign always shown (`+2`, `-1`, `+0`), as `{:+}` writes it.
fn push_signed(out: &mut String, n: i32) {
    out.push(if n < 0 { '-' } else { '+' });
    let mut digits = [0_u8; 10];
    let mut k = digits.len();
    let mut m = n.unsigned_abs();
    loop {
        k -= 1;
        // A digit: always below 10.
        digits[k] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    digits[k..].iter().for_each(|&d| out.push(char::from(d)));
}

fn score(
    scheme: &Scheme,
    points: &BTreeMap<String, BTreeMap<String, i32>>,
    thresholds: &[Threshold],
    factors: &BTreeMap<String, String>,
) -> Result<(String, Reason)> {
    let mut total: i32 = 0;
    // Each factor's part, written into one string per language: a table grades many rows.
    let mut zh = String::with_capacity(32 * scheme.factors.len());
    let mut en = String::with_capacity(32 * scheme.factors.len());
    let mut decided = Vec::with_capacity(scheme.factors.len());
    for f in &scheme.factors {
        let v = &factors[&f.id];
        let p = points
            .get(&f.id)
            .and_then(|m| m.get(v))
            .copied()
            .unwrap_or(0);
        total = total.saturating_add(p);
        let (fname, oname) = option_name(scheme, &f.id, v);
        let (zsep, esep) = if decided.is_empty() {
            ("", "")
        } else {
            ("，", ", ")
        };
        // "{zsep}{factor}{option} {p:+}" and "{esep}{factor} {option} {p:+}", pushed piece by
        // piece: formatting machinery costs more than the text here.
        for (out, parts) in [
            (&mut zh, [zsep, &fname.zh, &oname.zh, " "]),
            (&mut en, [esep, &fname.en, " ", &oname.en]),
        ] {
            parts.iter().for_each(|s| out.push_str(s));
        }
        en.push(' ');
        push_signed(&mut zh, p);
        push_signed(&mut en, p);
        decided.push((f.id.clone(), v.clone()));
    }
    let t = thresholds.iter().find(|t| total >= t.min).ok_or_else(|| {
        Error::scheme(
            &scheme.id,
            "grading.thresholds",
            format!("no threshold covers a score of {total}"),
        )
    })?;
    let lname = scheme
        .level(&t.level)
        .map(|l| l.name.clone())
        .unwrap_or_default();
    let text = Text::new(
        format!(
            "综合得分 {total}（{zh}），达到“{}”的分数线 {}",
            lname.zh, t.min
        ),
        format!(
            "score {total} ({en}) reaches the threshold {} for '{}'",
            t.min, lname.en
        ),
    );
    Ok((
        t.level.clone(),
        Reason {
            kind: ReasonKind::Score,
            rule: None,
            score: Some(total),
            factors: decided,
            text,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of town-2012's factors: the score's reason reads as the scheme's
    /// names and points written with `format!` would.
    #[test]
    fn score_reasons_read_as_the_scheme_writes_them() {
        let scheme = crate::presets::get("town-2012").expect("preset");
        let Grading::Score { points, .. } = &scheme.grading else {
            panic!("town-2012 grades by score");
        };
        let mut combos: Vec<BTreeMap<String, String>> = vec![BTreeMap::new()];
        for f in &scheme.factors {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    f.options.iter().map(move |o| {
                        let mut c = c.clone();
                        c.insert(f.id.clone(), o.id.clone());
                        c
                    })
                })
                .collect();
        }
        assert!(combos.len() > 20);
        for c in &combos {
            let g = grade(scheme, c).expect("grades");
            let (mut zh, mut en, mut total) = (Vec::new(), Vec::new(), 0);
            for f in &scheme.factors {
                let o = f.options.iter().find(|o| o.id == c[&f.id]).expect("option");
                let p = points[&f.id][&o.id];
                total += p;
                zh.push(format!("{}{} {:+}", f.name.zh, o.name.zh, p));
                en.push(format!("{} {} {:+}", f.name.en, o.name.en, p));
            }
            let text = &g.reasons[0].text;
            assert!(
                text.zh
                    .starts_with(&format!("综合得分 {total}（{}）", zh.join("，"))),
                "{}",
                text.zh
            );
            assert!(
                text.en
                    .starts_with(&format!("score {total} ({})", en.join(", "))),
                "{}",
                text.en
            );
        }
    }

    #[test]
    fn signed_numbers_are_written_as_format_writes_them() {
        for n in [0, 1, -1, 9, 10, -10, 123, i32::MAX, i32::MIN] {
            let mut s = String::from("x");
            push_signed(&mut s, n);
            assert_eq!(s, format!("x{n:+}"));
        }
    }
}
