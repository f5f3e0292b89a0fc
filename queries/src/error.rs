//! The one error type of `sunlight-queries`.
//!
//! Problems with a *submission* are not errors here: ingest rejects the submission, reports it
//! (file, line, code, message) and carries on with the others ([`crate::ingest::Rejection`]).
//! [`Error`] is for what stops a command: a store that cannot be read or written, a store another
//! ingest holds, a query DataFusion cannot run. Inside query code DataFusion's own
//! `Result` is used, and this error travels as `DataFusionError::External`.

use std::fmt;
use std::path::{Path, PathBuf};

use datafusion::error::DataFusionError;

/// Everything that stops a `sunlight` command.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        /// What was being done, e.g. "writing the store manifest".
        action: String,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The store's files are not what this version expects.
    Store {
        /// The store folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Another process (an ingest, or `sunlight serve`) is writing to the store.
    Locked {
        /// The store folder.
        path: PathBuf,
        /// Who holds it, as the lock file says (process id and start time).
        holder: String,
    },
    /// A command-line value that cannot be used.
    Usage(String),
    /// The tokens file of `sunlight serve --tokens` cannot be used.
    Tokens {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the problem (0: the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `sunlight serve` cannot listen on its address.
    Listen {
        /// The address, as given.
        addr: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The submission journal (`sunlight serve`'s write-ahead log) is damaged where a crash
    /// cannot have left it so; the server refuses to start rather than lose what it holds.
    Journal {
        /// The journal file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The core refused something the generator built (a bug in the generator, never input).
    Core(sunlight_core::Error),
    /// DataFusion, Arrow or Parquet failed.
    Query(DataFusionError),
}

impl Error {
    /// An I/O error with what was being done and where.
    pub fn io(action: impl Into<String>, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            action: action.into(),
            path: path.to_owned(),
            source,
        }
    }

    /// A store problem.
    pub fn store(path: &Path, message: impl Into<String>) -> Self {
        Error::Store {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "{action} failed for {}: {source}", path.display()),
            Error::Store { path, message } => {
                write!(
                    f,
                    "the store at {} cannot be used: {message}",
                    path.display()
                )
            }
            Error::Locked { path, holder } => write!(
                f,
                "another ingest, or a running `sunlight serve`, is writing to the store at {} ({holder}); wait for it to finish, or run again with --wait",
                path.display()
            ),
            Error::Usage(m) => f.write_str(m),
            Error::Tokens {
                path,
                line,
                message,
            } => {
                if *line == 0 {
                    write!(
                        f,
                        "the tokens file {} cannot be used: {message}",
                        path.display()
                    )
                } else {
                    write!(
                        f,
                        "the tokens file {}, line {line}: {message}",
                        path.display()
                    )
                }
            }
            Error::Listen { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            Error::Journal {
                path,
                line,
                message,
            } => write!(
                f,
                "the submission journal {} is damaged at line {line}: {message}; move the file aside and start again (it holds submissions that are not yet in the Parquet files)",
                path.display()
            ),
            Error::Core(e) => write!(f, "{e}"),
            Error::Query(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } | Error::Listen { source, .. } => Some(source),
            Error::Core(e) => Some(e),
            Error::Query(e) => Some(e),
            Error::Store { .. }
            | Error::Locked { .. }
            | Error::Usage(_)
            | Error::Tokens { .. }
            | Error::Journal { .. } => None,
        }
    }
}

impl From<DataFusionError> for Error {
    fn from(e: DataFusionError) -> Self {
        Error::Query(e)
    }
}

impl From<datafusion::arrow::error::ArrowError> for Error {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        Error::Query(e.into())
    }
}

impl From<datafusion::parquet::errors::ParquetError> for Error {
    fn from(e: datafusion::parquet::errors::ParquetError) -> Self {
        Error::Query(e.into())
    }
}

impl From<sunlight_core::Error> for Error {
    fn from(e: sunlight_core::Error) -> Self {
        Error::Core(e)
    }
}

impl From<Error> for DataFusionError {
    fn from(e: Error) -> Self {
        match e {
            Error::Query(e) => e,
            other => DataFusionError::External(Box::new(other)),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
