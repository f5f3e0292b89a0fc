//! The facade as JavaScript sees it, run under Node with `wasm-bindgen-test-runner`:
//! `cargo test -p sunlight-wasm --target wasm32-unknown-unknown` (see scripts/test.d/20-wasm.sh).
//!
//! Arguments are built with `JSON.parse`, results read back with `JSON.stringify`, so what is
//! tested is exactly what crosses the boundary.
#![cfg(target_arch = "wasm32")]

use js_sys::JSON;
use serde_json::{Value, json};
use sunlight_core::{SelfCheckTable, Submission, presets};
use sunlight_wasm::{
    TableChecker, finalize_table, form_definition, get_scheme, grade_risk_point, list_schemes,
    validate_table, verify_submission,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn js(v: &Value) -> JsValue {
    JSON::parse(&v.to_string()).expect("valid JSON")
}

fn back(v: &JsValue) -> Value {
    let text = JSON::stringify(v).expect("stringifies");
    serde_json::from_str(&String::from(text)).expect("JSON")
}

fn message(e: js_sys::Error) -> String {
    assert!(e.is_instance_of::<js_sys::Error>());
    String::from(e.message())
}

/// A town-2012 department table with two rows, valid as it stands.
fn town_table() -> Value {
    json!({
        "scheme": "town-2012", "year": 2012, "period": "annual", "table": "department",
        "unit": {"id": "chengguan", "name": "城关镇"},
        "department": {"id": "finance", "name": "财政所"},
        "rows": [
            {
                "power": {"name": "低保资金发放", "category": "approval"},
                "step": {"name": "审核"},
                "risk_point": "优亲厚友，违规审批",
                "risk_type": "post-duty",
                "factors": {"importance": "high", "discretion": "large", "probability": "high", "harm": "severe"},
                "measures": [
                    {"line": "prevention", "kind": "open-procedures", "text": "公示审批程序"},
                    {"line": "monitoring", "kind": "collective-decision", "text": ""},
                    {"line": "disposal", "kind": "", "text": "发现问题责令整改"}
                ],
                "responsible": "财政所所长"
            },
            {
                "power": {"name": "办公用品采购", "category": "internal-management"},
                "risk_point": "虚报采购数量",
                "risk_type": "moral",
                "factors": {"importance": "low", "discretion": "small", "probability": "low", "harm": "minor"},
                "measures": [{"line": "monitoring", "kind": "periodic-self-check", "text": ""}],
                "responsible": "办公室主任"
            }
        ]
    })
}

#[wasm_bindgen_test]
fn lists_the_four_presets_in_full() {
    let all = back(&list_schemes().expect("lists"));
    let ids: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "town-2012",
            "ministry-2012",
            "education-bureau",
            "university-2010"
        ]
    );
    let town = &all[0];
    assert_eq!(
        town["name"]["zh"],
        "城关镇加强廉政风险防控规范权力运行工作实施方案"
    );
    assert_eq!(town["levels"].as_array().map(Vec::len), Some(3));
    assert_eq!(town["risk_types"][0]["id"], "moral");
    assert_eq!(
        town["roles"][0]["name"]["en"],
        "principal leader of the unit"
    );
    assert_eq!(town["measures"][0]["line"], "prevention");
    // Maps arrive as plain objects, not Map instances.
    assert_eq!(town["grading"]["points"]["harm"]["severe"], 3);
    assert_eq!(
        back(&get_scheme("ministry-2012").expect("known"))["levels"][0]["id"],
        "class1-higher"
    );
}

#[wasm_bindgen_test]
fn unknown_scheme_or_table_kind_throws() {
    assert_eq!(
        message(get_scheme("village-1999").expect_err("unknown")),
        "no scheme called 'village-1999' is known"
    );
    assert!(
        message(form_definition("town-2012", "team").expect_err("bad kind")).contains("'team'")
    );
    assert!(
        message(form_definition("nowhere", "department").expect_err("bad scheme"))
            .contains("'nowhere'")
    );
}

#[wasm_bindgen_test]
fn form_definition_follows_scheme_and_table_kind() {
    let dept = back(&form_definition("education-bureau", "department").expect("form"));
    assert_eq!(dept["title"]["zh"], "部门廉政风险识别防控表");
    let header: Vec<&str> = dept["header"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(header.contains(&"department.name"));
    assert!(!header.iter().any(|p| p.starts_with("person.")));
    let factors: Vec<&Value> = dept["row"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("factors."))
        })
        .collect();
    assert_eq!(factors.len(), 6);
    assert_eq!(factors[0]["input"], "select");
    assert_eq!(factors[0]["choices"][0]["id"], "principal");
    assert_eq!(dept["measure_lines"][2]["name"]["zh"], "后期处置");
    assert_eq!(dept["levels"][0]["responsible_name"]["zh"], "单位主要领导");

    let personal = back(&form_definition("education-bureau", "personal").expect("form"));
    assert!(
        personal["header"]
            .as_array()
            .expect("array")
            .iter()
            .any(|f| f["path"] == "person.post" && f["required"] == true)
    );
}

#[wasm_bindgen_test]
fn grades_with_level_reason_and_responsible_role() {
    let high = back(
        &grade_risk_point(
            "town-2012",
            js(&json!({"importance": "high", "discretion": "large", "probability": "high", "harm": "moderate"})),
        )
        .expect("grades"),
    );
    assert_eq!(high["level"], "high");
    assert_eq!(high["responsible"], "principal-leader");
    assert_eq!(high["responsible_name"]["zh"], "单位主要领导");
    assert_eq!(high["reasons"][0]["score"], 11);
    assert!(
        high["reasons"][0]["text"]["en"]
            .as_str()
            .is_some_and(|t| t.contains("score 11"))
    );
    // One factor lower and the score falls below the high threshold.
    let medium = back(
        &grade_risk_point(
            "town-2012",
            js(&json!({"importance": "high", "discretion": "large", "probability": "low", "harm": "moderate"})),
        )
        .expect("grades"),
    );
    assert_eq!(medium["level"], "medium");
    assert_eq!(medium["responsible"], "leader-in-charge");
}

#[wasm_bindgen_test]
fn grading_unusable_factors_throws() {
    let missing = grade_risk_point("university-2010", js(&json!({}))).expect_err("missing");
    assert!(message(missing).contains("'consequence'"));
    let bad = grade_risk_point("university-2010", js(&json!({"consequence": "fine"})))
        .expect_err("bad value");
    assert!(message(bad).contains("'fine' is not one of crime, discipline, influence"));
    let not_object =
        grade_risk_point("university-2010", JsValue::from_str("crime")).expect_err("a string");
    assert_eq!(
        message(not_object),
        "the grading factors must be an object, not a string"
    );
}

#[wasm_bindgen_test]
fn a_valid_table_validates_and_every_row_is_graded() {
    let r = back(&validate_table(js(&town_table())).expect("validates"));
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["errors"], json!([]));
    assert_eq!(r["grades"][0]["level"], "high");
    assert_eq!(r["grades"][1]["level"], "low");
}

#[wasm_bindgen_test]
fn a_table_with_mistakes_is_a_value_with_paths_and_both_languages() {
    let mut t = town_table();
    t["unit"]["name"] = json!("");
    t["rows"][1]["factors"]["harm"] = json!("");
    t["rows"][1]["risk_type"] = json!("gossip");
    t["rows"][0]["measures"] = json!([{"line": "prevention", "kind": "", "text": "公示"}]);
    let r = back(&validate_table(js(&t)).expect("a value, not a throw"));
    assert_eq!(r["ok"], false);
    let at = |path: &str| -> Vec<Value> {
        r["errors"]
            .as_array()
            .expect("array")
            .iter()
            .filter(|i| i["path"] == path)
            .cloned()
            .collect()
    };
    assert_eq!(at("unit.name")[0]["code"], "missing-field");
    assert_eq!(at("unit.name")[0]["message"]["zh"], "请填写单位名称");
    assert_eq!(at("rows[1].factors.harm")[0]["code"], "missing-factor");
    assert_eq!(at("rows[1].factors.harm")[0]["row"], 1);
    assert_eq!(at("rows[1].risk_type")[0]["code"], "unknown-risk-type");
    // A high risk with only one line of defence: town-2012 makes that an error.
    assert_eq!(at("rows[0].measures").len(), 2);
    assert!(
        at("rows[0].measures")[0]["message"]["en"]
            .as_str()
            .is_some_and(|m| m.contains("in-process monitoring"))
    );
    assert_eq!(r["grades"][0]["level"], "high");
    assert_eq!(r["grades"][1], Value::Null);
}

#[wasm_bindgen_test]
fn a_value_that_is_not_a_table_throws() {
    for (v, expected) in [
        (
            JsValue::NULL,
            "the self-check table must be an object, not null",
        ),
        (
            js(&json!([1, 2])),
            "the self-check table must be an object, not an array",
        ),
        (
            JsValue::from_f64(3.0),
            "the self-check table must be an object, not a number",
        ),
    ] {
        assert_eq!(message(validate_table(v).expect_err("throws")), expected);
    }
    let mut t = town_table();
    t["colour"] = json!("red");
    assert!(message(validate_table(js(&t)).expect_err("unknown member")).contains("colour"));
    let mut t = town_table();
    t["year"] = json!("2012");
    assert!(
        message(validate_table(js(&t)).expect_err("wrong type"))
            .contains("not of the expected shape")
    );
}

#[wasm_bindgen_test]
fn finalize_gives_the_canonical_submission_the_native_core_gives() {
    let at = "2012-08-20T10:00:00+08:00";
    let r = back(&finalize_table(js(&town_table()), at).expect("finalizes"));
    assert_eq!(r["ok"], true, "{r}");
    let json_text = r["json"].as_str().expect("canonical JSON");
    let hash = r["hash"].as_str().expect("hash");
    assert!(hash.starts_with("sha256:") && hash.len() == 71);

    let native = Submission::finalize(
        presets::registry(),
        SelfCheckTable::from_json(&town_table().to_string()).expect("table"),
        at,
    )
    .expect("valid");
    assert_eq!(native.hash(), hash);
    assert_eq!(native.to_json().expect("json"), json_text);

    let sub: Value = serde_json::from_str(json_text).expect("JSON");
    assert_eq!(sub["hash"], hash);
    assert_eq!(sub["rows"][0]["level"], "high");
    assert_eq!(sub["rows"][0]["graded_level"], "high");
    assert_eq!(sub["submitted_at"], at);

    let v = back(&verify_submission(json_text).expect("verifies"));
    assert_eq!(v, json!({"ok": true, "hash": hash, "warnings": []}));
}

#[wasm_bindgen_test]
fn finalizing_an_invalid_table_is_a_value_and_an_unknown_scheme_throws() {
    let mut t = town_table();
    t["rows"][0]["risk_point"] = json!(" ");
    let r = back(&finalize_table(js(&t), "2012-08-20T10:00:00+08:00").expect("a value"));
    assert_eq!(r["ok"], false);
    assert_eq!(r["errors"][0]["path"], "rows[0].risk_point");
    assert!(r.get("json").is_none());

    let mut t = town_table();
    t["scheme"] = json!("atlantis");
    let e = finalize_table(js(&t), "2012-08-20T10:00:00+08:00").expect_err("unknown scheme");
    assert_eq!(message(e), "no scheme called 'atlantis' is known");
}

#[wasm_bindgen_test]
fn a_late_submission_carries_a_warning() {
    let r = back(&finalize_table(js(&town_table()), "2012-09-03T09:00:00+08:00").expect("ok"));
    assert_eq!(r["ok"], true);
    assert_eq!(r["warnings"][0]["code"], "submitted-late");
}

#[wasm_bindgen_test]
fn verify_rejects_tampering_and_throws_on_non_json() {
    let r = back(&finalize_table(js(&town_table()), "2012-08-20T10:00:00+08:00").expect("ok"));
    let text = r["json"].as_str().expect("json");

    let tampered = text.replace("优亲厚友", "优亲厚友（已删改）");
    let v = back(&verify_submission(&tampered).expect("a value"));
    assert_eq!(v["ok"], false);
    assert_eq!(v["problem"], "hash-mismatch");

    let mut sub: Value = serde_json::from_str(text).expect("JSON");
    sub["rows"][0]["graded_level"] = json!("low");
    let v = back(&verify_submission(&sub.to_string()).expect("a value"));
    assert_eq!(v["problem"], "invalid");
    assert_eq!(v["errors"][0]["code"], "graded-level-mismatch");

    let e = verify_submission("{\"scheme\": ").expect_err("not JSON");
    assert!(message(e).starts_with("the self-check table is not valid JSON"));
}

/// A whole result put together from the last full result and the updates since, as the element
/// does: the head's issues, then every row's, in order.
struct Merged {
    ok: Value,
    head: Value,
    rows: Vec<Value>,
}

impl Merged {
    fn of(full: &Value) -> Self {
        let n = full["grades"].as_array().expect("grades").len();
        let mut rows: Vec<Value> = (0..n)
            .map(|i| json!({"row": i, "errors": [], "warnings": [], "grade": full["grades"][i]}))
            .collect();
        let mut head = json!({"errors": [], "warnings": []});
        for kind in ["errors", "warnings"] {
            for issue in full[kind].as_array().expect("issues") {
                let part = match issue["row"].as_u64() {
                    Some(i) => &mut rows[usize::try_from(i).expect("small")],
                    None => &mut head,
                };
                part[kind]
                    .as_array_mut()
                    .expect("array")
                    .push(issue.clone());
            }
        }
        Merged {
            ok: full["ok"].clone(),
            head,
            rows,
        }
    }

    fn apply(&mut self, update: &Value) {
        self.ok = update["ok"].clone();
        self.head = update["head"].clone();
        for r in update["rows"].as_array().expect("rows") {
            let i = usize::try_from(r["row"].as_u64().expect("row")).expect("small");
            self.rows[i] = r.clone();
        }
    }

    fn whole(&self) -> Value {
        let all = |kind: &str| -> Vec<Value> {
            let mut v: Vec<Value> = self.head[kind].as_array().expect("array").clone();
            for r in &self.rows {
                v.extend(r[kind].as_array().expect("array").iter().cloned());
            }
            v
        };
        json!({
            "ok": self.ok, "errors": all("errors"), "warnings": all("warnings"),
            "grades": self.rows.iter().map(|r| r["grade"].clone()).collect::<Vec<_>>(),
        })
    }
}

#[wasm_bindgen_test]
fn the_checker_gives_what_validate_table_gives_after_every_edit() {
    let mut t = town_table();
    let mut checker = TableChecker::new();
    let full = back(&checker.check(js(&t)).expect("checks"));
    assert_eq!(full, back(&validate_table(js(&t)).expect("validates")));
    let mut merged = Merged::of(&full);
    type Edit = fn(&mut Value) -> Option<usize>;
    let edits: [Edit; 6] = [
        // A factor: row 0's grade changes.
        |t| {
            t["rows"][0]["factors"]["harm"] = json!("minor");
            Some(0)
        },
        // Row 1 becomes the same risk point as row 0 (whitespace and case aside).
        |t| {
            t["rows"][1]["power"] = t["rows"][0]["power"].clone();
            t["rows"][1]["step"] = t["rows"][0]["step"].clone();
            t["rows"][1]["risk_point"] = json!(" 优亲厚友，违规审批 ");
            Some(1)
        },
        // Row 0 changes its risk point: row 1 no longer repeats it.
        |t| {
            t["rows"][0]["risk_point"] = json!("优亲厚友");
            Some(0)
        },
        // A factor left out: no grade, an error.
        |t| {
            t["rows"][1]["factors"]["harm"] = json!("");
            Some(1)
        },
        // The header.
        |t| {
            t["unit"]["name"] = json!("");
            t["year"] = json!(1990);
            None
        },
        |t| {
            t["unit"]["name"] = json!("城关镇");
            None
        },
    ];
    for edit in edits {
        let update = match edit(&mut t) {
            Some(i) => checker.check_row(i, js(&t["rows"][i])),
            None => {
                let mut header = t.clone();
                header.as_object_mut().expect("object").remove("rows");
                checker.check_header(js(&header))
            }
        };
        merged.apply(&back(&update.expect("an update")));
        assert_eq!(
            merged.whole(),
            back(&validate_table(js(&t)).expect("validates"))
        );
    }
}

#[wasm_bindgen_test]
fn rows_added_and_removed_are_checked_from_the_kept_table_with_its_edits() {
    let mut t = town_table();
    let mut checker = TableChecker::new();
    checker.check(js(&t)).expect("checks");
    // Edits the checker saw before the rows move: a factor, and the header.
    t["rows"][0]["factors"]["harm"] = json!("minor");
    checker.check_row(0, js(&t["rows"][0])).expect("row");
    t["unit"]["name"] = json!("");
    let mut header = t.clone();
    header.as_object_mut().expect("object").remove("rows");
    checker.check_header(js(&header)).expect("header");
    // A repeat of row 0 added at the front: both rows shift, and the repeat is now row 1.
    let again = t["rows"][0].clone();
    t["rows"]
        .as_array_mut()
        .expect("rows")
        .insert(0, again.clone());
    let added = back(&checker.insert_row(0, js(&again)).expect("inserted"));
    assert_eq!(added, back(&validate_table(js(&t)).expect("validates")));
    assert!(added["errors"].to_string().contains("rows[1].risk_point"));
    // At the end, then row 1 removed: what validateTable gives for the table as it stands.
    let last = t["rows"][2].clone();
    t["rows"].as_array_mut().expect("rows").push(last.clone());
    let added = back(&checker.insert_row(3, js(&last)).expect("at the end"));
    assert_eq!(added, back(&validate_table(js(&t)).expect("validates")));
    t["rows"].as_array_mut().expect("rows").remove(1);
    let removed = back(&checker.remove_row(1).expect("removed"));
    assert_eq!(removed, back(&validate_table(js(&t)).expect("validates")));
    assert_eq!(removed["grades"].as_array().map(Vec::len), Some(3));
    // Positions the table does not have.
    let n = t["rows"].as_array().map(Vec::len).unwrap_or_default();
    assert!(message(checker.remove_row(n).expect_err("past the end")).contains("no row 3"));
    assert!(
        message(
            checker
                .insert_row(n + 1, js(&last))
                .expect_err("past the end")
        )
        .contains("has 3 rows")
    );
    assert!(
        message(TableChecker::new().remove_row(0).expect_err("no table")).contains("check a table")
    );
}

#[wasm_bindgen_test]
fn rows_of_the_same_factors_share_one_grade_object() {
    let mut t = town_table();
    let again = t["rows"][0].clone();
    t["rows"].as_array_mut().expect("rows").push(again);
    for r in [
        validate_table(js(&t)).expect("validates"),
        TableChecker::new().check(js(&t)).expect("checks"),
    ] {
        let grades = js_sys::Reflect::get(&r, &JsValue::from_str("grades")).expect("grades");
        let g: js_sys::Array = grades.unchecked_into();
        assert_eq!(g.length(), 3);
        assert!(js_sys::Object::is(&g.get(0), &g.get(2)));
        assert!(!js_sys::Object::is(&g.get(0), &g.get(1)));
        assert_eq!(back(&g.get(2))["level"], "high");
    }
}

#[wasm_bindgen_test]
fn the_checker_throws_without_a_table_for_a_missing_row_and_another_scheme() {
    let mut checker = TableChecker::new();
    let t = town_table();
    assert!(
        message(
            checker
                .check_row(0, js(&t["rows"][0]))
                .expect_err("no table yet")
        )
        .contains("check a table")
    );
    checker.check(js(&t)).expect("checks");
    assert!(
        message(
            checker
                .check_row(2, js(&t["rows"][0]))
                .expect_err("two rows")
        )
        .contains("no row 2")
    );
    assert!(
        message(
            checker
                .check_row(0, js(&json!({"risk_piont": "x"})))
                .expect_err("not a row")
        )
        .contains("risk_piont")
    );
    let mut other = t.clone();
    other["scheme"] = json!("ministry-2012");
    assert!(
        message(
            checker
                .check_header(js(&other))
                .expect_err("another scheme")
        )
        .contains("check the whole table")
    );
    // An unknown scheme is reported as validateTable reports it, and nothing is kept.
    other["scheme"] = json!("no-such-scheme");
    let r = back(&checker.check(js(&other)).expect("a value"));
    assert_eq!(r, back(&validate_table(js(&other)).expect("a value")));
    assert_eq!(r["grades"], json!([null, null]));
    assert!(checker.check_row(0, js(&t["rows"][0])).is_err());
}
