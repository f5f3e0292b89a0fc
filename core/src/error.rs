//! The one error type of `sunlight-core`.
//!
//! Two kinds of failure leave this crate. A table with mistakes in it is an *expected* outcome:
//! [`crate::validate`] returns a [`crate::Report`] listing every problem, and nothing is thrown.
//! [`Error`] is for input that cannot be used at all (text that is not JSON, a scheme file that
//! contradicts itself, a submission whose hash does not match) and for requests that name
//! something that does not exist (an unknown scheme). Every variant says what was wrong and
//! where, in words a department clerk can act on.

use std::fmt;

use crate::rules::Report;

/// Everything that can go wrong in the core, apart from the problems a validation report lists.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON of the expected shape; `line` and `column` are 1-based positions in it.
    Json {
        /// What was being read, e.g. "scheme file" or "submission".
        what: &'static str,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The parser's description of the problem.
        message: String,
    },
    /// A scheme file parsed but is not a usable scheme.
    Scheme {
        /// The scheme's id, or `"?"` when it has none yet.
        scheme: String,
        /// Where in the file, as a path such as `levels[2].responsible`.
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// No scheme with this id is known (neither a preset nor a loaded scheme file).
    UnknownScheme(String),
    /// Two schemes with the same id were registered.
    DuplicateScheme(String),
    /// A grading request names a factor or a factor value the scheme does not define, or leaves one out.
    Factor {
        /// The scheme being graded against.
        scheme: String,
        /// The factor id.
        factor: String,
        /// What is wrong with it.
        message: String,
    },
    /// A level id that the scheme does not define.
    UnknownLevel {
        /// The scheme.
        scheme: String,
        /// The unknown level id.
        level: String,
    },
    /// A value cannot be written in canonical form (RFC 8785 as restricted by Sunlight: integers only).
    NotCanonical {
        /// Where in the document, as a path.
        path: String,
        /// Why.
        message: String,
    },
    /// The submission's `hash` field does not match its content.
    HashMismatch {
        /// The hash the submission carries.
        stated: String,
        /// The hash of its canonical content.
        computed: String,
    },
    /// The table has errors, so it cannot become a submission; the report lists them all.
    Invalid(Report),
    /// A date or timestamp that is not a real one.
    Date {
        /// The text that was given.
        input: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    pub(crate) fn json(what: &'static str, e: &serde_json::Error) -> Self {
        Error::Json {
            what,
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }

    pub(crate) fn scheme(
        scheme: &str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Scheme {
            scheme: scheme.to_owned(),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Json {
                what,
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "the {what} is not valid JSON of the expected shape at line {line}, column {column}: {message}"
                )
            }
            Error::Scheme {
                scheme,
                path,
                message,
            } => {
                write!(f, "scheme '{scheme}' is not usable: at {path}: {message}")
            }
            Error::UnknownScheme(id) => write!(f, "no scheme called '{id}' is known"),
            Error::DuplicateScheme(id) => write!(f, "a scheme called '{id}' is already registered"),
            Error::Factor {
                scheme,
                factor,
                message,
            } => {
                write!(
                    f,
                    "grading factor '{factor}' of scheme '{scheme}': {message}"
                )
            }
            Error::UnknownLevel { scheme, level } => {
                write!(f, "scheme '{scheme}' has no risk level called '{level}'")
            }
            Error::NotCanonical { path, message } => {
                write!(f, "cannot write {path} in canonical form: {message}")
            }
            Error::HashMismatch { stated, computed } => write!(
                f,
                "the submission's hash {stated} does not match its content, which hashes to {computed}: it was changed after it was finalised"
            ),
            Error::Invalid(report) => {
                write!(f, "the table has {} error(s)", report.errors().count())?;
                if let Some(first) = report.errors().next() {
                    write!(f, "; the first, at {}: {}", first.path, first.message.en)?;
                }
                Ok(())
            }
            Error::Date { input, message } => write!(f, "'{input}' is not a valid date: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
