//! Shared test fixtures: a small store built from deterministic demo data plus a handful of
//! hand-made submissions whose expected results can be checked by reading them.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sunlight_core::rules::BatchEvent;
use sunlight_core::rules::workflow::ReviewEvent;
use sunlight_core::{
    BatchSubmission, DepartmentRef, FlowStep, Measure, Power, RiskRow, SelfCheckTable, Submission,
    UnitRef, model::ArchiveEvent, model::OfficeRecord, presets::registry,
};

/// Every row of `sql`'s answer over the store in `store`, each as its cells' text, in order.
pub fn query(store: &Path, sql: &str) -> Vec<Vec<String>> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = sunlight_queries::sql::session(store).await.unwrap();
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        rows(&batches)
    })
}

/// Every row of `batches`, each value as the display of its column writes it.
pub fn rows(batches: &[datafusion::arrow::array::RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            out.push(
                b.columns()
                    .iter()
                    .map(|c| datafusion::arrow::util::display::array_value_to_string(c, i).unwrap())
                    .collect(),
            );
        }
    }
    out
}

/// A fresh, empty folder under cargo's scratch space for integration tests.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn row(
    power: &str,
    category: &str,
    step: &str,
    risk: &str,
    f: [&str; 4],
    lines: &[&str],
) -> RiskRow {
    RiskRow {
        power: Power {
            name: power.into(),
            category: category.into(),
            item: "测试项目".into(),
            basis: "测试依据".into(),
            limits: "测试界限".into(),
            ..Power::default()
        },
        step: FlowStep {
            name: step.into(),
            ..FlowStep::default()
        },
        post: "经办人员".into(),
        risk_point: risk.into(),
        risk_type: "post-duty".into(),
        factors: [
            ("importance".to_string(), f[0].to_string()),
            ("discretion".to_string(), f[1].to_string()),
            ("probability".to_string(), f[2].to_string()),
            ("harm".to_string(), f[3].to_string()),
        ]
        .into(),
        measures: lines
            .iter()
            .map(|l| Measure {
                line: (*l).into(),
                kind: String::new(),
                text: format!("{l}措施"),
            })
            .collect(),
        responsible: "所长".into(),
        ..RiskRow::default()
    }
}

fn table(dept: (&str, &str), year: i64, rows: Vec<RiskRow>) -> SelfCheckTable {
    SelfCheckTable {
        scheme: "town-2012".into(),
        year,
        table: "department".into(),
        unit: UnitRef {
            id: "fixture-town".into(),
            name: "测试镇".into(),
        },
        department: DepartmentRef {
            id: dept.0.into(),
            name: dept.1.into(),
        },
        rows,
        ..SelfCheckTable::default()
    }
}

const ALL: &[&str] = &["prevention", "monitoring", "disposal"];

/// The hand-made submissions of unit `fixture-town` (town-2012), as canonical JSON:
/// - 财政所 2012, on time: A high (all lines), B medium (prevention only), C low (monitoring only);
/// - 财政所 2013, first version late on 2013-09-05 and a second version on 2013-09-06 that
///   supersedes it: A unchanged, B upgraded to high, C removed, D added (low);
/// - 党政办 2012 only, so its 2013 table is missing.
pub fn fixture_submissions() -> Vec<String> {
    let a = || {
        row(
            "最低生活保障审批",
            "approval",
            "审核",
            "对申请材料审查不严",
            ["high", "large", "high", "severe"],
            ALL,
        )
    };
    let b_2012 = row(
        "惠农补贴发放",
        "other",
        "发放",
        "虚报冒领",
        ["medium", "medium", "medium", "moderate"],
        &["prevention"],
    );
    let b_2013 = row(
        "惠农补贴发放",
        "other",
        "发放",
        "虚报冒领",
        ["high", "large", "high", "moderate"],
        ALL,
    );
    let c = row(
        "信访事项办理",
        "other",
        "受理",
        "拖延推诿",
        ["low", "small", "low", "minor"],
        &["monitoring"],
    );
    let d = row(
        "镇级财务报账审核",
        "internal-management",
        "审批",
        "未经集体研究",
        ["low", "small", "medium", "minor"],
        &["monitoring", "disposal"],
    );
    let finance = ("finance-office", "财政所");
    let office = ("party-gov-office", "党政办");
    let t2013 = table(finance, 2013, vec![a(), b_2013, d]);
    let mut t2013_v2 = t2013.clone();
    t2013_v2.rows[2].measures.push(Measure {
        line: "prevention".into(),
        kind: "integrity-education".into(),
        text: "补充：廉政教育".into(),
    });
    let made = [
        (
            table(finance, 2012, vec![a(), b_2012, c.clone()]),
            "2012-08-20T10:00:00+08:00",
        ),
        (t2013, "2013-09-05T10:00:00+08:00"),
        (t2013_v2, "2013-09-06T10:00:00+08:00"),
        (table(office, 2012, vec![c]), "2012-08-10T09:00:00+08:00"),
    ];
    canonical(made)
}

/// Finalises each table at its time, as canonical JSON.
fn canonical<'a>(made: impl IntoIterator<Item = (SelfCheckTable, &'a str)>) -> Vec<String> {
    made.into_iter()
        .map(|(t, at)| {
            Submission::finalize(registry(), t, at)
                .unwrap()
                .to_json()
                .unwrap()
        })
        .collect()
}

fn batch<T: BatchEvent>(events: Value, at: &str) -> String {
    let b = json!({
        "schema_version": 1, "kind": T::KIND,
        "unit": {"id": "fixture-town", "name": "测试镇"}, "events": events,
    });
    let batch = serde_json::from_value(b).unwrap();
    BatchSubmission::<T>::finalize(batch, at)
        .unwrap()
        .to_json()
        .unwrap()
}

/// Archive events for `person`: the events of a core test case, moved to that person.
fn of(person: &str, events: Value) -> Vec<Value> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            let id = format!("{person}-{}", e["id"].as_str().unwrap());
            e["id"] = json!(id);
            if let Some(r) = e.get("refers_to").and_then(Value::as_str) {
                e["refers_to"] = json!(format!("{person}-{r}"));
            }
            e["person"] = json!(person);
            e
        })
        .collect()
}

/// The archive of `wasm/tests/supervision.rs` (person P1): two verified reports on a key post in
/// 2012 (one minor, one heavier), four complaints, and a light finding on 31 August 2012.
pub fn wasm_archive() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/supervision/archive-p1.json"
    ))
    .expect("the shared archive fixture is JSON")
}

/// The event batches of unit `fixture-town`, the inputs of the core's and the wasm facade's
/// supervision tests (`core/tests/supervision.rs`, `wasm/tests/supervision.rs`), each case given
/// to its own person so one store holds them all:
///
/// - P1: the wasm archive ([`wasm_archive`]); P2: one verified report on a key post; P3: two,
///   not on a key post (yellow cards);
/// - W01–W11: the graduated-response cases of the core test, in 2012 (its window is Q2);
/// - V01–V09: the vetting cases, vetted by the register's candidates on the cases' dates;
/// - review steps: the four steps on the 2012 财政所 table, the wasm case (confirm then publish)
///   on `sha256:t`, and approve-before-confirm on the 2012 党政办 table;
/// - the register: assessment scores 95 for 2012 and 2013, a case in 2013, candidates, and
///   obligations met by 财政所 in 2012 as in the core's deadline test.
///
/// A second archive batch repeats W01's report with 4 complaints: the later batch corrects it.
pub fn fixture_events() -> Vec<String> {
    let subs: Vec<Value> = fixture_submissions()
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
    let finance_2012 = subs[0]["hash"].as_str().unwrap().to_owned();
    let office_2012 = subs[3]["hash"].as_str().unwrap().to_owned();
    let r = |id: &str, date: &str, n: u32| json!({"id": id, "person": "P1", "date": date, "source": "online-report", "kind": "report-received", "complaints": n});
    let v = |id: &str, date: &str, of: &str, sev: &str| json!({"id": id, "person": "P1", "date": date, "source": "office", "kind": "report-verified", "refers_to": of, "severity": sev});
    let e = |id: &str, date: &str, source: &str, kind: &str| json!({"id": id, "person": "P1", "date": date, "source": source, "kind": kind});
    let with = |mut e: Value, k: &str, v: Value| {
        e[k] = v;
        e
    };
    let key = |mut e: Value| {
        e["key_post"] = json!(true);
        e
    };
    let mut archive: Vec<Value> = of("P1", wasm_archive());
    archive.extend(of(
        "P2",
        json!([
            key(r("r1", "2012-03-01", 1)),
            key(v("v1", "2012-03-20", "r1", "minor"))
        ]),
    ));
    archive.extend(of(
        "P3",
        json!([
            r("r1", "2012-03-01", 1),
            v("v1", "2012-03-20", "r1", "minor"),
            r("r2", "2012-09-01", 1),
            v("v2", "2012-09-20", "r2", "minor")
        ]),
    ));
    // Graduated response, core test `graduated_response_seed_003`.
    for (p, events) in [
        ("W01", json!([r("r1", "2012-05-01", 1)])),
        ("W02", json!([r("r1", "2012-05-01", 2)])),
        (
            "W03",
            json!([r("r1", "2012-05-01", 2), r("r2", "2012-05-02", 1)]),
        ),
        (
            "W04",
            json!([
                r("r1", "2012-05-01", 1),
                v("v1", "2012-05-10", "r1", "heavier")
            ]),
        ),
        ("W05", json!([r("r1", "2012-05-01", 4)])),
        ("W06", json!([r("r1", "2012-05-01", 5)])),
        (
            "W07",
            json!([
                r("r1", "2012-05-01", 1),
                v("v1", "2012-05-10", "r1", "serious")
            ]),
        ),
        (
            "W08",
            json!([e(
                "s",
                "2012-05-01",
                "public-evaluation",
                "low-satisfaction"
            )]),
        ),
        (
            "W09",
            json!([with(
                e("t", "2012-05-01", "inspection-tour", "report-received"),
                "complaints",
                json!(9)
            )]),
        ),
        ("W10", json!([r("r1", "2012-03-31", 9)])),
        ("W11", json!([r("r1", "2012-06-30", 5)])),
    ] {
        archive.extend(of(p, events));
    }
    // Vetting, core test `vetting_seed_002_articles_12_to_14`.
    let light = |date: &str| {
        with(
            e("l", date, "case", "light-finding"),
            "severity",
            json!("minor"),
        )
    };
    for (p, events) in [
        ("V01", json!([])),
        (
            "V02",
            json!([e(
                "c",
                "2012-10-01",
                "case",
                "criminal-investigation-opened"
            )]),
        ),
        ("V03", json!([light("2012-08-31")])),
        ("V04", json!([light("2011-08-31")])),
        (
            "V05",
            json!([with(
                with(
                    e("s", "2012-03-01", "case", "sanction"),
                    "until",
                    json!("2013-03-01")
                ),
                "severity",
                json!("heavier")
            )]),
        ),
        (
            "V06",
            json!([with(
                e("a", "2011-08-29", "office", "admonishment-imposed"),
                "until",
                json!("2012-02-29")
            )]),
        ),
        ("V07", json!([r("r", "2012-12-20", 1)])),
        (
            "V08",
            json!([e("o", "2012-12-20", "office", "other-matter")]),
        ),
        (
            "V09",
            json!([
                r("r", "2012-12-20", 1),
                e("x", "2012-06-01", "office", "accountability")
            ]),
        ),
    ] {
        archive.extend(of(p, events));
    }
    archive.push(json!({"id": "case-2013", "person": "P9", "date": "2013-04-01", "source": "case", "kind": "case-filed"}));
    let candidates = [
        ("V01", "2013-01-10"),
        ("V02", "2013-01-10"),
        ("V03", "2013-02-27"),
        ("V03", "2013-02-28"),
        ("V04", "2012-02-28"),
        ("V04", "2012-02-29"),
        ("V05", "2013-02-28"),
        ("V05", "2013-03-01"),
        ("V06", "2012-02-28"),
        ("V07", "2013-01-10"),
        ("V08", "2013-01-10"),
        ("V09", "2013-01-10"),
        ("P1", "2013-02-27"),
        ("P1", "2013-02-28"),
    ];
    let mut register: Vec<Value> = candidates
        .iter()
        .map(|(p, d)| json!({"type": "candidate", "id": format!("c-{p}-{d}"), "person": p, "date": d}))
        .collect();
    register.push(json!({"type": "assessment", "id": "score-2012", "year": 2012, "score": 95}));
    register.push(json!({"type": "assessment", "id": "score-2013", "year": 2013, "score": 95}));
    register.push(json!({"type": "completed", "id": "m1", "department": "finance-office", "obligation": "duty-report-1-2012", "date": "2012-06-01"}));
    let step = |table: &str, step: &str, by: &str, at: &str, scope: &str| json!({"table": table, "step": step, "by": by, "at": at, "scope": scope});
    let reviews = json!([
        step(
            &finance_2012,
            "confirm",
            "班子",
            "2012-09-01T09:00:00+08:00",
            ""
        ),
        step(
            &finance_2012,
            "approve",
            "镇党委",
            "2012-09-03T09:00:00+08:00",
            ""
        ),
        step(
            &finance_2012,
            "publish",
            "党政办",
            "2012-09-03T09:00:00+08:00",
            "社会公开"
        ),
        step(
            &finance_2012,
            "file",
            "纪委",
            "2012-09-20T09:00:00+08:00",
            ""
        ),
        step(
            "sha256:t",
            "confirm",
            "班子",
            "2012-09-01T09:00:00+08:00",
            ""
        ),
        step(
            "sha256:t",
            "publish",
            "党委",
            "2012-09-02T09:00:00+08:00",
            "机关内部"
        ),
        step(
            &office_2012,
            "approve",
            "镇党委",
            "2012-09-05T09:00:00+08:00",
            ""
        ),
        step(
            &office_2012,
            "confirm",
            "班子",
            "2012-09-06T09:00:00+08:00",
            ""
        ),
    ]);
    let correction = json!([{"id": "W01-r1", "person": "W01", "date": "2012-05-01", "source": "online-report", "kind": "report-received", "complaints": 4}]);
    vec![
        batch::<ArchiveEvent>(Value::Array(archive), "2013-03-05T09:00:00+08:00"),
        batch::<ArchiveEvent>(correction, "2013-03-06T09:00:00+08:00"),
        batch::<ReviewEvent>(reviews, "2012-09-21T09:00:00+08:00"),
        batch::<OfficeRecord>(Value::Array(register), "2013-03-05T09:00:00+08:00"),
    ]
}

/// The hand-made submissions of unit `fixture-village`, as canonical JSON: its 财政所 lists
/// 最低生活保障审批 / 审核 / 对申请材料审查不严 once in 2012 (medium, town-2012) and twice in
/// 2013, high (高) in its town-2012 table and level 3 (三级) in a university-2010 one (one table
/// cannot list a risk point twice: validation refuses it). Whichever of the two `yoy_changes`
/// keeps, the risk point changed, and its new level and level name must come from the same row.
pub fn twice_listed_submissions() -> Vec<String> {
    let point = |f: [&str; 4]| {
        row(
            "最低生活保障审批",
            "approval",
            "审核",
            "对申请材料审查不严",
            f,
            ALL,
        )
    };
    let medium = ["medium", "medium", "medium", "moderate"];
    let high = ["high", "large", "high", "severe"];
    // university-2010 grades on one factor; "could cause bad influence" is level 3 (三级).
    let mut level_3 = point(high);
    level_3.factors = [("consequence".to_string(), "influence".to_string())].into();
    let table = |year, rows, scheme: &str| {
        let mut t = table(("finance-office", "财政所"), year, rows);
        t.unit = UnitRef {
            id: "fixture-village".into(),
            name: "测试村".into(),
        };
        t.scheme = scheme.into();
        t
    };
    canonical([
        (
            table(2012, vec![point(medium)], "town-2012"),
            "2012-08-20T10:00:00+08:00",
        ),
        (
            table(2013, vec![point(high)], "town-2012"),
            "2013-08-20T10:00:00+08:00",
        ),
        (
            table(2013, vec![level_3], "university-2010"),
            "2013-08-20T10:00:00+08:00",
        ),
    ])
}

/// Writes demo data (one unit per scheme, 2012–2013, seed 7) and the hand-made submissions
/// (of `fixture-town` and `fixture-village`) under `dir/input`, and returns that folder.
pub fn write_inputs(dir: &Path) -> PathBuf {
    let input = dir.join("input");
    let options = sunlight_queries::demo::Options {
        units: 1,
        years: (2012, 2013),
        seed: 7,
    };
    sunlight_queries::demo::generate(registry(), &input, &options, &mut |_| {}).unwrap();
    let fx = input.join("submissions").join("fixture");
    std::fs::create_dir_all(&fx).unwrap();
    for (i, s) in fixture_submissions().iter().enumerate() {
        std::fs::write(fx.join(format!("fixture-{i}.json")), s).unwrap();
    }
    for (i, s) in twice_listed_submissions().iter().enumerate() {
        std::fs::write(fx.join(format!("village-{i}.json")), s).unwrap();
    }
    std::fs::write(
        input.join("events").join("fixture.ndjson"),
        fixture_events().join("\n"),
    )
    .unwrap();
    input
}

/// Builds the fixture store under `dir/store` (good submissions and event batches only) and
/// returns its path.
pub fn build_store(dir: &Path) -> PathBuf {
    let input = write_inputs(dir);
    let store = dir.join("store");
    let options = sunlight_queries::ingest::Options {
        progress: false,
        ..Default::default()
    };
    let mut rejected = Vec::new();
    let summary = sunlight_queries::ingest::ingest(
        registry(),
        &[input.join("submissions"), input.join("events")],
        &store,
        &options,
        &mut |r| rejected.push(r.clone()),
    )
    .unwrap();
    assert!(rejected.is_empty(), "demo data was rejected: {rejected:?}");
    assert!(summary.stored > 0);
    store
}
