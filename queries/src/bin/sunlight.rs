//! `sunlight`: generate demo data, ingest submissions into a store, and query it with SQL.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use indicatif::ProgressBar;
use sunlight_queries::output::{self, Format};
use sunlight_queries::{Error, Result, demo, ingest, sql};

// Ingest and DataFusion make many small allocations; mimalloc serves them faster than glibc.
// `main` sets how long it keeps freed memory, by command (`sunlight_queries::alloc`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sunlight (阳光): integrity-risk prevention and control — let power run in the sunlight.
#[derive(Debug, Parser)]
#[command(name = "sunlight", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The memory the queries of one session may hold (e.g. 512M, 4G, or none); beyond it they
    /// spill to temporary files, or stop with an error when they cannot. Default: the
    /// environment variable SUNLIGHT_MEMORY_LIMIT, else 1.5G (or half the machine's memory when
    /// that is less).
    #[arg(long, global = true, value_name = "SIZE")]
    memory_limit: Option<sql::MemoryLimit>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate realistic, deterministic demo submissions for all four preset schemes.
    DemoData(DemoArgs),
    /// Check submission files (JSON, NDJSON) with the core and store the good ones.
    ///
    /// Exit status: 0 when every submission was stored or already present, 1 when some were
    /// rejected (the good ones are stored all the same), 2 when the ingest could not run.
    Ingest(IngestArgs),
    /// Run SQL on the store; without a query, an interactive prompt.
    Sql(SqlArgs),
    /// Write the annual evaluation report: HTML with charts, PNG/SVG charts, CSV tables and each
    /// unit's risk-level catalog (廉政风险等级目录) as CSV and XLSX.
    Report(ReportArgs),
    /// The Jupyter notebook kernel ("Sunlight SQL"): run it, or install its kernelspec.
    Kernel(sunlight_queries::kernel::KernelArgs),
    /// Serve the submission endpoint (POST /api/v1/submissions) and the demo portal: every
    /// accepted submission is on disk before it is acknowledged, then folded into the store.
    /// Stops on SIGTERM or ctrl-C without losing anything acknowledged.
    Serve(sunlight_queries::serve::ServeArgs),
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Folder to write into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Units per scheme (about 400 risk points per unit and year).
    #[arg(long, default_value_t = 2)]
    units: usize,
    /// Years, as FIRST..LAST (inclusive), e.g. 2012..2014.
    #[arg(long, default_value = "2012..2014", value_parser = parse_years)]
    years: (i32, i32),
    /// Seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Debug, Args)]
struct IngestArgs {
    /// Files and folders to read (folders: every .json, .ndjson and .jsonl inside, recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The store folder.
    #[arg(long)]
    store: PathBuf,
    /// Wait for another ingest into the same store to finish, instead of refusing.
    #[arg(long)]
    wait: bool,
    /// Commit to the store every this many risk points (smaller: less redone after a crash).
    #[arg(long, default_value_t = 1_000_000)]
    commit_rows: usize,
    /// Also write every rejection as a JSON line to this file.
    #[arg(long)]
    rejections: Option<PathBuf>,
    /// No progress bar and no per-rejection lines; only the summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct SqlArgs {
    /// The store folder.
    #[arg(long)]
    store: PathBuf,
    /// The query; without one, read queries from an interactive prompt (end each with ';').
    query: Option<String>,
    /// Output format: table, csv, json (one object per line) or parquet.
    #[arg(long, default_value = "table")]
    format: Format,
    /// Write the result to this file instead of the terminal.
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// The store folder.
    #[arg(long)]
    store: PathBuf,
    /// The year to evaluate.
    #[arg(long)]
    year: i32,
    /// Folder to write the report into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Only this unit (its id).
    #[arg(long)]
    unit: Option<String>,
    /// What may be published (公示): no names of people, counts below --k withheld.
    #[arg(long)]
    public: bool,
    /// With --public: the smallest count shown.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    k: u64,
    /// Also write each unit page's charts as PNG (always as SVG, in the page and as a file; the
    /// main page's charts always as PNG too).
    #[arg(long)]
    unit_png: bool,
}

fn run_report(a: &ReportArgs) -> Result<()> {
    let started = Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(10);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |step: &str| {
        if let Some(b) = &bar {
            b.inc(1);
            b.set_message(step.to_owned());
        }
    };
    let opts = sunlight_queries::report::Options {
        store: a.store.clone(),
        year: a.year,
        out: a.out.clone(),
        unit: a.unit.clone(),
        public: a.public,
        k: a.k,
        unit_png: a.unit_png,
    };
    let rt = tokio::runtime::Runtime::new()
        .map_err(|e| Error::io("starting the query runtime", Path::new("-"), e))?;
    let summary = rt.block_on(sunlight_queries::report::run(&opts, &progress))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    eprintln!(
        "report for {} written to {} in {:.1}s: {} tables, {} charts, {} unit pages, {} catalog rows{}",
        a.year,
        summary.index.display(),
        started.elapsed().as_secs_f64(),
        summary.tables,
        summary.charts,
        summary.units,
        summary.catalog_rows,
        if a.public {
            format!(
                ", {} small counts withheld (k = {})",
                summary.suppressed, a.k
            )
        } else {
            String::new()
        }
    );
    Ok(())
}

fn parse_years(s: &str) -> std::result::Result<(i32, i32), String> {
    let bad = || format!("'{s}' is not a year range; write FIRST..LAST, e.g. 2012..2014");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let a: i32 = a.trim().parse().map_err(|_| bad())?;
    let b: i32 = b
        .trim()
        .trim_start_matches('=')
        .parse()
        .map_err(|_| bad())?;
    if a > b || !(1900..=2200).contains(&a) || !(1900..=2200).contains(&b) {
        return Err(bad());
    }
    Ok((a, b))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ingest frees and takes again the same amount of memory all along (a batch's builders, a
    // chunk's submissions): returned, it is soon faulted in again. The report's queries free
    // large hash tables while its pages are drawn: returned sooner, its peak stays lower. An
    // analyst's queries (`sql`, the kernel) keep mimalloc's default, a second, over which one
    // query's operators take again what the one before freed (see `alloc`); so does the server,
    // whose folding of submissions into the store is an ingest in small steps.
    match cli.command {
        Command::Ingest(_) => {
            sunlight_queries::alloc::keep_freed_memory_longer();
        }
        Command::Sql(_) | Command::Kernel(_) | Command::Serve(_) => {}
        _ => {
            sunlight_queries::alloc::return_freed_memory_sooner();
        }
    }
    let limit = match cli.memory_limit {
        Some(l) => Ok(l),
        None => sql::MemoryLimit::from_env(),
    };
    match limit {
        Ok(l) => sql::memory::set_memory_limit(l),
        Err(e) => {
            eprintln!("sunlight: {e}");
            return ExitCode::from(2);
        }
    }
    let result = match cli.command {
        Command::DemoData(a) => demo_data(&a).map(|()| ExitCode::SUCCESS),
        Command::Ingest(a) => run_ingest(&a),
        Command::Sql(a) => run_sql(&a).map(|()| ExitCode::SUCCESS),
        Command::Report(a) => run_report(&a).map(|()| ExitCode::SUCCESS),
        Command::Kernel(a) => sunlight_queries::kernel::main(&a),
        Command::Serve(a) => sunlight_queries::serve::main(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sunlight: {e}");
            ExitCode::from(2)
        }
    }
}

fn demo_data(a: &DemoArgs) -> Result<()> {
    let started = Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new_spinner();
        b.set_message("generating");
        b
    });
    let options = demo::Options {
        units: a.units,
        years: a.years,
        seed: a.seed,
    };
    let summary = demo::generate(
        sunlight_core::presets::registry(),
        &a.out,
        &options,
        &mut |n| {
            if let Some(b) = &bar {
                b.set_message(format!("{n} risk points"));
                b.tick();
            }
        },
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    println!(
        "wrote {} submissions with {} risk points to {} and {} event batches with {} events to {} in {:.1} s; bad examples in {}",
        summary.submissions,
        summary.risk_points,
        a.out.join("submissions").display(),
        summary.event_batches,
        summary.events,
        a.out.join("events").display(),
        started.elapsed().as_secs_f64(),
        summary.bad_dir.display()
    );
    Ok(())
}

fn run_ingest(a: &IngestArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut sink = match &a.rejections {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| Error::io("creating", p, e))?,
        )),
        None => None,
    };
    let mut sink_error = None;
    let quiet = a.quiet;
    let options = ingest::Options {
        wait: a.wait,
        commit_rows: a.commit_rows.max(1),
        progress: !a.quiet,
    };
    let summary = ingest::ingest(
        sunlight_core::presets::registry(),
        &a.paths,
        &a.store,
        &options,
        &mut |r| {
            if !quiet {
                eprintln!("{}:{}: {}: {}", r.file, r.line, r.code, r.message);
            }
            if let Some(w) = sink.as_mut() {
                let line = serde_json::to_string(r).unwrap_or_default();
                if let Err(e) = writeln!(w, "{line}") {
                    sink_error.get_or_insert(e);
                }
            }
        },
    )?;
    if let Some(mut w) = sink
        && let Err(e) = w.flush()
    {
        sink_error.get_or_insert(e);
    }
    if let (Some(e), Some(p)) = (sink_error, &a.rejections) {
        return Err(Error::io("writing the rejections", p, e));
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "read {} submissions from {} files in {:.1} s: {} stored ({} risk points, {} events, {:.0} rows/s), {} already in the store, {} rejected",
        summary.read,
        summary.files,
        secs,
        summary.stored,
        summary.risk_points,
        summary.events,
        summary.risk_points as f64 / secs.max(1e-9),
        summary.duplicates,
        summary.rejected
    );
    Ok(if summary.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the query engine", Path::new("-"), e))
}

fn run_sql(a: &SqlArgs) -> Result<()> {
    if a.format == Format::Parquet && a.output.is_none() {
        return Err(Error::Usage(
            "--format parquet needs --output FILE".to_owned(),
        ));
    }
    let rt = runtime()?;
    rt.block_on(async {
        let ctx = sql::session(&a.store).await?;
        match &a.query {
            Some(q) => run_one(&ctx, q, a).await,
            None => prompt(&ctx, a).await,
        }
    })
}

async fn run_one(ctx: &datafusion::prelude::SessionContext, q: &str, a: &SqlArgs) -> Result<()> {
    let batches = ctx.sql(q).await?.collect().await?;
    match &a.output {
        Some(p) => output::write_file(&batches, a.format, p),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            output::write(&batches, a.format, &mut lock)
        }
    }
}

async fn prompt(ctx: &datafusion::prelude::SessionContext, a: &SqlArgs) -> Result<()> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!(
            "Sunlight SQL on {}. End a query with ';'. Try: SELECT * FROM level_counts LIMIT 10; — \\q quits.",
            a.store.display()
        );
    }
    let stdin = std::io::stdin();
    let mut buf = String::new();
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            eprint!(
                "{}",
                if buf.is_empty() {
                    "sunlight> "
                } else {
                    "      -> "
                }
            );
            let _ = std::io::stderr().flush();
        }
        let Some(line) = lines.next() else { break };
        let line = line.map_err(|e| Error::io("reading the prompt", Path::new("-"), e))?;
        let t = line.trim();
        if buf.is_empty() && (t == "\\q" || t == "exit" || t == "quit") {
            break;
        }
        buf.push_str(&line);
        buf.push('\n');
        if t.ends_with(';') {
            let q = std::mem::take(&mut buf);
            let started = Instant::now();
            match run_one(ctx, q.trim().trim_end_matches(';'), a).await {
                Ok(()) if interactive => {
                    eprintln!("({:.3} s)", started.elapsed().as_secs_f64());
                }
                Ok(()) => {}
                Err(e) => eprintln!("error: {e}"),
            }
        }
    }
    if !buf.trim().is_empty() {
        run_one(ctx, buf.trim().trim_end_matches(';'), a).await?;
    }
    Ok(())
}
