//! The risk-level catalog (廉政风险等级目录, seeds 000 and 003) of each unit, as CSV and as an
//! XLSX workbook in the seeds' column order, ready for 公示 and 备案.
//!
//! The rows are streamed from queries ordered by unit, each over a range of units
//! ([`parts`]), and each unit's files are written as its rows arrive (by one writer thread per
//! core, a unit to each in turn), so memory stays flat however large the store is.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringViewArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::prelude::SessionContext;
use futures::StreamExt;

use super::ReportQueries;
use super::table::push_csv_line;
use super::unit_slug;
use super::xlsx::Workbook;
use crate::error::{Error, Result};

/// The catalog's columns: the department, then the seeds' nine columns.
pub const HEADERS: [&str; 10] = [
    "部门",
    "权力",
    "类别",
    "权力项目",
    "权力依据",
    "权力行使界限",
    "廉政风险点",
    "风险等级",
    "防控措施",
    "防控管理责任部门（或责任人）",
];

/// The columns' widths in characters: the risk point and the measures wider.
const WIDTHS: [f64; 10] = [16.0, 16.0, 16.0, 16.0, 16.0, 16.0, 40.0, 16.0, 40.0, 16.0];

/// The columns written as shared strings in the workbook: all but the risk point and the
/// measures, whose texts repeat from row to row: in 200 units' catalogs at 1 M risk points
/// the shared columns' texts came to 3.9 MB, 0.2 MB of them different; the risk points' and
/// measures' to 4.3 MB, 3.4 MB of them different.
const SHARE: [bool; 10] = [true, true, true, true, true, true, false, true, false, true];

/// Excel's row limit is 1,048,576; a catalog longer than this continues on another sheet.
const ROWS_PER_SHEET: u32 = 1_000_000;

/// What was written for one unit.
#[derive(Debug, Clone)]
pub struct UnitCatalog {
    /// The unit id.
    pub unit_id: String,
    /// The CSV file.
    pub csv: PathBuf,
    /// The XLSX file.
    pub xlsx: PathBuf,
    /// Rows written.
    pub rows: u64,
}

struct Writer {
    unit_id: String,
    csv_path: PathBuf,
    xlsx_path: PathBuf,
    csv: BufWriter<File>,
    /// The CSV line being written, reused from row to row.
    line: String,
    book: Workbook,
    sheets: u32,
    rows: u64,
}

/// The names of a unit's catalog files (CSV, XLSX) in the catalog folder. The unit pages link
/// to them by these names while the catalogs are still being written.
pub(crate) fn file_names(unit_id: &str) -> (String, String) {
    let stem = format!("catalog-{}", unit_slug(unit_id));
    (format!("{stem}.csv"), format!("{stem}.xlsx"))
}

impl Writer {
    fn new(dir: &Path, unit_id: &str) -> Result<Writer> {
        let (csv_name, xlsx_name) = file_names(unit_id);
        let csv_path = dir.join(csv_name);
        let xlsx_path = dir.join(xlsx_name);
        let file =
            File::create(&csv_path).map_err(|e| Error::io("writing the catalog", &csv_path, e))?;
        let mut csv = BufWriter::new(file);
        // A BOM so that spreadsheet programs read the Chinese as UTF-8.
        csv.write_all("\u{feff}".as_bytes())
            .map_err(|e| Error::io("writing the catalog", &csv_path, e))?;
        let mut header = String::new();
        push_csv_line(&mut header, HEADERS);
        csv.write_all(header.as_bytes())
            .map_err(|e| Error::io("writing the catalog", &csv_path, e))?;
        // Deflate level 1 instead of 6: saving is most of a small workbook's cost, and 1,600 of
        // them are written at 1 M risk points; the files come out about a third larger.
        let book = Workbook::create(&xlsx_path, &WIDTHS, &SHARE, 1)?;
        let mut w = Writer {
            unit_id: unit_id.to_owned(),
            csv_path,
            xlsx_path,
            csv,
            line: String::new(),
            book,
            sheets: 0,
            rows: 0,
        };
        w.new_sheet()?;
        Ok(w)
    }

    fn new_sheet(&mut self) -> Result<()> {
        self.sheets += 1;
        self.book
            .add_sheet(&format!("目录{}", self.sheets), &HEADERS)
    }

    fn row(&mut self, cells: &[&str]) -> Result<()> {
        self.line.clear();
        push_csv_line(&mut self.line, cells.iter().copied());
        self.csv
            .write_all(self.line.as_bytes())
            .map_err(|e| Error::io("writing the catalog", &self.csv_path, e))?;
        if self.book.sheet_rows() > ROWS_PER_SHEET {
            self.new_sheet()?;
        }
        self.book.row(cells)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<UnitCatalog> {
        self.csv
            .flush()
            .map_err(|e| Error::io("writing the catalog", &self.csv_path, e))?;
        self.book.finish()?;
        Ok(UnitCatalog {
            unit_id: self.unit_id,
            csv: self.csv_path,
            xlsx: self.xlsx_path,
            rows: self.rows,
        })
    }
}

/// Row `r` of a string-view column; null is the empty string.
fn text(a: &ArrayRef, r: usize) -> &str {
    let a = a.as_string_view();
    if a.is_null(r) { "" } else { a.value(r) }
}

/// A batch's columns as string views: the store's texts are read as views already, and are
/// passed on as they are (a cast to plain strings copied every catalog text, some 720 MB at
/// 10 M risk points); any other column (a `CASE` of literals is a plain string) is cast.
fn as_views(columns: &[ArrayRef]) -> Result<Vec<ArrayRef>> {
    columns
        .iter()
        .map(|c| match c.data_type() {
            DataType::Utf8View => Ok(Arc::clone(c)),
            _ => Ok(cast(c, &DataType::Utf8View)?),
        })
        .collect()
}

/// What the catalog query hands a file writer: a unit starts, or rows `rows` of a batch (its
/// columns as string views, [`as_views`]) belong to the unit last started.
enum Job {
    /// The unit's id and its place in the query's order.
    Unit(String, usize),
    /// Rows of the unit last started: the batch's columns and the rows' range.
    Rows(Arc<Vec<ArrayRef>>, Range<usize>),
}

/// Rows a part of the catalog holds at most, unless one unit has more: the sort of a part must
/// fit in memory. At 10 M risk points (2.16 M catalog rows of long texts, 1 GiB memory limit) the
/// catalog sorted whole spilled to disk and took 4.2–5.5 s; in six parts of up to 400,000 rows
/// it took 1.85 s together, at 620 MiB peak instead of 790 MiB (query-suite, the same store).
pub const PART_ROWS: u64 = 400_000;

/// The catalog's queries, in order: each sorts a range of units of up to `max_rows` rows (the
/// report's: [`PART_ROWS`]), so together they give the rows of `q.catalog` in its order. The
/// ranges come from counting the catalog's rows per unit.
pub async fn parts(ctx: &SessionContext, q: &ReportQueries, max_rows: u64) -> Result<Vec<String>> {
    let batches = ctx.sql(&q.catalog_counts()).await?.collect().await?;
    let mut counts: Vec<(String, u64)> = Vec::new();
    for b in &batches {
        let ids = cast(b.column(0), &DataType::Utf8)?;
        let ids = ids.as_string::<i32>();
        // Cast to Int64 first, so that reading it as Int64 cannot fail.
        let n = cast(b.column(1), &DataType::Int64)?;
        let n = n.as_primitive::<Int64Type>();
        for r in 0..b.num_rows() {
            counts.push((
                ids.value(r).to_owned(),
                u64::try_from(n.value(r)).unwrap_or(0),
            ));
        }
    }
    Ok(ranges(&counts, max_rows)
        .into_iter()
        .map(|(from, to)| q.catalog_range(from, to))
        .collect())
}

/// Splits units (in order, with their row counts) into ranges `(from, to)` of at most `max`
/// rows each (a unit with more is a range of its own): `from` is a range's first unit, `to` the
/// next range's first; the first range is open below and the last above, so that together they
/// take in every unit, counted or not. Always at least one range.
fn ranges(counts: &[(String, u64)], max: u64) -> Vec<(Option<&str>, Option<&str>)> {
    let mut starts: Vec<&str> = Vec::new();
    let mut rows = 0u64;
    for (unit, n) in counts {
        if rows > 0 && rows.saturating_add(*n) > max {
            starts.push(unit);
            rows = 0;
        }
        rows = rows.saturating_add(*n);
    }
    let mut out = Vec::with_capacity(starts.len() + 1);
    let mut from = None;
    for start in starts {
        out.push((from, Some(start)));
        from = Some(start);
    }
    out.push((from, None));
    out
}

/// Writes every unit's catalog into `dir`, from the report's catalog queries `parts` (each
/// ordered by unit, see [`parts`]). With `public`, the queries' responsible column holds the
/// responsible role's id, written as the role's name (分管领导…) instead of whatever the table
/// named, which may be a person.
///
/// The queries' rows are handed, a unit at a time, to one file writer per core: writing the
/// workbooks' cells and zipping them is most of the catalog's cost. At 10 M risk points (16,000
/// units, 2.16 M rows) the catalog step took about 25 s with the files written on the query's
/// thread, and 12 s with two writers. Each writer's queue holds a few slices of batches, so
/// memory stays flat whatever the size of a unit.
pub async fn write(
    ctx: &SessionContext,
    dir: &Path,
    parts: &[String],
    public: bool,
) -> Result<Vec<UnitCatalog>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating the catalog folder", dir, e))?;
    let writers = std::thread::available_parallelism().map_or(2, usize::from);
    let mut queues = Vec::with_capacity(writers);
    let mut threads = Vec::with_capacity(writers);
    for _ in 0..writers {
        let (tx, rx) = tokio::sync::mpsc::channel::<Job>(QUEUED);
        let dir = dir.to_owned();
        queues.push(tx);
        threads.push(std::thread::spawn(move || write_units(&dir, rx, public)));
    }
    // The writer of the current unit, `units` so far.
    let (mut at, mut units, mut unit) = (0, 0usize, None::<String>);
    let mut sent = Ok(());
    'parts: for part in parts {
        let mut stream = ctx.sql(part).await?.execute_stream().await?;
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            let cols: Arc<Vec<ArrayRef>> = Arc::new(as_views(batch.columns())?);
            let mut r = 0;
            while r < batch.num_rows() {
                let id = text(&cols[0], r);
                let mut end = r + 1;
                while end < batch.num_rows() && text(&cols[0], end) == id {
                    end += 1;
                }
                if unit.as_deref() != Some(id) {
                    at = units % writers;
                    unit = Some(id.to_owned());
                    sent = queues[at].send(Job::Unit(id.to_owned(), units)).await;
                    units += 1;
                }
                if sent.is_ok() {
                    sent = queues[at].send(Job::Rows(Arc::clone(&cols), r..end)).await;
                }
                if sent.is_err() {
                    // A writer stopped: its error is reported below.
                    break 'parts;
                }
                r = end;
            }
        }
    }
    drop(queues);
    let written = tokio::task::spawn_blocking(move || {
        threads.into_iter().map(|t| t.join()).collect::<Vec<_>>()
    })
    .await
    .map_err(|e| Error::Query(datafusion::error::DataFusionError::External(Box::new(e))))?;
    let mut out = Vec::with_capacity(units);
    for w in written {
        match w {
            Ok(done) => out.extend(done?),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    // Back in the query's order.
    out.sort_by_key(|(i, _)| *i);
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// Jobs a writer's queue holds: with batches of 8,192 rows, at most a few batches per writer.
const QUEUED: usize = 16;

/// One writer thread: writes the units of its queue, each when the next one starts; returns
/// them with their place in the query's order.
fn write_units(
    dir: &Path,
    mut jobs: tokio::sync::mpsc::Receiver<Job>,
    public: bool,
) -> Result<Vec<(usize, UnitCatalog)>> {
    let registry = sunlight_core::presets::registry();
    let mut out = Vec::new();
    let mut current: Option<(usize, Writer)> = None;
    while let Some(job) = jobs.blocking_recv() {
        match job {
            Job::Unit(id, i) => {
                if let Some((i, w)) = current.take() {
                    out.push((i, w.finish()?));
                }
                current = Some((i, Writer::new(dir, &id)?));
            }
            Job::Rows(cols, rows) => {
                let Some((_, w)) = current.as_mut() else {
                    continue;
                };
                // The ten columns written, as strings once per slice, not once per cell.
                let written: Vec<&StringViewArray> =
                    cols.iter().skip(3).map(|c| c.as_string_view()).collect();
                for r in rows {
                    let role;
                    let mut cells: [&str; 10] = std::array::from_fn(|c| {
                        written
                            .get(c)
                            .filter(|a| !a.is_null(r))
                            .map_or("", |a| a.value(r))
                    });
                    if public {
                        // Role id → the role's name in the table's scheme.
                        role = registry
                            .get(text(&cols[2], r))
                            .ok()
                            .and_then(|s| s.role(cells[9]))
                            .map(|x| x.name.zh.clone())
                            .unwrap_or_else(|| "（责任岗位）".to_owned());
                        cells[9] = &role;
                    }
                    w.row(&cells)?;
                }
            }
        }
    }
    if let Some((i, w)) = current.take() {
        out.push((i, w.finish()?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::ranges;

    fn counts(units: &[(&str, u64)]) -> Vec<(String, u64)> {
        units.iter().map(|(u, n)| ((*u).to_owned(), *n)).collect()
    }

    #[test]
    fn units_are_split_into_ranges_of_at_most_max_rows() {
        let c = counts(&[("a", 3), ("b", 4), ("c", 2), ("d", 5), ("e", 1)]);
        assert_eq!(
            ranges(&c, 7),
            vec![(None, Some("c")), (Some("c"), Some("e")), (Some("e"), None)]
        );
    }

    #[test]
    fn a_unit_larger_than_max_is_a_range_of_its_own() {
        let c = counts(&[("a", 2), ("b", 50), ("c", 2)]);
        assert_eq!(
            ranges(&c, 10),
            vec![(None, Some("b")), (Some("b"), Some("c")), (Some("c"), None)]
        );
        let c = counts(&[("a", 50)]);
        assert_eq!(ranges(&c, 10), vec![(None, None)]);
    }

    #[test]
    fn a_small_or_empty_catalog_is_one_open_range() {
        assert_eq!(ranges(&[], 10), vec![(None, None)]);
        let c = counts(&[("a", 3), ("b", 7)]);
        assert_eq!(ranges(&c, 10), vec![(None, None)]);
    }
}
