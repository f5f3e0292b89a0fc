//! The envelope of every event-like submission: archive events (干部廉政档案), review steps
//! (确定 → 审定 → 公示 → 备案) and the office's register (candidates, assessment scores,
//! obligations met). Each kind is hashed and checked like a table, so ingest gives it the same
//! guarantees (see [`crate::EventSubmission`] and its siblings).

use serde::{Deserialize, Serialize};

use super::UnitRef;

/// A batch of events of one kind, for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch<E> {
    /// Envelope version, 1.
    pub schema_version: i64,
    /// The batch kind: `archive-events`, `review-events` or `office-records`.
    pub kind: String,
    /// The unit the events belong to.
    pub unit: UnitRef,
    /// The events, in the order they were recorded.
    pub events: Vec<E>,
    /// When it was submitted (RFC 3339).
    #[serde(default)]
    pub submitted_at: Option<String>,
    /// `sha256:` content hash over the canonical envelope without `hash`, as for tables.
    #[serde(default)]
    pub hash: Option<String>,
}
