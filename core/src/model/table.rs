//! The self-check table (自查表 / 廉政风险识别防控表).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{DepartmentRef, PersonRef, RiskRow, UnitRef};
use crate::text::Text;

/// The submission envelope version this crate writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Which table it is (seed 004 附表1 / 附表2; seed 001's 廉政风险自查表 is the department table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableKind {
    /// 部门廉政风险识别防控表: a department's powers and risks.
    Department,
    /// 个人廉政风险识别防控表: one person's post and risks.
    Personal,
}

impl TableKind {
    /// Both kinds.
    pub const ALL: [TableKind; 2] = [TableKind::Department, TableKind::Personal];

    /// The id used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Department => "department",
            TableKind::Personal => "personal",
        }
    }

    /// The table's title.
    pub fn name(self) -> Text {
        match self {
            TableKind::Department => {
                Text::new("部门廉政风险识别防控表", "department integrity-risk table")
            }
            TableKind::Personal => {
                Text::new("个人廉政风险识别防控表", "personal integrity-risk table")
            }
        }
    }
}

impl FromStr for TableKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        TableKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

impl fmt::Display for TableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A self-check table, draft or submitted. See `docs/submission.md` for every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelfCheckTable {
    /// Envelope version, [`SCHEMA_VERSION`].
    pub schema_version: i64,
    /// The scheme id, e.g. `town-2012`.
    pub scheme: String,
    /// The year the table is for.
    pub year: i64,
    /// The period within the year, e.g. `annual`.
    pub period: String,
    /// `department` or `personal`.
    pub table: String,
    /// The unit.
    pub unit: UnitRef,
    /// The department.
    pub department: DepartmentRef,
    /// The person, for a personal table; `null` for a department table.
    pub person: Option<PersonRef>,
    /// The risk points.
    pub rows: Vec<RiskRow>,
    /// When it was submitted (RFC 3339); absent in a draft.
    pub submitted_at: Option<String>,
    /// The content hash; absent in a draft.
    pub hash: Option<String>,
}

impl Default for SelfCheckTable {
    fn default() -> Self {
        SelfCheckTable {
            schema_version: SCHEMA_VERSION,
            scheme: String::new(),
            year: 0,
            period: "annual".to_owned(),
            table: "department".to_owned(),
            unit: UnitRef::default(),
            department: DepartmentRef::default(),
            person: None,
            rows: Vec::new(),
            submitted_at: None,
            hash: None,
        }
    }
}

impl SelfCheckTable {
    /// Reads a table (draft or submission) from JSON. Missing members take their defaults;
    /// unknown members and values of the wrong type are errors.
    pub fn from_json(text: &str) -> crate::Result<Self> {
        // The shape-aware reader answers for the tables it is sure of (what serde would give);
        // serde reads the rest, and says what is wrong with a bad one.
        if let Some(read) = super::table_json::read(text) {
            return Ok(read.table);
        }
        Self::from_json_by_serde(text)
    }

    /// [`SelfCheckTable::from_json`] without the fast path: serde's reading, and its errors.
    pub(crate) fn from_json_by_serde(text: &str) -> crate::Result<Self> {
        serde_json::from_str(text).map_err(|e| crate::Error::json("self-check table", &e))
    }

    /// The table kind, if `table` names one.
    pub fn kind(&self) -> Option<TableKind> {
        self.table.parse().ok()
    }
}
