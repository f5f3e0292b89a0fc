//! Risk points (廉政风险点) and the measures against them (防控措施).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FlowStep, Power};

/// One row of a self-check table: a risk point in a power (and flow step), graded, with measures.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskRow {
    /// The power the risk lies in.
    pub power: Power,
    /// The flow step the risk lies in; an empty name means the power as a whole.
    pub step: FlowStep,
    /// The post (岗位) that exercises it; on a personal table, the person's post.
    pub post: String,
    /// The risk point (廉政风险点): what could go wrong.
    pub risk_point: String,
    /// The risk type id from the scheme.
    pub risk_type: String,
    /// Grading factor values: factor id → option id.
    pub factors: BTreeMap<String, String>,
    /// The level the unit states. In a draft it may be absent (the grade is used); if it differs
    /// from the grade, `level_reason` must say why. In a submission it is always present.
    pub level: Option<String>,
    /// The level the factors give, filled in when the table is finalised and re-checked on ingest.
    pub graded_level: Option<String>,
    /// Why the stated level differs from the graded one.
    pub level_reason: String,
    /// The measures, each in one line of defence.
    pub measures: Vec<Measure>,
    /// The responsible department or person (防控管理责任部门或责任人).
    pub responsible: String,
}

/// A prevention and control measure (防控措施).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Measure {
    /// Line of defence id: `prevention`, `monitoring` or `disposal`.
    pub line: String,
    /// A measure id from the scheme's catalogue, or empty for a measure of the unit's own.
    pub kind: String,
    /// What exactly is done.
    pub text: String,
}
