//! The store: a folder of Parquet files and one manifest that says which of them count.
//!
//! ```text
//! DIR/manifest.json                  the only source of truth, replaced atomically
//! DIR/data/submissions/seg-N.parquet one file per table per committed segment
//! DIR/data/risk_points/seg-N.parquet
//! DIR/data/measures/seg-N.parquet
//! DIR/data/archive_events/seg-N.parquet, review_events/…, office_records/…  (event batches)
//! DIR/.lock                          held by the one ingest that may write
//! ```
//!
//! Crash safety comes from the order of writes: a segment's files (one per table) are written under
//! temporary names, flushed to disk and renamed; only then is the manifest rewritten (temporary
//! name, flush, rename) to list them. A file the manifest does not list is not part of the store:
//! readers never see it and the next writer deletes it. So a process killed at any moment leaves
//! either the old manifest or the new one, never half of a segment, and running the same ingest
//! again stores exactly what is missing (submissions and event batches are recognised by their
//! hash).

mod lock;
mod manifest;
pub mod schema;

use std::collections::{BTreeSet, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use datafusion::parquet::schema::types::ColumnPath;

pub use lock::StoreLock;
pub use manifest::{HASHED, Manifest, TABLES};

use crate::error::{Error, Result};

/// The file name of the manifest inside the store folder.
pub const MANIFEST: &str = "manifest.json";

/// A store folder opened for reading.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
}

impl Store {
    /// Opens the store in `dir`. A folder without a manifest is an empty store.
    pub fn open(dir: &Path) -> Result<Store> {
        let manifest = Manifest::read(dir)?;
        Ok(Store {
            dir: dir.to_owned(),
            manifest,
        })
    }

    /// The store folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest as read.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The absolute paths of a table's files (one of [`TABLES`]).
    pub fn files(&self, table: &str) -> Vec<PathBuf> {
        self.manifest
            .files(table)
            .iter()
            .map(|f| self.dir.join(f))
            .collect()
    }
}

/// A store opened for writing: holds the lock until dropped.
#[derive(Debug)]
pub struct StoreWriter {
    dir: PathBuf,
    manifest: Manifest,
    _lock: StoreLock,
}

/// One segment being written: a Parquet file per table, under temporary names.
///
/// The files are encoded on a thread of their own, a batch behind the caller: in ingest, the
/// thread that builds the Arrow batches was the one that held the others up, and Parquet
/// encoding was half of its work.
pub struct Segment {
    /// Each table's paths.
    paths: Vec<FilePaths>,
    /// Batches for the encoding thread; `None` once it has been told to finish.
    batches: Option<SyncSender<[RecordBatch; TABLES.len()]>>,
    /// The encoding thread, which gives back the writers when the batches end.
    encoder: Option<JoinHandle<Result<Vec<ArrowWriter<File>>>>>,
}

/// A segment file's temporary path and the one it gets when committed.
type FilePaths = (PathBuf, PathBuf);

/// Batches waiting for a segment's encoding thread besides the one being encoded: two bound the
/// memory held (a batch is at most about [`crate::ingest`]'s 64 Ki rows of each table) and let
/// the writer go on with the next batch while the encoder is one behind.
const BATCHES_AHEAD: usize = 2;

/// The text columns whose smallest and largest value in a row group can spare a query reading
/// it: the store is written in input order, and the departments' files come unit by unit, so a
/// row group holds a run of units (and of one scheme, mostly). Every other text column has no
/// Parquet statistics: its values are spread over every row group, so no filter could skip one
/// with them, and working them out compared every text with the page's least and greatest so
/// far (a twentieth of the ingest's work).
pub const PRUNING_TEXTS: [&str; 4] = ["unit_id", "scheme", "table_kind", "period"];

/// The most rows in one row group of `table`'s Parquet files.
///
/// A query reads a file's row groups in parallel, one core each, but not one row group: a
/// segment holds about a million risk points, so a table of one row per submission or per event
/// (about 120,000 and 100,000–170,000 rows at 1 M risk points) took one row group of 256 Ki
/// rows, and every query over it read it on one core. Those tables take row groups of 32 Ki
/// rows; `risk_points` and `measures` keep 256 Ki, which give them four or more.
pub fn row_group_rows(table: &str) -> usize {
    match table {
        "risk_points" | "measures" => 256 * 1024,
        _ => 32 * 1024,
    }
}

/// The text columns that repeat within a row group of `table` and are long, so that Parquet's
/// default dictionary is too small for them: the submission's `hash` in `risk_points` and
/// `measures`, and its `table_key` in `risk_points` (about one distinct value in eight rows; a
/// hash is 71 bytes).
///
/// Parquet's writer dictionary-encodes a column until the dictionary reaches its page size limit,
/// 1 MiB by default, and writes the rest of the row group plain. A `risk_points` row group's
/// 31,000 hashes (2.2 MB) overflowed it after about a third of the rows, so most of the column
/// was written and read as 71 bytes a row: reading the hashes took as long as reading the nine
/// columns `type_counts` groups on, and every query of the current risk points reads them
/// (`superseded`).
///
/// Not `risk_points.measures_text` (about one distinct value in four rows, 100 bytes on
/// average), although a dictionary made reading it twice as fast: every batch read from a row
/// group then holds that group's whole dictionary (about 6 MB) through its string views, and
/// the catalog's sort, which counts each batch's buffers against the session's memory limit,
/// spilled. At 10 M risk points `report_catalog` took 4.4–4.8 s against 2.4–2.8 s.
pub fn large_dictionary_texts(table: &str) -> &'static [&'static str] {
    match table {
        "risk_points" => &["hash", "table_key"],
        "measures" => &["hash"],
        _ => &[],
    }
}

/// The dictionary page size limit of [`large_dictionary_texts`]: room for a row group's values
/// when a table has at least two rows a submission; beyond it the writer falls back to plain as
/// before.
pub const LARGE_DICTIONARY_BYTES: usize = 16 * 1024 * 1024;

/// How the store writes `table`'s Parquet: zstd, row groups of [`row_group_rows`], statistics
/// of every column but the text columns not in [`PRUNING_TEXTS`], and dictionaries large
/// enough for [`large_dictionary_texts`].
pub fn props(table: &str) -> WriterProperties {
    let unpruned: BTreeSet<String> = TABLES
        .iter()
        .filter_map(|t| schema::of(t))
        .flat_map(|s| {
            s.fields()
                .iter()
                .filter(|f| {
                    *f.data_type() == DataType::Utf8 && !PRUNING_TEXTS.contains(&f.name().as_str())
                })
                .map(|f| f.name().clone())
                .collect::<Vec<_>>()
        })
        .collect();
    let builder = unpruned
        .into_iter()
        .fold(WriterProperties::builder(), |b, name| {
            b.set_column_statistics_enabled(ColumnPath::from(name), EnabledStatistics::None)
        })
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(row_group_rows(table)));
    large_dictionary_texts(table)
        .iter()
        .fold(builder, |b, name| {
            b.set_column_dictionary_page_size_limit(ColumnPath::from(*name), LARGE_DICTIONARY_BYTES)
        })
        .build()
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("flushing the folder to disk", dir, e))
}

impl StoreWriter {
    /// Takes the store's lock (waiting for it when `wait` is true, refusing otherwise), creates
    /// the folders if needed, and deletes every data file the manifest does not list: what an
    /// interrupted ingest left behind.
    pub fn open(dir: &Path, wait: bool) -> Result<StoreWriter> {
        fs::create_dir_all(dir).map_err(|e| Error::io("creating the store folder", dir, e))?;
        let lock = StoreLock::acquire(dir, wait)?;
        let manifest = Manifest::read(dir)?;
        let w = StoreWriter {
            dir: dir.to_owned(),
            manifest,
            _lock: lock,
        };
        w.clean()?;
        Ok(w)
    }

    /// The manifest as committed so far.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn clean(&self) -> Result<()> {
        for table in TABLES {
            let folder = self.dir.join("data").join(table);
            fs::create_dir_all(&folder)
                .map_err(|e| Error::io("creating the store folder", &folder, e))?;
            let listed: HashSet<&str> = self
                .manifest
                .files(table)
                .iter()
                .map(String::as_str)
                .collect();
            let entries = fs::read_dir(&folder)
                .map_err(|e| Error::io("listing the store folder", &folder, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("listing the store folder", &folder, e))?;
                let name = entry.file_name();
                let rel = format!("data/{table}/{}", name.to_string_lossy());
                if !listed.contains(rel.as_str()) {
                    let p = entry.path();
                    fs::remove_file(&p).map_err(|e| {
                        Error::io("removing a file an interrupted ingest left", &p, e)
                    })?;
                }
            }
        }
        let tmp = self.dir.join(manifest::MANIFEST_TMP);
        if tmp.exists() {
            fs::remove_file(&tmp)
                .map_err(|e| Error::io("removing an unfinished manifest", &tmp, e))?;
        }
        Ok(())
    }

    /// The hashes of every submission and event batch already in the store (current and
    /// superseded).
    pub fn known_hashes(&self) -> Result<HashSet<String>> {
        let mut out = HashSet::new();
        for f in HASHED.iter().flat_map(|t| self.manifest.files(t)) {
            let path = self.dir.join(f);
            let file = File::open(&path).map_err(|e| Error::io("reading the store", &path, e))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
            let mask = ProjectionMask::columns(builder.parquet_schema(), ["hash"]);
            for batch in builder.with_projection(mask).build()? {
                let batch = batch?;
                let col = batch.column(0);
                let Some(hashes) = col.as_string_opt::<i32>() else {
                    return Err(Error::store(
                        &self.dir,
                        format!("{f}: column 'hash' is not text"),
                    ));
                };
                for i in 0..hashes.len() {
                    out.insert(hashes.value(i).to_owned());
                }
            }
        }
        Ok(out)
    }

    /// Starts a segment: one Parquet writer per table, on temporary files.
    pub fn begin(&self) -> Result<Segment> {
        let generation = self.manifest.generation + 1;
        let mut writers = Vec::with_capacity(TABLES.len());
        let mut paths = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let schema = schema::of(table)
                .ok_or_else(|| Error::store(&self.dir, format!("no schema for table {table}")))?;
            let folder = self.dir.join("data").join(table);
            let final_path = folder.join(format!("seg-{generation:06}.parquet"));
            let tmp = folder.join(format!(".tmp-seg-{generation:06}.parquet"));
            let file =
                File::create(&tmp).map_err(|e| Error::io("creating a store file", &tmp, e))?;
            writers.push(ArrowWriter::try_new(file, schema, Some(props(table)))?);
            paths.push((tmp, final_path));
        }
        let (tx, rx) = sync_channel::<[RecordBatch; TABLES.len()]>(BATCHES_AHEAD);
        let encoder = std::thread::Builder::new()
            .name("sunlight-parquet".into())
            .spawn(move || {
                for batches in rx {
                    for (w, batch) in writers.iter_mut().zip(&batches) {
                        if batch.num_rows() > 0 {
                            w.write(batch)?;
                        }
                    }
                }
                Ok(writers)
            })
            .map_err(|e| Error::io("starting the Parquet writer", &self.dir, e))?;
        Ok(Segment {
            paths,
            batches: Some(tx),
            encoder: Some(encoder),
        })
    }

    /// Makes a segment part of the store: finishes and flushes its files, renames them, and then
    /// rewrites the manifest. `submissions` and `risk_points` are the segment's counts.
    pub fn commit(&mut self, segment: Segment, submissions: u64, risk_points: u64) -> Result<()> {
        let mut names = Vec::with_capacity(TABLES.len());
        let (paths, writers) = segment.finish()?;
        for ((tmp, final_path), w) in paths.into_iter().zip(writers) {
            let file = w.into_inner()?;
            file.sync_all()
                .map_err(|e| Error::io("flushing a store file to disk", &tmp, e))?;
            drop(file);
            fs::rename(&tmp, &final_path)
                .map_err(|e| Error::io("renaming a store file", &final_path, e))?;
            names.push(final_path);
        }
        for table in TABLES {
            sync_dir(&self.dir.join("data").join(table))?;
        }
        let mut next = self.manifest.clone();
        next.generation += 1;
        for (table, path) in TABLES.iter().zip(&names) {
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            next.push(table, format!("data/{table}/{file_name}"));
        }
        next.submissions += submissions;
        next.risk_points += risk_points;
        next.write(&self.dir)?;
        sync_dir(&self.dir)?;
        self.manifest = next;
        Ok(())
    }
}

impl Segment {
    /// Hands one batch of each table, in the order of [`TABLES`], to the encoding thread. An
    /// error of an earlier batch is reported here or at [`StoreWriter::commit`].
    pub fn write(&mut self, batches: [RecordBatch; TABLES.len()]) -> Result<()> {
        let sent = self
            .batches
            .as_ref()
            .is_some_and(|tx| tx.send(batches).is_ok());
        if sent {
            return Ok(());
        }
        // The encoding thread stopped, which it does only on an error: that says why.
        self.join()?;
        Err(stopped())
    }

    /// Ends the batches and waits for the encoding thread: the writers, or the first error.
    fn join(&mut self) -> Result<Vec<ArrowWriter<File>>> {
        self.batches = None;
        match self.encoder.take().map(JoinHandle::join) {
            Some(Ok(writers)) => writers,
            Some(Err(_)) | None => Err(stopped()),
        }
    }

    /// [`Segment::join`], and the paths.
    fn finish(mut self) -> Result<(Vec<FilePaths>, Vec<ArrowWriter<File>>)> {
        let writers = self.join()?;
        Ok((std::mem::take(&mut self.paths), writers))
    }

    /// Drops an empty segment and removes its temporary files.
    pub fn abandon(mut self) -> Result<()> {
        // Nothing of it is kept, so an error while encoding does not matter.
        let (paths, _) = (std::mem::take(&mut self.paths), self.join());
        for (tmp, _) in paths {
            fs::remove_file(&tmp).map_err(|e| Error::io("removing a temporary file", &tmp, e))?;
        }
        Ok(())
    }
}

fn stopped() -> Error {
    Error::Usage("the thread writing the store's Parquet files stopped unexpectedly".into())
}

impl Drop for Segment {
    /// A segment dropped unfinished (an error elsewhere) still stops its thread.
    fn drop(&mut self) {
        self.batches = None;
        if let Some(encoder) = self.encoder.take() {
            let _ = encoder.join();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use datafusion::arrow::array::Int32Array;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;
    use crate::store::schema::BatchBuilder;

    fn temp_store(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sunlight-store-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn temporary_files(dir: &Path) -> Vec<String> {
        TABLES
            .iter()
            .flat_map(|t| fs::read_dir(dir.join("data").join(t)).unwrap())
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".tmp"))
            .collect()
    }

    #[test]
    fn an_encoding_error_is_reported_and_nothing_is_committed() {
        let dir = temp_store("encoding-error");
        let mut writer = StoreWriter::open(&dir, false).unwrap();
        let mut segment = writer.begin().unwrap();
        // A batch that is not of the submissions table: its writer refuses it on its thread.
        let wrong = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, false)])),
            vec![Arc::new(Int32Array::from(vec![1]))],
        )
        .unwrap();
        let mut batches = BatchBuilder::new(0).finish().unwrap();
        batches[0] = wrong;
        // Reported by a later write, or at the latest by the commit.
        let written = segment
            .write(batches)
            .and_then(|()| segment.write(BatchBuilder::new(0).finish()?))
            .and_then(|()| segment.write(BatchBuilder::new(0).finish()?));
        let err = match written {
            Err(e) => e,
            Ok(()) => writer.commit(segment, 1, 0).unwrap_err(),
        };
        assert!(err.to_string().contains("Field 'hash'"), "{err}");
        assert_eq!(Store::open(&dir).unwrap().manifest().generation, 0);
        drop(writer);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_abandoned_segment_leaves_no_file() {
        let dir = temp_store("abandon");
        let writer = StoreWriter::open(&dir, false).unwrap();
        let mut segment = writer.begin().unwrap();
        assert_eq!(temporary_files(&dir).len(), TABLES.len());
        segment
            .write(BatchBuilder::new(0).finish().unwrap())
            .unwrap();
        segment.abandon().unwrap();
        assert!(temporary_files(&dir).is_empty());
        drop(writer);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_the_columns_a_filter_can_prune_with_keep_statistics() {
        let props = props("risk_points");
        let enabled = |c: &str| props.statistics_enabled(&ColumnPath::from(c));
        let mut texts = 0;
        for table in TABLES {
            let own = super::props(table);
            for f in schema::of(table).unwrap().fields() {
                let path = ColumnPath::from(f.name().as_str());
                assert_eq!(own.statistics_enabled(&path), enabled(f.name()), "{table}");
                let expected = if *f.data_type() == DataType::Utf8
                    && !PRUNING_TEXTS.contains(&f.name().as_str())
                {
                    texts += 1;
                    EnabledStatistics::None
                } else {
                    EnabledStatistics::Page
                };
                assert_eq!(enabled(f.name()), expected, "{}", f.name());
            }
        }
        assert!(texts > 40, "{texts}");
        for kept in ["unit_id", "scheme", "year", "submitted_at", "rank"] {
            assert_eq!(enabled(kept), EnabledStatistics::Page, "{kept}");
        }
        for dropped in ["hash", "power_name", "risk_point", "level", "event"] {
            assert_eq!(enabled(dropped), EnabledStatistics::None, "{dropped}");
        }
    }

    #[test]
    fn a_row_groups_hashes_are_written_as_one_dictionary_in_the_tables_of_many_rows_a_submission() {
        use datafusion::arrow::array::StringArray;
        use datafusion::parquet::basic::{Encoding, PageType};
        // A full row group of `risk_points`: 256 Ki rows, eight a submission, so 32,768 hashes of
        // 71 bytes (2.3 MB, more than the writer's default dictionary of 1 MiB).
        let rows = row_group_rows("risk_points");
        let hashes = StringArray::from_iter_values((0..rows).map(|i| {
            format!(
                "sha256:{:064x}",
                (i / 8).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            )
        }));
        let plain_pages = |table: &str, column: &str| {
            let schema = Arc::new(Schema::new(vec![Field::new(column, DataType::Utf8, false)]));
            let batch =
                RecordBatch::try_new(schema.clone(), vec![Arc::new(hashes.clone())]).unwrap();
            let mut w =
                ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props(table))).unwrap();
            w.write(&batch).unwrap();
            let meta = w.close().unwrap();
            let stats = meta
                .row_group(0)
                .column(0)
                .page_encoding_stats()
                .unwrap()
                .clone();
            stats
                .iter()
                .filter(|s| {
                    s.page_type != PageType::DICTIONARY_PAGE && s.encoding == Encoding::PLAIN
                })
                .map(|s| s.count)
                .sum::<i32>()
        };
        for table in ["risk_points", "measures"] {
            for column in large_dictionary_texts(table) {
                assert_eq!(plain_pages(table, column), 0, "{table}.{column}");
            }
        }
        assert_eq!(large_dictionary_texts("risk_points").len(), 2);
        // Another column keeps the default: the dictionary fills and the writer goes on plain.
        assert!(plain_pages("risk_points", "measures_text") > 0);
        assert!(plain_pages("measures", "table_key") > 0);
    }

    #[test]
    fn the_tables_of_one_row_per_submission_or_event_are_split_into_several_row_groups() {
        // 40,000 rows: about a third of the submissions of 1 M risk points.
        let rows = 40_000;
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, false)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(Int32Array::from_iter_values(0..rows))],
        )
        .unwrap();
        for table in TABLES {
            let mut w =
                ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props(table))).unwrap();
            w.write(&batch).unwrap();
            let groups = w.close().unwrap().num_row_groups();
            let expected = if matches!(table, "risk_points" | "measures") {
                1
            } else {
                2
            };
            assert_eq!(groups, expected, "{table}");
        }
    }
}
