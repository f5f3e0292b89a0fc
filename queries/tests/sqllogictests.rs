//! Runs every `tests/slt/*.slt` file against a session on a small fixture store (deterministic
//! demo data plus hand-made submissions, see `common`). `--complete` rewrites the expected
//! results, as DataFusion's own runner does; check the diff before committing it.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::error::DataFusionError;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use sqllogictest::{DBOutput, DefaultColumnType};

struct Sunlight {
    ctx: SessionContext,
    handle: tokio::runtime::Handle,
}

fn column_type(t: &DataType) -> DefaultColumnType {
    match t {
        t if t.is_integer() => DefaultColumnType::Integer,
        t if t.is_floating() => DefaultColumnType::FloatingPoint,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => DefaultColumnType::Text,
        _ => DefaultColumnType::Any,
    }
}

fn rows(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, DataFusionError> {
    let options = FormatOptions::default().with_null("NULL");
    let mut out = Vec::new();
    for b in batches {
        let formatters = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for i in 0..b.num_rows() {
            let row = b
                .columns()
                .iter()
                .zip(&formatters)
                .map(|(c, f)| {
                    let s = f.value(i).to_string();
                    if s.is_empty() && !c.is_null(i) {
                        "(empty)".to_owned()
                    } else {
                        s
                    }
                })
                .collect();
            out.push(row);
        }
    }
    Ok(out)
}

async fn run(
    ctx: SessionContext,
    sql: String,
) -> Result<DBOutput<DefaultColumnType>, DataFusionError> {
    let df = ctx.sql(&sql).await?;
    let types: Vec<DefaultColumnType> = df
        .schema()
        .fields()
        .iter()
        .map(|f| column_type(f.data_type()))
        .collect();
    let batches = df.collect().await?;
    if types.is_empty() {
        return Ok(DBOutput::StatementComplete(0));
    }
    Ok(DBOutput::Rows {
        types,
        rows: rows(&batches)?,
    })
}

impl sqllogictest::DB for Sunlight {
    type Error = DataFusionError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<Self::ColumnType>, Self::Error> {
        // Run on the runtime's workers and wait here: works whether or not the caller is itself
        // inside the runtime's `block_on` (as `--complete` is).
        let (tx, rx) = mpsc::channel();
        let (ctx, sql) = (self.ctx.clone(), sql.to_owned());
        self.handle.spawn(async move {
            let _ = tx.send(run(ctx, sql).await);
        });
        rx.recv()
            .map_err(|e| DataFusionError::Execution(format!("the query task ended: {e}")))?
    }

    fn engine_name(&self) -> &str {
        "sunlight"
    }
}

/// Whether `plan`'s rows hold the replaced versions' `replaced_hash`.
fn replaced(plan: &dyn ExecutionPlan) -> bool {
    plan.schema().field_with_name("replaced_hash").is_ok()
}

/// The current events' views join the replaced versions (`{table}_replaced`) to the events, and
/// the join must build its table on the replaced versions (few), never on the events, even when a
/// filter keeps nearly all events: at 10 M risk points that table held 7 M register records,
/// and `SELECT * FROM overdue` failed under the memory limit.
///
/// DataFusion builds on a small enough side whatever its place (1 MB, 128 K rows), as the
/// fixture's are; with those thresholds at 0 it plans as it does for a large store.
fn check_build_sides(rt: &tokio::runtime::Runtime, store: &Path) -> Result<(), String> {
    let ctx = rt
        .block_on(async {
            let ctx = sunlight_queries::sql::session(store)
                .await
                .map_err(|e| e.to_string())?;
            for option in ["threshold", "threshold_rows"] {
                let set =
                    format!("SET datafusion.optimizer.hash_join_single_partition_{option} = 0");
                ctx.sql(&set).await.map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(ctx)
        })
        .map_err(|e| format!("opening a session: {e}"))?;
    for sql in [
        "SELECT * FROM office_records WHERE record_type = 'completed'",
        "SELECT * FROM office_records WHERE record_type <> 'nothing'",
        "SELECT * FROM archive_events WHERE kind <> 'nothing'",
        "SELECT * FROM archive_events",
    ] {
        let plan = rt
            .block_on(async { ctx.sql(sql).await?.create_physical_plan().await })
            .map_err(|e| format!("{sql}: {e}"))?;
        let mut joins = Vec::new();
        let mut todo = vec![plan];
        while let Some(p) = todo.pop() {
            let children = p.children();
            if p.name() == "HashJoinExec" && children.len() == 2 {
                let (left, right) = (children[0].as_ref(), children[1].as_ref());
                if replaced(left) || replaced(right) {
                    joins.push(replaced(left));
                }
            }
            todo.extend(children.into_iter().cloned());
        }
        match joins.as_slice() {
            [true] => {}
            [false] => return Err(format!("{sql}: the join builds its table on the events")),
            _ => {
                return Err(format!(
                    "{sql}: {} joins with the replaced versions",
                    joins.len()
                ));
            }
        }
    }
    Ok(())
}

fn main() {
    let complete = std::env::args().any(|a| a == "--complete");
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let dir = common::scratch("slt");
    let store = common::build_store(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ctx = rt.block_on(sunlight_queries::sql::session(&store)).unwrap();
    if let Err(e) = check_build_sides(&rt, &store) {
        println!("FAILED the build side of the current events' join: {e}");
        std::process::exit(1);
    }
    println!("ok the current events' joins build on the replaced versions");
    let slt_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&slt_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .filter(|p| {
            filter
                .as_ref()
                .is_none_or(|f| p.to_string_lossy().contains(f.as_str()))
        })
        .collect();
    files.sort();
    let mut failed = 0usize;
    let mut passed = 0usize;
    for file in &files {
        let make = {
            let ctx = ctx.clone();
            let handle = rt.handle().clone();
            move || {
                let db = Sunlight {
                    ctx: ctx.clone(),
                    handle: handle.clone(),
                };
                async move { Ok::<_, DataFusionError>(db) }
            }
        };
        let mut runner = sqllogictest::Runner::new(make);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if complete {
            let res = rt.block_on(runner.update_test_file(
                file,
                " ",
                sqllogictest::default_validator,
                sqllogictest::default_normalizer,
                sqllogictest::default_column_validator,
            ));
            match res {
                Ok(()) => println!("completed {name}"),
                Err(e) => {
                    failed += 1;
                    println!("FAILED to complete {name}: {e}");
                }
            }
            continue;
        }
        match runner.run_file(file) {
            Ok(()) => {
                passed += 1;
                println!("ok {name}");
            }
            Err(e) => {
                failed += 1;
                println!("FAILED {name}:\n{}", e.display(true));
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    println!("{passed} passed, {failed} failed");
    if files.is_empty() || failed > 0 {
        std::process::exit(1);
    }
}
