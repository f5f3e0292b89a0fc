//! Hot paths of the core: grading one risk point, validating a 200-row table (what the form
//! does when it loads a table or rows are added or removed), checking one edited row of it
//! again (what the form does after each change), finalising it, and reading a submission back
//! (what ingest does).
//!
//! `cargo bench -p sunlight-core --bench validate`

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sunlight_core::{SelfCheckTable, Submission, grade, presets, validate_with};

fn table(rows: usize) -> SelfCheckTable {
    let base = include_str!("../../tests/fixtures/good-tables/town-2012.json");
    let mut t = SelfCheckTable::from_json(base).expect("fixture");
    let template = t.rows.clone();
    t.rows = (0..rows)
        .map(|i| {
            let mut r = template[i % template.len()].clone();
            r.risk_point = format!("{}（第 {i} 项）", r.risk_point);
            r
        })
        .collect();
    t
}

fn benches(c: &mut Criterion) {
    let registry = presets::registry();
    let town = presets::get("town-2012").expect("preset");
    let factors: BTreeMap<String, String> = [
        ("importance", "high"),
        ("discretion", "large"),
        ("probability", "medium"),
        ("harm", "moderate"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    c.bench_function("grade/town-2012 (score)", |b| {
        b.iter(|| grade(town, black_box(&factors)))
    });
    let uni = presets::get("education-bureau").expect("preset");
    let edu: BTreeMap<String, String> = [
        ("leadership", "section"),
        ("public-attention", "low"),
        ("discretion", "none"),
        ("approved-above", "no"),
        ("frequency", "occasional"),
        ("risk-points", "few"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    c.bench_function("grade/education-bureau (decision table, fallback)", |b| {
        b.iter(|| grade(uni, black_box(&edu)))
    });

    let t200 = table(200);
    c.bench_function("validate/200 rows", |b| {
        b.iter(|| validate_with(registry, black_box(&t200)))
    });
    c.bench_function("validate_graded/200 rows", |b| {
        b.iter(|| sunlight_core::rules::validate_graded(town, black_box(&t200)))
    });
    // One row edited: a factor flipped between two options, so each call changes the row.
    let mut check = sunlight_core::rules::TableCheck::new(town, &t200);
    let mut edited = [t200.rows[0].clone(), t200.rows[0].clone()];
    edited[0].factors.insert("harm".into(), "minor".into());
    edited[1].factors.insert("harm".into(), "severe".into());
    let mut k = 0;
    c.bench_function("edit/one row of 200 (TableCheck::set_row)", |b| {
        b.iter(|| {
            k ^= 1;
            check
                .set_row(0, black_box(&edited[k]))
                .map(|rows| rows.len())
        })
    });
    let json = serde_json::to_string(&t200).expect("json");
    c.bench_function("parse/200-row draft", |b| {
        b.iter(|| SelfCheckTable::from_json(black_box(&json)))
    });
    c.bench_function("finalize/200 rows", |b| {
        b.iter(|| {
            Submission::finalize(
                registry,
                black_box(t200.clone()),
                "2012-08-20T10:00:00+08:00",
            )
        })
    });
    let sub = Submission::finalize(registry, t200.clone(), "2012-08-20T10:00:00+08:00")
        .expect("valid")
        .to_json()
        .expect("json");
    c.bench_function(
        "ingest check/200-row submission (parse, validate, hash)",
        |b| b.iter(|| Submission::from_json(registry, black_box(&sub))),
    );
}

criterion_group!(core_benches, benches);
criterion_main!(core_benches);
