//! Ingest: read submission files, check every submission with the core, store the good ones.
//!
//! Never trust the client: every submission goes through [`Submission::from_json`], the same
//! checks the browser form ran (shape, validity against its scheme, grades, content hash). A bad
//! file or line is reported as a [`Rejection`] (file, line, code, message) and counted; it never
//! stops the others. Submissions already in the store (by hash) are counted and skipped, so
//! running the same ingest twice stores nothing new.
//!
//! Parsing and checking run in parallel (rayon) over chunks of input; rows are gathered into
//! large Arrow record batches and written to Parquet segments, each committed to the store's
//! manifest when it holds `commit_rows` risk points and at the end (see [`crate::store`]).

mod read;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use sunlight_core::{Error as CoreError, Submission, presets::Registry};

pub use read::{FileKind, InputFile, MAX_SUBMISSION_BYTES, collect};
use read::{Piece, PieceError, PieceReader};

use crate::error::Result;
use crate::store::StoreWriter;
use crate::store::schema::BatchBuilder;

/// A submission that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The file it came from.
    pub file: String,
    /// The line in the file (1-based; for a JSON file, the line of the problem when known).
    pub line: u64,
    /// A stable code: a core issue code such as `unknown-scheme`, or one of `malformed-json`,
    /// `wrong-shape`, `truncated`, `invalid-utf8`, `too-large`, `hash-mismatch`,
    /// `invalid-timestamp`, `unreadable-file`.
    pub code: String,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, in Chinese, when the core says it in Chinese.
    pub message_zh: String,
}

/// How to ingest.
#[derive(Debug, Clone)]
pub struct Options {
    /// Wait for another ingest to finish instead of refusing.
    pub wait: bool,
    /// Commit a segment to the manifest every this many risk points.
    pub commit_rows: usize,
    /// Show a progress bar (only ever on a terminal).
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            wait: false,
            commit_rows: 1_000_000,
            progress: true,
        }
    }
}

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: u64,
    /// Submissions (files or lines) read.
    pub read: u64,
    /// Submissions stored now.
    pub stored: u64,
    /// Submissions already in the store (or earlier in this input), skipped.
    pub duplicates: u64,
    /// Submissions rejected.
    pub rejected: u64,
    /// Risk points stored now.
    pub risk_points: u64,
}

/// Rows per record batch handed to the Parquet writer.
const BATCH_ROWS: usize = 64 * 1024;

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Ingests `paths` (files and folders) into the store in `store_dir`. Each rejection is handed to
/// `on_reject` as it is found.
pub fn ingest(
    registry: &Registry,
    paths: &[PathBuf],
    store_dir: &std::path::Path,
    options: &Options,
    on_reject: &mut dyn FnMut(&Rejection),
) -> Result<Summary> {
    let files = collect(paths)?;
    let mut writer = StoreWriter::open(store_dir, options.wait)?;
    let mut known: HashSet<String> = writer.known_hashes()?;
    let total_bytes: u64 = files.iter().map(|f| f.len).sum();
    let names: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    let mut summary = Summary {
        files: files.len() as u64,
        ..Summary::default()
    };
    let bar = if options.progress && std::io::stderr().is_terminal() {
        let b = ProgressBar::new(total_bytes);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
        ) {
            b.set_style(style);
        }
        Some(b)
    } else {
        None
    };

    let mut reader = PieceReader::new(files);
    let mut builder = BatchBuilder::new(now_micros());
    let mut segment = writer.begin()?;
    let (mut seg_subs, mut seg_rows) = (0u64, 0u64);
    loop {
        let chunk = reader.next_chunk(4096, 16 * 1024 * 1024);
        if chunk.is_empty() {
            break;
        }
        let checked: Vec<(usize, u64, std::result::Result<Submission, Rejection>)> = chunk
            .into_par_iter()
            .map(|p| {
                let (file, line) = (p.file, p.line);
                (file, line, check(registry, &names, p))
            })
            .collect();
        for (file, _line, res) in checked {
            summary.read += 1;
            match res {
                Err(r) => {
                    summary.rejected += 1;
                    on_reject(&r);
                }
                Ok(sub) => {
                    if known.contains(sub.hash()) {
                        summary.duplicates += 1;
                        continue;
                    }
                    known.insert(sub.hash().to_owned());
                    let source = names.get(file).map_or("", String::as_str);
                    builder.push(registry, &sub, source)?;
                    summary.stored += 1;
                    seg_subs += 1;
                    summary.risk_points += sub.table().rows.len() as u64;
                    seg_rows += sub.table().rows.len() as u64;
                    if builder.risk_rows() >= BATCH_ROWS {
                        segment.write(&builder.finish()?)?;
                    }
                    if seg_rows as usize >= options.commit_rows {
                        segment.write(&builder.finish()?)?;
                        writer.commit(segment, seg_subs, seg_rows)?;
                        segment = writer.begin()?;
                        (seg_subs, seg_rows) = (0, 0);
                    }
                }
            }
        }
        if let Some(b) = &bar {
            b.set_position(reader.bytes_read);
            b.set_message(format!(
                "{} stored, {} rejected",
                summary.stored, summary.rejected
            ));
        }
    }
    if seg_subs > 0 {
        segment.write(&builder.finish()?)?;
        writer.commit(segment, seg_subs, seg_rows)?;
    } else {
        // Nothing new: remove the unused segment's temporary files.
        segment.abandon()?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    summary.files = reader.files().len() as u64;
    Ok(summary)
}

/// Checks one piece of input with the core.
fn check(
    registry: &Registry,
    names: &[String],
    p: Piece,
) -> std::result::Result<Submission, Rejection> {
    let file = names.get(p.file).cloned().unwrap_or_default();
    let reject = |line: u64, code: &str, message: String, message_zh: String| Rejection {
        file: file.clone(),
        line,
        code: code.to_owned(),
        message,
        message_zh,
    };
    let bytes = match p.bytes {
        Ok(b) => b,
        Err(PieceError::TooLarge(n)) => {
            return Err(reject(
                p.line,
                "too-large",
                format!(
                    "the submission is {n} bytes or more; at most {MAX_SUBMISSION_BYTES} bytes are accepted"
                ),
                format!("提交内容过大（至少 {n} 字节），上限为 {MAX_SUBMISSION_BYTES} 字节"),
            ));
        }
        Err(PieceError::Unreadable(e)) => {
            return Err(reject(
                p.line,
                "unreadable-file",
                format!("the file cannot be read: {e}"),
                format!("无法读取文件：{e}"),
            ));
        }
    };
    check_bytes(registry, &bytes, &file, p.line).map_err(|refused| refused.rejection)
}

/// Why [`check_bytes`] refused a submission.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The rejection as ingest reports it (the first problem, with a count of the others).
    pub rejection: Rejection,
    /// When the table was checked and found invalid: every issue, exactly as the core reports
    /// them to the browser form (code, path, message in Chinese and English).
    pub report: Option<sunlight_core::Report>,
}

/// Checks one submission's bytes exactly as ingest checks every submission it reads: UTF-8, not
/// empty, then [`Submission::from_json`] (shape, validity against its scheme, grades, hash). The
/// submission endpoint of `sunlight serve` runs this too, so both accept and refuse the same
/// things with the same codes. `file` and `line` say where the bytes came from.
pub fn check_bytes(
    registry: &Registry,
    bytes: &[u8],
    file: &str,
    line: u64,
) -> std::result::Result<Submission, Box<Refused>> {
    let reject = |line: u64, code: &str, message: String, message_zh: String| {
        Box::new(Refused {
            rejection: Rejection {
                file: file.to_owned(),
                line,
                code: code.to_owned(),
                message,
                message_zh,
            },
            report: None,
        })
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            let at_line = line + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(reject(
                at_line,
                "invalid-utf8",
                format!(
                    "the text is not valid UTF-8 (bad bytes at byte {at}); save the file as UTF-8"
                ),
                format!("文本不是有效的 UTF-8 编码（第 {at} 字节处）；请以 UTF-8 保存文件"),
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(reject(
            line,
            "empty-file",
            "the file is empty".into(),
            "文件为空".into(),
        ));
    }
    match Submission::from_json(registry, text) {
        Ok(s) => Ok(s),
        Err(e) => Err(Box::new(Refused {
            rejection: describe(&e, line, file),
            report: match e {
                CoreError::Invalid(report) => Some(report),
                _ => None,
            },
        })),
    }
}

/// Turns a core error into a rejection at `line` (the piece's first line).
fn describe(e: &CoreError, first_line: u64, file: &str) -> Rejection {
    let mk = |line: u64, code: &str, message: String, message_zh: String| Rejection {
        file: file.to_owned(),
        line,
        code: code.to_owned(),
        message,
        message_zh,
    };
    match e {
        CoreError::Json {
            line,
            column,
            message,
            ..
        } => {
            let code = if message.contains("EOF while parsing") {
                "truncated"
            } else if message.contains("invalid type")
                || message.contains("unknown field")
                || message.contains("invalid value")
                || message.contains("missing field")
            {
                "wrong-shape"
            } else {
                "malformed-json"
            };
            let at = first_line + (*line as u64).saturating_sub(1);
            mk(
                at,
                code,
                format!("not a submission at column {column}: {message}"),
                format!("第 {column} 列处不是有效的提交内容：{message}"),
            )
        }
        CoreError::Invalid(report) => {
            let errors: Vec<_> = report.errors().collect();
            match errors.first() {
                Some(first) => {
                    let more = if errors.len() > 1 {
                        format!(" (and {} more)", errors.len() - 1)
                    } else {
                        String::new()
                    };
                    let more_zh = if errors.len() > 1 {
                        format!("（另有 {} 处错误）", errors.len() - 1)
                    } else {
                        String::new()
                    };
                    mk(
                        first_line,
                        first.code.as_str(),
                        format!("at {}: {}{more}", first.path, first.message.en),
                        format!("{}：{}{more_zh}", first.path, first.message.zh),
                    )
                }
                None => mk(first_line, "invalid", e.to_string(), String::new()),
            }
        }
        CoreError::HashMismatch { .. } => mk(
            first_line,
            "hash-mismatch",
            e.to_string(),
            "提交内容的哈希与内容不符：提交后被修改过".into(),
        ),
        CoreError::Date { .. } => mk(
            first_line,
            "invalid-timestamp",
            e.to_string(),
            String::new(),
        ),
        CoreError::UnknownScheme(_) => {
            mk(first_line, "unknown-scheme", e.to_string(), String::new())
        }
        _ => mk(first_line, "invalid", e.to_string(), String::new()),
    }
}
