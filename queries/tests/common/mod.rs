//! Shared test fixtures: a small store built from deterministic demo data plus a handful of
//! hand-made submissions whose expected results can be checked by reading them.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use sunlight_core::{
    DepartmentRef, FlowStep, Measure, Power, RiskRow, SelfCheckTable, Submission, UnitRef,
    presets::registry,
};

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
    made.into_iter()
        .map(|(t, at)| {
            Submission::finalize(registry(), t, at)
                .unwrap()
                .to_json()
                .unwrap()
        })
        .collect()
}

/// Writes demo data (one unit per scheme, 2012–2013, seed 7) and the hand-made submissions
/// under `dir/input`, and returns that folder.
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
    input
}

/// Builds the fixture store under `dir/store` (good submissions only) and returns its path.
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
        &[input.join("submissions")],
        &store,
        &options,
        &mut |r| rejected.push(r.clone()),
    )
    .unwrap();
    assert!(rejected.is_empty(), "demo data was rejected: {rejected:?}");
    assert!(summary.stored > 0);
    store
}
