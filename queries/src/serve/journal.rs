//! The submission journal: the server's write-ahead log.
//!
//! ```text
//! STORE/journal/journal-000001.ndjson   one canonical submission per line, appended and fsync'd
//! STORE/journal/journal-000002.ndjson   the file being written; older ones wait to be folded
//! ```
//!
//! An accepted submission is answered only after its line is on disk. Lines are appended by one
//! writer in batches (group commit: one `fdatasync` for every request that arrived together).
//! The files are folded into the Parquet store and deleted afterwards; whatever a crash leaves is
//! read again at the next start ([`read`]) and stored then, recognised by hash so nothing is
//! stored twice.
//!
//! Every line is the submission's canonical JSON, which carries its own SHA-256 content hash: a
//! line is trusted only if the core accepts it again, so a damaged line cannot pass for a good
//! one. A crash in the middle of an append can leave the last line of a file cut short; that
//! line was never acknowledged (the answer waits for the fsync) and is dropped.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use sunlight_core::Submission;
use sunlight_core::presets::Registry;

use crate::error::{Error, Result};
use crate::ingest::check_bytes;

/// The journal folder inside the store folder.
pub const FOLDER: &str = "journal";

fn file_name(seq: u64) -> String {
    format!("journal-{seq:06}.ndjson")
}

fn seq_of(name: &str) -> Option<u64> {
    name.strip_prefix("journal-")?
        .strip_suffix(".ndjson")?
        .parse()
        .ok()
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("flushing the journal folder to disk", dir, e))
}

/// The journal files present in `store_dir`, oldest first.
pub fn existing(store_dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let dir = store_dir.join(FOLDER);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("listing the journal folder", &dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("listing the journal folder", &dir, e))?;
        if let Some(seq) = seq_of(&entry.file_name().to_string_lossy()) {
            out.push((seq, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// What one journal file holds.
#[derive(Debug, Default)]
pub struct Replayed {
    /// The submissions, in the order they were written.
    pub submissions: Vec<Submission>,
    /// Whether the last line was cut short by a crash (and dropped).
    pub torn_tail: bool,
}

/// Reads a journal file back, checking every line with the core again. A damaged line that is
/// not the cut-short last line is an error: the journal holds acknowledged submissions, and the
/// server must not start by quietly dropping one.
pub fn read(registry: &Registry, path: &Path) -> Result<Replayed> {
    let bytes = fs::read(path).map_err(|e| Error::io("reading the submission journal", path, e))?;
    let mut out = Replayed::default();
    let mut start = 0usize;
    let mut line_no = 0u64;
    let name = path.display().to_string();
    while start < bytes.len() {
        line_no += 1;
        let (end, complete) = match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => (start + i, true),
            None => (bytes.len(), false),
        };
        let line = &bytes[start..end];
        start = end + 1;
        if line.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            continue;
        }
        match check_bytes(registry, line, &name, line_no) {
            Ok(sub) => out.submissions.push(sub),
            Err(_) if !complete => out.torn_tail = true,
            Err(refused) => {
                return Err(Error::Journal {
                    path: path.to_owned(),
                    line: line_no,
                    message: format!("{}: {}", refused.rejection.code, refused.rejection.message),
                });
            }
        }
    }
    Ok(out)
}

/// The journal file being appended to.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    seq: u64,
    file: File,
    path: PathBuf,
    lines: u64,
}

impl Journal {
    /// Starts a new journal file after `last_seq` (the highest sequence number seen) in the
    /// store's journal folder, creating the folder if needed.
    pub fn create(store_dir: &Path, last_seq: u64) -> Result<Journal> {
        let dir = store_dir.join(FOLDER);
        fs::create_dir_all(&dir).map_err(|e| Error::io("creating the journal folder", &dir, e))?;
        let seq = last_seq + 1;
        let path = dir.join(file_name(seq));
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io("creating a journal file", &path, e))?;
        // The new name must survive a crash too, or fsync'd lines could vanish with it.
        sync_dir(&dir)?;
        Ok(Journal {
            dir,
            seq,
            file,
            path,
            lines: 0,
        })
    }

    /// Appends `lines` (each submission's canonical JSON and a newline) and flushes them to
    /// disk; when this returns `Ok`, they survive a crash.
    pub fn append(&mut self, lines: &[u8], count: u64) -> Result<()> {
        self.file
            .write_all(lines)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::io("writing the submission journal", &self.path, e))?;
        self.lines += count;
        Ok(())
    }

    /// How many submissions the current file holds.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Closes the current file and starts the next; gives back the closed file's path, to be
    /// folded into the store and then deleted.
    pub fn rotate(&mut self) -> Result<PathBuf> {
        let next = Journal::create(self.dir.parent().unwrap_or(&self.dir), self.seq)?;
        let old = std::mem::replace(self, next);
        Ok(old.path)
    }

    /// Deletes the current file when it holds nothing (at shutdown, after everything was
    /// folded).
    pub fn remove_if_empty(self) -> Result<()> {
        if self.lines == 0 {
            drop(self.file);
            remove(&self.path)?;
        }
        Ok(())
    }
}

/// Deletes a journal file whose submissions are in the store now, and makes the deletion
/// durable.
pub fn remove(path: &Path) -> Result<()> {
    fs::remove_file(path).map_err(|e| Error::io("removing a folded journal file", path, e))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(seq_of(&file_name(42)), Some(42));
        assert_eq!(seq_of("journal-x.ndjson"), None);
        assert_eq!(seq_of("other-000001.ndjson"), None);
    }
}
