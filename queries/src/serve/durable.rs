//! Getting an accepted submission onto disk before it is acknowledged, and into the Parquet
//! store afterwards.
//!
//! Two threads, so that neither HTTP tasks nor Parquet writing ever wait on each other:
//!
//! - the **journal writer** owns the set of known hashes and the [`Journal`]. It takes every
//!   request waiting in its channel at once, appends the new ones to the journal with a single
//!   fsync (group commit), and only then answers each request: stored, or already stored. Every
//!   so often it closes the journal file and hands it, with its submissions, to the folder.
//! - the **folder** owns the [`StoreWriter`] (and so the store's lock) and turns each closed
//!   journal file into a committed Parquet segment, then deletes the file.
//!
//! At start, [`recover`] folds whatever journal files a crash or a failed fold left, so the
//! store is complete before the first request is answered.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sunlight_core::Submission;
use sunlight_core::presets::Registry;
use tokio::sync::{mpsc, oneshot};

use super::journal::{self, Journal};
use crate::error::{Error, Result};
use crate::store::StoreWriter;
use crate::store::schema::BatchBuilder;

/// What `source` says for rows that came through the server.
pub const SOURCE: &str = "POST /api/v1/submissions";

/// What became of a submission handed to the journal writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New: it is on disk now.
    Stored,
    /// A submission with the same hash was stored before; nothing new was written.
    AlreadyStored,
    /// It could not be written; nothing is promised. The text says why.
    Failed(String),
}

/// A message to the journal writer.
#[derive(Debug)]
pub enum Message {
    /// Store this submission durably and answer.
    Submit(Box<Submission>, oneshot::Sender<Outcome>),
    /// Time passes: fold the journal if it has waited long enough.
    Tick,
}

/// Counters the health check reports.
#[derive(Debug, Default)]
pub struct Counters {
    /// Submissions stored since the server started (journalled, folded or not).
    pub stored: AtomicU64,
    /// Resubmissions answered "already stored".
    pub duplicates: AtomicU64,
    /// Submissions in the journal that are not yet in the Parquet files.
    pub unfolded: AtomicU64,
    /// Submissions in the Parquet files (current and superseded).
    pub in_store: AtomicU64,
    /// Set when the journal could not be written: the server then refuses every submission.
    pub broken: AtomicBool,
    /// Set when a fold failed (the journal keeps the submissions; the next start folds them).
    pub fold_failed: AtomicBool,
}

/// When the journal is folded into the store.
#[derive(Debug, Clone, Copy)]
pub struct FoldPolicy {
    /// Fold when the oldest unfolded submission has waited this long.
    pub interval: Duration,
    /// Fold when this many submissions wait.
    pub max_submissions: u64,
}

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Writes `subs` to the store as one committed segment.
fn fold(writer: &mut StoreWriter, registry: &Registry, subs: &[Submission]) -> Result<()> {
    if subs.is_empty() {
        return Ok(());
    }
    let mut builder = BatchBuilder::new(now_micros());
    let mut segment = writer.begin()?;
    let mut rows = 0u64;
    for sub in subs {
        builder.push(registry, sub, SOURCE)?;
        rows += sub.table().rows.len() as u64;
        if builder.risk_rows() >= 64 * 1024 {
            segment.write(builder.finish()?)?;
        }
    }
    segment.write(builder.finish()?)?;
    writer.commit(segment, subs.len() as u64, rows)
}

/// The store opened for the server: what [`recover`] found and left.
pub struct Recovered {
    /// The writer, holding the store's lock.
    pub writer: StoreWriter,
    /// Every hash in the store.
    pub known: HashSet<String>,
    /// The highest journal sequence number seen.
    pub last_seq: u64,
    /// Submissions found in the journal and stored now.
    pub replayed: u64,
}

/// Opens the store for writing (taking its lock; when another process holds it, waiting if
/// `wait`, refusing otherwise), folds every journal file left by an earlier run into it, and
/// deletes those files.
pub fn recover(registry: &Registry, store_dir: &Path, wait: bool) -> Result<Recovered> {
    let mut writer = StoreWriter::open(store_dir, wait)?;
    let mut known = writer.known_hashes()?;
    let files = journal::existing(store_dir)?;
    let mut fresh = Vec::new();
    for (_, path) in &files {
        let replayed = journal::read(registry, path)?;
        if replayed.torn_tail {
            eprintln!(
                "sunlight serve: {}: the last line was cut short by a crash before it was acknowledged; dropped",
                path.display()
            );
        }
        for sub in replayed.submissions {
            if known.insert(sub.hash().to_owned()) {
                fresh.push(sub);
            }
        }
    }
    let replayed = fresh.len() as u64;
    fold(&mut writer, registry, &fresh)?;
    for (_, path) in &files {
        journal::remove(path)?;
    }
    let last_seq = files.last().map_or(0, |(s, _)| *s);
    Ok(Recovered {
        writer,
        known,
        last_seq,
        replayed,
    })
}

/// A closed journal file and the submissions it holds, to be folded.
struct FoldJob {
    path: PathBuf,
    submissions: Vec<Submission>,
}

/// The two threads, running.
pub struct Durable {
    writer: JoinHandle<Result<()>>,
    folder: JoinHandle<()>,
}

impl Durable {
    /// Starts the journal writer and the folder. The writer stops when every sender of
    /// `requests` is gone, after folding what remains; [`Durable::join`] waits for that.
    pub fn start(
        registry: &'static Registry,
        store_dir: &Path,
        recovered: Recovered,
        requests: mpsc::Receiver<Message>,
        counters: Arc<Counters>,
        policy: FoldPolicy,
    ) -> Result<Durable> {
        let Recovered {
            writer: store,
            known,
            last_seq,
            ..
        } = recovered;
        let journal = Journal::create(store_dir, last_seq)?;
        let (fold_tx, fold_rx) = std::sync::mpsc::channel::<FoldJob>();
        let folder_counters = Arc::clone(&counters);
        let folder = std::thread::Builder::new()
            .name("sunlight-fold".into())
            .spawn(move || run_folder(registry, store, fold_rx, &folder_counters))
            .map_err(|e| Error::io("starting the folder thread", store_dir, e))?;
        let writer = std::thread::Builder::new()
            .name("sunlight-journal".into())
            .spawn(move || run_writer(journal, known, requests, fold_tx, &counters, policy))
            .map_err(|e| Error::io("starting the journal thread", store_dir, e))?;
        Ok(Durable { writer, folder })
    }

    /// Waits until everything received is folded into the store and both threads have ended.
    pub fn join(self) -> Result<()> {
        let written = self
            .writer
            .join()
            .unwrap_or_else(|_| Err(Error::Usage("the journal thread failed".into())));
        let folded = self.folder.join();
        written?;
        folded.map_err(|_| Error::Usage("the folder thread failed".into()))
    }
}

const MAX_BATCH: usize = 4096;

fn run_writer(
    mut journal: Journal,
    mut known: HashSet<String>,
    mut requests: mpsc::Receiver<Message>,
    fold_tx: std::sync::mpsc::Sender<FoldJob>,
    counters: &Counters,
    policy: FoldPolicy,
) -> Result<()> {
    let mut unfolded: Vec<Submission> = Vec::new();
    let mut oldest: Option<Instant> = None;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let Some(first) = requests.blocking_recv() else {
            break;
        };
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match requests.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        buf.clear();
        let mut answers: Vec<(oneshot::Sender<Outcome>, Outcome)> = Vec::new();
        let mut new_subs: Vec<Submission> = Vec::new();
        for m in batch.drain(..) {
            let Message::Submit(sub, reply) = m else {
                continue;
            };
            if counters.broken.load(Ordering::SeqCst) {
                let why = "the server cannot write its journal; nothing is accepted until it is restarted".to_owned();
                answers.push((reply, Outcome::Failed(why)));
                continue;
            }
            if known.contains(sub.hash()) {
                answers.push((reply, Outcome::AlreadyStored));
                continue;
            }
            match sub.to_json() {
                Ok(json) => {
                    known.insert(sub.hash().to_owned());
                    buf.extend_from_slice(json.as_bytes());
                    buf.push(b'\n');
                    new_subs.push(*sub);
                    answers.push((reply, Outcome::Stored));
                }
                Err(e) => answers.push((reply, Outcome::Failed(e.to_string()))),
            }
        }
        if !new_subs.is_empty() {
            if let Err(e) = journal.append(&buf, new_subs.len() as u64) {
                // Nothing of this batch is promised; later ones are refused too, since what the
                // file holds after a failed fsync cannot be known.
                eprintln!("sunlight serve: {e}");
                counters.broken.store(true, Ordering::SeqCst);
                for sub in &new_subs {
                    known.remove(sub.hash());
                }
                for (_, outcome) in &mut answers {
                    if *outcome == Outcome::Stored {
                        *outcome = Outcome::Failed(e.to_string());
                    }
                }
                new_subs.clear();
            } else {
                counters
                    .stored
                    .fetch_add(new_subs.len() as u64, Ordering::SeqCst);
                counters
                    .unfolded
                    .fetch_add(new_subs.len() as u64, Ordering::SeqCst);
                oldest.get_or_insert_with(Instant::now);
                unfolded.append(&mut new_subs);
            }
        }
        for (reply, outcome) in answers {
            if outcome == Outcome::AlreadyStored {
                counters.duplicates.fetch_add(1, Ordering::SeqCst);
            }
            // The client may have gone away; what was journalled stays journalled.
            let _ = reply.send(outcome);
        }
        let due = unfolded.len() as u64 >= policy.max_submissions
            || oldest.is_some_and(|t| t.elapsed() >= policy.interval);
        if due && !unfolded.is_empty() {
            let path = journal.rotate()?;
            oldest = None;
            let job = FoldJob {
                path,
                submissions: std::mem::take(&mut unfolded),
            };
            if fold_tx.send(job).is_err() {
                return Err(Error::Usage("the folder thread stopped".into()));
            }
        }
    }
    // Every sender is gone: the server has stopped taking requests. Fold the rest.
    if unfolded.is_empty() {
        journal.remove_if_empty()?;
    } else {
        let path = journal.rotate()?;
        let job = FoldJob {
            path,
            submissions: unfolded,
        };
        if fold_tx.send(job).is_err() {
            return Err(Error::Usage("the folder thread stopped".into()));
        }
        // The file `rotate` started is empty.
        journal.remove_if_empty()?;
    }
    Ok(())
}

fn run_folder(
    registry: &Registry,
    mut store: StoreWriter,
    jobs: std::sync::mpsc::Receiver<FoldJob>,
    counters: &Counters,
) {
    counters
        .in_store
        .store(store.manifest().submissions, Ordering::SeqCst);
    for job in jobs {
        let n = job.submissions.len() as u64;
        match fold(&mut store, registry, &job.submissions).and_then(|()| journal::remove(&job.path))
        {
            Ok(()) => {
                counters.unfolded.fetch_sub(n, Ordering::SeqCst);
                counters
                    .in_store
                    .store(store.manifest().submissions, Ordering::SeqCst);
            }
            Err(e) => {
                // The journal file stays; the next start folds it. Nothing acknowledged is lost.
                counters.fold_failed.store(true, Ordering::SeqCst);
                eprintln!(
                    "sunlight serve: folding {} into the store failed: {e}; it will be folded at the next start",
                    job.path.display()
                );
            }
        }
    }
}
