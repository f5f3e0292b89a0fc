//! The report's own hot path: each unit page draws two charts, as SVG and as PNG (3,200 of each
//! at 1 M risk points). Figures shaped like a unit page's: risk levels stacked by department, and
//! risk types × department as a heat map, over 12 departments.
//!
//! - `svg`, `png`: drawing a figure as each (the PNG includes encoding);
//! - `encode`: encoding the drawn pixels only, with Sunlight's encoder and, for comparison, with
//!   the `image` crate at its fast setting with the Paeth filter on every row (what the report
//!   used before). The sizes of both are printed once.
//!
//! `cargo bench -p sunlight-queries --bench charts`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use sunlight_queries::charts::{self, Chart, Figure, Heatmap, Kind, Series};

const DEPARTMENTS: [&str; 12] = [
    "党政办",
    "财政所",
    "社会事务办",
    "经济发展办",
    "规划建设办",
    "综合执法队",
    "农业服务中心",
    "纪委",
    "组织办",
    "宣传办",
    "武装部",
    "安监站",
];

fn levels() -> Figure {
    let n = DEPARTMENTS.len();
    let series = ["高", "中", "低"]
        .iter()
        .enumerate()
        .map(|(s, name)| Series {
            name: (*name).into(),
            values: (0..n).map(|d| ((d * 7 + s * 5) % 13 + 1) as f64).collect(),
        })
        .collect();
    Figure::Chart(Chart {
        kind: Kind::Stacked,
        title: "城关镇 2013 年各部门风险等级".into(),
        x_label: "部门".into(),
        y_label: "风险点数".into(),
        categories: DEPARTMENTS.iter().map(|d| (*d).into()).collect(),
        series,
    })
}

fn types() -> Figure {
    let rows: Vec<String> = ["思想道德", "制度机制", "岗位职责", "业务流程", "外部环境"]
        .iter()
        .map(|t| (*t).into())
        .collect();
    let values = (0..rows.len())
        .map(|r| {
            (0..DEPARTMENTS.len())
                .map(|d| ((r * 3 + d * 5) % 9) as f64)
                .collect()
        })
        .collect();
    Figure::Heatmap(Heatmap {
        title: "城关镇 2013 年风险类型 × 部门".into(),
        x_label: "部门".into(),
        y_label: "风险类型".into(),
        columns: DEPARTMENTS.iter().map(|d| (*d).into()).collect(),
        rows,
        values,
    })
}

fn image_paeth(rgb: &[u8], (w, h): (u32, u32)) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Paeth)
        .write_image(rgb, w, h, image::ColorType::Rgb8)
        .expect("encodes");
    out
}

fn benches(c: &mut Criterion) {
    let size = charts::SIZE;
    for (name, figure) in [("levels", levels()), ("types", types())] {
        let png = charts::png(&figure, size).expect("draws");
        let rgb = image::load_from_memory(&png)
            .expect("decodes")
            .to_rgb8()
            .into_raw();
        eprintln!(
            "{name}: {} × {}, PNG {} bytes (image crate, Paeth: {} bytes)",
            size.0,
            size.1,
            png.len(),
            image_paeth(&rgb, size).len()
        );
        let mut g = c.benchmark_group(name);
        g.bench_function("svg", |b| {
            b.iter(|| charts::svg(black_box(&figure), size).expect("draws"))
        });
        g.bench_function("png", |b| {
            b.iter(|| charts::png(black_box(&figure), size).expect("draws"))
        });
        g.bench_function("encode", |b| {
            b.iter(|| charts::encode_png(black_box(&rgb), size.0, size.1).expect("encodes"))
        });
        g.bench_function("encode_image_paeth", |b| {
            b.iter(|| image_paeth(black_box(&rgb), size))
        });
        g.finish();
    }
}

criterion_group!(benches_group, benches);
criterion_main!(benches_group);
