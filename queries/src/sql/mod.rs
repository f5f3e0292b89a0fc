//! SQL over the store: the session every tool uses, the domain views and the scalar functions.
//!
//! [`session`] opens a store and returns a DataFusion [`SessionContext`] on which these are
//! registered:
//!
//! | name | what |
//! |---|---|
//! | `submissions_all`, `risk_points_all`, `measures_all` | the stored tables, every version |
//! | `submission_versions` | every submission with its `version` and whether it is `superseded` |
//! | `risk_point_versions` | every risk point with its submission's `version` and `superseded` |
//! | `submissions`, `risk_points`, `measures` | the current version of every table |
//! | `risk_catalog` | 廉政风险等级目录: power, category, item, basis, limits, risk point, level, measures, responsible |
//! | `level_counts`, `type_counts` | risk points by year, unit, department, scheme and level / risk type |
//! | `defence_coverage` | risk points lacking a measure in some line of defence |
//! | `yoy_changes` | risk points added, removed, upgraded, downgraded between consecutive years |
//! | `late_tables` | tables submitted after the deadline, and department tables missing |
//! | `archive_events_all`, `review_events_all`, `office_records_all` | the stored event batches, one row per event |
//! | `table_status`, `yellow_cards`, `warnings_due`, `vetting`, `overdue`, `unit_ratings` | the supervision views, see [`supervision`] |
//!
//! Scalar functions: `risk_level(scheme, factors)`, `responsible_for(scheme, level)`,
//! `table_deadline(scheme, year)`, and one per supervision rule (`review_status`, `yellow_card`,
//! `recommend_response`, `vet_candidate`, `overdue_obligations`, `rate_unit`). They call the core,
//! so SQL and the form agree.
//!
//! A session is a snapshot: it sees the store as its manifest was when it was opened; call
//! [`register_store`] again to see later ingests. Its queries share a bounded memory pool and
//! spill to disk beyond it, see [`memory`].

mod args;
mod current_rows;
mod key_hash;
pub mod memory;
mod replaced;
mod responsible_for;
mod risk_level;
mod superseded;
pub mod supervision;
mod table_deadline;
mod text_min_max;
pub mod views;

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Int32Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::common::hash_utils::create_hashes;
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::options::ReadOptions;
use datafusion::datasource::listing::{ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::execution::context::SessionContext;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::physical_plan::repartition::REPARTITION_RANDOM_STATE;
use datafusion::prelude::{ParquetReadOptions, SessionConfig};
use sunlight_core::presets::Registry;

pub use memory::MemoryLimit;
pub use responsible_for::ResponsibleFor;
pub use risk_level::RiskLevel;
pub use table_deadline::TableDeadline;

use crate::error::{Error, Result};
use crate::store::{Store, schema};

/// The configuration every Sunlight session uses (information schema on, for completion).
///
/// A grouping whose first 100,000 rows hold more than one group in ten is not grouped before
/// the repartition (DataFusion's default: four in five). The views group risk points by unit,
/// department and level or type, about one group in four rows: grouping twice cost more than it
/// saved, and `level_counts` and `type_counts` in full take about 15 % less time without it at
/// 1 M risk points (queries/benches/compare.sh).
///
/// A hash join does not hand its build side's keys to the scans of its probe side as a filter
/// (a dynamic filter). `risk_points` filters rows as it decodes them (see `register_table`), so
/// there such a filter is checked on every row: `yoy_changes` joins risk points on computed keys
/// a third of which match, and took 6.7 s against 4.6 s without it at 10 M risk points. Other
/// joins lose the row groups such a filter skipped: the report's `completion_by_unit` and
/// `late_tables` about 6 ms of 27 at 1 M, nothing measurable at 10 M.
///
/// An input hash-partitioned on some of a grouping's keys satisfies it from two partitions up
/// (DataFusion's default: four), so that the current risk points, partitioned by unit name
/// (`current_rows`), are grouped by unit without a repartition on the machine's two cores.
pub fn config() -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_information_schema(true)
        .with_default_catalog_and_schema("sunlight", "store");
    config
        .options_mut()
        .execution
        .skip_partial_aggregation_probe_ratio_threshold = 0.1;
    config.options_mut().optimizer.subset_repartition_threshold = 2;
    config
        .options_mut()
        .optimizer
        .enable_join_dynamic_filter_pushdown = false;
    config
}

/// Opens the store in `dir` with the preset schemes: a session with every table, view and function.
///
/// ```no_run
/// # async fn demo() -> sunlight_queries::Result<()> {
/// let ctx = sunlight_queries::sql::session(std::path::Path::new("store")).await?;
/// let df = ctx.sql("SELECT * FROM level_counts ORDER BY year").await?;
/// df.show().await?;
/// # Ok(()) }
/// ```
pub async fn session(dir: &Path) -> Result<SessionContext> {
    session_with(dir, sunlight_core::presets::registry(), config()).await
}

/// As [`session`], with a registry of schemes (presets and a unit's own) and a configuration.
pub async fn session_with(
    dir: &Path,
    registry: &'static Registry,
    config: SessionConfig,
) -> Result<SessionContext> {
    let ctx = context(config)?;
    register_functions(&ctx, registry);
    register_store(&ctx, dir).await?;
    Ok(ctx)
}

/// A session with no tables or functions yet, with the memory pool of [`memory::memory_limit`].
pub fn context(config: SessionConfig) -> Result<SessionContext> {
    let runtime = memory::runtime_env(memory::memory_limit()?)?;
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .with_physical_optimizer_rule(Arc::new(current_rows::UnsplitScans))
        .build();
    Ok(SessionContext::new_with_state(state))
}

/// Registers the scalar functions on a session, and `MIN`/`MAX` with a cheaper grouped form for
/// texts (see `text_min_max`).
pub fn register_functions(ctx: &SessionContext, registry: &'static Registry) {
    ctx.register_udaf(AggregateUDF::from(text_min_max::TextMinMax::min()));
    ctx.register_udaf(AggregateUDF::from(text_min_max::TextMinMax::max()));
    ctx.register_udf(ScalarUDF::from(RiskLevel::new(registry)));
    ctx.register_udf(ScalarUDF::from(ResponsibleFor::new(registry)));
    ctx.register_udf(ScalarUDF::from(TableDeadline::new(registry)));
    ctx.register_udf(ScalarUDF::from(key_hash::KeyHash::new()));
    supervision::register_functions(ctx, registry);
}

/// (Re-)registers the store's tables and every view, reading the manifest now.
pub async fn register_store(ctx: &SessionContext, dir: &Path) -> Result<()> {
    let store = Store::open(dir)?;
    for name in crate::store::TABLES {
        let schema = schema::of(name)
            .ok_or_else(|| Error::store(dir, format!("no schema for table {name}")))?;
        register_table(ctx, &store, name, schema).await?;
    }
    let versions = table_versions(ctx).await?;
    let versions_schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("hash", DataType::Utf8, false),
        Field::new("version", DataType::Int32, false),
        Field::new("superseded", DataType::Boolean, false),
    ]));
    let versions_batch = RecordBatch::try_new(
        versions_schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(
                versions.iter().map(|v| v.0.as_str()),
            )),
            Arc::new(Int32Array::from_iter_values(versions.iter().map(|v| v.1))),
            Arc::new(BooleanArray::from_iter(versions.iter().map(|v| Some(v.2)))),
        ],
    )?;
    ctx.deregister_table("multi_versions")?;
    ctx.register_table(
        "multi_versions",
        Arc::new(MemTable::try_new(
            versions_schema,
            vec![vec![versions_batch]],
        )?),
    )?;
    // The versions and the current rows: lookups in the few tables with several versions (see
    // `superseded`), not joins with `multi_versions`. With none, no lookup at all.
    let none_superseded = !versions.iter().any(|v| v.2);
    let superseded_keys: Vec<i64> = versions
        .iter()
        .filter(|v| v.2)
        .map(|v| schema::hash_key(&v.0))
        .collect();
    let by_key = store.manifest().hash_keys
        && !none_superseded
        && current_by_key(ctx, superseded_keys.clone()).await?;
    let versions: superseded::Versions = Arc::new(
        versions
            .into_iter()
            .map(|(hash, version, superseded)| (hash, (version, superseded)))
            .collect(),
    );
    ctx.register_udf(ScalarUDF::from(superseded::VersionLookup::superseded(
        Arc::clone(&versions),
    )));
    ctx.register_udf(ScalarUDF::from(superseded::VersionLookup::version(
        versions,
    )));
    let (version, superseded) = if none_superseded {
        ("CAST(1 AS INT)".to_owned(), "false".to_owned())
    } else {
        (
            format!("{}(hash)", superseded::VERSION),
            format!("{}(hash)", superseded::NAME),
        )
    };
    let current = |t: &str| {
        if none_superseded {
            format!("CREATE OR REPLACE VIEW {t} AS SELECT * FROM {t}_all")
        } else if by_key {
            format!(
                "CREATE OR REPLACE VIEW {t} AS SELECT * FROM {t}_all WHERE NOT {}(hash_key)",
                superseded::KEY_NAME
            )
        } else {
            format!("CREATE OR REPLACE VIEW {t} AS SELECT * FROM {t}_all WHERE NOT {superseded}")
        }
    };
    // Every version, with its number and whether it is superseded.
    for (view, table) in [
        ("submission_versions", "submissions_all"),
        ("risk_point_versions", "risk_points_all"),
    ] {
        sql(
            ctx,
            &format!(
                "CREATE OR REPLACE VIEW {view} AS SELECT *, {version} AS version, \
                   {superseded} AS superseded FROM {table}"
            ),
        )
        .await?;
    }
    // The current submissions: asked of the keys when the risk points are (not of every
    // submission's hash through `superseded(hash)`, 0.5 % of the 10 M report's samples), with
    // the same columns as `submission_versions`; the version is worked out only when a query
    // reads it.
    let submissions = if by_key {
        format!(
            "CREATE OR REPLACE VIEW submissions AS SELECT *, {version} AS version, \
               false AS superseded FROM submissions_all WHERE NOT {}(hash_key)",
            superseded::KEY_NAME
        )
    } else {
        "CREATE OR REPLACE VIEW submissions AS SELECT * FROM submission_versions \
         WHERE NOT superseded"
            .to_owned()
    };
    sql(ctx, &submissions).await?;
    // The current risk points skip the superseded rows by position (`current_rows`) when the
    // files have keys, and are read in partitions by unit; otherwise they are filtered like the
    // other tables.
    ctx.deregister_table("risk_points")?;
    if by_key || (none_superseded && store.manifest().hash_keys) {
        let every_version = ctx.table_provider("risk_points_all").await?;
        let files = store.files("risk_points");
        let keys = superseded_keys.into_iter().collect();
        let table = current_rows::CurrentRows::new(
            every_version,
            &files,
            &keys,
            ctx.state().config().target_partitions(),
        )?;
        ctx.register_table("risk_points", Arc::new(table))?;
    } else {
        sql(ctx, &current("risk_points")).await?;
    }
    sql(ctx, &current("measures")).await?;
    for table in supervision::EVENT_TABLES {
        let name = format!("{table}_replaced");
        ctx.deregister_table(name.as_str())?;
        let replaced = replaced::Replaced::new(ctx, table).await?;
        ctx.register_table(name.as_str(), Arc::new(replaced))?;
    }
    for (name, body) in views::definitions()
        .into_iter()
        .chain(supervision::definitions())
    {
        sql(ctx, &format!("CREATE OR REPLACE VIEW {name} AS {body}")).await?;
    }
    Ok(())
}

/// DataFusion's hash of each of `units` (unit names, text) as its hash repartitioning computes
/// it over `unit_name` alone: of the names as string views, the way the store's scans give them.
/// A row's partition among `n` is its hash modulo `n`. A null name hashes to 0, as there.
pub fn unit_hashes(units: &dyn Array) -> Result<Vec<u64>> {
    let views = cast(units, &DataType::Utf8View)?;
    let mut hashes = vec![0; views.len()];
    create_hashes(
        &[views],
        REPARTITION_RANDOM_STATE.random_state(),
        &mut hashes,
    )?;
    Ok(hashes)
}

/// Registers `superseded_key` for the superseded submissions' `keys` and tells whether the
/// current views may ask it instead of `superseded(hash)`: when exactly the superseded
/// submissions have those keys. A current submission sharing a key with a superseded one (two
/// hashes alike in their first 16 digits) would be hidden, and a store whose keys were made
/// otherwise would show superseded rows: then the views ask of the hashes.
async fn current_by_key(ctx: &SessionContext, keys: Vec<i64>) -> Result<bool> {
    let superseded = keys.len();
    ctx.register_udf(ScalarUDF::from(superseded::KeyLookup::new(
        keys.into_iter().collect(),
    )));
    let counted = ctx
        .sql(&format!(
            "SELECT COUNT(*) FROM submissions_all WHERE {}(hash_key)",
            superseded::KEY_NAME
        ))
        .await?
        .collect()
        .await?;
    let rows = counted
        .first()
        .and_then(|b| b.column(0).as_primitive_opt::<Int64Type>())
        .filter(|c| c.len() == 1)
        .map(|c| c.value(0));
    Ok(rows.and_then(|n| usize::try_from(n).ok()) == Some(superseded))
}

/// `(hash, version, superseded)` of every submission of a table that has several versions
/// (same `table_key`): version 1 is the first submitted (`submitted_at`, then `hash`), and all but
/// the last are superseded. Almost every table has one version, so these are few.
///
/// Found in two streamed passes over the keys and sorted here, not with a window or a join in
/// SQL: every session runs this when it opens, and at 10 M risk points a window's sort and a
/// join's hash table of every submission needed more than a session's whole memory limit.
///
/// Both passes read the store's texts where they are (string views, no copy), and compare keys
/// by a 64-bit hash first: at 10 M risk points (1.17 M submissions) half of a session's opening
/// time went into copying every key and hash to plain strings and hashing each key with SipHash
/// into a map.
async fn table_versions(ctx: &SessionContext) -> Result<Vec<(String, i32, bool)>> {
    use futures::StreamExt;
    use std::collections::HashMap;
    use std::hash::BuildHasher;
    use twox_hash::XxHash3_64;

    const FUNC: &str = "opening the store";
    // A seed of this session's own, so that no stored key is chosen to collide with another:
    // a collision only keeps a few more rows for pass 2, which groups by the key itself.
    let seed = std::collections::hash_map::RandomState::new().hash_one(0u8);
    let key_hash = |key: &str| XxHash3_64::oneshot_with_seed(seed, key.as_bytes());

    // Pass 1: the hash of every key; those that come twice or more.
    let mut hashes: Vec<u64> = Vec::new();
    let mut stream = ctx
        .sql("SELECT table_key FROM submissions_all")
        .await?
        .execute_stream()
        .await?;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let keys = args::texts(FUNC, "table_key", batch.column(0))?;
        hashes.extend(keys.into_iter().flatten().map(key_hash));
    }
    hashes.sort_unstable();
    let repeated: Vec<u64> = hashes
        .chunk_by(|a, b| a == b)
        .filter(|run| run.len() > 1)
        .map(|run| run[0])
        .collect();
    drop(hashes);
    if repeated.is_empty() {
        return Ok(Vec::new());
    }
    // Pass 2: the submissions of those keys.
    let mut tables: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    let mut stream = ctx
        .sql("SELECT table_key, submitted_at, hash FROM submissions_all")
        .await?
        .execute_stream()
        .await?;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let keys = args::texts(FUNC, "table_key", batch.column(0))?;
        let hashes = args::texts(FUNC, "hash", batch.column(2))?;
        // The store's type (microseconds, UTC): the same order as the timestamps'.
        let at = cast(batch.column(1), &DataType::Int64)?;
        let at = at.as_primitive::<Int64Type>();
        for ((key, at), hash) in keys.into_iter().zip(at.iter()).zip(hashes) {
            let (Some(key), Some(hash)) = (key, hash) else {
                continue;
            };
            if repeated.binary_search(&key_hash(key)).is_ok() {
                tables
                    .entry(key.to_owned())
                    .or_default()
                    .push((at.unwrap_or(i64::MIN), hash.to_owned()));
            }
        }
    }
    let mut versions = Vec::new();
    for (_, mut subs) in tables {
        if subs.len() < 2 {
            continue;
        }
        subs.sort_unstable();
        let last = subs.len() - 1;
        for (i, (_, hash)) in subs.into_iter().enumerate() {
            let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
            versions.push((hash, version, i < last));
        }
    }
    versions.sort_unstable();
    Ok(versions)
}

async fn sql(ctx: &SessionContext, text: &str) -> Result<()> {
    ctx.sql(text).await?.collect().await?;
    Ok(())
}

async fn register_table(
    ctx: &SessionContext,
    store: &Store,
    name: &str,
    schema: SchemaRef,
) -> Result<()> {
    let table_name = format!("{name}_all");
    ctx.deregister_table(table_name.as_str())?;
    let files = store.files(name);
    if files.is_empty() {
        ctx.register_table(
            table_name.as_str(),
            Arc::new(MemTable::try_new(schema, vec![vec![]])?),
        )?;
        return Ok(());
    }
    let urls = files
        .iter()
        .map(|f| file_url(f))
        .collect::<Result<Vec<_>>>()?;
    // The risk points are filtered as they are decoded (Parquet "late materialisation"): the
    // year and the table kind (and, in a store without keys, the superseded versions; with
    // keys they are skipped by position, see `current_rows`) are runs of rows (a file's, a
    // table's), whose other columns are then never decoded nor copied by a filter afterwards. At
    // 10 M risk points, `level_counts` and `type_counts` in full took 1.12 and 1.05 s against
    // 1.23 and 1.14 s, the report's queries on one year 2–17 % less (query-suite, medians of 3
    // runs). It costs where little else is read: the filters are checked one after the other,
    // and a year's `COUNT(*)` took 43 against 35 ms; a filter that drops rows here and there
    // costs more than it saves (`defence_coverage` 0.88 against 0.81 s). The other tables lost
    // with it (`late_tables`, over `submissions`, 0.46 against 0.36 s).
    let mut table_options = ctx.copied_table_options();
    if name == "risk_points" {
        table_options.parquet.global.pushdown_filters = true;
    }
    let options =
        ParquetReadOptions::default().to_listing_options(&ctx.copied_config(), table_options);
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .infer_schema(&ctx.state())
        .await?;
    ctx.register_table(
        table_name.as_str(),
        Arc::new(ListingTable::try_new(config)?),
    )?;
    Ok(())
}

/// The URL a table of the store's `file` is registered under (its absolute path).
fn file_url(file: &Path) -> Result<ListingTableUrl> {
    let abs =
        std::path::absolute(file).map_err(|e| Error::io("finding the store file", file, e))?;
    let Some(text) = abs.to_str() else {
        return Err(Error::store(
            file,
            format!("the path {} is not valid Unicode", abs.display()),
        ));
    };
    Ok(ListingTableUrl::parse(text)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use datafusion::arrow::array::Int64Array;

    use super::*;

    async fn by_key(stored: &[i64], superseded: &[i64]) -> bool {
        let ctx = SessionContext::new();
        let schema = Arc::new(Schema::new(vec![Field::new(
            "hash_key",
            DataType::Int64,
            false,
        )]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(Int64Array::from(stored.to_vec()))],
        )
        .unwrap();
        let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap();
        ctx.register_table("submissions_all", Arc::new(table))
            .unwrap();
        current_by_key(&ctx, superseded.to_vec()).await.unwrap()
    }

    #[tokio::test]
    async fn the_views_ask_of_the_keys_only_when_exactly_the_superseded_submissions_have_them() {
        // Two superseded submissions (keys 2 and 5) among five.
        assert!(by_key(&[1, 2, 3, 5, 7], &[2, 5]).await);
        // A current submission shares key 5 with a superseded one: ask of the hashes.
        assert!(!by_key(&[1, 2, 3, 5, 5], &[2, 5]).await);
        // Keys made otherwise than from the hashes (none is found): ask of the hashes.
        assert!(!by_key(&[1, 3, 7], &[2, 5]).await);
    }
}
