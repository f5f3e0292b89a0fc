//! Writing query results: an aligned text table, CSV, JSON (one object per line) or Parquet.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::csv::WriterBuilder as CsvWriterBuilder;
use datafusion::arrow::json::LineDelimitedWriter;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::parquet::arrow::ArrowWriter;

use crate::error::{Error, Result};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An aligned text table.
    Table,
    /// CSV with a header line.
    Csv,
    /// One JSON object per row and line.
    Json,
    /// A Parquet file (needs an output file).
    Parquet,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "parquet" => Ok(Format::Parquet),
            other => Err(format!(
                "'{other}' is not a format; use table, csv, json or parquet"
            )),
        }
    }
}

/// Writes `batches` in `format` to `out`. Parquet cannot go to a terminal: give a file.
pub fn write(batches: &[RecordBatch], format: Format, out: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::io("writing the result", Path::new("-"), e);
    match format {
        Format::Table => {
            let text = pretty_format_batches(batches)?;
            writeln!(out, "{text}").map_err(io)?;
        }
        Format::Csv => {
            let mut w = CsvWriterBuilder::new().with_header(true).build(out);
            for b in batches {
                w.write(b)?;
            }
        }
        Format::Json => {
            let mut w = LineDelimitedWriter::new(out);
            for b in batches {
                w.write(b)?;
            }
            w.finish()?;
        }
        Format::Parquet => {
            return Err(Error::Usage(
                "Parquet output needs a file: add --output FILE".into(),
            ));
        }
    }
    Ok(())
}

/// Writes `batches` in `format` to the file at `path`.
pub fn write_file(batches: &[RecordBatch], format: Format, path: &Path) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io("creating the output file", path, e))?;
    if format == Format::Parquet {
        let Some(schema) = batches.first().map(RecordBatch::schema) else {
            return Err(Error::Usage(
                "the query returned no batches, so there is no schema to write as Parquet".into(),
            ));
        };
        let mut w = ArrowWriter::try_new(file, schema, None)?;
        for b in batches {
            w.write(b)?;
        }
        w.close()?;
        return Ok(());
    }
    let mut buf = std::io::BufWriter::new(file);
    write(batches, format, &mut buf)?;
    buf.flush()
        .map_err(|e| Error::io("writing the output file", path, e))
}
