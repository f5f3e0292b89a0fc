//! `{table}_replaced`: the versions of events that a later batch of the same unit replaced (by
//! repeating the event's id), found once per session, on first use, and kept. First use is the
//! planning of a query over `archive_events` or `office_records` (an `EXPLAIN` too).
//!
//! Finding them groups every event of the table by a hash of its unit and id
//! ([`super::key_hash`]): at 10 M risk points, 1.2 s of work over the 7.1 M register records for
//! every query that read `office_records`, and the report reads it in three. Kept as a table in
//! memory, its size is known exactly (almost always a few rows, or none), so DataFusion builds the
//! hash table of the current events' join on it, never on the events, whatever filter a query
//! puts on them. When the size was estimated, a filter that keeps nearly every event
//! (`WHERE record_type = 'completed'`) made the events look smaller: DataFusion built its table
//! on 7 M register records (641 MB), and `SELECT * FROM overdue` failed under the memory limit.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{Result, exec_err};
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::execution::context::{SessionContext, SessionState};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use tokio::sync::OnceCell;

/// The SQL of the replaced versions of `table`'s events: `(replaced_hash, replaced_no)`, the
/// batch and place of each. The latest version of an event is the one of the latest batch
/// (`submitted_at`, then `hash`), and of two with the same id in one batch, the later one
/// (`event_no`); the others are replaced.
///
/// Only the events whose id repeats (few) are ranked, with a window over them alone; they are
/// found by grouping on [`super::key_hash`] of the unit and id, not on the two texts (3.5 s and
/// a 700 MB spill over the 7.1 M register records at 10 M risk points). A window over every
/// event keeps state per partition, one per event (2.6 s over the register at 1 M risk points).
pub fn sql(table: &str) -> String {
    format!(
        "SELECT replaced_hash, replaced_no FROM ( \
           SELECT a.hash AS replaced_hash, a.event_no AS replaced_no, \
             ROW_NUMBER() OVER (PARTITION BY a.unit_id, a.id \
               ORDER BY a.submitted_at DESC, a.hash DESC, a.event_no DESC) AS newer \
           FROM (SELECT key_hash(unit_id, id) AS k FROM {table}_all \
                 GROUP BY 1 HAVING COUNT(*) > 1) d \
           JOIN {table}_all a ON key_hash(a.unit_id, a.id) = d.k) \
         WHERE newer > 1"
    )
}

/// The replaced versions of one event table, as a table found on first use.
#[derive(Debug)]
pub struct Replaced {
    table: String,
    schema: SchemaRef,
    found: OnceCell<Vec<RecordBatch>>,
}

impl Replaced {
    /// The table of `table`'s replaced versions in the session `ctx` (where `{table}_all` and
    /// `key_hash` are registered); only planned here, not run.
    pub async fn new(ctx: &SessionContext, table: &str) -> Result<Self> {
        let schema = ctx.sql(&sql(table)).await?.schema().inner().clone();
        Ok(Replaced {
            table: table.to_owned(),
            schema,
            found: OnceCell::new(),
        })
    }
}

/// `batch` with its texts copied out of the buffers they point into: a view of a text read from
/// Parquet keeps the whole page it came from, and these rows are kept for the session.
fn compact(batch: &RecordBatch) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .map(|c| match c.as_string_view_opt() {
            Some(texts) => Arc::new(texts.gc()) as ArrayRef,
            None => Arc::clone(c),
        })
        .collect();
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

#[async_trait]
impl TableProvider for Replaced {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let found = self
            .found
            .get_or_try_init(|| async {
                let Some(state) = state.as_any().downcast_ref::<SessionState>() else {
                    return exec_err!(
                        "the replaced versions of {} need a DataFusion session",
                        self.table
                    );
                };
                let ctx = SessionContext::new_with_state(state.clone());
                let batches = ctx.sql(&sql(&self.table)).await?.collect().await?;
                batches.iter().map(compact).collect::<Result<Vec<_>>>()
            })
            .await?;
        Ok(MemorySourceConfig::try_new_exec(
            std::slice::from_ref(found),
            self.schema(),
            projection.cloned(),
        )?)
    }
}
