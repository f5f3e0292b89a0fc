//! The Sunlight SQL notebook kernel: a Jupyter kernel in which a cell is SQL on the store.
//!
//! Analysts work in notebooks. A cell is SQL run by DataFusion on the store (the same session,
//! views and functions as `sunlight sql`); a result shows as a text table and an escaped HTML
//! table, capped at [`engine::DEFAULT_LIMIT`] rows with a note of how many more. Lines starting
//! with `%` are magics: `%store DIR`, `%limit N`, `%chart bar|stacked|line|heatmap x=COL y=COL
//! [by=COL] [title=TEXT]` over the last result (drawn by [`crate::charts`]), `%export
//! csv|parquet|json PATH`, `%schemes`, `%tables`, `%echo`, `%help`.
//!
//! | file | what |
//! |---|---|
//! | [`server`] | the messaging protocol 5.3 over ZeroMQ: one task per socket, cells on a task of their own |
//! | [`engine`] | the kernel's state and what a cell does |
//! | [`cell`] | a cell's magics and SQL statements; completeness |
//! | [`magic`] | parsing magic lines |
//! | [`complete`] | completion and inspection |
//! | [`render`] | results as text and escaped HTML |
//! | [`install`](mod@install) | the kernelspec |
//!
//! `sunlight kernel install [--user | --prefix P | --sys-prefix]` writes the kernelspec;
//! Jupyter then runs `sunlight kernel -f CONNECTION_FILE`.
//!
//! The store opened at start is `$SUNLIGHT_STORE` if set, else the demo store
//! `target/demo/store`, looked for from the working folder upwards and then beside the
//! executable's `target/` folder.

pub mod cell;
pub mod complete;
pub mod engine;
pub mod install;
pub mod magic;
pub mod render;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use jupyter_protocol::ConnectionInfo;

use crate::error::{Error, Result};
use engine::Engine;
pub use install::{Destination, install};

/// The environment variable naming the store the kernel opens at start.
pub const STORE_ENV: &str = "SUNLIGHT_STORE";

/// The demo store, relative to the workspace root.
pub const DEMO_STORE: &str = "target/demo/store";

/// `sunlight kernel`: run the notebook kernel, or install its kernelspec.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct KernelArgs {
    /// What to do instead of running the kernel.
    #[command(subcommand)]
    pub command: Option<KernelCommand>,
    /// The connection file Jupyter wrote for this kernel.
    #[arg(short = 'f', long = "connection-file", value_name = "CONNECTION_FILE")]
    pub connection_file: Option<PathBuf>,
}

/// Subcommands of `sunlight kernel`.
#[derive(Debug, Subcommand)]
pub enum KernelCommand {
    /// Write the kernelspec ("Sunlight SQL") so Jupyter can start this kernel.
    Install(InstallArgs),
}

/// Where `sunlight kernel install` writes.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct InstallArgs {
    /// Into the user's Jupyter data folder (the default).
    #[arg(long)]
    pub user: bool,
    /// Into PREFIX/share/jupyter/kernels.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<PathBuf>,
    /// Into the active Python environment (sys.prefix of python3 on PATH).
    #[arg(long)]
    pub sys_prefix: bool,
}

/// Runs `sunlight kernel …`.
pub fn main(args: &KernelArgs) -> Result<ExitCode> {
    match (&args.command, &args.connection_file) {
        (Some(KernelCommand::Install(a)), _) => {
            let destination = match (&a.prefix, a.sys_prefix) {
                (Some(p), _) => Destination::Prefix(p.clone()),
                (None, true) => Destination::SysPrefix,
                (None, false) => Destination::User,
            };
            let dir = install(&destination)?;
            println!("installed the Sunlight SQL kernelspec in {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(file)) => {
            run(file)?;
            Ok(ExitCode::SUCCESS)
        }
        (None, None) => Err(Error::Usage(
            "give the connection file (sunlight kernel -f FILE), or `sunlight kernel install`"
                .to_owned(),
        )),
    }
}

/// The store the kernel opens at start.
pub fn default_store() -> PathBuf {
    if let Some(dir) = std::env::var_os(STORE_ENV) {
        return PathBuf::from(dir);
    }
    let here = std::env::current_dir().ok();
    let found = here
        .iter()
        .flat_map(|d| d.ancestors())
        .map(|d| d.join(DEMO_STORE))
        .find(|d| d.is_dir());
    if let Some(d) = found {
        return d;
    }
    // The executable lives in target/<profile>/: its demo store is target/demo/store.
    let beside_exe = std::env::current_exe().ok().and_then(|exe| {
        exe.parent()
            .and_then(Path::parent)
            .map(|target| target.join("demo").join("store"))
    });
    beside_exe.unwrap_or_else(|| PathBuf::from(DEMO_STORE))
}

/// Runs the kernel with the connection file Jupyter wrote, until it is shut down.
pub fn run(connection_file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(connection_file)
        .map_err(|e| Error::io("reading the connection file", connection_file, e))?;
    let info: ConnectionInfo = serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "{} is not a Jupyter connection file: {e}",
            connection_file.display()
        ))
    })?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the kernel runtime", connection_file, e))?;
    let result = rt.block_on(async {
        let engine = Arc::new(tokio::sync::Mutex::new(Engine::new()));
        // Open the store while the sockets come up: the first cell waits for it, kernel_info
        // does not.
        let opening = engine.clone();
        tokio::spawn(async move {
            let mut engine = opening.lock().await;
            let dir = default_store();
            if let Err(e) = engine.open_store(&dir).await {
                eprintln!("sunlight kernel: {}", e.evalue);
                engine.set_no_store(e.evalue);
            }
        });
        server::serve(info, engine).await
    });
    // A query still running after shutdown is not waited for.
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    result
}
