//! The discipline inspection office's register (纪委工作台账): what the supervision rules need
//! besides tables and archives — the candidates to vet before a promotion (seed 002 第十二条),
//! the unit's assessment score (党风廉政建设责任制考核), and the dated obligations met (述职述廉,
//! disclosure, quarterly and half-yearly checks).

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// One entry of the office's register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum OfficeRecord {
    /// 拟提拔人选: a candidate the commission vets on `date` (seed 002 第十二至十四条).
    Candidate {
        /// Id, unique within the unit's register.
        id: String,
        /// The person's id (as in the archive).
        person: String,
        /// The post the candidate is proposed for.
        #[serde(default)]
        post: String,
        /// The vetting date.
        date: Date,
    },
    /// The unit's assessment score for a year (自查、互查、检查、评议 combined, 0–100).
    Assessment {
        /// Id, unique within the unit's register.
        id: String,
        /// The year assessed.
        year: i32,
        /// The score, 0–100.
        score: u8,
    },
    /// An obligation met: the id is one [`crate::rules::deadlines::obligations`] gives, e.g.
    /// `duty-report-1-2012`.
    Completed {
        /// Id, unique within the unit's register.
        id: String,
        /// The department that met it.
        department: String,
        /// The obligation's id.
        obligation: String,
        /// The day it was met.
        date: Date,
    },
}

impl OfficeRecord {
    /// The record's id.
    pub fn id(&self) -> &str {
        match self {
            OfficeRecord::Candidate { id, .. }
            | OfficeRecord::Assessment { id, .. }
            | OfficeRecord::Completed { id, .. } => id,
        }
    }

    /// The record's type as files and SQL name it.
    pub fn type_str(&self) -> &'static str {
        match self {
            OfficeRecord::Candidate { .. } => "candidate",
            OfficeRecord::Assessment { .. } => "assessment",
            OfficeRecord::Completed { .. } => "completed",
        }
    }
}

/// The `kind` of a batch of [`OfficeRecord`]s.
pub const OFFICE_RECORDS_KIND: &str = "office-records";
