//! The kept, row-by-row check of a table under edit ([`TableCheck`]) always agrees with
//! validating the whole table afresh, and the rows it says changed are all that changed.

use proptest::prelude::*;
use sunlight_core::model::RiskRow;
use sunlight_core::rules::{TableCheck, validate_graded};
use sunlight_core::{Issue, Scheme, SelfCheckTable, presets};

/// A good table of the scheme from the fixtures (education-bureau has none: it gets town-2012's
/// rows, which it cannot grade), plus rows graded by the scheme's own factor values.
fn table_for(scheme: &Scheme) -> SelfCheckTable {
    let text = match scheme.id.as_str() {
        "ministry-2012" => include_str!("../../tests/fixtures/good-tables/ministry-2012.json"),
        "university-2010" => {
            include_str!("../../tests/fixtures/good-tables/university-2010-personal.json")
        }
        _ => include_str!("../../tests/fixtures/good-tables/town-2012.json"),
    };
    let mut t = SelfCheckTable::from_json(text).expect("fixture");
    t.scheme = scheme.id.clone();
    let template = t.rows[0].clone();
    for k in 0..4 {
        let mut r = template.clone();
        r.risk_point = format!("按本方案评定的第 {k} 个风险点");
        r.factors = scheme
            .factors
            .iter()
            .map(|f| (f.id.clone(), f.options[k % f.options.len()].id.clone()))
            .collect();
        t.rows.push(r);
    }
    t
}

/// Rows to put in place of others: every preset's rows, so rows of other schemes too.
fn pool() -> Vec<RiskRow> {
    presets::registry()
        .iter()
        .flat_map(|s| table_for(s).rows)
        .collect()
}

/// One edit of row `at` (taken modulo the table's length).
#[derive(Debug, Clone)]
enum Edit {
    /// Put a row of the pool there.
    Replace { at: usize, from: usize },
    /// Copy another row of the table there, its risk point respaced and upper-cased: a duplicate.
    Repeat { at: usize, of: usize },
    /// Empty the risk point (no longer a duplicate of anything, and missing).
    ClearRiskPoint { at: usize },
    /// Drop one factor (no grade any more).
    DropFactor { at: usize },
    /// State a level other than the grade, with or without a reason.
    StateLevel {
        at: usize,
        level: usize,
        reason: bool,
    },
    /// Change the header's year.
    Year { year: i64 },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (0..50_usize, 0..50_usize).prop_map(|(at, from)| Edit::Replace { at, from }),
        3 => (0..50_usize, 0..50_usize).prop_map(|(at, of)| Edit::Repeat { at, of }),
        1 => (0..50_usize).prop_map(|at| Edit::ClearRiskPoint { at }),
        1 => (0..50_usize).prop_map(|at| Edit::DropFactor { at }),
        1 => (0..50_usize, 0..4_usize, any::<bool>())
            .prop_map(|(at, level, reason)| Edit::StateLevel { at, level, reason }),
        1 => prop::sample::select(vec![2012_i64, 2013, 1990, 0]).prop_map(|year| Edit::Year { year }),
    ]
}

fn row_state<'c>(check: &'c TableCheck, i: usize) -> (Vec<&'c Issue>, Option<String>) {
    (
        check.row_issues(i).collect(),
        check.grade(i).map(|g| format!("{g:?}")),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edits_checked_row_by_row_agree_with_a_fresh_check(
        which in 0..4_usize,
        copies in 1..4_usize,
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        let scheme = presets::registry().iter().nth(which).expect("four presets");
        let mut table = table_for(scheme);
        let base = table.rows.clone();
        for _ in 1..copies {
            table.rows.extend(base.iter().cloned());
        }
        let pool = pool();
        let mut check = TableCheck::new(scheme, &table);
        prop_assert_eq!(check.clone().into_parts(), validate_graded(scheme, &table));
        prop_assert_eq!(check.clone().into_report(), validate_graded(scheme, &table).0);
        let n = table.rows.len();
        for e in edits {
            let before: Vec<_> = (0..n).map(|i| {
                let (issues, grade) = row_state(&check, i);
                (issues.into_iter().cloned().collect::<Vec<_>>(), grade)
            }).collect();
            let at = match e {
                Edit::Replace { at, from } => {
                    table.rows[at % n] = pool[from % pool.len()].clone();
                    Some(at % n)
                }
                Edit::Repeat { at, of } => {
                    let mut r = table.rows[of % n].clone();
                    r.risk_point = format!("  {}  ", r.risk_point.to_uppercase().replace(' ', "\t "));
                    table.rows[at % n] = r;
                    Some(at % n)
                }
                Edit::ClearRiskPoint { at } => {
                    table.rows[at % n].risk_point.clear();
                    Some(at % n)
                }
                Edit::DropFactor { at } => {
                    table.rows[at % n].factors.pop_first();
                    Some(at % n)
                }
                Edit::StateLevel { at, level, reason } => {
                    let r = &mut table.rows[at % n];
                    r.level = Some(scheme.levels[level % scheme.levels.len()].id.clone());
                    r.level_reason = if reason { "经集体研究调整".into() } else { String::new() };
                    Some(at % n)
                }
                Edit::Year { year } => {
                    table.year = year;
                    None
                }
            };
            let changed = match at {
                Some(i) => check.set_row(i, &table.rows[i]).expect("the row exists"),
                None => {
                    check.set_header(&table);
                    Vec::new()
                }
            };
            prop_assert_eq!(check.clone().into_parts(), validate_graded(scheme, &table));
            for (i, (issues, grade)) in before.iter().enumerate() {
                let (now_issues, now_grade) = row_state(&check, i);
                let same = now_issues.into_iter().eq(issues.iter()) && &now_grade == grade;
                prop_assert_eq!(!same, changed.contains(&i), "row {} (changed: {:?})", i, changed);
            }
        }
    }
}

#[test]
fn a_row_the_table_does_not_have_is_none() {
    let scheme = presets::get("town-2012").expect("preset");
    let table = table_for(scheme);
    let mut check = TableCheck::new(scheme, &table);
    let n = check.row_count();
    assert_eq!(n, table.rows.len());
    assert!(check.set_row(n, &table.rows[0]).is_none());
    assert_eq!(check.row_issues(n).count(), 0);
    assert!(check.grade(n).is_none());
    assert!(check.is_ok());
}
