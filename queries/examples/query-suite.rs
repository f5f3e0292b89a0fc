//! Runs a suite of named SQL queries on a store in one Sunlight session and prints, for each run
//! of each query, its time, its row count and the process's peak memory during it (one JSON
//! object per line). The benchmark `queries/benches/compare.sh` runs it against DuckDB's runs of
//! the same suite; its smoke stage compares the two engines' answers.
//!
//! ```text
//! query-suite --store DIR (--suite FILE | --report) [--year Y] [--runs N] [--only PREFIX] [--results DIR]
//!             [--set KEY=VALUE]...
//! ```
//!
//! The suite file holds queries separated by `-- name: NAME` lines; `{year}` is replaced by
//! `--year`. `--report` runs instead every query `sunlight report --year Y` runs (its supervision
//! sections' and catalog's included), named `report_NAME`: the report's bare queries; `--only`
//! keeps the queries whose names start with a prefix. Each result is streamed and dropped batch
//! by batch (as the report's catalog is), so the memory measured is the engine's, not the
//! result's. `--results DIR` also writes each query's rows of the first run to `DIR/NAME.tsv`
//! (run 0's time then includes the writing) in a form the DuckDB side writes too:
//! tab-separated, `\N` for NULL, tabs, newlines and backslashes escaped. `--set KEY=VALUE`
//! changes one of DataFusion's settings in the session before the queries (`SET KEY = VALUE`),
//! to try a setting against Sunlight's own.
//!
//! `report_catalog` (in either mode) runs as the report runs it: its rows counted per unit, then
//! sorted a range of units at a time (`sunlight_queries::report::catalog_parts`), all of it
//! timed as the one query. The suite file's text of it is the catalog as one query, which is
//! what DuckDB runs; the benchmark's `--check` compares the two answers.
//!
//! Memory is kept as `sunlight` keeps it: with `--report`, freed memory is returned after the
//! report's purge delay (`sunlight_queries::alloc`); a suite keeps mimalloc's default, as
//! `sunlight sql` and the kernel do.
//!
//! Peak memory: before each query the process's high-water mark is reset (`/proc/self/clear_refs`,
//! Linux), so `peak_rss_kib` is the most the process held during that query, its baseline
//! included.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use futures::StreamExt;
use sunlight_queries::report::queries::suite_sections;
use sunlight_queries::report::{CATALOG_PART_ROWS, ReportQueries, catalog_parts};

// The same allocator as the `sunlight` binary, so the engine is measured as it runs there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    store: PathBuf,
    suite: PathBuf,
    report: bool,
    year: i32,
    runs: usize,
    only: Option<String>,
    results: Option<PathBuf>,
    /// DataFusion settings `(key, value)` set before the queries.
    set: Vec<(String, String)>,
}

fn usage() -> BoxError {
    "usage: query-suite --store DIR (--suite FILE | --report) [--year Y] [--runs N] [--only PREFIX] [--results DIR] [--set KEY=VALUE]..."
        .into()
}

fn parse_args() -> Result<Args, BoxError> {
    let mut a = Args {
        store: PathBuf::new(),
        suite: PathBuf::new(),
        report: false,
        year: 2013,
        runs: 1,
        only: None,
        results: None,
        set: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(usage);
        match flag.as_str() {
            "--store" => a.store = value()?.into(),
            "--suite" => a.suite = value()?.into(),
            "--report" => a.report = true,
            "--year" => a.year = value()?.parse()?,
            "--runs" => a.runs = value()?.parse()?,
            "--only" => a.only = Some(value()?),
            "--results" => a.results = Some(value()?.into()),
            "--set" => {
                let kv = value()?;
                let (k, v) = kv.split_once('=').ok_or_else(usage)?;
                a.set.push((k.trim().to_owned(), v.trim().to_owned()));
            }
            _ => return Err(usage()),
        }
    }
    if a.store.as_os_str().is_empty() || a.suite.as_os_str().is_empty() != a.report {
        return Err(usage());
    }
    Ok(a)
}

/// `(name, SQL)` of every query in a suite file, `{year}` replaced.
fn read_suite(path: &Path, year: i32) -> Result<Vec<(String, String)>, BoxError> {
    let text = std::fs::read_to_string(path)?;
    Ok(suite_sections(&text)
        .into_iter()
        .map(|(name, sql)| {
            let sql = sql.replace("{year}", &year.to_string());
            (name, sql.trim_end_matches(';').to_owned())
        })
        .collect())
}

/// The process's peak resident memory since the last reset, in KiB (0 where /proc is missing).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn reset_peak_rss() {
    // Writing 5 resets the high-water mark to the current size (Linux 4.0 and later).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn write_rows(out: &mut dyn Write, batch: &RecordBatch) -> Result<(), BoxError> {
    let options = FormatOptions::default().with_null("\u{0}");
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()?;
    for row in 0..batch.num_rows() {
        let cells: Vec<String> = formatters
            .iter()
            .map(|f| {
                let v = f.value(row).to_string();
                if v == "\u{0}" {
                    "\\N".to_owned()
                } else {
                    escape(&v)
                }
            })
            .collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    Ok(())
}

async fn run(a: &Args) -> Result<(), BoxError> {
    let report = ReportQueries::new(a.year, None, false);
    let suite = if a.report {
        report
            .all()
            .into_iter()
            .map(|q| (format!("report_{}", q.name), q.sql.clone()))
            .collect()
    } else {
        read_suite(&a.suite, a.year)?
    };
    let stdout = std::io::stdout();
    reset_peak_rss();
    let started = Instant::now();
    let ctx = sunlight_queries::sql::session(&a.store).await?;
    let open = started.elapsed().as_secs_f64();
    for (k, v) in &a.set {
        ctx.sql(&format!("SET {k} = {v}")).await?.collect().await?;
    }
    let partitions = ctx.copied_config().target_partitions();
    writeln!(
        stdout.lock(),
        "{{\"engine\":\"sunlight\",\"event\":\"open\",\"seconds\":{open:.6},\"threads\":{partitions},\"peak_rss_kib\":{}}}",
        peak_rss_kib()
    )?;
    if let Some(dir) = &a.results {
        std::fs::create_dir_all(dir)?;
    }
    for run in 0..a.runs {
        for (name, sql) in &suite {
            if a.only
                .as_ref()
                .is_some_and(|o| !name.starts_with(o.as_str()))
            {
                continue;
            }
            let mut sink: Option<std::io::BufWriter<std::fs::File>> = match &a.results {
                Some(dir) if run == 0 => Some(std::io::BufWriter::new(std::fs::File::create(
                    dir.join(format!("{name}.tsv")),
                )?)),
                _ => None,
            };
            reset_peak_rss();
            let t0 = Instant::now();
            let parts = if name == "report_catalog" {
                catalog_parts(&ctx, &report, CATALOG_PART_ROWS).await?
            } else {
                vec![sql.clone()]
            };
            let mut rows = 0usize;
            for part in &parts {
                let mut stream = ctx.sql(part).await?.execute_stream().await?;
                while let Some(batch) = stream.next().await {
                    let batch = batch?;
                    rows += batch.num_rows();
                    if let Some(w) = sink.as_mut() {
                        write_rows(w, &batch)?;
                    }
                }
            }
            let secs = t0.elapsed().as_secs_f64();
            if let Some(mut w) = sink {
                w.flush()?;
            }
            writeln!(
                stdout.lock(),
                "{{\"engine\":\"sunlight\",\"event\":\"query\",\"query\":\"{name}\",\"run\":{run},\"seconds\":{secs:.6},\"rows\":{rows},\"peak_rss_kib\":{}}}",
                peak_rss_kib()
            )?;
        }
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let result = parse_args().and_then(|a| {
        // As `sunlight` runs them: the report's queries with the report's purge delay, a suite
        // of queries with the delay of `sunlight sql` and the kernel (mimalloc's default).
        if a.report {
            sunlight_queries::alloc::return_freed_memory_sooner();
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(run(&a))
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("query-suite: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
