//! The manifest: which data files make up the store.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The store's tables, in the order a segment writes them: the three of self-check tables, then
/// one per kind of event batch.
pub const TABLES: [&str; 6] = [
    "submissions",
    "risk_points",
    "measures",
    "archive_events",
    "review_events",
    "office_records",
];

/// The tables whose `hash` column names the submissions (tables and event batches) they hold:
/// what ingest reads to recognise a submission it has already stored.
pub const HASHED: [&str; 4] = [
    "submissions",
    "archive_events",
    "review_events",
    "office_records",
];

/// The manifest's format tag.
pub const FORMAT: &str = "sunlight-store/1";

pub(super) const MANIFEST_TMP: &str = "manifest.json.tmp";

/// The list of committed data files, with running counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `FORMAT`.
    pub format: String,
    /// How many segments have been committed.
    pub generation: u64,
    /// Files of the `submissions` table, relative to the store folder.
    pub submissions_files: Vec<String>,
    /// Files of the `risk_points` table.
    pub risk_points_files: Vec<String>,
    /// Files of the `measures` table.
    pub measures_files: Vec<String>,
    /// Files of the `archive_events` table (absent in stores written before events were stored).
    #[serde(default)]
    pub archive_events_files: Vec<String>,
    /// Files of the `review_events` table.
    #[serde(default)]
    pub review_events_files: Vec<String>,
    /// Files of the `office_records` table.
    #[serde(default)]
    pub office_records_files: Vec<String>,
    /// Submissions stored (current and superseded): self-check tables, not event batches.
    pub submissions: u64,
    /// Risk points stored (current and superseded).
    pub risk_points: u64,
    /// Whether every file of `submissions`, `risk_points` and `measures` has the `hash_key`
    /// column ([`crate::store::schema::hash_key`]): true for a store begun by a version that
    /// writes it. A store begun before keeps asking of the hashes, also of the segments added
    /// since.
    #[serde(default)]
    pub hash_keys: bool,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            format: FORMAT.to_owned(),
            generation: 0,
            submissions_files: Vec::new(),
            risk_points_files: Vec::new(),
            measures_files: Vec::new(),
            archive_events_files: Vec::new(),
            review_events_files: Vec::new(),
            office_records_files: Vec::new(),
            submissions: 0,
            risk_points: 0,
            hash_keys: true,
        }
    }
}

impl Manifest {
    /// Reads the manifest of the store in `dir`; no manifest means an empty store.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(super::MANIFEST);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if dir.is_dir() || !dir.exists() {
                    return Ok(Manifest::default());
                }
                return Err(Error::store(dir, "it is not a folder"));
            }
            Err(e) => return Err(Error::io("reading the store manifest", &path, e)),
        };
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::store(
                dir,
                format!("{} is damaged (line {}): {e}", super::MANIFEST, e.line()),
            )
        })?;
        if m.format != FORMAT {
            return Err(Error::store(
                dir,
                format!(
                    "its format is '{}', this version reads '{FORMAT}'",
                    m.format
                ),
            ));
        }
        Ok(m)
    }

    /// The files of one table.
    pub fn files(&self, table: &str) -> &[String] {
        match table {
            "submissions" => &self.submissions_files,
            "risk_points" => &self.risk_points_files,
            "measures" => &self.measures_files,
            "archive_events" => &self.archive_events_files,
            "review_events" => &self.review_events_files,
            "office_records" => &self.office_records_files,
            _ => &[],
        }
    }

    pub(super) fn push(&mut self, table: &str, file: String) {
        match table {
            "submissions" => self.submissions_files.push(file),
            "risk_points" => self.risk_points_files.push(file),
            "measures" => self.measures_files.push(file),
            "archive_events" => self.archive_events_files.push(file),
            "review_events" => self.review_events_files.push(file),
            "office_records" => self.office_records_files.push(file),
            _ => {}
        }
    }

    /// Writes the manifest atomically: temporary file, flush, rename.
    pub(super) fn write(&self, dir: &Path) -> Result<()> {
        let tmp = dir.join(MANIFEST_TMP);
        let path = dir.join(super::MANIFEST);
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::store(dir, format!("cannot write the manifest: {e}")))?;
        let mut f =
            File::create(&tmp).map_err(|e| Error::io("writing the store manifest", &tmp, e))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io("writing the store manifest", &tmp, e))?;
        drop(f);
        fs::rename(&tmp, &path).map_err(|e| Error::io("replacing the store manifest", &path, e))
    }
}
