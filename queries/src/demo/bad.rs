//! Deliberately bad submission files, each with the rejection code ingest must give it.

use sunlight_core::{
    DefenceLine, DepartmentRef, Measure, Power, RiskRow, SelfCheckTable, Submission, UnitRef,
    presets::Registry,
};

use crate::error::Result;

/// A bad file and the codes ingest reports for it (one per rejected submission, in order).
#[derive(Debug, Clone)]
pub struct BadFile {
    /// File name.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The rejection codes expected, in file order.
    pub codes: Vec<&'static str>,
    /// How many good submissions the file also holds.
    pub good: usize,
}

fn good_table(n: usize) -> SelfCheckTable {
    SelfCheckTable {
        scheme: "university-2010".into(),
        year: 2011,
        table: "department".into(),
        unit: UnitRef {
            id: "jxau".into(),
            name: "江西农业大学".into(),
        },
        department: DepartmentRef {
            id: format!("bad-corpus-{n}"),
            name: "招就处".into(),
        },
        rows: vec![RiskRow {
            power: Power {
                name: "招生录取".into(),
                category: "other".into(),
                basis: "教育部普通高校招生工作规定".into(),
                ..Power::default()
            },
            risk_point: "违规降分录取、暗箱操作".into(),
            risk_type: "business-process".into(),
            factors: [("consequence".to_string(), "discipline".to_string())].into(),
            measures: vec![Measure {
                line: DefenceLine::Monitoring.as_str().into(),
                kind: "collective-decision".into(),
                text: "录取结果集体研究并公示".into(),
            }],
            responsible: "分管领导".into(),
            ..RiskRow::default()
        }],
        ..SelfCheckTable::default()
    }
}

fn good_json(registry: &Registry, n: usize) -> Result<String> {
    Ok(Submission::finalize(registry, good_table(n), "2011-06-01T10:00:00+08:00")?.to_json()?)
}

/// The corpus: malformed JSON, wrong types, an unknown scheme, huge strings, invalid UTF-8, a
/// truncated file, a tampered hash, a wrong grade, an empty file, and an NDJSON file mixing good
/// and bad lines.
pub fn bad_files(registry: &Registry) -> Result<Vec<BadFile>> {
    let good = good_json(registry, 0)?;
    let value: serde_json::Value = serde_json::from_str(&good).map_err(|e| {
        crate::Error::Usage(format!("the demo's own submission does not parse: {e}"))
    })?;
    let edited = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = value.clone();
        f(&mut v);
        v.to_string().into_bytes()
    };
    let mut invalid_utf8 = good.clone().into_bytes();
    if let Some(pos) = good.find("违规") {
        invalid_utf8[pos] = 0xff;
        invalid_utf8[pos + 1] = 0xfe;
    }
    let file = |name: &str, bytes: Vec<u8>, code: &'static str| BadFile {
        name: name.to_owned(),
        bytes,
        codes: vec![code],
        good: 0,
    };
    let mut mixed = String::new();
    mixed.push_str(&good_json(registry, 1)?);
    mixed.push('\n');
    mixed.push_str("{\"scheme\": \"town-2012\", this is not json}\n");
    mixed.push_str(&good_json(registry, 2)?);
    mixed.push('\n');
    mixed.push_str("{\"scheme\": \"town-2012\", \"year\": \"2012\"}\n");
    Ok(vec![
        file(
            "malformed.json",
            b"{\"scheme\": \"town-2012\" \"year\": 2012}".to_vec(),
            "malformed-json",
        ),
        file(
            "truncated.json",
            good.as_bytes()[..good.len() / 2].to_vec(),
            "truncated",
        ),
        file(
            "wrong-type.json",
            edited(&|v| v["year"] = serde_json::json!("2011")),
            "wrong-shape",
        ),
        file(
            "unknown-scheme.json",
            edited(&|v| v["scheme"] = serde_json::json!("no-such-scheme")),
            "unknown-scheme",
        ),
        file(
            "huge-string.json",
            edited(&|v| v["rows"][0]["risk_point"] = serde_json::json!("违".repeat(100_000))),
            "text-too-long",
        ),
        file("invalid-utf8.json", invalid_utf8, "invalid-utf8"),
        file(
            "tampered-hash.json",
            edited(&|v| v["rows"][0]["responsible"] = serde_json::json!("校长")),
            "hash-mismatch",
        ),
        file(
            "wrong-grade.json",
            edited(&|v| v["rows"][0]["graded_level"] = serde_json::json!("level-3")),
            "graded-level-mismatch",
        ),
        file("empty.json", Vec::new(), "empty-file"),
        BadFile {
            name: "mixed.ndjson".to_owned(),
            bytes: mixed.into_bytes(),
            codes: vec!["malformed-json", "wrong-shape"],
            good: 2,
        },
    ])
}
