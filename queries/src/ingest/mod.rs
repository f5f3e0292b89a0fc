//! Ingest: read submission files, check every submission with the core, store the good ones.
//!
//! Never trust the client: every submission goes through [`Submission::from_json`], the same
//! checks the browser form ran (shape, validity against its scheme, grades, content hash). Event
//! batches — archive events (干部廉政档案), review steps, the office's register — lie in the same
//! files and folders; a piece whose top-level `kind` names a batch kind goes through that kind's
//! [`sunlight_core::BatchSubmission::from_json`] instead, with the same guarantees. A bad
//! file or line is reported as a [`Rejection`] (file, line, code, message) and counted; it never
//! stops the others. Submissions already in the store (by hash) are counted and skipped, so
//! running the same ingest twice stores nothing new.
//!
//! Reading, parsing and checking run on their own thread, in parallel (rayon) over chunks of
//! input (the next chunk read while one is checked), a bounded number of chunks ahead of the
//! writer; the writer gathers the rows, in input order, into large Arrow record batches and hands
//! them to the segment's Parquet thread, each segment committed to the store's manifest when it
//! holds `commit_rows` risk points and at the end (see [`crate::store`]). The checked
//! submissions are freed on the checking threads. So the serial Arrow and Parquet work no longer
//! waits for the check or makes it wait, and is itself split over two threads.

mod read;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sunlight_core::model::{EVENT_BATCH_KIND, OFFICE_RECORDS_KIND};
use sunlight_core::rules::workflow::REVIEW_EVENTS_KIND;
use sunlight_core::{
    Error as CoreError, EventSubmission, RecordSubmission, ReviewSubmission, Submission,
    presets::Registry,
};

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
    /// `invalid-timestamp`, `unreadable-file`, `unknown-batch-kind`.
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
    /// Submissions (files or lines) read: tables and event batches.
    pub read: u64,
    /// Submissions stored now: tables and event batches.
    pub stored: u64,
    /// Submissions already in the store (or earlier in this input), skipped.
    pub duplicates: u64,
    /// Submissions rejected.
    pub rejected: u64,
    /// Risk points stored now.
    pub risk_points: u64,
    /// Events stored now (archive events, review steps, register entries).
    pub events: u64,
}

/// A checked submission of any kind.
enum Checked {
    Table(Box<Submission>),
    Archive(EventSubmission),
    Reviews(ReviewSubmission),
    Records(RecordSubmission),
}

impl Checked {
    fn hash(&self) -> &str {
        match self {
            Checked::Table(s) => s.hash(),
            Checked::Archive(s) => s.hash(),
            Checked::Reviews(s) => s.hash(),
            Checked::Records(s) => s.hash(),
        }
    }
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

    // The reading and checking (most of the work, on every core) run ahead of the writer on their
    // own thread; this thread builds the Arrow batches and writes Parquet in input order, so the
    // store sees exactly what a serial ingest would store, and commits at the same points.
    let result = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<CheckedChunk>(CHUNKS_AHEAD);
        let names = &names;
        scope.spawn(move || {
            let mut reader = PieceReader::new(files);
            let mut chunk = reader.next_chunk(CHUNK_PIECES, CHUNK_BYTES);
            while !chunk.is_empty() {
                let bytes_read = reader.bytes_read;
                // The next chunk is read while this one is checked.
                let (next, pieces) = rayon::join(
                    || reader.next_chunk(CHUNK_PIECES, CHUNK_BYTES),
                    || {
                        chunk
                            .into_par_iter()
                            .map(|p| (p.file, check(registry, names, p)))
                            .collect()
                    },
                );
                // The writer stopped (an error): nothing more to check.
                if tx.send(CheckedChunk { pieces, bytes_read }).is_err() {
                    break;
                }
                chunk = next;
            }
        });
        store_checked(
            rx,
            registry,
            names,
            &mut writer,
            &mut known,
            options,
            bar.as_ref(),
            &mut summary,
            on_reject,
        )
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    result?;
    Ok(summary)
}

/// One chunk of input, checked, in input order: what the checking thread hands to the writer.
struct CheckedChunk {
    /// Each piece's file (index into the input list) and what the check found.
    pieces: Vec<(usize, std::result::Result<Checked, Rejection>)>,
    /// Input bytes consumed up to the end of this chunk, for progress.
    bytes_read: u64,
}

/// The most pieces read and checked at a time.
const CHUNK_PIECES: usize = 4096;

/// About the most bytes read and checked at a time.
const CHUNK_BYTES: usize = 16 * 1024 * 1024;

/// Checked chunks waiting for the writer. The checking runs at most this far ahead, which bounds
/// the memory held (a chunk is at most [`CHUNK_BYTES`] of input, and one more is read meanwhile).
/// Two rather than one (and two batches ahead of the Parquet thread, `store::BATCHES_AHEAD`):
/// with one, the checking threads sometimes waited while only the writer and the Parquet thread
/// ran (1 M risk points, alternating: 1.74–1.89 cores busy against 1.89 every time, wall 11.6 s
/// against 10.9 s median, the same peak memory).
const CHUNKS_AHEAD: usize = 2;

/// Stores the checked chunks as they arrive: skips known hashes, builds Arrow batches, writes
/// Parquet segments and commits one every `commit_rows` rows and at the end (or abandons the
/// segment when nothing was new). Returning early (an error) drops `chunks`, which stops the
/// checking thread.
#[allow(clippy::too_many_arguments)]
fn store_checked(
    chunks: std::sync::mpsc::Receiver<CheckedChunk>,
    registry: &Registry,
    names: &[String],
    writer: &mut StoreWriter,
    known: &mut HashSet<String>,
    options: &Options,
    bar: Option<&ProgressBar>,
    summary: &mut Summary,
    on_reject: &mut dyn FnMut(&Rejection),
) -> Result<()> {
    let mut builder = BatchBuilder::new(now_micros());
    let mut segment = writer.begin()?;
    // Per segment: tables and their risk points (the manifest's counts), everything stored, and
    // the rows (risk points and events) that decide when to commit.
    let (mut seg_subs, mut seg_risk, mut seg_stored, mut seg_rows) = (0u64, 0u64, 0u64, 0u64);
    for chunk in chunks {
        for (file, res) in &chunk.pieces {
            summary.read += 1;
            let sub = match res {
                Err(r) => {
                    summary.rejected += 1;
                    on_reject(r);
                    continue;
                }
                Ok(sub) => sub,
            };
            if known.contains(sub.hash()) {
                summary.duplicates += 1;
                continue;
            }
            known.insert(sub.hash().to_owned());
            let source = names.get(*file).map_or("", String::as_str);
            let rows = match sub {
                Checked::Table(t) => {
                    builder.push(registry, t, source)?;
                    seg_subs += 1;
                    seg_risk += t.table().rows.len() as u64;
                    summary.risk_points += t.table().rows.len() as u64;
                    t.table().rows.len() as u64
                }
                Checked::Archive(b) => {
                    builder.push_archive(b, source)?;
                    b.batch().events.len() as u64
                }
                Checked::Reviews(b) => {
                    builder.push_reviews(b, source)?;
                    b.batch().events.len() as u64
                }
                Checked::Records(b) => {
                    builder.push_records(b, source)?;
                    b.batch().events.len() as u64
                }
            };
            if !matches!(sub, Checked::Table(_)) {
                summary.events += rows;
            }
            summary.stored += 1;
            seg_stored += 1;
            seg_rows += rows;
            if builder.risk_rows() + builder.event_rows() >= BATCH_ROWS {
                segment.write(builder.finish()?)?;
            }
            if seg_rows as usize >= options.commit_rows {
                segment.write(builder.finish()?)?;
                writer.commit(segment, seg_subs, seg_risk)?;
                segment = writer.begin()?;
                (seg_subs, seg_risk, seg_rows, seg_stored) = (0, 0, 0, 0);
            }
        }
        // The submissions are freed on the checking threads, which made them: off this one,
        // which the others wait for.
        let CheckedChunk { pieces, bytes_read } = chunk;
        rayon::spawn(move || drop(pieces));
        if let Some(b) = bar {
            b.set_position(bytes_read);
            b.set_message(format!(
                "{} stored, {} rejected",
                summary.stored, summary.rejected
            ));
        }
    }
    if seg_stored > 0 {
        segment.write(builder.finish()?)?;
        writer.commit(segment, seg_subs, seg_risk)?;
    } else {
        // Nothing new: remove the unused segment's temporary files.
        segment.abandon()?;
    }
    Ok(())
}

/// Checks one piece of input with the core.
fn check(
    registry: &Registry,
    names: &[String],
    p: Piece,
) -> std::result::Result<Checked, Rejection> {
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
    // Only pieces that mention `"events"` can be batches: a table's bytes are checked as UTF-8
    // once, by `check_bytes` (each check of its Chinese text was 4 % of the ingest's samples).
    let batch = memchr::memmem::find(&bytes, b"\"events\"").is_some();
    if let Some((text, kind)) = batch
        .then(|| simdutf8::basic::from_utf8(&bytes).ok())
        .flatten()
        .and_then(|text| batch_kind(text).map(|kind| (text, kind)))
    {
        let checked = match kind {
            Ok(EVENT_BATCH_KIND) => EventSubmission::from_json(text).map(Checked::Archive),
            Ok(REVIEW_EVENTS_KIND) => ReviewSubmission::from_json(text).map(Checked::Reviews),
            Ok(_) => RecordSubmission::from_json(text).map(Checked::Records),
            Err(kind) => {
                return Err(reject(
                    p.line,
                    "unknown-batch-kind",
                    format!(
                        "the batch kind '{kind}' is not known; use {EVENT_BATCH_KIND}, {REVIEW_EVENTS_KIND} or {OFFICE_RECORDS_KIND}"
                    ),
                    format!(
                        "批次类型“{kind}”无法识别，应为 {EVENT_BATCH_KIND}、{REVIEW_EVENTS_KIND} 或 {OFFICE_RECORDS_KIND}"
                    ),
                ));
            }
        };
        return checked.map_err(|e| describe(&e, p.line, &file));
    }
    check_bytes(registry, &bytes, &file, p.line)
        .map(|s| Checked::Table(Box::new(s)))
        .map_err(|refused| refused.rejection)
}

/// The batch kind a piece declares: `None` for a self-check table (no top-level `events`),
/// `Some(Ok(kind))` for a known batch kind, `Some(Err(kind))` for an unknown one. The caller
/// asks only of pieces that mention `"events"`, so tables are not parsed twice.
fn batch_kind(text: &str) -> Option<std::result::Result<&'static str, String>> {
    #[derive(Deserialize)]
    struct Peek {
        #[serde(default)]
        kind: Option<String>,
        #[serde(default)]
        events: Option<serde::de::IgnoredAny>,
    }
    let peek: Peek = serde_json::from_str(text).ok()?;
    peek.events?;
    let kind = peek.kind.unwrap_or_default();
    Some(
        [EVENT_BATCH_KIND, REVIEW_EVENTS_KIND, OFFICE_RECORDS_KIND]
            .into_iter()
            .find(|k| *k == kind)
            .ok_or(kind),
    )
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
    // Checked with SIMD first (the standard check took 6 % of the ingest's CPU on Chinese text);
    // the standard one says where the bad bytes are.
    let checked = match simdutf8::basic::from_utf8(bytes) {
        Ok(t) => Ok(t),
        Err(_) => std::str::from_utf8(bytes),
    };
    let text = match checked {
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
