//! Ingest end to end, through the real `sunlight` binary: killed midway and re-run, run twice,
//! fed a corpus of bad files, and raced by a second ingest.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sunlight_queries::store::Manifest;

const BIN: &str = env!("CARGO_BIN_EXE_sunlight");

fn sunlight(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// Every line of the demo's NDJSON files: (submissions, risk points).
fn demo_totals(input: &Path) -> (u64, u64) {
    let mut subs = 0;
    let mut rows = 0;
    for scheme in std::fs::read_dir(input.join("submissions")).unwrap() {
        for f in std::fs::read_dir(scheme.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                subs += 1;
                rows += v["rows"].as_array().unwrap().len() as u64;
            }
        }
    }
    (subs, rows)
}

/// Every line of the demo's event files: (batches, events).
fn demo_event_totals(input: &Path) -> (u64, u64) {
    let mut batches = 0;
    let mut events = 0;
    for f in std::fs::read_dir(input.join("events")).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            batches += 1;
            events += v["events"].as_array().unwrap().len() as u64;
        }
    }
    (batches, events)
}

/// Event batches and events in the store: (rows, distinct (batch, event) pairs, distinct batches).
fn event_counts(store: &Path) -> (u64, u64, u64) {
    let r = common::query(
        store,
        "WITH e AS ( \
           SELECT hash, event_no FROM archive_events_all \
           UNION ALL SELECT hash, event_no FROM review_events_all \
           UNION ALL SELECT hash, event_no FROM office_records_all) \
         SELECT (SELECT COUNT(*) FROM e) AS a, \
                (SELECT COUNT(*) FROM (SELECT DISTINCT hash, event_no FROM e)) AS b, \
                (SELECT COUNT(DISTINCT hash) FROM e) AS c",
    );
    let n: Vec<u64> = r[0].iter().map(|s| s.parse().unwrap()).collect();
    (n[0], n[1], n[2])
}

fn counts(store: &Path) -> (u64, u64, u64, u64) {
    let r = common::query(
        store,
        "SELECT (SELECT COUNT(*) FROM submissions_all) AS a, \
                (SELECT COUNT(DISTINCT hash) FROM submissions_all) AS b, \
                (SELECT COUNT(*) FROM risk_points_all) AS c, \
                (SELECT COUNT(*) FROM (SELECT DISTINCT hash, row_no FROM risk_points_all)) AS d",
    );
    let n: Vec<u64> = r[0].iter().map(|s| s.parse().unwrap()).collect();
    (n[0], n[1], n[2], n[3])
}

/// `sunlight ingest --quiet` of `input` into `store`, which must succeed.
fn ingest_into(store: &Path, input: &Path) {
    let out = sunlight(&[
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn demo(dir: &Path, units: &str) -> PathBuf {
    let input = dir.join("input");
    let out = sunlight(&[
        "demo-data",
        "--out",
        input.to_str().unwrap(),
        "--units",
        units,
        "--years",
        "2012..2013",
        "--seed",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    input
}

/// A scratch folder `name` with one unit's demo data in `input/` and its submissions ingested
/// into `store/`: (the folder, the input, the store).
fn one_unit_store(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = common::scratch(name);
    let input = demo(&dir, "1");
    let store = dir.join("store");
    ingest_into(&store, &input.join("submissions"));
    (dir, input, store)
}

/// Tables and event batches (archive events, review steps, the register) alike: the event files
/// come first, so the kills land while event batches are being stored.
#[test]
fn killed_ingest_rerun_stores_every_submission_exactly_once() {
    let dir = common::scratch("kill");
    let input = demo(&dir, "3");
    let (subs, rows) = demo_totals(&input);
    let (batches, events) = demo_event_totals(&input);
    let store = dir.join("store");
    let files = input.join("submissions");
    let event_files = input.join("events");
    let args = [
        "ingest",
        event_files.to_str().unwrap(),
        files.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--commit-rows",
        "200",
        "--quiet",
    ];
    // Kill twice, each time after a different number of segments were committed.
    for kill_after in [2u64, 4] {
        let base = Manifest::read(&store).map(|m| m.generation).unwrap_or(0);
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while Manifest::read(&store).map(|m| m.generation).unwrap_or(0) < base + kill_after {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the ingest finished before it could be killed; make the input bigger"
            );
            assert!(started.elapsed() < Duration::from_secs(120), "no progress");
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the ingest finished before it could be killed"
        );
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let m = Manifest::read(&store).unwrap();
        assert!(
            m.submissions < subs,
            "killed too late: everything was stored already"
        );
        // What a killed ingest stored is consistent: no duplicates, nothing half-written counts.
        let (all, distinct, r, rdistinct) = counts(&store);
        assert_eq!(all, distinct);
        assert_eq!(r, rdistinct);
        assert_eq!(all, m.submissions);
        let (e, edistinct, stored_batches) = event_counts(&store);
        assert_eq!(e, edistinct, "an event stored twice");
        assert!(stored_batches <= batches);
        if kill_after == 2 {
            assert!(
                stored_batches > 0 && stored_batches < batches,
                "the first kill must land while event batches are stored: {stored_batches} of {batches}"
            );
        }
    }
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (all, distinct, r, rdistinct) = counts(&store);
    assert_eq!(
        (all, distinct),
        (subs, subs),
        "every submission exactly once"
    );
    assert_eq!(
        (r, rdistinct),
        (rows, rows),
        "every risk point exactly once"
    );
    assert_eq!(
        event_counts(&store),
        (events, events, batches),
        "every event batch and every event exactly once"
    );
    // No stray files: everything in the data folders is listed in the manifest.
    let m = Manifest::read(&store).unwrap();
    for table in sunlight_queries::store::TABLES {
        let on_disk = std::fs::read_dir(store.join("data").join(table))
            .unwrap()
            .count();
        assert_eq!(
            on_disk,
            m.files(table).len(),
            "{table}: files not in the manifest remain"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ingesting_the_same_files_twice_stores_them_once() {
    let dir = common::scratch("twice");
    let input = demo(&dir, "1");
    let (subs, rows) = demo_totals(&input);
    let (batches, events) = demo_event_totals(&input);
    let store = dir.join("store");
    let files = input.join("submissions");
    let event_files = input.join("events");
    let args = [
        "ingest",
        files.to_str().unwrap(),
        event_files.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ];
    let first = sunlight(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(
        text.contains(&format!("{} stored", subs + batches)),
        "{text}"
    );
    assert!(text.contains(&format!("{events} events")), "{text}");
    let second = sunlight(&args);
    assert!(second.status.success());
    let text = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(text.contains(": 0 stored"), "{text}");
    assert!(
        text.contains(&format!("{} already in the store", subs + batches)),
        "{text}"
    );
    let (all, distinct, r, _) = counts(&store);
    assert_eq!((all, distinct, r), (subs, subs, rows));
    assert_eq!(event_counts(&store), (events, events, batches));
    std::fs::remove_dir_all(&dir).ok();
}

/// The annual evaluation reads one year: each row group of a table that has a year holds rows
/// of one year and says so in its statistics (so a query of one year skips the others'), and
/// nothing is lost or doubled on the way.
#[test]
fn each_row_group_of_a_table_with_a_year_holds_one_year() {
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    use datafusion::parquet::file::statistics::Statistics;

    let (dir, _, store) = one_unit_store("years");
    let m = Manifest::read(&store).unwrap();
    for table in ["submissions", "risk_points", "measures"] {
        let mut rows_by_year = std::collections::BTreeMap::new();
        for file in m.files(table) {
            let reader =
                SerializedFileReader::new(std::fs::File::open(store.join(file)).unwrap()).unwrap();
            let meta = reader.metadata();
            let column = meta
                .file_metadata()
                .schema_descr()
                .columns()
                .iter()
                .position(|c| c.name() == "year")
                .unwrap();
            for group in meta.row_groups() {
                let Some(Statistics::Int32(stats)) = group.column(column).statistics() else {
                    panic!("{file}: no statistics of the year");
                };
                let year = *stats.min_opt().unwrap();
                assert_eq!(
                    stats.max_opt(),
                    Some(&year),
                    "{file}: a row group of two years"
                );
                *rows_by_year.entry(year).or_insert(0u64) += group.num_rows() as u64;
            }
        }
        let years: Vec<i32> = rows_by_year.keys().copied().collect();
        assert_eq!(years, [2012, 2013], "{table}");
        for (year, rows) in rows_by_year {
            let counted = common::query(
                &store,
                &format!("SELECT COUNT(*) FROM {table}_all WHERE year = {year}"),
            );
            assert_eq!(counted[0][0], rows.to_string(), "{table} {year}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A store begun before the hash keys (its manifest without `hash_keys`, its files without the
/// column) is read as before: its current views ask of the hashes and answer the same, and
/// what is ingested into it later does not change that.
#[test]
fn a_store_begun_before_the_hash_keys_asks_of_the_hashes() {
    let (dir, input, store) = one_unit_store("before-keys");
    let counts = || {
        common::query(
            &store,
            "SELECT (SELECT COUNT(*) FROM submissions) AS s, (SELECT COUNT(*) FROM risk_points) \
               AS r, (SELECT COUNT(*) FROM measures) AS m, \
               (SELECT COUNT(*) FROM risk_point_versions WHERE superseded) AS old",
        )
    };
    let plan = |table: &str| {
        common::query(&store, &format!("EXPLAIN SELECT COUNT(*) FROM {table}"))
            .concat()
            .concat()
    };
    let with_keys = counts();
    assert_ne!(with_keys[0][3], "0", "the demo has superseded versions");
    // The measures ask of the keys; the risk points skip the superseded rows by position.
    assert!(
        plan("measures").contains("superseded_key("),
        "{}",
        plan("measures")
    );
    assert!(
        !plan("risk_points").contains("superseded"),
        "{}",
        plan("risk_points")
    );
    // The manifest as the version before wrote it.
    let path = store.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(m["hash_keys"], true);
    m.as_object_mut().unwrap().remove("hash_keys");
    std::fs::write(&path, m.to_string()).unwrap();
    for table in ["risk_points", "measures"] {
        let before = plan(table);
        assert!(
            before.contains("superseded(") && !before.contains("superseded_key"),
            "{table}: {before}"
        );
    }
    assert_eq!(counts(), with_keys);
    ingest_into(&store, &input.join("events"));
    assert!(!Manifest::read(&store).unwrap().hash_keys);
    std::fs::remove_dir_all(&dir).ok();
}

/// The risk points are filtered as they are decoded, with no filter after the scan, and answer
/// as when filtered after it; the other tables keep the filter after the scan; and no join hands
/// its keys to a scan as a filter, which the risk points' scan would check on every row.
#[test]
fn the_risk_points_are_filtered_as_they_are_decoded() {
    let (dir, _, store) = one_unit_store("late-filter");
    let plan = |sql: &str| {
        let rows = common::query(&store, &format!("EXPLAIN {sql}"));
        let physical = rows.iter().find(|r| r[0] == "physical_plan");
        physical.map(|r| r[1].clone()).unwrap_or_default()
    };
    let filtered =
        "SELECT COUNT(*) FROM risk_points WHERE year = 2013 AND table_kind = 'department'";
    let scan = plan(filtered);
    assert!(scan.contains("DataSourceExec"), "{scan}");
    assert!(!scan.contains("FilterExec"), "{scan}");
    let submissions = plan("SELECT COUNT(*) FROM submissions WHERE year = 2013");
    assert!(submissions.contains("FilterExec"), "{submissions}");
    // The same rows as every version filtered after the scan (no filter passes a LIMIT).
    let after = "SELECT COUNT(*) FROM (SELECT year, table_kind, superseded \
                   FROM risk_point_versions LIMIT 1000000000) \
                 WHERE year = 2013 AND table_kind = 'department' AND NOT superseded";
    assert!(plan(after).contains("FilterExec"), "{}", plan(after));
    let n = common::query(&store, filtered);
    assert_ne!(n[0][0], "0");
    assert_eq!(n, common::query(&store, after));
    // Every year, counted without a filter (no file's row count may answer it), and rows taken
    // up to a limit.
    let every_year = "SELECT COUNT(*) FROM (SELECT superseded FROM risk_point_versions \
                        LIMIT 1000000000) WHERE NOT superseded";
    let all = common::query(&store, every_year);
    let versions = common::query(&store, "SELECT COUNT(*) FROM risk_points_all");
    assert_ne!(all, versions, "the demo has superseded versions");
    assert_eq!(
        common::query(&store, "SELECT COUNT(*) FROM risk_points"),
        all
    );
    let limited = "SELECT COUNT(*) FROM (SELECT hash FROM risk_points LIMIT 100000)";
    assert_eq!(common::query(&store, limited), all);
    let yoy = plan("SELECT * FROM yoy_changes");
    assert!(yoy.contains("HashJoinExec"), "{yoy}");
    assert!(!yoy.contains("DynamicFilter"), "{yoy}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn missing_tables_are_found_from_the_submissions_keys_alone() {
    let (dir, _, store) = one_unit_store("late-keys");
    let rows = common::query(&store, "EXPLAIN SELECT * FROM late_tables");
    let plan = rows
        .iter()
        .find(|r| r[0] == "physical_plan")
        .map(|r| r[1].clone())
        .unwrap_or_default();
    // Every scan's columns: none reads a submission's hash (64 hex digits a row), which the
    // view needs only to tell a table missing.
    let scans: Vec<&str> = plan
        .lines()
        .filter(|l| l.contains("DataSourceExec"))
        .filter_map(|l| l.split("projection=[").nth(1)?.split(']').next())
        .collect();
    assert!(scans.len() >= 3, "{plan}");
    for columns in scans {
        assert!(
            columns.split(", ").all(|c| c != "hash"),
            "a scan reads {columns}:\n{plan}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_inputs_are_rejected_with_their_message_and_good_ones_land() {
    let dir = common::scratch("bad");
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    let corpus = sunlight_queries::demo::bad_files(sunlight_core::presets::registry()).unwrap();
    for f in &corpus {
        std::fs::write(bad.join(&f.name), &f.bytes).unwrap();
    }
    // A good JSON file beside them.
    let good = common::fixture_submissions();
    std::fs::write(bad.join("good.json"), &good[0]).unwrap();
    let store = dir.join("store");
    let rej = dir.join("rejections.ndjson");
    let out = sunlight(&[
        "ingest",
        bad.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--rejections",
        rej.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "rejections give exit status 1");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rejections: Vec<serde_json::Value> = std::fs::read_to_string(&rej)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for f in &corpus {
        let got: Vec<&serde_json::Value> = rejections
            .iter()
            .filter(|r| r["file"].as_str().unwrap().ends_with(&f.name))
            .collect();
        let codes: Vec<&str> = got.iter().map(|r| r["code"].as_str().unwrap()).collect();
        assert_eq!(codes, f.codes, "{}: {got:?}", f.name);
        for r in &got {
            let message = r["message"].as_str().unwrap();
            assert!(
                message.len() > 10,
                "{}: message too short: {message}",
                f.name
            );
            // The clerk sees file, line and code on the terminal too.
            let shown = format!(
                "{}:{}: {}:",
                r["file"].as_str().unwrap(),
                r["line"],
                r["code"].as_str().unwrap()
            );
            assert!(stderr.contains(&shown), "{shown} not in {stderr}");
        }
    }
    // Line numbers point at the bad lines of the NDJSON file.
    let mixed: Vec<u64> = rejections
        .iter()
        .filter(|r| r["file"].as_str().unwrap().ends_with("mixed.ndjson"))
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(mixed, [2, 4]);
    let huge = rejections
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("huge-string.json"))
        .unwrap();
    assert!(
        huge["message"].as_str().unwrap().contains("too long"),
        "{huge}"
    );
    let tampered = rejections
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("tampered-hash.json"))
        .unwrap();
    assert!(
        tampered["message"]
            .as_str()
            .unwrap()
            .contains("does not match"),
        "{tampered}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let expected_rejected: usize = corpus.iter().map(|f| f.codes.len()).sum();
    let expected_good: usize = corpus.iter().map(|f| f.good).sum::<usize>() + 1;
    assert!(
        stdout.contains(&format!("{expected_good} stored")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{expected_rejected} rejected")),
        "{stdout}"
    );
    // The good lines are tables and event batches (an archive and a review batch).
    let (all, distinct, _, _) = counts(&store);
    let (_, _, batches) = event_counts(&store);
    assert_eq!(batches, 2);
    assert_eq!(
        (all + batches, distinct + batches),
        (expected_good as u64, expected_good as u64)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_second_ingest_refuses_or_waits_while_the_store_is_locked() {
    let dir = common::scratch("lock");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.json"), &common::fixture_submissions()[0]).unwrap();
    let store = dir.join("store");
    std::fs::create_dir_all(&store).unwrap();
    let lock = sunlight_queries::store::StoreLock::acquire(&store, false).unwrap();
    let args = [
        "ingest",
        input.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
    ];
    let refused = sunlight(&args);
    assert_eq!(refused.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(msg.contains("is writing to the store"), "{msg}");
    assert!(
        msg.contains(&format!("process {}", std::process::id())),
        "{msg}"
    );
    let waiting = Command::new(BIN)
        .args(args)
        .arg("--wait")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    drop(lock);
    let out = waiting.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("waiting for another ingest"));
    assert_eq!(counts(&store).0, 1);
    std::fs::remove_dir_all(&dir).ok();
}

/// Rows of `sql` in a session of `partitions` target partitions, sorted, and its physical plan.
fn in_partitions(store: &Path, partitions: usize, sql: &str) -> (Vec<Vec<String>>, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let config = sunlight_queries::sql::config().with_target_partitions(partitions);
        let ctx =
            sunlight_queries::sql::session_with(store, sunlight_core::presets::registry(), config)
                .await
                .unwrap();
        let df = ctx.sql(sql).await.unwrap();
        let plan = df.clone().create_physical_plan().await.unwrap();
        let plan = datafusion::physical_plan::displayable(plan.as_ref())
            .indent(true)
            .to_string();
        let batches = df.collect().await.unwrap();
        let mut rows = common::rows(&batches);
        rows.sort();
        (rows, plan)
    })
}

#[test]
fn groupings_by_unit_read_each_half_of_the_units_in_a_partition_of_its_own() {
    let dir = common::scratch("halves");
    let input = demo(&dir, "3");
    let store = dir.join("store");
    ingest_into(&store, &input.join("submissions"));
    // Each year's risk points are written in two files, by the half of the units.
    let folder = store.join("data").join("risk_points");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    names.sort();
    for half in [0, 1] {
        let files: Vec<&String> = names
            .iter()
            .filter(|n| n.ends_with(&format!("-{half}.parquet")))
            .collect();
        assert!(!files.is_empty(), "no file of half {half} in {names:?}");
        for name in files {
            let file = std::fs::File::open(folder.join(name)).unwrap();
            let reader =
                datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                    file,
                )
                .unwrap()
                .build()
                .unwrap();
            for batch in reader {
                let batch = batch.unwrap();
                let units = batch.column_by_name("unit_name").unwrap();
                let halves = sunlight_queries::store::unit_halves(units.as_ref()).unwrap();
                assert!(halves.iter().all(|&h| h == half), "{name}: {halves:?}");
            }
        }
    }
    // Two partitions: a grouping by unit reads each half in its own partition, with no
    // repartition; others read whole files as before. The answers are those of one partition,
    // and of three, where the halves are not partitions and the files are read as before.
    let by_unit = "SELECT * FROM level_counts";
    let by_power = "SELECT power_name, COUNT(*) FROM risk_points GROUP BY power_name";
    let (one, _) = in_partitions(&store, 1, by_unit);
    assert!(one.len() > 10, "{one:?}");
    let (two, plan) = in_partitions(&store, 2, by_unit);
    assert_eq!(two, one);
    assert!(plan.contains("SinglePartitioned"), "{plan}");
    assert!(!plan.contains("RepartitionExec"), "{plan}");
    assert!(
        plan.contains("output_partitioning=Hash([unit_name"),
        "{plan}"
    );
    let (three, plan) = in_partitions(&store, 3, by_unit);
    assert_eq!(three, one);
    assert!(plan.contains("RepartitionExec"), "{plan}");
    assert!(!plan.contains("output_partitioning"), "{plan}");
    let (one, _) = in_partitions(&store, 1, by_power);
    let (two, plan) = in_partitions(&store, 2, by_power);
    assert_eq!(two, one);
    assert!(plan.contains("RepartitionExec"), "{plan}");
    assert!(!plan.contains("output_partitioning"), "{plan}");
    // The same rows as every version filtered after the scan.
    let (current, _) = in_partitions(
        &store,
        2,
        "SELECT COUNT(*) FROM (SELECT superseded FROM risk_point_versions LIMIT 1000000000) \
         WHERE NOT superseded",
    );
    let (split, _) = in_partitions(
        &store,
        2,
        "SELECT COUNT(*) FROM (SELECT unit_name, COUNT(*) FROM risk_points GROUP BY unit_name, \
         hash, row_no)",
    );
    assert_eq!(current, split);
    std::fs::remove_dir_all(&dir).ok();
}
