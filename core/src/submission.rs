//! The canonical submission: a finished table, checked, with its content hash.
//!
//! See `docs/submission.md` for the envelope, every field, and the hashing rule; and
//! `docs/submission.schema.json` for its JSON Schema.

use crate::canonical::{hash_bytes, hash_pieces, to_canonical_string_of};
use crate::date::Timestamp;
use crate::error::{Error, Result};
use crate::model::{ArchiveEvent, Batch, OfficeRecord, SelfCheckTable};
use crate::presets::Registry;
use crate::rules::workflow::ReviewEvent;
use crate::rules::{BatchEvent, Report, validate_events};
use crate::scheme::grade;

/// A finished self-check table: valid for its scheme, with every row graded, a submission time
/// and a content hash that matches. It can only be made by [`Submission::finalize`] or
/// [`Submission::from_json`], so holding one means all of that has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    table: SelfCheckTable,
    hash: String,
    submitted_at: Timestamp,
    warnings: Report,
}

impl Submission {
    /// Turns a draft into a submission: grades every row, records the stated level (or the
    /// grade, when none is stated) and the grade, stamps `submitted_at`, validates and hashes.
    /// A table with errors yields [`Error::Invalid`] with the full report.
    ///
    /// ```
    /// # use sunlight_core::{presets, Submission, SelfCheckTable};
    /// let draft = SelfCheckTable::default(); // empty: cannot be submitted
    /// let err = Submission::finalize(presets::registry(), draft, "2012-08-01T09:00:00+08:00").unwrap_err();
    /// assert!(matches!(err, sunlight_core::Error::Invalid(_)));
    /// ```
    pub fn finalize(
        registry: &Registry,
        mut table: SelfCheckTable,
        submitted_at: &str,
    ) -> Result<Submission> {
        let (scheme, memo) = registry
            .get_graded(&table.scheme)
            .map_err(|_| Error::Invalid(crate::rules::validate_with(registry, &table)))?;
        for row in &mut table.rows {
            if let Ok(g) = grade(scheme, &row.factors) {
                if row.level.as_deref().is_none_or(str::is_empty) {
                    row.level = Some(g.level.clone());
                }
                row.graded_level = Some(g.level);
            }
        }
        table.submitted_at = Some(submitted_at.to_owned());
        table.hash = None;
        let report = crate::rules::validate_memo(scheme, memo, &table);
        if !report.is_ok() {
            return Err(Error::Invalid(report));
        }
        let ts: Timestamp = submitted_at.parse()?;
        let hash = hash_of(&table)?;
        table.hash = Some(hash.clone());
        Ok(Submission {
            table,
            hash,
            submitted_at: ts,
            warnings: report,
        })
    }

    /// Reads a submission from JSON and checks everything: shape, validity against its scheme,
    /// that every row carries its level and grade, that the grade is what the factors give, and
    /// that the hash matches the content. Never trust the client: this is what ingest runs.
    pub fn from_json(registry: &Registry, text: &str) -> Result<Submission> {
        let Some(read) = crate::model::read_table(text) else {
            let table = SelfCheckTable::from_json_by_serde(text)?;
            return Submission::from_table(registry, table);
        };
        // The text is the canonical JSON (as clients send it): the content hash is over the
        // text itself less its `hash` member, the bytes the canonical writer would give again.
        let canonical_hash = read.without_hash.and_then(|[before, after]| {
            let bytes = text.as_bytes();
            Some(hash_pieces(&[bytes.get(before)?, bytes.get(after)?]))
        });
        Submission::check(registry, read.table, canonical_hash)
    }

    /// As [`Submission::from_json`], for a table already parsed.
    pub fn from_table(registry: &Registry, table: SelfCheckTable) -> Result<Submission> {
        Submission::check(registry, table, None)
    }

    /// Checks a table as [`Submission::from_json`] says; `canonical_hash` is its content hash
    /// when already known, from its canonical JSON.
    fn check(
        registry: &Registry,
        table: SelfCheckTable,
        canonical_hash: Option<String>,
    ) -> Result<Submission> {
        let (scheme, memo) = registry
            .get_graded(&table.scheme)
            .map_err(|_| Error::Invalid(crate::rules::validate_with(registry, &table)))?;
        let mut report = crate::rules::validate_memo(scheme, memo, &table);
        for (i, row) in table.rows.iter().enumerate() {
            for (field, value) in [("level", &row.level), ("graded_level", &row.graded_level)] {
                if value.as_deref().is_none_or(str::is_empty) {
                    report.push(
                        crate::scheme::IssueSeverity::Error,
                        crate::rules::IssueCode::MissingField,
                        format!("rows[{i}].{field}"),
                        Some(i),
                        crate::Text::new(
                            format!(
                                "第 {} 行：已提交的表格缺少{}",
                                i + 1,
                                if field == "level" {
                                    "风险等级"
                                } else {
                                    "评定等级"
                                }
                            ),
                            format!(
                                "row {}: a submitted table must record its {}",
                                i + 1,
                                field.replace('_', " ")
                            ),
                        ),
                    );
                }
            }
        }
        let Some(at) = table.submitted_at.clone() else {
            report.push(
                crate::scheme::IssueSeverity::Error,
                crate::rules::IssueCode::MissingField,
                "submitted_at",
                None,
                crate::Text::new(
                    "已提交的表格缺少提交时间",
                    "a submitted table must record when it was submitted",
                ),
            );
            return Err(Error::Invalid(report));
        };
        if !report.is_ok() {
            return Err(Error::Invalid(report));
        }
        let Some(stated) = table.hash.clone() else {
            return Err(Error::HashMismatch {
                stated: "(none)".into(),
                computed: hash_of(&table)?,
            });
        };
        let computed = match canonical_hash {
            Some(hash) => hash,
            None => hash_of(&table)?,
        };
        if stated != computed {
            return Err(Error::HashMismatch { stated, computed });
        }
        let submitted_at: Timestamp = at.parse()?;
        Ok(Submission {
            table,
            hash: computed,
            submitted_at,
            warnings: report,
        })
    }

    /// The table (with `hash` and `submitted_at` set).
    pub fn table(&self) -> &SelfCheckTable {
        &self.table
    }

    /// The content hash, `sha256:<hex>`.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// When it was submitted.
    pub fn submitted_at(&self) -> &Timestamp {
        &self.submitted_at
    }

    /// The warnings validation left (late submission, overridden levels…).
    pub fn warnings(&self) -> &Report {
        &self.warnings
    }

    /// The canonical JSON of the whole envelope, hash included: the same submission always
    /// gives the same bytes.
    pub fn to_json(&self) -> Result<String> {
        crate::canonical::table_to_canonical_string(&self.table, true)
    }

    /// Gives back the table.
    pub fn into_table(self) -> SelfCheckTable {
        self.table
    }
}

/// The canonical JSON of a whole envelope (a table or a batch), hash included.
fn envelope<T: serde::Serialize>(envelope: &T) -> Result<String> {
    to_canonical_string_of(envelope, None)
}

/// The content hash of an envelope: over its canonical JSON without the `hash` member.
fn hash_without_hash_member<T: serde::Serialize>(e: &T) -> Result<String> {
    Ok(hash_bytes(
        to_canonical_string_of(e, Some("hash"))?.as_bytes(),
    ))
}

/// The content hash of a table: SHA-256 over the canonical JSON of the envelope without `hash`.
pub fn hash_of(table: &SelfCheckTable) -> Result<String> {
    Ok(hash_bytes(
        crate::canonical::table_to_canonical_string(table, false)?.as_bytes(),
    ))
}

/// A checked, hashed batch of events (archive events, review steps or the office's register): a
/// submission kind of its own, with the same guarantees as a table (validated, canonical, hash
/// verified on receipt). It can only be made by [`BatchSubmission::finalize`] or
/// [`BatchSubmission::from_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSubmission<T> {
    batch: Batch<T>,
    hash: String,
}

/// A checked batch of integrity-archive events (干部廉政档案).
pub type EventSubmission = BatchSubmission<ArchiveEvent>;

/// A checked batch of review steps (确定、审定、公示、备案).
pub type ReviewSubmission = BatchSubmission<ReviewEvent>;

/// A checked batch of the office's register (candidates, assessment scores, obligations met).
pub type RecordSubmission = BatchSubmission<OfficeRecord>;

impl<T: BatchEvent> BatchSubmission<T> {
    /// Stamps, validates and hashes a batch; a batch with errors yields [`Error::Invalid`].
    pub fn finalize(mut batch: Batch<T>, submitted_at: &str) -> Result<Self> {
        batch.submitted_at = Some(submitted_at.to_owned());
        batch.hash = None;
        let report = validate_events(&batch);
        if !report.is_ok() {
            return Err(Error::Invalid(report));
        }
        let hash = hash_without_hash_member(&batch)?;
        batch.hash = Some(hash.clone());
        Ok(BatchSubmission { batch, hash })
    }

    /// Reads a batch from JSON and checks it: shape, validity, `submitted_at` present, hash matching.
    pub fn from_json(text: &str) -> Result<Self> {
        let batch: Batch<T> = serde_json::from_str(text).map_err(|e| Error::json(T::WHAT, &e))?;
        let mut report = validate_events(&batch);
        if batch.submitted_at.is_none() {
            report.push(
                crate::scheme::IssueSeverity::Error,
                crate::rules::IssueCode::MissingField,
                "submitted_at",
                None,
                crate::Text::new(
                    "已提交的批次缺少提交时间",
                    "a submitted batch must record when it was submitted",
                ),
            );
        }
        if !report.is_ok() {
            return Err(Error::Invalid(report));
        }
        let computed = hash_without_hash_member(&batch)?;
        match &batch.hash {
            Some(stated) if *stated == computed => Ok(BatchSubmission {
                batch,
                hash: computed,
            }),
            stated => Err(Error::HashMismatch {
                stated: stated.clone().unwrap_or_else(|| "(none)".into()),
                computed,
            }),
        }
    }

    /// The batch (with `hash` and `submitted_at` set).
    pub fn batch(&self) -> &Batch<T> {
        &self.batch
    }

    /// The content hash.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// When it was submitted (checked on receipt).
    pub fn submitted_at(&self) -> Result<Timestamp> {
        self.batch
            .submitted_at
            .as_deref()
            .unwrap_or_default()
            .parse()
    }

    /// The canonical JSON of the whole envelope, hash included.
    pub fn to_json(&self) -> Result<String> {
        envelope(&self.batch)
    }
}
