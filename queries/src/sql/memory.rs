//! How much memory a session's queries may hold, and where they spill when they need more.
//!
//! Every session gets a DataFusion memory pool of a fixed size ([`MemoryLimit`]): sorts,
//! aggregations and the like that can spill write their state to temporary files (in the system's
//! temporary folder, `TMPDIR`) when the pool is full, and a query that cannot
//! spill fails with an error that names the limit and how to raise it, instead of taking the
//! machine's memory. The limit comes from, in order: [`set_memory_limit`] (the `sunlight`
//! binary's `--memory-limit`), the environment variable [`ENV`], and [`MemoryLimit::default`]
//! (1.5 GiB, or half the machine's memory when that is less).
//!
//! The pool counts what the operators reserve (hash tables, sort buffers, accumulators), not
//! every allocation: the process's peak resident memory is somewhat above the limit.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::memory_pool::{
    MemoryConsumer, MemoryPool, MemoryReservation, TrackConsumersPool, human_readable_size,
};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};

use crate::error::{Error, Result};

/// The environment variable that sets the memory limit, e.g. `SUNLIGHT_MEMORY_LIMIT=4G`.
pub const ENV: &str = "SUNLIGHT_MEMORY_LIMIT";

const GIB: u64 = 1 << 30;

/// The default limit, unless half the machine's memory is less: 1.5 GiB.
///
/// Under 1 GiB, `yoy_changes` at 10 M risk points spilled about 100 MB from the repartition in
/// front of its last joins, and took 4.9–7.0 s (DuckDB: 5.5–6.1 s); under 1.5 GiB, 4.7–5.1 s.
/// `sunlight report` at 10 M then peaks at about 1.73 GiB, against 1.67 GiB under 1 GiB
/// (queries/benches/compare.sh).
const DEFAULT_BYTES: u64 = 3 * GIB / 2;

/// The memory a session's queries may hold: a number of bytes, or no limit.
///
/// Written as a number with an optional binary unit, `K`, `M`, `G` or `T` (`KiB`, `MB`… are
/// read the same: powers of 1024), or `none` for no limit:
///
/// ```
/// use sunlight_queries::sql::MemoryLimit;
/// assert_eq!("1.5G".parse::<MemoryLimit>().ok(), Some(MemoryLimit::Bytes(3 << 29)));
/// assert_eq!("512 MiB".parse::<MemoryLimit>().ok(), Some(MemoryLimit::Bytes(512 << 20)));
/// assert_eq!("none".parse::<MemoryLimit>().ok(), Some(MemoryLimit::Unlimited));
/// assert!("lots".parse::<MemoryLimit>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryLimit {
    /// At most this many bytes (never zero).
    Bytes(u64),
    /// No limit: queries never spill and take what they need.
    Unlimited,
}

impl Default for MemoryLimit {
    /// 1.5 GiB, or half the machine's memory (from `/proc/meminfo`) when that is less.
    fn default() -> Self {
        let half_ram = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map(|kib| kib * 1024 / 2)
            .filter(|&b| b > 0);
        MemoryLimit::Bytes(half_ram.map_or(DEFAULT_BYTES, |h| h.min(DEFAULT_BYTES)))
    }
}

impl FromStr for MemoryLimit {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || {
            format!(
                "'{s}' is not a memory size; write e.g. 512M, 2G or 1.5GiB (powers of 1024), or none"
            )
        };
        let t = s.trim();
        if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("unlimited") {
            return Ok(MemoryLimit::Unlimited);
        }
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let number: f64 = number.parse().map_err(|_| bad())?;
        let unit = unit.trim().to_ascii_lowercase();
        let scale: u64 = match unit.trim_end_matches('b').trim_end_matches('i') {
            "" => 1,
            "k" => 1 << 10,
            "m" => 1 << 20,
            "g" => GIB,
            "t" => 1 << 40,
            _ => return Err(bad()),
        };
        let bytes = (number * scale as f64).round();
        if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
            return Err(bad());
        }
        Ok(MemoryLimit::Bytes(bytes as u64))
    }
}

impl fmt::Display for MemoryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MemoryLimit::Unlimited => f.write_str("none"),
            // Tenths of a gibibyte print as written ("1.5G"), whole mebibytes as "512M".
            MemoryLimit::Bytes(b) if b >= GIB && (u128::from(b) * 10) % u128::from(GIB) == 0 => {
                write!(f, "{}G", b as f64 / GIB as f64)
            }
            MemoryLimit::Bytes(b) if b >= 1 << 20 && b % (1 << 20) == 0 => {
                write!(f, "{}M", b >> 20)
            }
            MemoryLimit::Bytes(b) => write!(f, "{b}"),
        }
    }
}

impl MemoryLimit {
    /// The limit from the environment variable [`ENV`], or the default when it is not set.
    pub fn from_env() -> Result<MemoryLimit> {
        match std::env::var(ENV) {
            Ok(v) => v
                .parse()
                .map_err(|e| Error::Usage(format!("the environment variable {ENV}: {e}"))),
            Err(std::env::VarError::NotPresent) => Ok(MemoryLimit::default()),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::Usage(format!(
                "the environment variable {ENV} is not valid Unicode"
            ))),
        }
    }
}

static LIMIT: OnceLock<MemoryLimit> = OnceLock::new();

/// Sets the limit of every session this process opens from now on, over [`ENV`]. The first call
/// wins (the binary makes it once, at start).
pub fn set_memory_limit(limit: MemoryLimit) {
    let _ = LIMIT.set(limit);
}

/// The limit a new session gets: the one set with [`set_memory_limit`], else [`ENV`]'s, else the
/// default.
pub fn memory_limit() -> Result<MemoryLimit> {
    match LIMIT.get() {
        Some(l) => Ok(*l),
        None => MemoryLimit::from_env(),
    }
}

/// A runtime whose memory pool holds `limit`, with spilling to temporary files.
pub fn runtime_env(limit: MemoryLimit) -> Result<Arc<RuntimeEnv>> {
    let builder = RuntimeEnvBuilder::new();
    let builder = match limit {
        MemoryLimit::Unlimited => builder,
        MemoryLimit::Bytes(bytes) => {
            let size = usize::try_from(bytes).unwrap_or(usize::MAX);
            builder.with_memory_pool(Arc::new(LimitedPool {
                inner: TrackConsumersPool::new(SharePool::new(size), TOP_CONSUMERS),
                limit,
            }))
        }
    };
    Ok(builder.build_arc()?)
}

/// How many of the largest consumers an out-of-memory error lists.
const TOP_CONSUMERS: NonZeroUsize = NonZeroUsize::MIN.saturating_add(4);

/// The session's pool ([`SharePool`]), whose out-of-memory errors also say how to raise the limit.
#[derive(Debug)]
struct LimitedPool {
    inner: TrackConsumersPool<SharePool>,
    limit: MemoryLimit,
}

impl fmt::Display for LimitedPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sunlight({})", self.inner)
    }
}

impl MemoryPool for LimitedPool {
    fn name(&self) -> &str {
        "sunlight"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        self.inner.register(consumer);
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        self.inner.unregister(consumer);
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.inner.grow(reservation, additional);
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.inner.shrink(reservation, shrink);
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> DfResult<()> {
        // Operators that can spill catch this error and spill; the hint reaches the user only
        // from those that cannot. The variant stays the same so that they still recognise it.
        self.inner
            .try_grow(reservation, additional)
            .map_err(|e| match e {
                DataFusionError::ResourcesExhausted(m) => {
                    DataFusionError::ResourcesExhausted(format!(
                        "{m}\nThe query needs more memory than Sunlight's limit of {} for a \
                         session; raise it with `sunlight --memory-limit SIZE` or the environment \
                         variable {ENV} (e.g. {ENV}=4G, or none for no limit)",
                        self.limit
                    ))
                }
                other => other,
            })
    }

    fn reserved(&self) -> usize {
        self.inner.reserved()
    }

    fn memory_limit(&self) -> datafusion::execution::memory_pool::MemoryLimit {
        self.inner.memory_limit()
    }
}

/// The name DataFusion gives the memory of a partition's sort (`ExternalSorter[0]`); its merge
/// is `ExternalSorterMerge[0]`, which cannot spill.
const SORT: &str = "ExternalSorter[";

/// A pool that shares the memory among the operators that hold some, not among all that could.
///
/// DataFusion's fair pool gives every operator that can spill an equal share of what the
/// operators that cannot spill leave, whether it holds memory or not. DataFusion 55 registers
/// every repartition and every partial aggregation as one that can spill, so a grouping of risk
/// points over two partitions ran with six such operators and its two final aggregations spilled
/// at a sixth of the limit each, while the other four held almost nothing: at 10 M risk points,
/// `level_counts` spilled 481 MB and took about twice its time without a limit.
///
/// Here an operator that can spill may grow:
/// - always up to the fair pool's share (the limit less what the operators that cannot spill
///   hold, divided among all that can), as DataFusion's operators expect: one under its share
///   that is refused cannot always spill to make room;
/// - beyond it up to its *water level*: the share it gets when the others that hold less than an
///   equal share keep what they hold and the rest is divided equally among the larger ones and
///   itself, as long as all that can spill then leave free an eighth of the limit, or as much as
///   those that cannot spill hold if that is more (a merge of spill files grows beyond what it
///   planned for, and a refusal fails the query). This alone did not stop the failures below.
///
/// A sort (`ExternalSorter`) grows only to its fair share, as in the fair pool. With the water
/// level, the 10 M catalog query failed one run in two: one partition's sort held 707 MB when
/// its input ended, and sorted it in memory, while the other partition's merge of its spill
/// files, holding 288 MB, was refused 4 MB more.
///
/// One above its level (because others started to hold memory after it grew) is refused on its
/// next request and spills. The operators that cannot spill (hash tables of joins, merges) get
/// whatever is left of the limit, and always their part of the last eighth (the eighth divided
/// among them): without it, a report at 10 M risk points failed when a sort's merge got nothing
/// while one partition's sort held all the rest; and with the eighth shared first come, first
/// served, it failed when one partition's merge took all of it and the other's got nothing.
/// Not the greedy pool (first come, first served), although it made `yoy_changes`' one big
/// aggregation about a third faster at 1 M risk points: at 10 M, the report's catalog query
/// sorted in both partitions at once, one partition's sort took 848 MB of the 1 GiB before it
/// spilled, and the other's merge, which cannot spill, then failed.
#[derive(Debug)]
struct SharePool {
    size: usize,
    state: Mutex<ShareState>,
}

#[derive(Debug, Default)]
struct ShareState {
    /// Every registered consumer: whether it can spill, and the bytes its reservations hold.
    consumers: HashMap<usize, (bool, usize)>,
    /// The number of consumers that can spill.
    spillers: usize,
    /// Bytes held by consumers that can spill.
    spillable: usize,
    /// Bytes held by consumers that cannot.
    unspillable: usize,
}

impl SharePool {
    fn new(size: usize) -> SharePool {
        SharePool {
            size,
            state: Mutex::new(ShareState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ShareState> {
        // The state is a few counters, consistent after every statement: a panic elsewhere
        // while it was held leaves nothing half done.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The most one consumer may hold when `total` bytes are shared among it and consumers holding
/// `others`: those below the level keep what they hold, the rest and it get the level.
fn water_level(total: usize, mut others: Vec<usize>) -> usize {
    others.sort_unstable();
    let mut rest = total;
    let mut sharing = others.len() + 1;
    for held in others {
        let level = rest / sharing;
        if held >= level {
            return level;
        }
        rest -= held;
        sharing -= 1;
    }
    rest
}

impl ShareState {
    /// Applies `op` (`usize::saturating_add` or `saturating_sub`) with `bytes` to what consumer
    /// `id` holds and to its kind's total.
    fn change(&mut self, id: usize, can_spill: bool, bytes: usize, op: fn(usize, usize) -> usize) {
        if let Some(c) = self.consumers.get_mut(&id) {
            c.1 = op(c.1, bytes);
        }
        let total = if can_spill {
            &mut self.spillable
        } else {
            &mut self.unspillable
        };
        *total = op(*total, bytes);
    }
}

impl fmt::Display for SharePool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "share(pool_size: {})", human_readable_size(self.size))
    }
}

impl MemoryPool for SharePool {
    fn name(&self) -> &str {
        "share"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        let mut state = self.lock();
        state
            .consumers
            .insert(consumer.id(), (consumer.can_spill(), 0));
        if consumer.can_spill() {
            state.spillers += 1;
        }
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        let mut state = self.lock();
        if let Some((can_spill, held)) = state.consumers.remove(&consumer.id()) {
            // Reservations are freed before their consumer goes; this only keeps the totals
            // right if one was not.
            state.change(consumer.id(), can_spill, held, usize::saturating_sub);
            if can_spill {
                state.spillers = state.spillers.saturating_sub(1);
            }
        }
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        let c = reservation.consumer();
        self.lock()
            .change(c.id(), c.can_spill(), additional, usize::saturating_add);
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        let c = reservation.consumer();
        self.lock()
            .change(c.id(), c.can_spill(), shrink, usize::saturating_sub);
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> DfResult<()> {
        let consumer = reservation.consumer();
        let id = consumer.id();
        let mut state = self.lock();
        let held = state.consumers.get(&id).map_or(0, |c| c.1);
        let wanted = held.saturating_add(additional);
        let available = if consumer.can_spill() {
            let for_spillers = self.size.saturating_sub(state.unspillable);
            let fair = for_spillers / state.spillers.max(1);
            // Beyond its fair share, a spiller leaves free at least an eighth of the limit, and at
            // least as much as those that cannot spill hold: they grow (a merge of spill files
            // reads bigger batches than it planned for) and fail the query when refused.
            let shared = self
                .size
                .saturating_sub(state.unspillable)
                .saturating_sub(state.unspillable.max(self.size / 8));
            let level = water_level(
                shared,
                state
                    .consumers
                    .iter()
                    .filter(|(k, c)| c.0 && **k != id)
                    .map(|(_, c)| c.1)
                    .collect(),
            );
            // A sort keeps to its fair share: after it spills, its merge of the spill files
            // cannot spill, and needs room that another sort above its share would still hold
            // while it sorts what it holds in memory.
            let sort = consumer.name().starts_with(SORT);
            if wanted <= fair
                || (!sort
                    && wanted <= level
                    && state.spillable.saturating_add(additional) <= shared)
            {
                None
            } else if sort {
                Some(fair.saturating_sub(held))
            } else {
                let room = shared.saturating_sub(state.spillable.saturating_sub(held));
                Some(fair.max(level.min(room)))
            }
        } else {
            // The last eighth is divided among the operators that cannot spill: each may always
            // hold its part, and one beyond its part takes what is free less the parts the
            // others do not hold yet.
            let others: Vec<usize> = state
                .consumers
                .iter()
                .filter(|(k, c)| !c.0 && **k != id)
                .map(|(_, c)| c.1)
                .collect();
            let part = self.size / 8 / (others.len() + 1);
            let owed: usize = others.iter().map(|h| part.saturating_sub(*h)).sum();
            let free = self
                .size
                .saturating_sub(state.unspillable.saturating_add(state.spillable))
                .saturating_sub(owed);
            (wanted > part && additional > free).then_some(free.max(part.saturating_sub(held)))
        };
        match available {
            None => {
                state.change(id, consumer.can_spill(), additional, usize::saturating_add);
                Ok(())
            }
            Some(available) => Err(DataFusionError::ResourcesExhausted(format!(
                "Failed to allocate additional {} for {} with {} already allocated for this \
                 reservation - {} remain available for the total pool",
                human_readable_size(additional),
                consumer.name(),
                human_readable_size(reservation.size()),
                human_readable_size(available),
            ))),
        }
    }

    fn reserved(&self) -> usize {
        let state = self.lock();
        state.spillable.saturating_add(state.unspillable)
    }

    fn memory_limit(&self) -> datafusion::execution::memory_pool::MemoryLimit {
        datafusion::execution::memory_pool::MemoryLimit::Finite(self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        let p = |s: &str| s.parse::<MemoryLimit>();
        assert_eq!(p("2G"), Ok(MemoryLimit::Bytes(2 << 30)));
        assert_eq!(p("2gb"), Ok(MemoryLimit::Bytes(2 << 30)));
        assert_eq!(p(" 300 MiB "), Ok(MemoryLimit::Bytes(300 << 20)));
        assert_eq!(p("64k"), Ok(MemoryLimit::Bytes(64 << 10)));
        assert_eq!(p("1000"), Ok(MemoryLimit::Bytes(1000)));
        assert_eq!(p("NONE"), Ok(MemoryLimit::Unlimited));
        assert!(p("0").is_err());
        assert!(p("-1G").is_err());
        assert!(p("1X").is_err());
        assert!(p("").is_err());
    }

    #[test]
    fn limits_print_as_they_are_written() {
        for s in ["1G", "1.5G", "512M", "1000", "none"] {
            assert_eq!(
                s.parse::<MemoryLimit>().map(|l| l.to_string()),
                Ok(s.to_owned())
            );
        }
    }

    async fn count(limit: MemoryLimit, sql: &str) -> DfResult<i64> {
        let ctx = datafusion::prelude::SessionContext::new_with_config_rt(
            super::super::config().with_target_partitions(2),
            runtime_env(limit).map_err(DataFusionError::from)?,
        );
        let batches = ctx.sql(sql).await?.collect().await?;
        let n = batches
            .first()
            .and_then(|b| {
                b.column(0)
                    .as_any()
                    .downcast_ref::<datafusion::arrow::array::Int64Array>()
            })
            .map_or(-1, |a| a.value(0));
        Ok(n)
    }

    #[tokio::test]
    async fn a_query_that_cannot_spill_says_how_to_raise_the_limit() {
        // A hash join's build side cannot spill.
        let sql = "SELECT COUNT(*) FROM generate_series(1, 1000000) a \
                   JOIN generate_series(1, 1000000) b ON a.value = b.value * 2";
        let e = count(MemoryLimit::Bytes(1 << 20), sql).await.err();
        let m = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(m.contains("Resources exhausted"), "{m}");
        assert!(m.contains("--memory-limit") && m.contains(ENV), "{m}");
        assert_eq!(count(MemoryLimit::Unlimited, sql).await.ok(), Some(500_000));
    }

    /// DataFusion 55's `RepartitionExec`, when it cannot reserve memory for a batch, writes it to
    /// a spill pool whose reader waits on the oldest of its open files; with two files open it
    /// could wait for ever (apache/datafusion#24883). Found as a 10 M-risk-point report that
    /// stopped with every thread asleep. This is that issue's query: without the patch in
    /// `vendor/` it hangs on its first attempt.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_repartition_under_the_limit_does_not_hang() -> DfResult<()> {
        let config = super::super::config()
            .with_target_partitions(2)
            .with_batch_size(64);
        let ctx = datafusion::prelude::SessionContext::new_with_config_rt(
            config,
            runtime_env(MemoryLimit::Bytes(4 << 20)).map_err(DataFusionError::from)?,
        );
        ctx.sql(
            "CREATE TABLE t AS SELECT value % 13 AS g, \
               repeat(CAST(value % 337 AS VARCHAR), 12) AS trace_id \
             FROM generate_series(1, 40000)",
        )
        .await?
        .collect()
        .await?;
        for attempt in 0..6 {
            let run = async {
                ctx.sql("SELECT g, COUNT(DISTINCT trace_id) AS n FROM t GROUP BY g")
                    .await?
                    .collect()
                    .await
            };
            let batches = tokio::time::timeout(std::time::Duration::from_secs(30), run)
                .await
                .map_err(|_| {
                    DataFusionError::Execution(format!("attempt {attempt} hung for 30 s"))
                })??;
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            assert_eq!(rows, 13, "attempt {attempt}");
        }
        Ok(())
    }

    /// DataFusion 55's sort charged each batch of an aggregation's output for every text of
    /// the whole output (the batches are slices of one array of string views, sharing its
    /// buffers), so sorting a few hundred thousand groups spilled under a limit far above what
    /// it held: 17 spills for `report_types_by_department` at 10 M risk points. The patch in
    /// `vendor/` compacts such batches first. Without it this sort spills: each partition's
    /// 300,000 names (10 MB) come in 37 slices, each charged for all of them, twice (a first
    /// version of the patch, which compacted only the texts, failed here with 4 spills).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sort_of_grouped_texts_is_charged_for_what_it_holds() -> DfResult<()> {
        let ctx = datafusion::prelude::SessionContext::new_with_config_rt(
            super::super::config().with_target_partitions(2),
            runtime_env(MemoryLimit::Bytes(512 << 20)).map_err(DataFusionError::from)?,
        );
        ctx.sql(
            "CREATE TABLE t AS SELECT arrow_cast(concat('某某县某某局第', CAST(value % 600000 AS VARCHAR), \
               '科室'), 'Utf8View') AS name FROM generate_series(1, 1200000)",
        )
        .await?
        .collect()
        .await?;
        let sql = "SELECT name, COUNT(*) AS n FROM t GROUP BY name ORDER BY name";
        let batches = ctx.sql(sql).await?.collect().await?;
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 600_000);
        let plan = ctx
            .sql(&format!("EXPLAIN ANALYZE {sql}"))
            .await?
            .collect()
            .await?;
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&plan)?.to_string();
        let sort = text
            .lines()
            .find(|l| l.contains("SortExec"))
            .unwrap_or_default();
        assert!(sort.contains("spill_count=0"), "{sort}");
        Ok(())
    }

    #[test]
    fn the_water_level_leaves_small_holders_what_they_hold() {
        assert_eq!(water_level(100, vec![]), 100);
        assert_eq!(water_level(100, vec![10, 0]), 90);
        assert_eq!(water_level(100, vec![60, 60]), 33);
        assert_eq!(water_level(100, vec![70, 5]), 47);
        assert_eq!(water_level(0, vec![3]), 0);
    }

    #[test]
    fn idle_spillers_do_not_shrink_the_busy_ones_share() {
        let pool = gib_pool();
        let spiller = |name: &str| spiller(&pool, name);
        // Six that can spill (the fair pool's share: 170 MiB each), two of them busy.
        let idle: Vec<_> = (0..4).map(|i| spiller(&format!("idle {i}"))).collect();
        let (a, b) = (spiller("a"), spiller("b"));
        for _ in 0..44 {
            a.try_grow(10 * MIB).expect("a within its level");
            b.try_grow(10 * MIB).expect("b within its level");
        }
        // Together they may hold seven eighths of the limit: about 448 MiB each.
        assert!(a.try_grow(20 * MIB).is_err());
        // An idle one gets what is left of the seven eighths, and its fair share in any case.
        idle[0]
            .try_grow(10 * MIB)
            .expect("within the seven eighths");
        idle[1].try_grow(100 * MIB).expect("the fair share");
        assert!(b.try_grow(10 * MIB).is_err());
        // One that cannot spill gets the last eighth in any case, and no more once the limit is
        // reached.
        let join = MemoryConsumer::new("join").register(&pool);
        join.try_grow(128 * MIB).expect("the last eighth");
        assert!(join.try_grow(MIB).is_err());
        assert_eq!(pool.reserved(), 1118 * MIB);
        drop((a, b, join, idle));
        assert_eq!(pool.reserved(), 0);
    }

    const MIB: usize = 1 << 20;

    /// A share pool of 1 GiB.
    fn gib_pool() -> Arc<dyn MemoryPool> {
        Arc::new(SharePool::new(1024 * MIB))
    }

    /// A consumer of `pool` that can spill.
    fn spiller(pool: &Arc<dyn MemoryPool>, name: &str) -> MemoryReservation {
        MemoryConsumer::new(name)
            .with_can_spill(true)
            .register(pool)
    }

    #[test]
    fn each_operator_that_cannot_spill_keeps_its_part_of_the_last_eighth() {
        let pool = gib_pool();
        // As in a 10 M report that failed: two sorts and their merges, one sort holding most.
        let sort = |name: &str| spiller(&pool, name);
        let (s0, s1) = (sort("sort 0"), sort("sort 1"));
        s0.try_grow(200 * MIB).expect("sort 0");
        s1.try_grow(500 * MIB).expect("sort 1");
        let (m0, m1) = (
            MemoryConsumer::new("merge 0").register(&pool),
            MemoryConsumer::new("merge 1").register(&pool),
        );
        // Merge 0 takes what is free but 64 MiB, merge 1's part, which it does not hold yet.
        m0.try_grow(260 * MIB).expect("free less the other's part");
        assert!(m0.try_grow(MIB).is_err(), "merge 1's part is kept");
        for _ in 0..64 {
            m1.try_grow(MIB).expect("its part of the last eighth");
        }
        assert!(m1.try_grow(MIB).is_err(), "the limit is reached");
        // A third comes after the limit is reached: its part (a third of the eighth) overruns
        // the limit by at most the eighth.
        let m2 = MemoryConsumer::new("merge 2").register(&pool);
        m2.try_grow(42 * MIB).expect("its part");
        assert!(m2.try_grow(MIB).is_err());
    }

    #[test]
    fn a_sort_keeps_to_its_fair_share() {
        let pool = gib_pool();
        let sort = |name: &str| spiller(&pool, name);
        let (s0, _s1) = (sort("ExternalSorter[0]"), sort("ExternalSorter[1]"));
        let agg = sort("GroupedHashAggregateStream[0]");
        // Three that can spill: 341 MiB each; the aggregation may go beyond it, the sort not.
        s0.try_grow(340 * MIB).expect("the fair share");
        assert!(s0.try_grow(10 * MIB).is_err(), "a sort spills at its share");
        agg.try_grow(400 * MIB).expect("up to its water level");
    }

    #[test]
    fn spillers_leave_free_as_much_as_the_others_hold() {
        let pool = gib_pool();
        let sort = |name: &str| spiller(&pool, name);
        let (s0, _s1) = (sort("sort 0"), sort("sort 1"));
        let merge = MemoryConsumer::new("merge 1").register(&pool);
        merge.try_grow(200 * MIB).expect("the merge");
        // The fair share is (1024 - 200) / 2 = 412 MiB; beyond it, sort 0 must leave 200 MiB
        // free: 624 MiB at most.
        s0.try_grow(600 * MIB).expect("within 624 MiB");
        assert!(s0.try_grow(30 * MIB).is_err(), "it must spill");
        merge
            .try_grow(150 * MIB)
            .expect("the merge grows into what was left free");
    }

    #[test]
    fn a_spiller_above_its_level_is_refused_until_it_spills() {
        let pool = gib_pool();
        let (a, b) = (spiller(&pool, "a"), spiller(&pool, "b"));
        a.try_grow(700 * MIB).expect("alone, up to seven eighths");
        // b gets the fair share (half) although only 196 MiB of the seven eighths are left.
        b.try_grow(200 * MIB).expect("the fair share");
        // a is now above its level (896 - 200 = 696 MiB) and must spill before it grows.
        assert!(a.try_grow(MIB).is_err());
        a.shrink(700 * MIB);
        a.try_grow(500 * MIB).expect("after spilling");
    }

    #[test]
    fn the_default_is_at_most_one_and_a_half_gibibytes() {
        match MemoryLimit::default() {
            MemoryLimit::Bytes(b) => assert!(b > 0 && b <= 3 * GIB / 2),
            MemoryLimit::Unlimited => panic!("the default has a limit"),
        }
    }
}
