//! Schemes: an implementation plan (实施方案) as data.
//!
//! A scheme says which risk types (风险类型) a unit looks for, which grading factors it weighs,
//! how those factors map to its level scale (风险等级), who answers for each level (分级管理),
//! its catalogue of measures (防控措施) in the three lines of defence (三道防线), and its dated
//! phases. The four seed schemes ship as presets ([`crate::presets`]); a unit can load its own
//! file of the same format with [`Scheme::from_json`], which checks it thoroughly.

mod grading;
mod load;
mod supervision;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::Text;

pub(crate) use grading::GradeMemo;
pub use grading::{Grade, Grading, Outcome, Reason, ReasonKind, Rule, Threshold, grade};
pub use supervision::Supervision;

/// The file format tag every scheme file carries in its `format` member.
pub const SCHEME_FORMAT: &str = "sunlight-scheme/1";

/// An implementation plan for integrity-risk prevention and control, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Always [`SCHEME_FORMAT`].
    pub format: String,
    /// Short stable id, lower-case letters, digits and hyphens, e.g. `town-2012`.
    pub id: String,
    /// The plan's title.
    pub name: Text,
    /// Where the scheme comes from, and what in it is interpretation rather than quotation.
    pub source: Source,
    /// The years the scheme applies to.
    pub years: YearRange,
    /// The reporting periods a table may be filed for, e.g. `["annual"]`.
    pub periods: Vec<Period>,
    /// The risk types (风险类型) a risk point is classified by.
    pub risk_types: Vec<RiskType>,
    /// The grading factors (评定因素) each risk point is assessed on.
    pub factors: Vec<Factor>,
    /// Who can be made responsible for a level (分级管理).
    pub roles: Vec<Role>,
    /// The level scale, most severe first (rank 1).
    pub levels: Vec<Level>,
    /// How factor values map to a level.
    pub grading: Grading,
    /// The measure catalogue, each measure in one line of defence.
    pub measures: Vec<MeasureKind>,
    /// The dated phases of the plan within each year.
    pub phases: Vec<Phase>,
    /// The phase by whose end self-check tables are due.
    pub table_deadline: String,
    /// Validation choices the scheme makes.
    pub policy: Policy,
    /// Numbers for the supervision rules; the seeds' values when absent.
    #[serde(default)]
    pub supervision: Supervision,
}

/// Where a scheme comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document it follows (title and number as printed).
    pub document: String,
    /// The seed file it was taken from, if any (e.g. `shared/seeds/000_…txt`).
    #[serde(default)]
    pub seed: String,
    /// What the document states and what the scheme had to interpret.
    pub note: Text,
}

/// The years a scheme applies to; `to` is open when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRange {
    /// First year.
    pub from: i32,
    /// Last year, if the scheme ends.
    #[serde(default)]
    pub to: Option<i32>,
}

impl YearRange {
    /// Whether `year` lies in the range.
    pub fn contains(&self, year: i64) -> bool {
        year >= i64::from(self.from) && self.to.is_none_or(|to| year <= i64::from(to))
    }
}

/// A reporting period within a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Period {
    /// The whole year (年度).
    #[serde(rename = "annual")]
    Annual,
    /// First half-year (上半年).
    H1,
    /// Second half-year (下半年).
    H2,
    /// First quarter (第一季度).
    Q1,
    /// Second quarter.
    Q2,
    /// Third quarter.
    Q3,
    /// Fourth quarter.
    Q4,
}

impl Period {
    /// Every period, in order.
    pub const ALL: [Period; 7] = [
        Period::Annual,
        Period::H1,
        Period::H2,
        Period::Q1,
        Period::Q2,
        Period::Q3,
        Period::Q4,
    ];

    /// The id used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Annual => "annual",
            Period::H1 => "H1",
            Period::H2 => "H2",
            Period::Q1 => "Q1",
            Period::Q2 => "Q2",
            Period::Q3 => "Q3",
            Period::Q4 => "Q4",
        }
    }

    /// The period's name.
    pub fn name(self) -> Text {
        match self {
            Period::Annual => Text::new("年度", "annual"),
            Period::H1 => Text::new("上半年", "first half-year"),
            Period::H2 => Text::new("下半年", "second half-year"),
            Period::Q1 => Text::new("第一季度", "first quarter"),
            Period::Q2 => Text::new("第二季度", "second quarter"),
            Period::Q3 => Text::new("第三季度", "third quarter"),
            Period::Q4 => Text::new("第四季度", "fourth quarter"),
        }
    }
}

impl FromStr for Period {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Period::ALL.into_iter().find(|p| p.as_str() == s).ok_or(())
    }
}

/// A risk type (风险类型), e.g. 思想道德风险.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskType {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: Text,
    /// What to look for, as the scheme describes it.
    #[serde(default)]
    pub description: Text,
}

/// A grading factor (评定因素) with its possible values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: Text,
    /// What the factor means.
    #[serde(default)]
    pub description: Text,
    /// Its values, in the order a form shows them.
    pub options: Vec<FactorOption>,
}

/// One value of a grading factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorOption {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: Text,
}

/// A role that answers for risks of a level (分级管理).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Stable id, e.g. `principal-leader`.
    pub id: String,
    /// Name, e.g. 单位主要领导.
    pub name: Text,
    /// What the role does for the risk.
    #[serde(default)]
    pub duty: Text,
}

/// The normalised severity of a level, so schemes with different scales can be compared and
/// so rules such as "a high risk needs all three lines of defence" apply to every scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Low (低).
    Low,
    /// Medium (中).
    Medium,
    /// High (高).
    High,
}

impl Severity {
    /// The id used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The severity's name.
    pub fn name(self) -> Text {
        match self {
            Severity::Low => Text::new("低", "low"),
            Severity::Medium => Text::new("中", "medium"),
            Severity::High => Text::new("高", "high"),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One level of a scheme's scale (风险等级).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Stable id.
    pub id: String,
    /// Name, e.g. 一级.
    pub name: Text,
    /// 1 for the most severe level, counting up.
    pub rank: u8,
    /// Normalised severity.
    pub severity: Severity,
    /// The role that answers for risks of this level.
    pub responsible: String,
    /// The scheme's criterion for the level.
    #[serde(default)]
    pub description: Text,
    /// Examples the scheme gives for the level.
    #[serde(default)]
    pub examples: Vec<Text>,
}

/// The three lines of defence (三道防线).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefenceLine {
    /// 前期预防: prior prevention.
    Prevention,
    /// 中期监控: in-process monitoring.
    Monitoring,
    /// 后期处置: after-the-fact disposal.
    Disposal,
}

impl DefenceLine {
    /// The three lines in order.
    pub const ALL: [DefenceLine; 3] = [
        DefenceLine::Prevention,
        DefenceLine::Monitoring,
        DefenceLine::Disposal,
    ];

    /// The id used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            DefenceLine::Prevention => "prevention",
            DefenceLine::Monitoring => "monitoring",
            DefenceLine::Disposal => "disposal",
        }
    }

    /// The line's name.
    pub fn name(self) -> Text {
        Text::new(self.name_zh(), self.name_en())
    }

    /// The line's name in Chinese, without making a [`Text`] (ingest writes it for every measure).
    pub fn name_zh(self) -> &'static str {
        match self {
            DefenceLine::Prevention => "前期预防",
            DefenceLine::Monitoring => "中期监控",
            DefenceLine::Disposal => "后期处置",
        }
    }

    /// The line's name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            DefenceLine::Prevention => "prior prevention",
            DefenceLine::Monitoring => "in-process monitoring",
            DefenceLine::Disposal => "after-the-fact disposal",
        }
    }
}

impl FromStr for DefenceLine {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        DefenceLine::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or(())
    }
}

/// A kind of measure in the scheme's catalogue, e.g. 述职述廉 in the monitoring line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureKind {
    /// Stable id.
    pub id: String,
    /// The line of defence it belongs to.
    pub line: DefenceLine,
    /// Name.
    pub name: Text,
}

/// A month and day, `MM-DD`, for phases that recur every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthDay {
    /// 1–12.
    pub month: u8,
    /// 1–31 (29 February allowed; in other years it means 28 February).
    pub day: u8,
}

impl MonthDay {
    /// This month-day in `year`, clamped to the month's end (29 February in a common year is 28 February).
    pub fn in_year(self, year: i32) -> crate::Result<crate::Date> {
        crate::Date::new(
            year,
            self.month,
            self.day.min(crate::date::days_in_month(year, self.month)),
        )
    }
}

impl FromStr for MonthDay {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let ok = b.len() == 5 && b[2] == b'-' && s.is_ascii();
        let month: Option<u8> = ok.then(|| s[0..2].parse().ok()).flatten();
        let day: Option<u8> = ok.then(|| s[3..5].parse().ok()).flatten();
        match (month, day) {
            (Some(m), Some(d))
                if (1..=12).contains(&m) && d >= 1 && d <= crate::date::days_in_month(2000, m) =>
            {
                Ok(MonthDay { month: m, day: d })
            }
            _ => Err(format!("'{s}' is not a month and day of the form MM-DD")),
        }
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl Serialize for MonthDay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A dated phase of the plan (工作步骤), recurring each year of the scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Stable id.
    pub id: String,
    /// Name, e.g. 查找风险.
    pub name: Text,
    /// First day.
    pub start: MonthDay,
    /// Last day (inclusive).
    pub end: MonthDay,
}

/// Whether a rule's breach is an error (blocks submission) or a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueSeverity {
    /// Blocks the submission.
    Error,
    /// Shown, counted, but does not block.
    Warning,
}

/// Validation choices that differ between schemes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Risks of this severity or above must have a measure in every line of defence.
    pub full_defence_from: Severity,
    /// Whether a missing line for such a risk is an error or a warning.
    pub full_defence_as: IssueSeverity,
}

impl Scheme {
    /// A risk type by id.
    pub fn risk_type(&self, id: &str) -> Option<&RiskType> {
        self.risk_types.iter().find(|t| t.id == id)
    }

    /// A factor by id.
    pub fn factor(&self, id: &str) -> Option<&Factor> {
        self.factors.iter().find(|f| f.id == id)
    }

    /// A level by id.
    pub fn level(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.id == id)
    }

    /// A role by id.
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// A measure kind by id.
    pub fn measure(&self, id: &str) -> Option<&MeasureKind> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// A phase by id.
    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }

    /// The role responsible for a level (seed 000 分级管理).
    ///
    /// ```
    /// let town = sunlight_core::presets::get("town-2012").unwrap();
    /// assert_eq!(town.responsible_for("high").unwrap().id, "principal-leader");
    /// ```
    pub fn responsible_for(&self, level: &str) -> crate::Result<&Role> {
        let l = self
            .level(level)
            .ok_or_else(|| crate::Error::UnknownLevel {
                scheme: self.id.clone(),
                level: level.to_owned(),
            })?;
        // Checked when the scheme was loaded: every level names a role that exists.
        self.role(&l.responsible).ok_or_else(|| {
            crate::Error::scheme(
                &self.id,
                "levels",
                format!("level '{}' names unknown role '{}'", l.id, l.responsible),
            )
        })
    }

    /// The date by which tables for `year` are due (the end of the deadline phase).
    pub fn table_deadline(&self, year: i32) -> crate::Result<crate::Date> {
        let phase = self
            .phase(&self.table_deadline)
            .ok_or_else(|| crate::Error::scheme(&self.id, "table_deadline", "names no phase"))?;
        phase.end.in_year(year)
    }
}
