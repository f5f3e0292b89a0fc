//! `sunlight serve`: the submission endpoint and the demo portal.
//!
//! A department's clerk fills in the `<sunlight-self-check>` form on a portal page; the form
//! POSTs the canonical submission to `/api/v1/submissions`; the server checks it with the core
//! exactly as `sunlight ingest` does ([`crate::ingest::check_bytes`]), writes it to its journal
//! and flushes it to disk, and only then answers 201 with the hash. The journal is folded into
//! the Parquet store in the background, so `sunlight sql`, the views and the report see what
//! was submitted a moment later; nothing acknowledged is lost if the server is killed, and
//! nothing is stored twice (submissions are recognised by hash).
//!
//! - `api`: the endpoint, its answers (a table in the file) and the health check.
//! - [`durable`]: group commit to the journal, folding into the store, recovery at start.
//! - [`journal`]: the journal files.
//! - [`auth`]: the tokens file and constant-time token checks.
//! - `pages`: the portal pages, the element's package and the report, as static files.
//!
//! The server holds the store's writer lock while it runs: `sunlight ingest` into the same store
//! refuses (or, with `--wait`, waits until the server stops). Readers (`sunlight sql`, `report`,
//! the notebook kernel) take no lock and work as usual.

mod api;
pub mod auth;
pub mod durable;
pub mod journal;
mod pages;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use clap::Args;
use sunlight_core::presets::Registry;
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use auth::Tokens;
use durable::{Counters, Durable, FoldPolicy, Message};

/// `sunlight serve`'s options.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The store folder (created if missing). The server holds its writer lock while it runs.
    #[arg(long)]
    pub store: PathBuf,
    /// The address to listen on; port 0 picks a free port (the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// A tokens file: one `TOKEN UNIT DEPARTMENT` per line (DEPARTMENT `*`: every department of
    /// the unit). Without it, anyone who reaches the address may submit.
    #[arg(long)]
    pub tokens: Option<PathBuf>,
    /// The built web component package (scripts/build-wasm.sh writes it).
    #[arg(long, default_value = "wasm/pkg")]
    pub package: PathBuf,
    /// An annual report folder written by `sunlight report`, served at /report/.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_body: usize,
    /// Fold the journal into the Parquet store when its oldest submission has waited this many
    /// milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub fold_ms: u64,
    /// … or when this many submissions wait.
    #[arg(long, default_value_t = 5000)]
    pub fold_max: u64,
    /// Wait for an ingest writing to the store to finish, instead of refusing to start.
    #[arg(long)]
    pub wait: bool,
}

/// What the HTTP handlers share.
pub(crate) struct App {
    registry: &'static Registry,
    tokens: Option<Tokens>,
    max_body: usize,
    requests: mpsc::Sender<Message>,
    counters: Arc<Counters>,
    package: PathBuf,
    report: Option<PathBuf>,
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/portal/{scheme}", get(pages::portal))
        .route("/static/sunlight/{*file}", get(pages::package))
        .route("/report", get(pages::report_root))
        .route("/report/", get(pages::report_home))
        .route("/report/{*file}", get(pages::report))
        .route("/api/v1/submissions", post(api::submit))
        .route("/healthz", get(api::healthz))
        .fallback(pages::fallback)
        .with_state(app)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

fn say(line: &str) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // The addresses are for people and for scripts waiting on them; a closed stdout is no
    // reason to stop serving.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs the server until SIGTERM or ctrl-C, then stops taking requests, answers the ones in
/// flight, folds the journal into the store and returns.
pub async fn serve(registry: &'static Registry, args: &ServeArgs) -> Result<()> {
    let tokens = args.tokens.as_deref().map(Tokens::read).transpose()?;
    if args.max_body == 0 {
        return Err(Error::Usage("--max-body must be at least 1".into()));
    }
    let recovered = durable::recover(registry, &args.store, args.wait)?;
    if recovered.replayed > 0 {
        eprintln!(
            "sunlight serve: {} submissions from the journal of an earlier run are now in the store",
            recovered.replayed
        );
    }
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .map_err(|source| Error::Listen {
            addr: args.addr.clone(),
            source,
        })?;
    let addr: SocketAddr = listener.local_addr().map_err(|source| Error::Listen {
        addr: args.addr.clone(),
        source,
    })?;
    let counters = Arc::new(Counters::default());
    let (tx, rx) = mpsc::channel(4096);
    let policy = FoldPolicy {
        interval: Duration::from_millis(args.fold_ms),
        max_submissions: args.fold_max.max(1),
    };
    let durable = Durable::start(
        registry,
        &args.store,
        recovered,
        rx,
        Arc::clone(&counters),
        policy,
    )?;
    let ticker = {
        let tx = tx.clone();
        let every = Duration::from_millis((args.fold_ms / 2).clamp(10, 1000));
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            loop {
                interval.tick().await;
                if tx.send(Message::Tick).await.is_err() {
                    break;
                }
            }
        })
    };
    let app = Arc::new(App {
        registry,
        tokens,
        max_body: args.max_body,
        requests: tx,
        counters: Arc::clone(&counters),
        package: args.package.clone(),
        report: args.report.clone(),
    });
    print_addresses(registry, &addr, args);
    let served = axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    eprintln!("sunlight serve: stopping; folding the journal into the store");
    ticker.abort();
    // The last sender goes with the ticker; the journal writer then folds what it holds.
    let _ = ticker.await;
    let joined = tokio::task::spawn_blocking(move || durable.join())
        .await
        .map_err(|e| Error::Usage(format!("the journal thread failed: {e}")))?;
    served.map_err(|source| Error::Listen {
        addr: addr.to_string(),
        source,
    })?;
    joined?;
    eprintln!(
        "sunlight serve: stopped; {} new submissions this run, all in the store at {}",
        counters.stored.load(std::sync::atomic::Ordering::SeqCst),
        args.store.display()
    );
    Ok(())
}

fn print_addresses(registry: &Registry, addr: &SocketAddr, args: &ServeArgs) {
    let base = format!("http://{addr}");
    say(&format!("sunlight serve: listening on {base}"));
    say(&format!("  portal                  {base}/"));
    for scheme in registry.iter() {
        say(&format!("  {:<23} {base}/portal/{}", scheme.id, scheme.id));
    }
    if args
        .report
        .as_deref()
        .is_some_and(|r| r.join("index.html").is_file())
    {
        say(&format!("  annual report           {base}/report/"));
    }
    say(&format!(
        "  submissions             POST {base}/api/v1/submissions{}",
        if args.tokens.is_some() {
            " (Authorization: Bearer TOKEN)"
        } else {
            ""
        }
    ));
    say(&format!("  health                  {base}/healthz"));
    if !args.package.join("sunlight-self-check.js").is_file() {
        eprintln!(
            "sunlight serve: the form's package is not built at {}; run bash scripts/build-wasm.sh",
            args.package.display()
        );
    }
}

/// The `sunlight serve` command: runs [`serve`] on a runtime of its own.
pub fn main(args: &ServeArgs) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the server runtime", Path::new("-"), e))?;
    rt.block_on(serve(sunlight_core::presets::registry(), args))?;
    Ok(ExitCode::SUCCESS)
}
