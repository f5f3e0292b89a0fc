//! The canonical submission: stable bytes, a hash that any change moves, tampering caught.

use std::fs;
use std::path::PathBuf;

use serde_json::Value;
use sunlight_core::{Error, SelfCheckTable, Submission, hash_of, presets};

fn good(name: &str) -> SelfCheckTable {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/good-tables")
        .join(name);
    SelfCheckTable::from_json(&fs::read_to_string(path).expect("fixture")).expect("parses")
}

fn submission() -> Submission {
    Submission::finalize(
        presets::registry(),
        good("town-2012.json"),
        "2012-08-20T10:00:00+08:00",
    )
    .expect("valid")
}

#[test]
fn serialise_parse_serialise_gives_the_same_bytes_and_hash() {
    let sub = submission();
    let first = sub.to_json().expect("canonical");
    let again = Submission::from_json(presets::registry(), &first).expect("accepted");
    assert_eq!(again.to_json().expect("canonical"), first);
    assert_eq!(again.hash(), sub.hash());
    // Formatting and member order do not matter: a pretty-printed copy hashes the same.
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&first).expect("json"))
            .expect("pretty");
    let reparsed = Submission::from_json(presets::registry(), &pretty).expect("accepted");
    assert_eq!(reparsed.hash(), sub.hash());
    assert_eq!(reparsed.to_json().expect("canonical"), first);
}

#[test]
fn finalising_twice_gives_the_same_hash() {
    assert_eq!(submission().hash(), submission().hash());
}

/// Every leaf of the envelope (each string, number and boolean; `null` replaced by a value) is
/// changed in turn; each change must change the hash.
#[test]
fn changing_any_field_changes_the_hash() {
    let sub = submission();
    let base: Value = serde_json::from_str(&sub.to_json().expect("canonical")).expect("json");
    let mut paths = Vec::new();
    leaves(&base, &mut Vec::new(), &mut paths);
    assert!(
        paths.len() > 50,
        "expected many leaves, got {}",
        paths.len()
    );
    let mut changed = 0;
    for path in &paths {
        if path.first().map(String::as_str) == Some("hash") {
            continue;
        }
        let mut v = base.clone();
        let leaf = pointer_mut(&mut v, path);
        *leaf = match leaf.take() {
            Value::String(s) => Value::String(format!("{s}x")),
            Value::Number(n) => Value::from(n.as_i64().unwrap_or(0) + 1),
            Value::Bool(b) => Value::Bool(!b),
            Value::Null => Value::String("x".into()),
            other => other,
        };
        let Ok(table) = serde_json::from_value::<SelfCheckTable>(v) else {
            // `person: null` cannot become a string; it is covered by the object case below.
            continue;
        };
        assert_ne!(
            hash_of(&table).expect("hash"),
            sub.hash(),
            "changing {path:?} left the hash unchanged"
        );
        changed += 1;
    }
    assert!(
        changed + 2 >= paths.len(),
        "only {changed} of {} leaves were checked",
        paths.len()
    );
    // Adding a person (null → object) and removing a row also change it.
    let mut t = sub.table().clone();
    t.person = Some(Default::default());
    assert_ne!(hash_of(&t).expect("hash"), sub.hash());
    let mut t = sub.table().clone();
    t.rows.pop();
    assert_ne!(hash_of(&t).expect("hash"), sub.hash());
}

fn leaves(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(k.clone());
                leaves(x, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(i.to_string());
                leaves(x, at, out);
                at.pop();
            }
        }
        _ => out.push(at.clone()),
    }
}

fn pointer_mut<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Array(a) => &mut a[k.parse::<usize>().expect("index")],
        Value::Object(m) => m.get_mut(k).expect("member"),
        _ => panic!("path {path:?} leads through a leaf"),
    })
}

#[test]
fn a_tampered_submission_is_refused() {
    let json = submission().to_json().expect("canonical");
    let tampered = json.replace("虚报冒领", "虚报");
    match Submission::from_json(presets::registry(), &tampered) {
        Err(Error::HashMismatch { stated, computed }) => assert_ne!(stated, computed),
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
}

#[test]
fn canonical_and_other_json_of_a_submission_give_the_same_hash() {
    // Canonical JSON is hashed as it stands, any other JSON through the canonical writer.
    let sub = submission();
    let canonical = sub.to_json().expect("canonical");
    let spaced = serde_json::to_string_pretty(sub.table()).expect("json");
    assert_ne!(canonical, spaced);
    for text in [&canonical, &spaced] {
        let again = Submission::from_json(presets::registry(), text).expect("accepted");
        assert_eq!(again.hash(), sub.hash());
        assert_eq!(again.table(), sub.table());
    }
    let tampered = spaced.replace("虚报冒领", "虚报");
    assert!(matches!(
        Submission::from_json(presets::registry(), &tampered),
        Err(Error::HashMismatch { .. })
    ));
}

#[test]
fn a_draft_is_not_a_submission() {
    let draft = serde_json::to_string(&good("town-2012.json")).expect("json");
    match Submission::from_json(presets::registry(), &draft) {
        Err(Error::Invalid(report)) => {
            assert!(
                report.issues.iter().any(|i| i.path == "rows[0].level"),
                "{:#?}",
                report.issues
            )
        }
        other => panic!("a draft without levels must be refused, got {other:?}"),
    }
}

#[test]
fn a_changed_grade_is_refused_on_ingest_even_with_a_matching_hash() {
    // A client that grades differently (or lies) and re-hashes is still caught: the grade is recomputed.
    let mut t = submission().into_table();
    t.rows[0].graded_level = Some("low".into());
    t.rows[0].level = Some("low".into());
    t.hash = Some(hash_of(&t).expect("hash"));
    match Submission::from_table(presets::registry(), t) {
        Err(Error::Invalid(report)) => {
            let codes: Vec<&str> = report.errors().map(|i| i.code.as_str()).collect();
            assert!(
                codes.contains(&"graded-level-mismatch")
                    && codes.contains(&"level-contradicts-factors"),
                "{codes:?}"
            );
        }
        other => panic!("expected refusal, got {other:?}"),
    }
}

#[test]
fn stated_levels_with_reasons_survive_finalisation() {
    let mut t = good("town-2012.json");
    t.rows[1].level = Some("medium".into());
    t.rows[1].level_reason = "近两年群众举报较多".into();
    let sub = Submission::finalize(presets::registry(), t, "2012-08-01T09:00:00+08:00")
        .expect("valid with a warning");
    assert_eq!(sub.table().rows[1].level.as_deref(), Some("medium"));
    assert_eq!(sub.table().rows[1].graded_level.as_deref(), Some("low"));
    assert_eq!(
        sub.warnings()
            .codes()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["level-overridden"]
    );
}

#[test]
fn every_factor_combination_is_graded_alike_in_any_table_and_order() {
    // The registry keeps each combination's grade once worked out, for all later tables: tables
    // holding every combination, forwards and then backwards, must each be accepted on ingest
    // with every row graded as `grade` grades its factors.
    let registry = presets::registry();
    for name in ["town-2012.json", "ministry-2012.json"] {
        let template = good(name);
        let scheme = registry.get(&template.scheme).expect("preset");
        let sizes: Vec<usize> = scheme.factors.iter().map(|f| f.options.len()).collect();
        let count: usize = sizes.iter().product();
        let rows: Vec<_> = (0..count)
            .map(|n| {
                let mut row = template.rows[0].clone();
                let mut rest = n;
                for (f, size) in scheme.factors.iter().zip(&sizes).rev() {
                    let option = &f.options[rest % size];
                    rest /= size;
                    row.factors.insert(f.id.clone(), option.id.clone());
                }
                row.risk_point = format!("组合 {n} 的风险点");
                row.level = None;
                row.graded_level = None;
                row
            })
            .collect();
        for backwards in [false, true] {
            let mut t = template.clone();
            t.rows = rows.clone();
            if backwards {
                t.rows.reverse();
            }
            let sub = Submission::finalize(registry, t, "2012-08-20T10:00:00+08:00")
                .expect("every combination can be submitted");
            let again = Submission::from_json(registry, &sub.to_json().expect("canonical"))
                .expect("accepted on ingest");
            for row in &again.table().rows {
                let want = sunlight_core::grade(scheme, &row.factors).expect("grades");
                assert_eq!(row.graded_level.as_deref(), Some(want.level.as_str()));
            }
            assert_eq!(again.table().rows.len(), count);
        }
    }
}
