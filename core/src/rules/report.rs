//! The validation report: every problem of a table at once.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::scheme::IssueSeverity;
use crate::text::Text;

/// A stable code for each kind of problem. Codes never change meaning; new ones may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IssueCode {
    /// The envelope's `schema_version` is not one this version reads.
    UnsupportedSchemaVersion,
    /// The table names a scheme that is not known.
    UnknownScheme,
    /// The table names another scheme than the one it is validated against.
    SchemeMismatch,
    /// A required field is empty.
    MissingField,
    /// A text is longer than allowed.
    TextTooLong,
    /// A text holds control characters.
    InvalidText,
    /// More rows than a table may hold.
    TooManyRows,
    /// A table without rows.
    EmptyTable,
    /// `table` is neither `department` nor `personal`.
    UnknownTableKind,
    /// A department table that names a person.
    UnexpectedPerson,
    /// The year is outside the scheme's years.
    YearOutsideScheme,
    /// The period is not one the scheme allows.
    UnknownPeriod,
    /// `submitted_at` is not an RFC 3339 timestamp.
    InvalidTimestamp,
    /// Submitted after the scheme's deadline for tables (a warning, and a statistic).
    SubmittedLate,
    /// A power category that does not exist.
    UnknownCategory,
    /// A risk type the scheme does not define.
    UnknownRiskType,
    /// A grading factor the scheme does not define.
    UnknownFactor,
    /// A grading factor left without a value.
    MissingFactor,
    /// A factor value that is not one of the factor's options.
    InvalidFactorValue,
    /// A level the scheme does not define.
    UnknownLevel,
    /// The stated level differs from the grade and no reason is given.
    LevelContradictsFactors,
    /// The stated level differs from the grade, with a reason (a warning for reviewers).
    LevelOverridden,
    /// The submission's recorded grade is not what the factors give.
    GradedLevelMismatch,
    /// The same risk point appears twice.
    DuplicateRiskPoint,
    /// A risk of high severity lacks a measure in some line of defence.
    MissingDefenceLine,
    /// A row has no measure at all (a warning).
    NoMeasures,
    /// Too many measures in one row.
    TooManyMeasures,
    /// A measure's line is not one of the three.
    UnknownDefenceLine,
    /// A measure kind the scheme's catalogue does not have.
    UnknownMeasureKind,
    /// A catalogue measure filed under another line than its own.
    MeasureLineMismatch,
    /// An event batch whose `kind` is not the one its events need (e.g. `archive-events`).
    UnknownBatchKind,
    /// More events than a batch may hold.
    TooManyEvents,
    /// Two events in a batch share an id.
    DuplicateEventId,
    /// An event resolves another of the wrong kind, or names itself; or a review step does
    /// not name its table by hash.
    BadReference,
    /// A number outside its allowed range (an assessment score above 100, an unusable year).
    OutOfRange,
}

impl IssueCode {
    /// The stable code string, e.g. `unknown-risk-type`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::UnsupportedSchemaVersion => "unsupported-schema-version",
            IssueCode::UnknownScheme => "unknown-scheme",
            IssueCode::SchemeMismatch => "scheme-mismatch",
            IssueCode::MissingField => "missing-field",
            IssueCode::TextTooLong => "text-too-long",
            IssueCode::InvalidText => "invalid-text",
            IssueCode::TooManyRows => "too-many-rows",
            IssueCode::EmptyTable => "empty-table",
            IssueCode::UnknownTableKind => "unknown-table-kind",
            IssueCode::UnexpectedPerson => "unexpected-person",
            IssueCode::YearOutsideScheme => "year-outside-scheme",
            IssueCode::UnknownPeriod => "unknown-period",
            IssueCode::InvalidTimestamp => "invalid-timestamp",
            IssueCode::SubmittedLate => "submitted-late",
            IssueCode::UnknownCategory => "unknown-category",
            IssueCode::UnknownRiskType => "unknown-risk-type",
            IssueCode::UnknownFactor => "unknown-factor",
            IssueCode::MissingFactor => "missing-factor",
            IssueCode::InvalidFactorValue => "invalid-factor-value",
            IssueCode::UnknownLevel => "unknown-level",
            IssueCode::LevelContradictsFactors => "level-contradicts-factors",
            IssueCode::LevelOverridden => "level-overridden",
            IssueCode::GradedLevelMismatch => "graded-level-mismatch",
            IssueCode::DuplicateRiskPoint => "duplicate-risk-point",
            IssueCode::MissingDefenceLine => "missing-defence-line",
            IssueCode::NoMeasures => "no-measures",
            IssueCode::TooManyMeasures => "too-many-measures",
            IssueCode::UnknownDefenceLine => "unknown-defence-line",
            IssueCode::UnknownMeasureKind => "unknown-measure-kind",
            IssueCode::MeasureLineMismatch => "measure-line-mismatch",
            IssueCode::UnknownBatchKind => "unknown-batch-kind",
            IssueCode::TooManyEvents => "too-many-events",
            IssueCode::DuplicateEventId => "duplicate-event-id",
            IssueCode::BadReference => "bad-reference",
            IssueCode::OutOfRange => "out-of-range",
        }
    }
}

impl fmt::Display for IssueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Error (blocks submission) or warning.
    pub severity: IssueSeverity,
    /// The stable code.
    pub code: IssueCode,
    /// Where: a path such as `rows[2].factors.discretion` (rows counted from 0).
    pub path: String,
    /// The row it concerns, counted from 0, if any.
    pub row: Option<usize>,
    /// What is wrong, for people, in both languages (rows counted from 1 there).
    pub message: Text,
}

/// Every problem of a table, in the order of the table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Report {
    /// The problems.
    pub issues: Vec<Issue>,
}

impl Report {
    /// True when nothing blocks the submission (warnings may remain).
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Warning)
    }

    /// The distinct codes present, sorted; handy in tests and summaries.
    pub fn codes(&self) -> Vec<IssueCode> {
        let mut c: Vec<IssueCode> = self.issues.iter().map(|i| i.code).collect();
        c.sort();
        c.dedup();
        c
    }

    pub(crate) fn push(
        &mut self,
        severity: IssueSeverity,
        code: IssueCode,
        path: impl Into<String>,
        row: Option<usize>,
        message: Text,
    ) {
        self.issues.push(Issue {
            severity,
            code,
            path: path.into(),
            row,
            message,
        });
    }
}
