//! `risk_points`: the current risk points, read without the rows of superseded submissions
//! rather than filtered after reading.
//!
//! A superseded submission's rows lie together in a file. When the session opens, every
//! risk-point file's `hash_key` column is read once, and a file that holds superseded rows gets
//! a row selection that skips them (Parquet's `RowSelection`, as deletion vectors do elsewhere).
//! Queries then neither decode the key nor look it up for each row: checking
//! `NOT superseded_key(hash_key)` on every row cost a year's count at 10 M risk points 23 of its
//! 43 ms, and the two department queries of the report about 40 ms each.
//!
//! The table wraps the `ListingTable` of every version (`risk_points_all`) and adds the
//! selections to the files of the plan that table makes. The files it changes lose their exact
//! row counts, so that DataFusion never answers `COUNT(*)` from a file's statistics.
//!
//! **Partitions by unit.** With several target partitions, the same pass reads each row's
//! `unit_name` (as a dictionary: each distinct name hashed once) and works out the partition
//! DataFusion's hash repartitioning on `unit_name` would send it to. The scan then has one file
//! group per partition, each reading that partition's current rows of every file, and declares
//! itself hash-partitioned on `unit_name`, so a grouping whose keys include the unit name
//! (with `subset_repartition_threshold`, see `sql::config`) groups each partition once, with no
//! partial grouping, repartition and final grouping. The store writes each year's risk points in
//! two halves by that hash (`store::unit_halves`): on two cores each partition then opens only
//! its half's files. At 10 M risk points `level_counts` took 0.81 s against 1.12 s, the report's
//! `levels_by_department` 188 ms against 213 and `types_by_department` 129 against 150
//! (queries/benches/compare, `query-suite --runs 3`, twice each).
//!
//! Only a store whose every file holds one partition's rows is read this way: two partitions,
//! and files written in halves. With more partitions, or files written before the halves, a
//! file's pages would be read by several partitions, each decoding the others' rows too.
//!
//! A scan read this way cannot share work between partitions. [`UnsplitScans`], a physical
//! optimizer rule that runs last, gives the scans no grouping needs split back the files as the
//! table of every version grouped them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema, SchemaRef};
use datafusion::catalog::{ScanArgs, ScanResult, Session, TableProvider};
use datafusion::common::config::ConfigOptions;
use datafusion::common::{DataFusionError, HashSet, Statistics, internal_err};
use datafusion::datasource::TableType;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::parquet::ParquetRowSelection;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfig, FileScanConfigBuilder};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
    RowSelector,
};
use datafusion::physical_expr::Distribution;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::execution_plan::replace_children_if_necessary;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::sorts::sort_preserving_merge::SortPreservingMergeExec;
use datafusion::physical_plan::{ExecutionPlan, Partitioning};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// The current rows of a table whose files carry `hash_key`: see the module's documentation.
#[derive(Debug)]
pub struct CurrentRows {
    /// The table of every version.
    inner: Arc<dyn TableProvider>,
    /// For each file that holds superseded rows (by its object-store location), the rows to read.
    kept: HashMap<String, RowSelection>,
    /// The scan's partitions by unit (see [`ByUnit`]), when the session has more than one.
    by_unit: Option<ByUnit>,
}

/// Every file's current rows split among `partitions` partitions by unit name, the way
/// DataFusion's hash repartitioning splits rows on `unit_name` (its hash of the value, modulo the
/// partition count), so that the scan can declare that partitioning and groupings by unit need
/// no repartition.
#[derive(Debug)]
struct ByUnit {
    /// The partition count the selections were made for (the session's target partitions).
    partitions: usize,
    /// `unit_name`'s index in the table's schema.
    column: usize,
    /// For each file (by its object-store location), in file order, its rows in each partition.
    files: Vec<(String, Vec<RowSelection>)>,
}

impl CurrentRows {
    /// The current rows of `inner`, whose files are `files`: every row whose `hash_key` is not
    /// one of `superseded` (with some superseded, a row without a key is left out, as
    /// `NOT superseded_key(NULL)` leaves it out; with none, every row is current). Reads each
    /// file's `hash_key` column, the files in parallel, and with more than one of `partitions`
    /// its `unit_name` too, for the split by unit ([`ByUnit`]).
    pub fn new(
        inner: Arc<dyn TableProvider>,
        files: &[PathBuf],
        superseded: &HashSet<i64>,
        partitions: usize,
    ) -> Result<Self> {
        let column = inner.schema().index_of("unit_name").ok();
        let split = column.filter(|_| partitions > 1).map(|_| partitions);
        let found: Vec<(String, Option<RowSelection>, Vec<RowSelection>)> = files
            .par_iter()
            .map(|file| {
                let (kept, parts) = rows_to_read(file, superseded, split)?;
                Ok((location(file)?, kept, parts))
            })
            .collect::<Result<_>>()?;
        let mut kept = HashMap::new();
        let mut by_file = Vec::new();
        for (location, selection, parts) in found {
            if let Some(selection) = selection {
                kept.insert(location.clone(), selection);
            }
            by_file.push((location, parts));
        }
        // Only when each file's rows are one partition's: a file read by several partitions
        // has each read the pages that hold the others' rows too, and a grouping that a partial
        // grouping reduces well (by unit alone, say) then took longer than before (at 10 M
        // risk points, files not written in halves: `defence_gaps_by_unit` 0.34 against
        // 0.27 s), though the finer groupings took less (`level_counts` 0.82 against 1.07 s).
        let pure = by_file
            .iter()
            .all(|(_, parts)| parts.iter().filter(|p| p.selects_any()).count() <= 1);
        let by_unit = match (column, split) {
            (Some(column), Some(partitions)) if pure => Some(ByUnit {
                partitions,
                column,
                files: by_file,
            }),
            _ => None,
        };
        Ok(CurrentRows {
            inner,
            kept,
            by_unit,
        })
    }

    /// `plan` (the inner table's scan) as one file group per partition, each reading its units'
    /// current rows of every file, declared hash-partitioned on `unit_name`.
    fn split(
        &self,
        by_unit: &ByUnit,
        plan: Arc<dyn ExecutionPlan>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        if plan.is::<EmptyExec>() {
            return Ok(plan);
        }
        let config = file_scan(&plan)?;
        // The files the scan reads (pruned by the filters), whole: each once.
        let mut scanned: HashMap<&str, &PartitionedFile> = HashMap::new();
        for group in &config.file_groups {
            for file in group.files() {
                scanned.insert(file.object_meta.location.as_ref(), file);
            }
        }
        let mut groups: Vec<Vec<PartitionedFile>> = (0..by_unit.partitions)
            .map(|p| {
                by_unit
                    .files
                    .iter()
                    .filter_map(|(location, parts)| {
                        // A file with none of the partition's rows (one half's, see
                        // `store::unit_halves`) is not opened.
                        if !parts[p].selects_any() {
                            return None;
                        }
                        let file = scanned.get(location.as_str())?;
                        let mut file = (*file).clone();
                        file.range = None;
                        file.statistics = file
                            .statistics
                            .map(|s| Arc::new(Statistics::clone(&s).to_inexact()));
                        Some(file.with_extension(ParquetRowSelection::new(parts[p].clone())))
                    })
                    .collect()
            })
            .collect();
        // The scan as it would be unsplit, for `UnsplitScans`.
        let unsplit = self.select(Arc::clone(&plan))?;
        if let Ok(unsplit) = file_scan(&unsplit)
            && let Some(first) = groups.iter_mut().find_map(|g| g.first_mut())
        {
            first
                .extensions
                .insert(Unsplit(unsplit.file_groups.clone()));
        }
        let groups: Vec<FileGroup> = groups.into_iter().map(FileGroup::new).collect();
        let name = self.inner.schema().field(by_unit.column).name().clone();
        let partitioning = Partitioning::Hash(
            vec![Arc::new(Column::new(&name, by_unit.column))],
            by_unit.partitions,
        );
        let config = FileScanConfigBuilder::from(config.clone())
            .with_file_groups(groups)
            .with_statistics(config.statistics().to_inexact())
            .with_output_partitioning(Some(partitioning))
            .build();
        Ok(DataSourceExec::from_data_source(config))
    }

    /// `plan` (the inner table's scan) reading the current rows: split by unit when the
    /// session has the partitions the split was made for, else with each file's selection.
    fn current(
        &self,
        state: &dyn Session,
        plan: Arc<dyn ExecutionPlan>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let partitions = state.config_options().execution.target_partitions;
        match &self.by_unit {
            Some(by_unit) if by_unit.partitions == partitions => self.split(by_unit, plan),
            _ => self.select(plan),
        }
    }

    /// `plan` (the inner table's scan) with each file's selection added.
    fn select(&self, plan: Arc<dyn ExecutionPlan>) -> DfResult<Arc<dyn ExecutionPlan>> {
        if self.kept.is_empty() || plan.is::<EmptyExec>() {
            return Ok(plan);
        }
        let config = file_scan(&plan)?;
        let mut changed = false;
        let groups = config
            .file_groups
            .iter()
            .map(|group| {
                let mut group_changed = false;
                let files = group
                    .files()
                    .iter()
                    .map(
                        |file| match self.kept.get(file.object_meta.location.as_ref()) {
                            Some(selection) => {
                                group_changed = true;
                                let mut file = file
                                    .clone()
                                    .with_extension(ParquetRowSelection::new(selection.clone()));
                                file.statistics = file
                                    .statistics
                                    .map(|s| Arc::new(Statistics::clone(&s).to_inexact()));
                                file
                            }
                            None => file.clone(),
                        },
                    )
                    .collect();
                let mut out = FileGroup::new(files);
                if let Some(statistics) = group.file_statistics(None) {
                    let statistics = if group_changed {
                        statistics.clone().to_inexact()
                    } else {
                        statistics.clone()
                    };
                    out = out.with_statistics(Arc::new(statistics));
                }
                changed |= group_changed;
                out
            })
            .collect();
        if !changed {
            return Ok(plan);
        }
        let config = FileScanConfigBuilder::from(config.clone())
            .with_file_groups(groups)
            .with_statistics(config.statistics().to_inexact())
            .build();
        Ok(DataSourceExec::from_data_source(config))
    }
}

#[async_trait]
impl TableProvider for CurrentRows {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn table_type(&self) -> TableType {
        self.inner.table_type()
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        self.inner.supports_filters_pushdown(filters)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let plan = self.inner.scan(state, projection, filters, limit).await?;
        self.current(state, plan)
    }

    async fn scan_with_args<'a>(
        &self,
        state: &dyn Session,
        args: ScanArgs<'a>,
    ) -> DfResult<ScanResult> {
        let plan = self.inner.scan_with_args(state, args).await?.into_inner();
        Ok(ScanResult::new(self.current(state, plan)?))
    }
}

/// The configuration of `plan`, the scan of the table of every version.
fn file_scan(plan: &Arc<dyn ExecutionPlan>) -> DfResult<&FileScanConfig> {
    match plan
        .downcast_ref::<DataSourceExec>()
        .and_then(|exec| exec.data_source().downcast_ref::<FileScanConfig>())
    {
        Some(config) => Ok(config),
        None => {
            internal_err!("the current risk points: the scan of every version is not a file scan")
        }
    }
}

/// The object-store location DataFusion gives `file`, registered as `register_table` does.
fn location(file: &Path) -> Result<String> {
    Ok(super::file_url(file)?.prefix().as_ref().to_owned())
}

/// The rows of `file` to read: `None` when every row is current; and with `split`, the current
/// rows of each of `split` partitions by unit name (see [`ByUnit`]).
fn rows_to_read(
    file: &Path,
    superseded: &HashSet<i64>,
    split: Option<usize>,
) -> Result<(Option<RowSelection>, Vec<RowSelection>)> {
    let opened = std::fs::File::open(file).map_err(|e| Error::io("reading", file, e))?;
    // The footer, read once.
    let mut metadata = ArrowReaderMetadata::load(&opened, ArrowReaderOptions::new())?;
    if split.is_some() {
        // The unit names as a dictionary, as Parquet stores them: each distinct name is hashed
        // once per batch, not once per row.
        let schema = metadata.schema();
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .map(|f| {
                if f.name() == "unit_name" {
                    Field::new(
                        f.name(),
                        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                        f.is_nullable(),
                    )
                } else {
                    Field::clone(f)
                }
            })
            .collect();
        let schema = Schema::new_with_metadata(fields, schema.metadata().clone());
        let options = ArrowReaderOptions::new().with_schema(Arc::new(schema));
        metadata = ArrowReaderMetadata::try_new(Arc::clone(metadata.metadata()), options)?;
    }
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(opened, metadata);
    let leaf = |name: &str| {
        builder
            .parquet_schema()
            .columns()
            .iter()
            .position(|c| c.path().string() == name)
            .ok_or_else(|| Error::store(file, format!("the file has no {name} column")))
    };
    let key_leaf = leaf("hash_key")?;
    let unit_leaf = match split {
        Some(_) => Some(leaf("unit_name")?),
        None => None,
    };
    let mask = ProjectionMask::leaves(
        builder.parquet_schema(),
        std::iter::once(key_leaf).chain(unit_leaf),
    );
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()?;
    let partitions = split.unwrap_or(0);
    // Runs of kept and skipped rows, as (keep, rows); a submission's rows lie together. And for
    // each partition, runs of its rows and the others'.
    let mut runs: Vec<(bool, usize)> = Vec::new();
    let mut parts: Vec<Vec<(bool, usize)>> = vec![Vec::new(); partitions];
    let mut last: Option<(i64, bool)> = None;
    let mut hashes: Vec<u64> = Vec::new();
    for batch in reader {
        let batch = batch?;
        let schema = batch.schema();
        let keys = batch
            .column(schema.index_of("hash_key").map_err(DataFusionError::from)?)
            .as_primitive::<Int64Type>();
        if split.is_some() {
            let units = batch.column(
                schema
                    .index_of("unit_name")
                    .map_err(DataFusionError::from)?,
            );
            let Some(units) = units.as_dictionary_opt::<Int32Type>() else {
                return Err(Error::store(file, "unit_name is not read as a dictionary"));
            };
            let by_name = super::unit_hashes(units.values().as_ref())?;
            hashes.clear();
            hashes.extend(units.keys().iter().map(|k| {
                match k {
                    Some(k) => usize::try_from(k)
                        .ok()
                        .and_then(|k| by_name.get(k))
                        .copied()
                        .unwrap_or(0),
                    None => 0,
                }
            }));
        }
        for i in 0..keys.len() {
            let keep = superseded.is_empty()
                || keys.is_valid(i) && {
                    let k = keys.value(i);
                    match last {
                        Some((before, answer)) if before == k => answer,
                        _ => {
                            let answer = !superseded.contains(&k);
                            last = Some((k, answer));
                            answer
                        }
                    }
                };
            push_run(&mut runs, keep);
            // Without a split, `hashes` stays empty (and `partitions` is 0).
            if let Some(hash) = hashes.get(i) {
                let p = hash % partitions as u64;
                for (q, part) in (0u64..).zip(parts.iter_mut()) {
                    push_run(part, keep && q == p);
                }
            }
        }
    }
    let parts = parts.into_iter().map(selection).collect();
    if runs.iter().all(|(keep, _)| *keep) {
        return Ok((None, parts));
    }
    Ok((Some(selection(runs)), parts))
}

/// Adds a row to `runs` of (selected, rows).
fn push_run(runs: &mut Vec<(bool, usize)>, selected: bool) {
    match runs.last_mut() {
        Some((kind, rows)) if *kind == selected => *rows += 1,
        _ => runs.push((selected, 1)),
    }
}

/// The selection of `runs` of (selected, rows).
fn selection(runs: Vec<(bool, usize)>) -> RowSelection {
    let selectors: Vec<RowSelector> = runs
        .into_iter()
        .map(|(keep, rows)| {
            if keep {
                RowSelector::select(rows)
            } else {
                RowSelector::skip(rows)
            }
        })
        .collect();
    RowSelection::from(selectors)
}

/// Puts back together the scans split by unit (see [`ByUnit`]) that no operator above needs
/// split: a split scan decodes every page in each partition, for its part of the rows, and
/// cannot share work between partitions. A scan is needed split when an operator above it
/// requires its input partitioned by key (a grouping by unit name with no repartition) with
/// only operators between that keep the partitioning. Unsplit, it has as many partitions,
/// each reading whole files (the current rows of each), shared between partitions as they go.
#[derive(Debug, Default)]
pub struct UnsplitScans;

impl PhysicalOptimizerRule for UnsplitScans {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        config: &ConfigOptions,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        unsplit(plan, false, config)
    }

    fn name(&self) -> &str {
        "unsplit_scans"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// `plan` with the split scans under it unsplit unless `needed` (an operator above relies on
/// `plan`'s partitioning).
fn unsplit(
    plan: Arc<dyn ExecutionPlan>,
    needed: bool,
    options: &ConfigOptions,
) -> DfResult<Arc<dyn ExecutionPlan>> {
    if let Some(config) = split_scan(&plan) {
        if needed {
            return Ok(plan);
        }
        return Ok(whole_files(config, options)?.unwrap_or(plan));
    }
    let children = plan.children();
    if children.is_empty() {
        return Ok(plan);
    }
    // Operators that make their own partitioning: nothing above relies on their input's.
    let repartitions = plan.is::<RepartitionExec>()
        || plan.is::<CoalescePartitionsExec>()
        || plan.is::<SortPreservingMergeExec>();
    let required = plan.input_distribution_requirements();
    let mut changed = false;
    let mut new_children = Vec::with_capacity(children.len());
    for (i, child) in children.into_iter().enumerate() {
        #[allow(deprecated)]
        let child_needed = match required.child_distribution(i) {
            Some(Distribution::KeyPartitioned(_) | Distribution::HashPartitioned(_)) => true,
            Some(Distribution::SinglePartition) => false,
            _ => needed && !repartitions,
        };
        let new = unsplit(Arc::clone(child), child_needed, options)?;
        changed |= !Arc::ptr_eq(&new, child);
        new_children.push(new);
    }
    if changed {
        replace_children_if_necessary(plan, new_children)
    } else {
        Ok(plan)
    }
}

/// The scan's configuration if `plan` is a scan split by unit.
fn split_scan(plan: &Arc<dyn ExecutionPlan>) -> Option<&FileScanConfig> {
    let config = plan
        .downcast_ref::<DataSourceExec>()?
        .data_source()
        .downcast_ref::<FileScanConfig>()?;
    let Some(Partitioning::Hash(exprs, _)) = &config.output_partitioning else {
        return None;
    };
    let by_unit = exprs.len() == 1
        && exprs[0]
            .downcast_ref::<Column>()
            .is_some_and(|c| c.name() == "unit_name");
    let selected = config.file_groups.iter().all(|g| {
        g.files()
            .iter()
            .all(|f| f.extensions.contains::<ParquetRowSelection>())
    });
    (by_unit && selected).then_some(config)
}

/// The file groups of a split scan's plan unsplit, kept on its first file.
#[derive(Debug)]
struct Unsplit(Vec<FileGroup>);

/// A split scan unsplit: the files as the table of every version grouped them, then split into
/// byte ranges across partitions as DataFusion splits any scan (`repartition_file_scans`).
/// `None` when the scan does not carry its unsplit groups.
fn whole_files(
    config: &FileScanConfig,
    options: &ConfigOptions,
) -> DfResult<Option<Arc<dyn ExecutionPlan>>> {
    let Some(Unsplit(groups)) = config
        .file_groups
        .iter()
        .flat_map(|g| g.files())
        .find_map(|f| f.extensions.get::<Unsplit>())
    else {
        return Ok(None);
    };
    let config = FileScanConfigBuilder::from(config.clone())
        .with_file_groups(groups.clone())
        .with_output_partitioning(None)
        .build();
    let plan = DataSourceExec::from_data_source(config);
    if !options.optimizer.repartition_file_scans {
        return Ok(Some(plan));
    }
    let target = options.execution.target_partitions;
    Ok(Some(plan.repartitioned(target, options)?.unwrap_or(plan)))
}
