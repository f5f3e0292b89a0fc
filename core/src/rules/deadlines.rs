//! Deadlines: disclosure (里南乡政务公开制度), 述职述廉 (seed 000), the half-yearly affairs-disclosure
//! check (seed 002 第十六条), the quarterly check of decision rules (第六条), each scheme's phases,
//! and the overdue list that follows from them.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::Result;
use crate::scheme::Scheme;
use crate::text::Text;

/// What kind of item is to be disclosed (里南乡: "常规性工作按每季度一次公开，时间为次季度首月15日前，
/// 阶段性工作逐段公开，临时性工作随时公开").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Disclosure {
    /// Routine work of a quarter: due by the 15th of the first month of the next quarter.
    Routine {
        /// Year of the quarter.
        year: i32,
        /// Quarter, 1–4.
        quarter: u8,
    },
    /// Staged work: each stage is due when the stage ends.
    Staged {
        /// The stage's last day.
        stage_end: Date,
    },
    /// Ad-hoc work: due at once, the day it happens.
    AdHoc {
        /// The day it happened.
        occurred: Date,
    },
}

/// The last day by which an item must be published.
///
/// ```
/// use sunlight_core::rules::deadlines::{disclosure_due, Disclosure};
/// assert_eq!(disclosure_due(Disclosure::Routine { year: 2012, quarter: 4 }).unwrap().to_string(), "2013-01-15");
/// ```
pub fn disclosure_due(item: Disclosure) -> Result<Date> {
    match item {
        Disclosure::Routine { year, quarter } => {
            if !(1..=4).contains(&quarter) {
                return Err(crate::Error::Date {
                    input: format!("{year} Q{quarter}"),
                    message: "a quarter is 1 to 4".into(),
                });
            }
            let (y, m) = if quarter == 4 {
                (year + 1, 1)
            } else {
                (year, quarter * 3 + 1)
            };
            Date::new(y, m, 15)
        }
        Disclosure::Staged { stage_end } => Ok(stage_end),
        Disclosure::AdHoc { occurred } => Ok(occurred),
    }
}

/// A dated obligation of a unit or department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    /// Stable id, e.g. `duty-report-2012`.
    pub id: String,
    /// What is owed.
    pub what: Text,
    /// The last day.
    pub due: Date,
    /// Where the rule comes from.
    pub source: String,
}

/// Where an obligation stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Not due yet and not done.
    Pending,
    /// Done on or before the due day.
    OnTime,
    /// Done after the due day.
    Late,
    /// Past due and not done.
    Overdue,
}

/// An obligation with its standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The obligation.
    pub obligation: Obligation,
    /// When it was done, if it was.
    pub done: Option<Date>,
    /// Its standing on the day asked about.
    pub standing: Standing,
    /// Days past due (overdue: up to today; late: up to the day it was done).
    pub days_late: i64,
}

/// The standing of an obligation on `today`.
pub fn standing(obligation: Obligation, done: Option<Date>, today: Date) -> Status {
    let (standing, days_late) = standing_on(obligation.due, done, today);
    Status {
        obligation,
        done,
        standing,
        days_late,
    }
}

/// Whether a standing puts an obligation on the overdue list.
fn listed(s: Standing) -> bool {
    matches!(s, Standing::Overdue | Standing::Late)
}

fn worst_first(a: &Status, b: &Status) -> std::cmp::Ordering {
    b.days_late
        .cmp(&a.days_late)
        .then_with(|| a.obligation.id.cmp(&b.obligation.id))
}

/// The overdue list: the statuses that are overdue or were done late, worst first.
pub fn overdue(statuses: &[Status]) -> Vec<&Status> {
    let mut v: Vec<&Status> = statuses.iter().filter(|s| listed(s.standing)).collect();
    v.sort_by(|a, b| worst_first(a, b));
    v
}

/// The overdue list of `obligations` on `today`, `done` saying when each was done: what
/// [`overdue`] gives over the [`standing`] of every one, copying only the obligations it lists
/// (for callers that keep their obligations, e.g. one list for every department of a scheme).
pub fn overdue_among(
    obligations: &[Obligation],
    done: impl Fn(&Obligation) -> Option<Date>,
    today: Date,
) -> Vec<Status> {
    let mut v: Vec<Status> = obligations
        .iter()
        .filter_map(|o| {
            let d = done(o);
            let (standing, days_late) = standing_on(o.due, d, today);
            listed(standing).then(|| Status {
                obligation: o.clone(),
                done: d,
                standing,
                days_late,
            })
        })
        .collect();
    v.sort_by(worst_first);
    v
}

/// The standing on `today` of what is due on `due` and was done on `done`, and the days it is
/// late: [`standing`] without the obligation, for callers that keep their obligations.
pub fn standing_on(due: Date, done: Option<Date>, today: Date) -> (Standing, i64) {
    match done {
        Some(d) if d <= due => (Standing::OnTime, 0),
        Some(d) => (Standing::Late, due.days_until(d)),
        None if today > due => (Standing::Overdue, due.days_until(today)),
        None => (Standing::Pending, 0),
    }
}

/// The obligations a scheme and the seeds' rules create for one department in `year`.
///
/// - the self-check table by the scheme's table deadline, and each phase by its end (the scheme);
/// - `per_year` 述职述廉 reports (seed 000: 每年至少 2 次): the first by 30 June, the last by 31 December
///   (the seed sets only the yearly count; spreading them over the halves is Sunlight's reading);
/// - routine disclosure for each quarter by the 15th of the next quarter's first month (里南乡);
/// - the affairs-disclosure check each half-year (第十六条) and the decision-rule check each quarter (第六条).
pub fn obligations(scheme: &Scheme, year: i32) -> Result<Vec<Obligation>> {
    let mut out = Vec::new();
    out.push(Obligation {
        id: format!("table-{year}"),
        what: Text::new("报送廉政风险识别防控表", "file the self-check table"),
        due: scheme.table_deadline(year)?,
        source: format!("{}: table_deadline", scheme.id),
    });
    for p in &scheme.phases {
        out.push(Obligation {
            id: format!("phase-{}-{year}", p.id),
            what: Text::new(
                format!("完成“{}”阶段", p.name.zh),
                format!("complete the '{}' phase", p.name.en),
            ),
            due: p.end.in_year(year)?,
            source: format!("{}: phases", scheme.id),
        });
    }
    let n = scheme.supervision.duty_reports_per_year;
    for i in 1..=n {
        let due = if n >= 2 && i <= n / 2 {
            Date::new(year, 6, 30)?
        } else {
            Date::new(year, 12, 31)?
        };
        out.push(Obligation {
            id: format!("duty-report-{i}-{year}"),
            what: Text::new(
                format!("第 {i} 次述职述廉"),
                format!("report on duty and integrity no. {i}"),
            ),
            due,
            source: "seed 000: 每年至少组织开展2次".into(),
        });
    }
    for q in 1..=4u8 {
        out.push(Obligation {
            id: format!("disclosure-q{q}-{year}"),
            what: Text::new(
                format!("公开第 {q} 季度常规性工作"),
                format!("publish the routine work of Q{q}"),
            ),
            due: disclosure_due(Disclosure::Routine { year, quarter: q })?,
            source: "里南乡政务公开制度: 次季度首月15日前".into(),
        });
        out.push(Obligation {
            id: format!("decision-check-q{q}-{year}"),
            what: Text::new(
                format!("第 {q} 季度重大事项议决事规则执行情况检查"),
                format!("Q{q} check of the decision rules"),
            ),
            due: Date::new(year, q * 3, crate::date::days_in_month(year, q * 3))?,
            source: "seed 002 第六条: 纪委每季检查一次".into(),
        });
    }
    for (h, m, d) in [(1, 6, 30), (2, 12, 31)] {
        out.push(Obligation {
            id: format!("affairs-check-h{h}-{year}"),
            what: Text::new(
                format!("第 {h} 个半年党（政）务公开检查"),
                format!("half-year {h} check of affairs disclosure"),
            ),
            due: Date::new(year, m, d)?,
            source: "seed 002 第十六条: 每半年组织开展党（政）务公开检查".into(),
        });
    }
    Ok(out)
}
