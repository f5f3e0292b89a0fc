//! The domain model: who fills a table, the powers they exercise, the risk points found in
//! them, the measures against each, and the self-check table that carries them.
//!
//! These types are the *draft* form: what a form holds while a clerk types. Every field has a
//! default so a half-filled table can still be read, validated and saved;
//! [`crate::validate`] says what is missing. [`crate::Submission`] is the finished, checked,
//! hashed form.

mod archive;
mod batch;
mod org;
mod power;
mod register;
mod risk;
mod table;
mod table_json;

pub(crate) use table_json::read as read_table;

pub use archive::{
    ArchiveEvent, EVENT_BATCH_KIND, EventBatch, EventKind, EventSource, MatterSeverity,
};
pub use batch::Batch;
pub use org::{DepartmentRef, PersonRef, UnitRef};
pub use power::{FlowStep, Power, PowerCategory};
pub use register::{OFFICE_RECORDS_KIND, OfficeRecord};
pub use risk::{Measure, RiskRow};
pub use table::{SCHEMA_VERSION, SelfCheckTable, TableKind};
