//! The demo generator: deterministic, valid through the core, covering all four schemes.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use sunlight_core::{Submission, presets::registry};
use sunlight_queries::demo::{Options, generate};

fn read_all(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for scheme in std::fs::read_dir(dir.join("submissions")).unwrap() {
        for f in std::fs::read_dir(scheme.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            out.insert(
                p.strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(&p).unwrap(),
            );
        }
    }
    out
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let dir = common::scratch("demo");
    let options = Options {
        units: 2,
        years: (2012, 2013),
        seed: 42,
    };
    let a = generate(registry(), &dir.join("a"), &options, &mut |_| {}).unwrap();
    let b = generate(registry(), &dir.join("b"), &options, &mut |_| {}).unwrap();
    assert_eq!(a.submissions, b.submissions);
    assert_eq!(read_all(&dir.join("a")), read_all(&dir.join("b")));
    let other = Options {
        seed: 43,
        ..options
    };
    generate(registry(), &dir.join("c"), &other, &mut |_| {}).unwrap();
    assert_ne!(read_all(&dir.join("a")), read_all(&dir.join("c")));

    // Every line is a valid submission for its scheme, and all four schemes are there.
    let mut schemes = BTreeMap::new();
    let mut rows = 0u64;
    for bytes in read_all(&dir.join("a")).values() {
        for line in std::str::from_utf8(bytes).unwrap().lines() {
            let s = Submission::from_json(registry(), line).unwrap();
            rows += s.table().rows.len() as u64;
            *schemes.entry(s.table().scheme.clone()).or_insert(0) += 1;
        }
    }
    assert_eq!(rows, a.risk_points);
    assert_eq!(
        schemes.keys().collect::<Vec<_>>(),
        [
            "education-bureau",
            "ministry-2012",
            "town-2012",
            "university-2010"
        ]
    );
    // Departments come from the seeds.
    let town = std::fs::read_to_string(dir.join("a/submissions/town-2012/2012.ndjson")).unwrap();
    for name in ["党政办", "财政所", "社会事务办"] {
        assert!(town.contains(name), "{name}");
    }
    let uni =
        std::fs::read_to_string(dir.join("a/submissions/university-2010/2012.ndjson")).unwrap();
    for name in ["后勤集团", "校建办", "设备处", "财务处", "招就处"] {
        assert!(uni.contains(name), "{name}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_backwards_year_range_is_refused() {
    let dir = common::scratch("demo-years");
    let options = Options {
        units: 1,
        years: (2014, 2012),
        seed: 1,
    };
    let err = generate(registry(), &dir, &options, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("after the last year"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
