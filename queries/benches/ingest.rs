//! Hot paths of `sunlight ingest`, per submission of the demo data (one unit per scheme, one
//! year: about 1,200 risk points in about 150 submissions of every kind and size):
//!
//! - `check`: what each ingest worker does with a line — parse, validate against the scheme,
//!   re-grade, check the hash (`Submission::from_json`);
//! - `arrow`: the store's Arrow conversion — `BatchBuilder::push` of every checked submission,
//!   then `finish` into the three record batches;
//! - `parquet`: encoding those batches as Parquet with the store's settings (zstd), in memory.
//!
//! Throughput is in risk points, comparable with the ingest's rows/s.
//!
//! `cargo bench -p sunlight-queries --bench ingest`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::parquet::arrow::ArrowWriter;
use sunlight_core::{Submission, presets};
use sunlight_queries::demo;
use sunlight_queries::store::schema::BatchBuilder;

/// The demo's NDJSON lines for one unit per scheme and one year.
fn demo_lines() -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("sunlight-bench-ingest-{}", std::process::id()));
    let options = demo::Options {
        units: 1,
        years: (2013, 2013),
        seed: 1,
    };
    let summary = demo::generate(presets::registry(), &dir, &options, &mut |_| {}).expect("demo");
    let mut lines = Vec::new();
    for f in &summary.files {
        let text = std::fs::read_to_string(f).expect("demo file");
        lines.extend(text.lines().map(str::to_owned));
    }
    let _ = std::fs::remove_dir_all(&dir);
    lines
}

fn benches(c: &mut Criterion) {
    let registry = presets::registry();
    let lines = demo_lines();
    let subs: Vec<Submission> = lines
        .iter()
        .map(|l| Submission::from_json(registry, l).expect("demo submissions are valid"))
        .collect();
    let risk_points: u64 = subs.iter().map(|s| s.table().rows.len() as u64).sum();

    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(risk_points));
    g.bench_function(format!("check/{} submissions", lines.len()), |b| {
        b.iter(|| {
            for l in &lines {
                black_box(Submission::from_json(registry, black_box(l)).is_ok());
            }
        })
    });
    g.bench_function(format!("arrow/{risk_points} risk points"), |b| {
        b.iter(|| {
            let mut builder = BatchBuilder::new(0);
            for s in &subs {
                builder.push(registry, s, "bench.ndjson").expect("push");
            }
            black_box(builder.finish().expect("batches"))
        })
    });
    let mut builder = BatchBuilder::new(0);
    for s in &subs {
        builder.push(registry, s, "bench.ndjson").expect("push");
    }
    let batches = builder.finish().expect("batches");
    let props = sunlight_queries::store::TABLES.map(sunlight_queries::store::props);
    g.bench_function(format!("parquet/{risk_points} risk points"), |b| {
        b.iter(|| {
            let mut bytes = 0;
            for (batch, props) in batches.iter().zip(&props) {
                let mut w = ArrowWriter::try_new(Vec::new(), batch.schema(), Some(props.clone()))
                    .expect("writer");
                w.write(batch).expect("write");
                bytes += w.into_inner().expect("close").len();
            }
            black_box(bytes)
        })
    });
    g.finish();
}

criterion_group!(ingest_benches, benches);
criterion_main!(ingest_benches);
