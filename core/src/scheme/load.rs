//! Reading and checking a scheme file.

use std::collections::BTreeSet;

use super::{Grading, SCHEME_FORMAT, Scheme};
use crate::error::{Error, Result};

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

impl Scheme {
    /// Reads a scheme file and checks that it is complete and consistent.
    ///
    /// Every problem is reported with the path where it sits, e.g.
    /// `grading.rules[3].when.discretion: 'huge' is not an option of factor 'discretion'`.
    pub fn from_json(text: &str) -> Result<Scheme> {
        let scheme: Scheme =
            serde_json::from_str(text).map_err(|e| Error::json("scheme file", &e))?;
        scheme.check()?;
        Ok(scheme)
    }

    /// Checks a scheme built in code (as [`Scheme::from_json`] does for files).
    pub fn check(&self) -> Result<()> {
        let id = if self.id.is_empty() {
            "?"
        } else {
            self.id.as_str()
        };
        let fail = |path: String, message: String| Err(Error::scheme(id, path, message));
        if self.format != SCHEME_FORMAT {
            return fail(
                "format".into(),
                format!("expected '{SCHEME_FORMAT}', found '{}'", self.format),
            );
        }
        if !is_id(&self.id) {
            return fail(
                "id".into(),
                "an id is 1–64 lower-case letters, digits and hyphens".into(),
            );
        }
        if self.name.zh.trim().is_empty() {
            return fail("name.zh".into(), "the scheme needs a Chinese name".into());
        }
        if let Some(to) = self.years.to
            && to < self.years.from
        {
            return fail(
                "years".into(),
                format!("ends ({to}) before it starts ({})", self.years.from),
            );
        }
        if self.periods.is_empty() {
            return fail(
                "periods".into(),
                "at least one reporting period is needed".into(),
            );
        }
        unique(id, "periods", self.periods.iter().map(|p| p.as_str()))?;
        for (what, ids) in [
            (
                "risk_types",
                self.risk_types
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                "factors",
                self.factors.iter().map(|f| f.id.as_str()).collect(),
            ),
            ("roles", self.roles.iter().map(|r| r.id.as_str()).collect()),
            (
                "levels",
                self.levels.iter().map(|l| l.id.as_str()).collect(),
            ),
            (
                "measures",
                self.measures.iter().map(|m| m.id.as_str()).collect(),
            ),
            (
                "phases",
                self.phases.iter().map(|p| p.id.as_str()).collect(),
            ),
        ] {
            if ids.is_empty() && what != "measures" {
                return fail(what.into(), "the list is empty".into());
            }
            for (i, x) in ids.iter().enumerate() {
                if !is_id(x) {
                    return fail(
                        format!("{what}[{i}].id"),
                        format!("'{x}' is not a valid id (lower-case letters, digits, hyphens)"),
                    );
                }
            }
            unique(id, what, ids.iter().copied())?;
        }
        for (i, f) in self.factors.iter().enumerate() {
            if f.options.is_empty() {
                return fail(
                    format!("factors[{i}].options"),
                    format!("factor '{}' has no options", f.id),
                );
            }
            for (j, o) in f.options.iter().enumerate() {
                if !is_id(&o.id) {
                    return fail(
                        format!("factors[{i}].options[{j}].id"),
                        format!("'{}' is not a valid id", o.id),
                    );
                }
            }
            unique(
                id,
                &format!("factors[{i}].options"),
                f.options.iter().map(|o| o.id.as_str()),
            )?;
        }
        let mut ranks = BTreeSet::new();
        for (i, l) in self.levels.iter().enumerate() {
            if self.role(&l.responsible).is_none() {
                return fail(
                    format!("levels[{i}].responsible"),
                    format!("names role '{}', which is not in roles", l.responsible),
                );
            }
            if !ranks.insert(l.rank) {
                return fail(
                    format!("levels[{i}].rank"),
                    format!("rank {} is used twice", l.rank),
                );
            }
        }
        let expected: BTreeSet<u8> = (1..=self.levels.len())
            .filter_map(|r| u8::try_from(r).ok())
            .collect();
        if ranks != expected {
            return fail(
                "levels".into(),
                "ranks must run 1, 2, 3, … without gaps".into(),
            );
        }
        for w in self.levels.windows(2) {
            if w[0].rank > w[1].rank || w[0].severity < w[1].severity {
                return fail("levels".into(), "levels must be listed most severe first, and severity may not rise as rank falls".into());
            }
        }
        for (i, p) in self.phases.iter().enumerate() {
            if p.end < p.start {
                return fail(
                    format!("phases[{i}]"),
                    format!(
                        "phase '{}' ends ({}) before it starts ({})",
                        p.id, p.end, p.start
                    ),
                );
            }
        }
        if self.phase(&self.table_deadline).is_none() {
            return fail(
                "table_deadline".into(),
                format!(
                    "names phase '{}', which is not in phases",
                    self.table_deadline
                ),
            );
        }
        let sv = &self.supervision;
        if sv.yellow_card_reports == 0
            || sv.larger_complaints == 0
            || sv.concentrated_complaints <= sv.larger_complaints
        {
            return fail(
                "supervision".into(),
                "yellow_card_reports and larger_complaints must be at least 1, and concentrated_complaints above larger_complaints".into(),
            );
        }
        let [good, fair, average] = sv.rating_thresholds;
        if !(good > fair && fair > average && good <= 100) {
            return fail(
                "supervision.rating_thresholds".into(),
                "thresholds must fall from 好 to 一般, at most 100".into(),
            );
        }
        self.check_grading(id)
    }

    fn check_grading(&self, id: &str) -> Result<()> {
        let fail = |path: String, message: String| Err(Error::scheme(id, path, message));
        let level_ok = |path: String, level: &str| {
            if self.level(level).is_some() {
                Ok(())
            } else {
                fail(
                    path,
                    format!("names level '{level}', which is not in levels"),
                )
            }
        };
        match &self.grading {
            Grading::DecisionTable { rules, otherwise } => {
                for (i, r) in rules.iter().enumerate() {
                    let path = format!("grading.rules[{i}]");
                    if r.when.is_empty() {
                        return fail(path, "a rule needs at least one condition (use `otherwise` for the fallback)".into());
                    }
                    for (f, values) in &r.when {
                        let Some(factor) = self.factor(f) else {
                            return fail(
                                format!("{path}.when.{f}"),
                                format!("'{f}' is not a factor of the scheme"),
                            );
                        };
                        if values.is_empty() {
                            return fail(
                                format!("{path}.when.{f}"),
                                "the condition lists no values".into(),
                            );
                        }
                        for v in values {
                            if !factor.options.iter().any(|o| o.id == *v) {
                                return fail(
                                    format!("{path}.when.{f}"),
                                    format!("'{v}' is not an option of factor '{f}'"),
                                );
                            }
                        }
                    }
                    level_ok(format!("{path}.level"), &r.level)?;
                }
                level_ok("grading.otherwise.level".into(), &otherwise.level)
            }
            Grading::Score { points, thresholds } => {
                let mut min_possible: i64 = 0;
                for f in &self.factors {
                    let Some(pf) = points.get(&f.id) else {
                        return fail(
                            format!("grading.points.{}", f.id),
                            "every factor needs points".into(),
                        );
                    };
                    for o in &f.options {
                        if !pf.contains_key(&o.id) {
                            return fail(
                                format!("grading.points.{}.{}", f.id, o.id),
                                "every option needs points".into(),
                            );
                        }
                    }
                    if let Some(k) = pf.keys().find(|k| !f.options.iter().any(|o| o.id == **k)) {
                        return fail(
                            format!("grading.points.{}.{k}", f.id),
                            format!("'{k}' is not an option of factor '{}'", f.id),
                        );
                    }
                    min_possible += i64::from(pf.values().copied().min().unwrap_or(0));
                }
                if let Some(k) = points.keys().find(|k| self.factor(k).is_none()) {
                    return fail(
                        format!("grading.points.{k}"),
                        format!("'{k}' is not a factor of the scheme"),
                    );
                }
                if thresholds.is_empty() {
                    return fail(
                        "grading.thresholds".into(),
                        "at least one threshold is needed".into(),
                    );
                }
                for (i, t) in thresholds.iter().enumerate() {
                    level_ok(format!("grading.thresholds[{i}].level"), &t.level)?;
                    if i > 0 && thresholds[i - 1].min <= t.min {
                        return fail(
                            format!("grading.thresholds[{i}]"),
                            "thresholds must be listed from the highest score down".into(),
                        );
                    }
                }
                let lowest = thresholds.last().map_or(i64::MAX, |t| i64::from(t.min));
                if lowest > min_possible {
                    return fail(
                        "grading.thresholds".into(),
                        format!(
                            "the lowest threshold ({lowest}) is above the lowest possible score ({min_possible}), so some risks would get no level"
                        ),
                    );
                }
                Ok(())
            }
        }
    }
}

fn unique<'a>(scheme: &str, what: &str, ids: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen = BTreeSet::new();
    for x in ids {
        if !seen.insert(x) {
            return Err(Error::scheme(scheme, what, format!("'{x}' appears twice")));
        }
    }
    Ok(())
}
