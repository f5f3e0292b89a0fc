//! The store: a folder of Parquet files and one manifest that says which of them count.
//!
//! ```text
//! DIR/manifest.json                        the only source of truth, replaced atomically
//! DIR/data/submissions/seg-N-YYYY.parquet  a committed segment's rows of year YYYY: one file
//! DIR/data/risk_points/seg-N-YYYY-H.parquet per year in the segment (risk points: and per
//!                                          half H of the units, see `unit_halves`)
//! DIR/data/measures/seg-N-YYYY.parquet
//! DIR/data/archive_events/seg-N.parquet    one file per committed segment; also review_events/…
//!                                          and office_records/… (event batches)
//! DIR/.lock                                held by the one ingest that may write
//! ```
//!
//! Crash safety comes from the order of writes: a segment's files (one or more per table) are
//! written under temporary names, flushed to disk and renamed; only then is the manifest
//! rewritten (temporary name, flush, rename) to list them. A file the manifest does not list is not part of the store:
//! readers never see it and the next writer deletes it. So a process killed at any moment leaves
//! either the old manifest or the new one, never half of a segment, and running the same ingest
//! again stores exactly what is missing (submissions and event batches are recognised by their
//! hash).

mod lock;
mod manifest;
pub mod schema;

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use datafusion::arrow::array::{Array, AsArray, RecordBatch, UInt32Array};
use datafusion::arrow::compute::take_record_batch;
use datafusion::arrow::datatypes::{DataType, Int32Type, SchemaRef};
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

/// One segment being written: Parquet files under temporary names, for each table one, and for
/// each table that has a year (`submissions`, `risk_points`, `measures`) one per year instead.
///
/// Those tables' rows are written to a file of their year (`seg-N-YYYY.parquet`), in input order
/// within it, so every row group holds one year: the annual evaluation's queries
/// (`WHERE year = …`) skip the other years' row groups by their statistics, and each year's rows
/// lie together. Written in input order, a row group held the rows of every year whose files
/// met in it (at 1 M risk points, ingested in one go, each of the four held all three years; at
/// 10 M, 11 of 39). A file per year costs no memory (a writer per year holds only its encoded
/// row group), where holding rows back until a row group of one year filled did, and small row
/// groups made every query that reads all years slower. The table's plain file
/// (`seg-N.parquet`) is kept only when no row had a year, so a segment lists at least one file
/// per table.
///
/// One limit: a query reads its files' byte ranges split in two, one per core, before the row
/// groups are pruned. When one segment holds several years and a year's file holds few row
/// groups, one core may get most of that year (at 1 M risk points in one segment, a year is a
/// row group of 256 Ki rows and one of 55 Ki); with several segments (an ingest a year, or
/// large ingests) the years' files are spread over both halves.
///
/// The files are encoded on a thread of their own, a batch behind the caller: in ingest, the
/// thread that builds the Arrow batches was the one that held the others up, and Parquet
/// encoding was half of its work.
pub struct Segment {
    /// Each table's folder, in the order of [`TABLES`].
    folders: Vec<PathBuf>,
    /// The segment's number, in its files' names.
    generation: u64,
    /// Batches for the encoding thread; `None` once it has been told to finish.
    batches: Option<SyncSender<[RecordBatch; TABLES.len()]>>,
    /// The encoding thread, which gives back the files when the batches end.
    encoder: Option<JoinHandle<Result<Vec<TableFiles>>>>,
}

/// The name of a segment's file: `seg-N.parquet`, or `seg-N-YYYY.parquet` for a year's rows,
/// or `seg-N-YYYY-H.parquet` for a year's rows of the units in half `H` (see [`unit_halves`]).
fn file_name(generation: u64, year: Option<i32>, half: Option<i32>) -> String {
    match (year, half) {
        (None, _) => format!("seg-{generation:06}.parquet"),
        (Some(year), None) => format!("seg-{generation:06}-{year}.parquet"),
        (Some(year), Some(half)) => format!("seg-{generation:06}-{year}-{half}.parquet"),
    }
}

/// The tables whose year files are written in two halves by unit (see [`unit_halves`]).
pub const SPLIT_BY_UNIT: [&str; 1] = ["risk_points"];

/// Which half of the units each row's `unit_name` falls in: 0 or 1, the partition that
/// DataFusion's hash repartitioning into two partitions gives the name. A query on two cores
/// then reads each half's files in one partition only (`sql::current_rows`), and groupings by
/// unit need no repartition. Whatever the halves, a session works out each row's partition
/// itself when it opens: a name hashed otherwise here costs speed, never a wrong answer.
pub fn unit_halves(units: &dyn Array) -> Result<Vec<i32>> {
    let hashes = crate::sql::unit_hashes(units)?;
    Ok(hashes.into_iter().map(|h| (h & 1) as i32).collect())
}

/// The temporary name a segment's file has until it is committed.
fn temporary_name(name: &str) -> String {
    format!(".tmp-{name}")
}

/// One table's files in a segment being written, on the encoding thread.
struct TableFiles {
    folder: PathBuf,
    generation: u64,
    schema: SchemaRef,
    props: WriterProperties,
    /// Whether the table has a year that is never null: its rows go to a file per year.
    by_year: bool,
    /// Whether each year's rows go to two files, by the half of the units (see
    /// [`unit_halves`]).
    by_unit: bool,
    /// The plain file, created at once: every row of a table without a year.
    plain: ArrowWriter<File>,
    /// Rows written to the plain file.
    plain_rows: usize,
    /// Each year's file (and half), created when its first row arrives.
    years: BTreeMap<(i32, Option<i32>), ArrowWriter<File>>,
}

/// When a batch holds more runs of one year than this, its rows are gathered by year instead
/// of written a run at a time (a run's slice costs a write of every column).
const MAX_YEAR_RUNS: usize = 16;

impl TableFiles {
    fn create(
        folder: PathBuf,
        generation: u64,
        schema: SchemaRef,
        props: WriterProperties,
        by_unit: bool,
    ) -> Result<TableFiles> {
        let by_year = schema
            .field_with_name("year")
            .is_ok_and(|f| *f.data_type() == DataType::Int32 && !f.is_nullable());
        let by_unit = by_unit && by_year && schema.field_with_name("unit_name").is_ok();
        let plain = Self::writer(&folder, &file_name(generation, None, None), &schema, &props)?;
        Ok(TableFiles {
            folder,
            generation,
            schema,
            props,
            by_year,
            by_unit,
            plain,
            plain_rows: 0,
            years: BTreeMap::new(),
        })
    }

    fn writer(
        folder: &Path,
        name: &str,
        schema: &SchemaRef,
        props: &WriterProperties,
    ) -> Result<ArrowWriter<File>> {
        let tmp = folder.join(temporary_name(name));
        let file = File::create(&tmp).map_err(|e| Error::io("creating a store file", &tmp, e))?;
        Ok(ArrowWriter::try_new(
            file,
            schema.clone(),
            Some(props.clone()),
        )?)
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let years = batch
            .column_by_name("year")
            .filter(|_| self.by_year)
            .and_then(|c| c.as_primitive_opt::<Int32Type>())
            .filter(|y| y.null_count() == 0);
        let Some(years) = years else {
            // Also a batch that is not of this table: the writer says what is wrong with it.
            self.plain_rows += batch.num_rows();
            return Ok(self.plain.write(batch)?);
        };
        for (year, rows) in by_year(batch, years.values())? {
            let halves = match rows.column_by_name("unit_name").filter(|_| self.by_unit) {
                Some(units) => {
                    let halves = unit_halves(units.as_ref())?;
                    by_year(&rows, &halves)?
                        .into_iter()
                        .map(|(half, rows)| (Some(half), rows))
                        .collect()
                }
                None => vec![(None, rows)],
            };
            for (half, rows) in halves {
                let writer = match self.years.entry((year, half)) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(Self::writer(
                        &self.folder,
                        &file_name(self.generation, Some(year), half),
                        &self.schema,
                        &self.props,
                    )?),
                };
                writer.write(&rows)?;
            }
        }
        Ok(())
    }

    /// Finishes the files, flushes them to disk and gives them their committed names, which it
    /// returns: the plain file's (unless it is empty and there are years' files), then each
    /// year's in order.
    fn finish(self) -> Result<Vec<String>> {
        let mut names = Vec::with_capacity(self.years.len() + 1);
        let keep_plain = self.plain_rows > 0 || self.years.is_empty();
        let files = std::iter::once(((None, None), self.plain)).chain(
            self.years
                .into_iter()
                .map(|((year, half), w)| ((Some(year), half), w)),
        );
        for ((year, half), writer) in files {
            let name = file_name(self.generation, year, half);
            let tmp = self.folder.join(temporary_name(&name));
            let file = writer.into_inner()?;
            if year.is_none() && !keep_plain {
                drop(file);
                fs::remove_file(&tmp)
                    .map_err(|e| Error::io("removing a temporary file", &tmp, e))?;
                continue;
            }
            file.sync_all()
                .map_err(|e| Error::io("flushing a store file to disk", &tmp, e))?;
            drop(file);
            let final_path = self.folder.join(&name);
            fs::rename(&tmp, &final_path)
                .map_err(|e| Error::io("renaming a store file", &final_path, e))?;
            names.push(name);
        }
        Ok(names)
    }
}

/// `batch`'s rows by year (`years` is its year column), each year's in input order: slices of
/// the runs of one year, the usual case (a department's file is of one year), or, when the
/// years alternate more often than [`MAX_YEAR_RUNS`], the rows of each year gathered.
fn by_year(batch: &RecordBatch, years: &[i32]) -> Result<Vec<(i32, RecordBatch)>> {
    let mut runs: Vec<(i32, usize, usize)> = Vec::new();
    for (i, &year) in years.iter().enumerate() {
        match runs.last_mut() {
            Some((y, _, len)) if *y == year => *len += 1,
            _ => {
                if runs.len() == MAX_YEAR_RUNS {
                    return gather_by_year(batch, years);
                }
                runs.push((year, i, 1));
            }
        }
    }
    Ok(runs
        .into_iter()
        .map(|(year, start, len)| (year, batch.slice(start, len)))
        .collect())
}

fn gather_by_year(batch: &RecordBatch, years: &[i32]) -> Result<Vec<(i32, RecordBatch)>> {
    let mut rows: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
    // A batch is at most a few hundred thousand rows.
    for (i, &year) in (0u32..).zip(years) {
        rows.entry(year).or_default().push(i);
    }
    rows.into_iter()
        .map(|(year, rows)| Ok((year, take_record_batch(batch, &UInt32Array::from(rows))?)))
        .collect()
}

/// Batches waiting for a segment's encoding thread besides the one being encoded: two bound the
/// memory held (a batch is at most about [`crate::ingest`]'s 64 Ki rows of each table) and let
/// the writer go on with the next batch while the encoder is one behind.
const BATCHES_AHEAD: usize = 2;

/// The text columns whose smallest and largest value in a row group can spare a query reading
/// it: each year's rows are written in input order (see [`Segment`]), and the departments'
/// files come unit by unit, so a row group holds a run of units (and of one scheme, mostly).
/// Every other text column has no Parquet statistics: its values are spread over every row
/// group, so no filter could skip one with them, and working them out compared every text with
/// the page's least and greatest so far (a twentieth of the ingest's work).
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

    /// Starts a segment: a Parquet writer per table on a temporary file, and one per year as
    /// rows of that year arrive for the tables that have a year (see [`Segment`]).
    pub fn begin(&self) -> Result<Segment> {
        let generation = self.manifest.generation + 1;
        let mut tables = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let schema = schema::of(table)
                .ok_or_else(|| Error::store(&self.dir, format!("no schema for table {table}")))?;
            tables.push(TableFiles::create(
                self.dir.join("data").join(table),
                generation,
                schema,
                props(table),
                SPLIT_BY_UNIT.contains(&table),
            )?);
        }
        let folders = tables.iter().map(|t| t.folder.clone()).collect();
        let (tx, rx) = sync_channel::<[RecordBatch; TABLES.len()]>(BATCHES_AHEAD);
        let encoder = std::thread::Builder::new()
            .name("sunlight-parquet".into())
            .spawn(move || {
                for batches in rx {
                    for (files, batch) in tables.iter_mut().zip(&batches) {
                        files.write(batch)?;
                    }
                }
                Ok(tables)
            })
            .map_err(|e| Error::io("starting the Parquet writer", &self.dir, e))?;
        Ok(Segment {
            folders,
            generation,
            batches: Some(tx),
            encoder: Some(encoder),
        })
    }

    /// Makes a segment part of the store: finishes and flushes its files, renames them, and then
    /// rewrites the manifest. `submissions` and `risk_points` are the segment's counts.
    pub fn commit(&mut self, segment: Segment, submissions: u64, risk_points: u64) -> Result<()> {
        let mut names = Vec::with_capacity(TABLES.len());
        for files in segment.finish()? {
            names.push(files.finish()?);
        }
        for table in TABLES {
            sync_dir(&self.dir.join("data").join(table))?;
        }
        let mut next = self.manifest.clone();
        next.generation += 1;
        for (table, files) in TABLES.iter().zip(names) {
            for file_name in files {
                next.push(table, format!("data/{table}/{file_name}"));
            }
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

    /// Ends the batches and waits for the encoding thread: the files, or the first error.
    fn join(&mut self) -> Result<Vec<TableFiles>> {
        self.batches = None;
        match self.encoder.take().map(JoinHandle::join) {
            Some(Ok(files)) => files,
            Some(Err(_)) | None => Err(stopped()),
        }
    }

    /// [`Segment::join`], for a segment that is done with.
    fn finish(mut self) -> Result<Vec<TableFiles>> {
        self.join()
    }

    /// Drops an empty segment and removes its temporary files.
    pub fn abandon(mut self) -> Result<()> {
        // Nothing of it is kept, so an error while encoding does not matter. The files are
        // closed when the thread ends; then every temporary file of this segment goes.
        let (folders, generation) = (std::mem::take(&mut self.folders), self.generation);
        let _ = self.join();
        let plain = temporary_name(&file_name(generation, None, None));
        let year_prefix = temporary_name(&format!("seg-{generation:06}-"));
        for folder in folders {
            let entries = fs::read_dir(&folder)
                .map_err(|e| Error::io("listing the store folder", &folder, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("listing the store folder", &folder, e))?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if *name == plain || name.starts_with(&year_prefix) {
                    let tmp = entry.path();
                    fs::remove_file(&tmp)
                        .map_err(|e| Error::io("removing a temporary file", &tmp, e))?;
                }
            }
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
    use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema, SchemaRef};

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
        // A year's file, as the encoding thread makes one when that year's first row arrives.
        let year_file = dir.join("data/risk_points/.tmp-seg-000001-2013.parquet");
        fs::write(&year_file, b"").unwrap();
        segment.abandon().unwrap();
        assert!(temporary_files(&dir).is_empty());
        drop(writer);
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Each file's `year` values and `x` values, read back.
    fn read_years(path: &Path) -> (Vec<i32>, Vec<i32>) {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let (mut years, mut xs) = (Vec::new(), Vec::new());
        for batch in reader {
            let batch = batch.unwrap();
            let col = |n: &str| {
                batch
                    .column_by_name(n)
                    .unwrap()
                    .as_primitive::<Int32Type>()
                    .values()
                    .to_vec()
            };
            years.extend(col("year"));
            xs.extend(col("x"));
        }
        (years, xs)
    }

    fn year_table(year_nullable: bool) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("year", DataType::Int32, year_nullable),
            Field::new("x", DataType::Int32, false),
        ]))
    }

    fn year_batch(schema: &SchemaRef, years: &[i32], first_x: i32) -> RecordBatch {
        let xs = (first_x..).take(years.len());
        RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int32Array::from(years.to_vec())),
                Arc::new(Int32Array::from_iter_values(xs)),
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_tables_rows_go_to_a_file_of_their_year_in_input_order() {
        let dir = temp_store("years");
        fs::create_dir_all(&dir).unwrap();
        let schema = year_table(false);
        let mut files =
            TableFiles::create(dir.clone(), 7, schema.clone(), props("risk_points"), false)
                .unwrap();
        assert!(files.by_year);
        // Runs of a year (sliced), then years alternating every row (gathered).
        let runs = [2013, 2013, 2012, 2012, 2012, 2014, 2013];
        let alternating: Vec<i32> = (0..40).map(|i| 2012 + i % 3).collect();
        files.write(&year_batch(&schema, &runs, 0)).unwrap();
        files
            .write(&year_batch(&schema, &alternating, 100))
            .unwrap();
        let names = files.finish().unwrap();
        assert_eq!(
            names,
            [
                "seg-000007-2012.parquet",
                "seg-000007-2013.parquet",
                "seg-000007-2014.parquet"
            ]
        );
        let mut on_disk: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        assert_eq!(
            on_disk, names,
            "neither the empty plain file nor a temporary file remains"
        );
        let input: Vec<(i32, i32)> = runs
            .iter()
            .zip(0..)
            .chain(alternating.iter().zip(100..))
            .map(|(&y, x)| (y, x))
            .collect();
        for (name, year) in names.iter().zip(2012..) {
            let (years, xs) = read_years(&dir.join(name));
            assert!(years.iter().all(|&y| y == year), "{name}: {years:?}");
            let expected: Vec<i32> = input
                .iter()
                .filter(|(y, _)| *y == year)
                .map(|(_, x)| *x)
                .collect();
            assert_eq!(xs, expected, "{name}: every row once, in input order");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_table_without_a_year_or_with_no_rows_keeps_one_plain_file() {
        let dir = temp_store("plain");
        fs::create_dir_all(&dir).unwrap();
        // A year that may be null (the register's) does not split the table.
        let schema = year_table(true);
        let mut files = TableFiles::create(
            dir.clone(),
            3,
            schema.clone(),
            props("office_records"),
            false,
        )
        .unwrap();
        assert!(!files.by_year);
        files.write(&year_batch(&schema, &[2012, 2013], 0)).unwrap();
        assert_eq!(files.finish().unwrap(), ["seg-000003.parquet"]);
        assert_eq!(read_years(&dir.join("seg-000003.parquet")).1, [0, 1]);
        // A segment with no rows of a table still lists a file of it.
        let schema = year_table(false);
        let files =
            TableFiles::create(dir.clone(), 4, schema, props("risk_points"), false).unwrap();
        assert_eq!(files.finish().unwrap(), ["seg-000004.parquet"]);
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
