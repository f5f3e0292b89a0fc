//! # sunlight-core
//!
//! The pure domain core of Sunlight (阳光), a system for integrity-risk prevention and control
//! (廉政风险防控) in public bodies: let power run in the sunlight.
//!
//! - [`scheme`]: an implementation plan as data — risk types, grading factors and how they map to
//!   a level, responsibility by level, measures in three lines of defence, dated phases.
//!   [`presets`] ships the four seed schemes.
//! - [`model`]: units, powers and their flow, risk points, measures, the self-check tables.
//! - [`grade`]: one function that grades a risk point and explains why.
//! - [`validate`]: every problem of a table at once, with stable codes, paths and zh-CN/en messages.
//! - [`form`]: the fields, labels, choices and limits a form shows for a scheme and a table kind.
//! - [`Submission`]: the finished table in a canonical JSON envelope with a SHA-256 content hash
//!   ([`canonical`], RFC 8785).
//!
//! No I/O, no JavaScript types: the same code runs in the browser (through `sunlight-wasm`) and in
//! the analytics (`sunlight-queries`), so a form and a query always agree.
//!
//! ```
//! use sunlight_core::{presets, SelfCheckTable, Submission};
//! let json = r#"{
//!   "scheme": "university-2010", "year": 2010, "period": "annual", "table": "department",
//!   "unit": {"id": "jxau", "name": "江西农业大学"},
//!   "department": {"id": "finance", "name": "财务处"},
//!   "rows": [{
//!     "power": {"name": "经费报销审核", "category": "internal-management"},
//!     "risk_point": "审核把关不严，违规报销",
//!     "risk_type": "post-duty",
//!     "factors": {"consequence": "discipline"},
//!     "measures": [{"line": "monitoring", "text": "报销单据双人复核"}],
//!     "responsible": "财务处副处长"
//!   }]
//! }"#;
//! let draft = SelfCheckTable::from_json(json).unwrap();
//! let sub = Submission::finalize(presets::registry(), draft, "2010-06-05T10:00:00+08:00").unwrap();
//! assert_eq!(sub.table().rows[0].level.as_deref(), Some("level-2"));
//! // The canonical JSON parses back to the same submission, byte for byte.
//! let again = Submission::from_json(presets::registry(), &sub.to_json().unwrap()).unwrap();
//! assert_eq!(again.to_json().unwrap(), sub.to_json().unwrap());
//! ```

pub mod canonical;
pub mod date;
mod error;
pub mod form;
pub mod model;
pub mod presets;
pub mod rules;
pub mod scheme;
mod submission;
mod text;

pub use date::{Date, Timestamp};
pub use error::{Error, Result};
pub use model::{
    DepartmentRef, FlowStep, Measure, PersonRef, Power, PowerCategory, RiskRow, SelfCheckTable,
    TableKind, UnitRef,
};
pub use presets::Registry;
pub use rules::{Issue, IssueCode, Report, validate, validate_with};
pub use scheme::{DefenceLine, Grade, IssueSeverity, Level, Scheme, Severity, grade};
pub use submission::{
    BatchSubmission, EventSubmission, RecordSubmission, ReviewSubmission, Submission, hash_of,
};
pub use text::Text;

/// The README's Rust examples, compiled and run as doctests so they cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
