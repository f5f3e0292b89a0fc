//! Accountability for major decisions (seed 002, 纪委同级监督 rules, 第十条): seven triggers, and
//! what follows (情节轻微 → 在党政领导班子和全体干部大会上检查; 情节较重并造成后果 → 报上级有关部门处理).

use serde::{Deserialize, Serialize};

use crate::text::Text;

/// How a decision was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecidedBy {
    /// By collective deliberation or an assembly vote (集体议事、大会表决).
    Collective,
    /// By a leader alone.
    Individual,
}

/// What the quarterly check (第六条) records about one major decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    /// Id of the decision (e.g. the minutes number).
    pub id: String,
    /// What was decided.
    #[serde(default)]
    pub title: String,
    /// Who decided.
    pub decided_by: DecidedBy,
    /// Whether the decision procedure was breached (违反决策程序).
    #[serde(default)]
    pub procedure_breached: bool,
    /// Members of the leadership at the meeting.
    #[serde(default)]
    pub members: u32,
    /// Members who voted for.
    #[serde(default)]
    pub votes_for: u32,
    /// Whether the proposal was adopted.
    #[serde(default)]
    pub adopted: bool,
    /// Whether facts were withheld from the meeting (不如实向领导班子会议介绍情况).
    #[serde(default)]
    pub facts_withheld: bool,
    /// Whether the authority above ordered it deliberated again.
    #[serde(default)]
    pub re_deliberation_ordered: bool,
    /// Whether it was deliberated again.
    #[serde(default)]
    pub re_deliberated: bool,
    /// Whether the decision turned out wrong (决策出现偏差和失误).
    #[serde(default)]
    pub went_wrong: bool,
    /// Whether confidentiality was breached (违反保密纪律).
    #[serde(default)]
    pub secrecy_breached: bool,
    /// Whether the breach was serious and had consequences (情节较重并造成后果).
    #[serde(default)]
    pub serious_consequences: bool,
}

/// One trigger that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// The clause of article 10, 1–7.
    pub clause: u8,
    /// The clause's words.
    pub text: Text,
}

/// What follows when triggers apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disposition {
    /// No trigger applies.
    None,
    /// 情节轻微: self-criticism before the leadership and an all-staff meeting.
    SelfCriticism,
    /// 情节较重并造成后果: reported to the authority above.
    ReportUpward,
}

/// The triggers of article 10 that apply to a decision, and what follows.
pub fn accountability(d: &DecisionRecord) -> (Vec<Trigger>, Disposition) {
    let majority_for = u64::from(d.votes_for) * 2 > u64::from(d.members);
    let checks: [(bool, &str, &str); 7] = [
        (
            d.procedure_breached,
            "违反决策程序的",
            "the decision procedure was breached",
        ),
        (
            d.decided_by == DecidedBy::Individual,
            "未通过集体议事和大会表决，领导个人擅自决策的",
            "a leader decided alone, without collective deliberation or a vote",
        ),
        (
            d.decided_by == DecidedBy::Collective && d.members > 0 && d.adopted != majority_for,
            "决策时不尊重班子多数成员意见的",
            "the majority of the leadership was not respected",
        ),
        (
            d.facts_withheld,
            "不如实向领导班子会议介绍情况的",
            "facts were withheld from the leadership meeting",
        ),
        (
            d.re_deliberation_ordered && !d.re_deliberated,
            "未按上级要求重新议事的",
            "not deliberated again when the authority above required it",
        ),
        (
            d.decided_by == DecidedBy::Collective && d.went_wrong,
            "集体决策出现偏差和失误的",
            "the collective decision went wrong",
        ),
        (
            d.secrecy_breached,
            "违反保密纪律的",
            "confidentiality was breached",
        ),
    ];
    let triggers: Vec<Trigger> = checks
        .iter()
        .zip(1u8..)
        .filter(|((applies, _, _), _)| *applies)
        .map(|((_, zh, en), clause)| Trigger {
            clause,
            text: Text::new(*zh, *en),
        })
        .collect();
    let disposition = match (triggers.is_empty(), d.serious_consequences) {
        (true, _) => Disposition::None,
        (false, false) => Disposition::SelfCriticism,
        (false, true) => Disposition::ReportUpward,
    };
    (triggers, disposition)
}
