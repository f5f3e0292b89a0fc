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

/// Good event batches for the corpus: an archive batch and a review batch of unit jxau.
fn good_batches() -> Result<(String, String)> {
    let unit = serde_json::json!({"id": "jxau", "name": "江西农业大学"});
    let archive = serde_json::json!({
        "schema_version": 1, "kind": "archive-events", "unit": unit,
        "events": [{"id": "r1", "person": "jxau-p1", "date": "2011-03-01",
                    "source": "online-report", "kind": "report-received", "complaints": 2}]
    });
    let review = serde_json::json!({
        "schema_version": 1, "kind": "review-events", "unit": unit,
        "events": [{"table": "sha256:00", "step": "confirm", "by": "班子",
                    "at": "2011-06-02T09:00:00+08:00"}]
    });
    let bad = |e: serde_json::Error| crate::Error::Usage(format!("a corpus batch: {e}"));
    let archive: sunlight_core::model::EventBatch = serde_json::from_value(archive).map_err(bad)?;
    let review: sunlight_core::rules::workflow::ReviewBatch =
        serde_json::from_value(review).map_err(bad)?;
    let at = "2011-06-03T09:00:00+08:00";
    Ok((
        sunlight_core::EventSubmission::finalize(archive, at)?.to_json()?,
        sunlight_core::ReviewSubmission::finalize(review, at)?.to_json()?,
    ))
}

/// The corpus: malformed JSON, wrong types, an unknown scheme, huge strings, invalid UTF-8, a
/// truncated file, a tampered hash, a wrong grade, an empty file, an NDJSON file mixing good
/// and bad lines, and one mixing tables with good and bad event batches (a tampered archive
/// batch, an unknown batch kind, a publication without its scope).
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
    let (archive, review) = good_batches()?;
    let events_mixed = [
        good_json(registry, 3)?,
        archive.clone(),
        archive.replace("\"complaints\":2", "\"complaints\":3"),
        archive.replace("\"archive-events\"", "\"archive-event\""),
        review.replace("\"step\":\"confirm\"", "\"step\":\"publish\""),
        review,
    ]
    .join("\n");
    Ok(vec![
        BadFile {
            name: "mixed-events.ndjson".to_owned(),
            bytes: events_mixed.into_bytes(),
            codes: vec!["hash-mismatch", "unknown-batch-kind", "missing-field"],
            good: 3,
        },
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
