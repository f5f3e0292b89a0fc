//! Units, departments, posts and people, as a table names them.

use serde::{Deserialize, Serialize};

/// The unit (单位) a table belongs to: a town, a ministry, a bureau, a university.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnitRef {
    /// Stable id chosen by the unit, e.g. `chengguan-town`.
    pub id: String,
    /// Name, e.g. 城关镇.
    pub name: String,
}

/// The department (部门, 科室, 处室) within the unit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DepartmentRef {
    /// Stable id within the unit, e.g. `finance-office`.
    pub id: String,
    /// Name, e.g. 财政所.
    pub name: String,
}

/// The person who fills a personal table (个人廉政风险识别防控表), with their post (岗位).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonRef {
    /// Stable id within the unit (a staff number); never published.
    pub id: String,
    /// Name; never published.
    pub name: String,
    /// Post (岗位), e.g. 出纳.
    pub post: String,
    /// Whether the post is a key post (重点岗位) under seed 004's yellow-card rule.
    pub key_post: bool,
}
