//! The corpus of bad tables in `tests/fixtures/bad-tables` (made by its `generate.py`): each file
//! is a good table with deliberate mistakes and the codes validation must report for it. Also
//! the malformed JSON in `tests/fixtures/bad-json`, which must fail to parse with a position.

use std::fs;
use std::path::PathBuf;

use serde::Deserialize;
use sunlight_core::{Error, SelfCheckTable, Submission, presets, validate_with};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[derive(Deserialize)]
struct Case {
    description: String,
    expect: Vec<String>,
    table: serde_json::Value,
}

#[test]
fn every_bad_table_yields_exactly_its_codes() {
    let files = fixtures("bad-tables");
    assert!(
        files.len() >= 30,
        "the corpus must hold at least 30 tables, found {}",
        files.len()
    );
    for path in files {
        let text = fs::read_to_string(&path).expect("readable fixture");
        let case: Case =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let table: SelfCheckTable = serde_json::from_value(case.table)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let report = validate_with(presets::registry(), &table);
        let mut got: Vec<String> = report
            .codes()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        got.sort();
        assert_eq!(
            got,
            case.expect,
            "{} ({}): {:#?}",
            path.display(),
            case.description,
            report.issues
        );
        for issue in &report.issues {
            assert!(
                !issue.path.is_empty(),
                "{}: every issue has a path",
                path.display()
            );
            assert!(
                !issue.message.zh.is_empty() && !issue.message.en.is_empty(),
                "{}: bilingual messages",
                path.display()
            );
        }
        // A table with errors cannot become a submission; the error carries the report. Finalising
        // sets `graded_level` and `submitted_at` itself, so mistakes in only those are mended.
        let mended_by_finalize = ["graded-level-mismatch", "invalid-timestamp"];
        if report
            .errors()
            .any(|i| !mended_by_finalize.contains(&i.code.as_str()))
        {
            match Submission::finalize(presets::registry(), table, "2012-08-20T10:00:00+08:00") {
                Err(Error::Invalid(r)) => assert!(!r.is_ok()),
                other => panic!("{}: finalize should refuse, got {other:?}", path.display()),
            }
        }
    }
}

#[test]
fn issues_name_the_row_and_field() {
    let path = fixtures("bad-tables")
        .into_iter()
        .find(|p| p.to_string_lossy().contains("invalid-factor-value"))
        .expect("fixture");
    let case: Case = serde_json::from_str(&fs::read_to_string(path).expect("read")).expect("parse");
    let table: SelfCheckTable = serde_json::from_value(case.table).expect("table");
    let report = validate_with(presets::registry(), &table);
    let issue = &report.issues[0];
    assert_eq!(issue.path, "rows[0].factors.importance");
    assert_eq!(issue.row, Some(0));
    assert!(
        issue.message.zh.starts_with("第 1 行"),
        "{}",
        issue.message.zh
    );
    assert!(
        issue
            .message
            .en
            .contains("'extreme' is not a value of 'importance of the power'"),
        "{}",
        issue.message.en
    );
}

#[test]
fn good_tables_have_no_errors_and_finalise() {
    for path in fixtures("good-tables") {
        let table =
            SelfCheckTable::from_json(&fs::read_to_string(&path).expect("read")).expect("parse");
        let report = validate_with(presets::registry(), &table);
        assert!(report.is_ok(), "{}: {:#?}", path.display(), report.issues);
        let at = table.submitted_at.clone().expect("fixture has a time");
        let sub = Submission::finalize(presets::registry(), table, &at).expect("finalises");
        assert!(sub.hash().starts_with("sha256:") && sub.hash().len() == 71);
    }
}

#[test]
fn malformed_json_fails_with_a_position_and_never_panics() {
    let files = fixtures("bad-json");
    assert!(files.len() >= 6);
    for path in files {
        let bytes = fs::read(&path).expect("read");
        let Ok(text) = String::from_utf8(bytes) else {
            // Invalid UTF-8 never reaches the parser as text: callers must reject it first (ingest does).
            continue;
        };
        match SelfCheckTable::from_json(&text) {
            Err(Error::Json {
                line,
                column,
                message,
                ..
            }) => {
                assert!(line >= 1 && column <= text.len() + 1, "{}", path.display());
                assert!(!message.is_empty());
            }
            other => panic!("{}: expected a JSON error, got {other:?}", path.display()),
        }
        assert!(Submission::from_json(presets::registry(), &text).is_err());
    }
}
