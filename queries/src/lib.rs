//! # sunlight-queries
//!
//! Sunlight's analytics: every department's submitted self-check tables in one columnar store,
//! queried with SQL (DataFusion).
//!
//! - [`ingest`]: reads submission files (JSON, NDJSON), checks every one with the core (never
//!   trust the client), and writes the good ones to the store, reporting the bad ones.
//! - [`store`]: the Parquet store — Arrow schemas, crash-safe segments, the manifest, the lock.
//! - [`sql`]: the [`SessionContext`](datafusion::prelude::SessionContext) every tool opens
//!   ([`sql::session`]) with the domain views and the scalar functions that call the core.
//! - [`demo`]: a deterministic generator of realistic submissions for all four preset schemes.
//! - [`charts`]: figures drawn with plotters, as SVG and PNG, Chinese labels included.
//! - [`report`]: the annual evaluation report — HTML, charts, CSV tables, XLSX catalogs.
//! - [`alloc`]: the binaries' allocator told to return freed memory sooner.
//! - [`output`]: writing query results as a table, CSV, JSON or Parquet.
//! - [`serve`]: the submission endpoint and the demo portal (`sunlight serve`): what a browser
//!   form POSTs is checked like ingest, journalled to disk before it is acknowledged, and folded
//!   into the store.
//!
//! The `sunlight` binary is the command-line face of all of it.

pub mod alloc;
pub mod charts;
pub mod demo;
mod error;
pub mod ingest;
pub mod kernel;
pub mod output;
pub mod report;
pub mod serve;
pub mod sql;
pub mod store;

pub use error::{Error, Result};
