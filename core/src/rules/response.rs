//! The graduated response (seed 003 line 14, "依照发现问题的情节轻重，拟定预警措施"), with seed
//! 004's reminder talk for low democratic-evaluation satisfaction.
//!
//! - 有群众反映但问题较轻 → 警示教育或风险提示;
//! - 群众反映意见较大或问题情节较重 → 廉政谈话，并责令整改;
//! - 群众反映意见集中或情节严重 → 组织处置.
//!
//! "Larger" and "concentrated" are counts of public complaints in the window, set by the scheme
//! ([`crate::scheme::Supervision`]); the matter's gravity is the worst verified report in the window.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::{ArchiveEvent, EventKind, MatterSeverity};
use crate::scheme::Supervision;
use crate::text::Text;

/// The recommended response, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Response {
    /// Nothing calls for a response.
    None,
    /// 警示教育 / 风险提示 (and seed 004's 谈话提醒 or 警示提醒).
    WarningEducation,
    /// 廉政谈话，并责令整改.
    TalkAndRectification,
    /// 组织处置.
    OrganisationalDisposal,
}

impl Response {
    /// The id used in files and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Response::None => "none",
            Response::WarningEducation => "warning-education",
            Response::TalkAndRectification => "talk-and-rectification",
            Response::OrganisationalDisposal => "organisational-disposal",
        }
    }

    /// The response's name.
    pub fn name(self) -> Text {
        match self {
            Response::None => Text::new("无需处置", "no response"),
            Response::WarningEducation => {
                Text::new("警示教育或风险提示", "warning education or risk prompt")
            }
            Response::TalkAndRectification => Text::new(
                "廉政谈话并责令整改",
                "integrity talk and ordered rectification",
            ),
            Response::OrganisationalDisposal => Text::new("组织处置", "organisational disposal"),
        }
    }
}

/// A recommendation with what decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The person.
    pub person: String,
    /// The response.
    pub response: Response,
    /// Public complaints counted in the window.
    pub complaints: u32,
    /// The worst verified matter in the window.
    pub severity: Option<MatterSeverity>,
    /// Whether low democratic-evaluation satisfaction was recorded in the window.
    pub low_satisfaction: bool,
    /// Why.
    pub reason: Text,
}

/// Recommends a response for `person` from the events dated `from..=to`.
pub fn recommend(
    policy: &Supervision,
    person: &str,
    events: &[ArchiveEvent],
    from: Date,
    to: Date,
) -> Recommendation {
    let window = events
        .iter()
        .filter(|e| e.person == person && e.date >= from && e.date <= to);
    let mut complaints: u32 = 0;
    let mut severity: Option<MatterSeverity> = None;
    let mut low_satisfaction = false;
    for e in window {
        match e.kind {
            EventKind::ReportReceived if e.source.is_public() => {
                complaints = complaints.saturating_add(e.complaints)
            }
            EventKind::ReportVerified => severity = severity.max(e.severity),
            EventKind::LowSatisfaction => low_satisfaction = true,
            _ => {}
        }
    }
    let (response, zh, en) = if severity == Some(MatterSeverity::Serious) {
        (
            Response::OrganisationalDisposal,
            "查实问题情节严重".to_owned(),
            "a verified matter is serious".to_owned(),
        )
    } else if complaints >= policy.concentrated_complaints {
        (
            Response::OrganisationalDisposal,
            format!(
                "群众反映意见集中（{complaints} 人次，达到 {} 人次）",
                policy.concentrated_complaints
            ),
            format!(
                "complaints are concentrated ({complaints}, threshold {})",
                policy.concentrated_complaints
            ),
        )
    } else if severity == Some(MatterSeverity::Heavier) {
        (
            Response::TalkAndRectification,
            "查实问题情节较重".to_owned(),
            "a verified matter is heavier".to_owned(),
        )
    } else if complaints >= policy.larger_complaints {
        (
            Response::TalkAndRectification,
            format!(
                "群众反映意见较大（{complaints} 人次，达到 {} 人次）",
                policy.larger_complaints
            ),
            format!(
                "complaints are substantial ({complaints}, threshold {})",
                policy.larger_complaints
            ),
        )
    } else if complaints > 0 || severity.is_some() {
        (
            Response::WarningEducation,
            format!("有群众反映（{complaints} 人次）但问题较轻"),
            format!("there are complaints ({complaints}) but the matter is minor"),
        )
    } else if low_satisfaction {
        (
            Response::WarningEducation,
            "民主测评满意度较低（种子 004）".to_owned(),
            "low satisfaction in democratic evaluation (seed 004)".to_owned(),
        )
    } else {
        (
            Response::None,
            "期间内无群众反映和查实问题".to_owned(),
            "no complaints or verified matters in the period".to_owned(),
        )
    };
    Recommendation {
        person: person.to_owned(),
        response,
        complaints,
        severity,
        low_satisfaction,
        reason: Text::new(zh, en),
    }
}
