//! The supervision rules give the same answers through the facade as through the core, for the
//! same inputs (run under Node with `wasm-bindgen-test-runner`).
#![cfg(target_arch = "wasm32")]

use js_sys::JSON;
use serde_json::{Value, json};
use sunlight_core::Date;
use sunlight_core::model::ArchiveEvent;
use sunlight_core::presets;
use sunlight_core::rules::{deadlines, decision, rating, response, vetting, workflow, yellow_card};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn js(v: &Value) -> JsValue {
    JSON::parse(&v.to_string()).expect("valid JSON")
}

fn back(v: &JsValue) -> Value {
    serde_json::from_str(&String::from(JSON::stringify(v).expect("stringifies"))).expect("JSON")
}

fn same<T: serde::Serialize>(core: &T, facade: Result<JsValue, js_sys::Error>) {
    let f = back(&facade.expect("the facade answers"));
    assert_eq!(f, serde_json::to_value(core).expect("serialises"));
}

fn archive() -> Value {
    // The same file is the input of the SQL tests (queries/tests/common/mod.rs).
    serde_json::from_str(include_str!(
        "../../tests/fixtures/supervision/archive-p1.json"
    ))
    .expect("the shared archive fixture is JSON")
}

fn events() -> Vec<ArchiveEvent> {
    serde_json::from_value(archive()).expect("events")
}

fn d(s: &str) -> Date {
    s.parse().expect("date")
}

#[wasm_bindgen_test]
fn vetting_on_both_sides_of_six_months() {
    for on in ["2013-02-27", "2013-02-28"] {
        same(
            &vetting::vet("P1", &events(), d(on)),
            sunlight_wasm::vet_candidate("P1", js(&archive()), on),
        );
    }
    let out =
        back(&sunlight_wasm::vet_candidate("P1", js(&archive()), "2013-02-27").expect("answers"));
    assert_eq!(out["outcome"], "veto");
}

#[wasm_bindgen_test]
fn response_and_yellow_card() {
    let s = presets::get("university-2010").expect("preset");
    same(
        &response::recommend(
            &s.supervision,
            "P1",
            &events(),
            d("2012-01-01"),
            d("2012-12-31"),
        ),
        sunlight_wasm::recommend_response(
            "university-2010",
            "P1",
            js(&archive()),
            "2012-01-01",
            "2012-12-31",
        ),
    );
    same(
        &yellow_card::yellow_card(&s.supervision, "P1", &events(), 2012),
        sunlight_wasm::yellow_card_for("university-2010", "P1", js(&archive()), 2012),
    );
    assert!(
        back(
            &sunlight_wasm::yellow_card_for("university-2010", "P1", js(&archive()), 2012)
                .expect("answers")
        )["verified_reports"]
            == 2
    );
}

#[wasm_bindgen_test]
fn decision_obligations_rating_and_review() {
    let record = json!({"id": "d1", "decided_by": "individual", "facts_withheld": true});
    let r: decision::DecisionRecord = serde_json::from_value(record.clone()).expect("record");
    let (triggers, disposition) = decision::accountability(&r);
    same(
        &json!({"triggers": triggers, "disposition": disposition}),
        sunlight_wasm::decision_accountability(js(&record)),
    );
    same(
        &deadlines::obligations(presets::get("town-2012").expect("preset"), 2012).expect("ok"),
        sunlight_wasm::obligations("town-2012", 2012),
    );
    let input = json!({"unit": "jxau", "year": 2010, "score": 95, "cases": 0, "yellow_cards": 1});
    let i: rating::RatingInput = serde_json::from_value(input.clone()).expect("input");
    same(
        &rating::rate(
            &presets::get("university-2010").expect("preset").supervision,
            &i,
        )
        .expect("rated"),
        sunlight_wasm::rate_unit("university-2010", js(&input)),
    );
    let review = json!([
        {"table": "sha256:t", "step": "confirm", "by": "班子", "at": "2012-09-01T09:00:00+08:00"},
        {"table": "sha256:t", "step": "publish", "by": "党委", "at": "2012-09-02T09:00:00+08:00", "scope": "机关内部"}
    ]);
    let list: Vec<workflow::ReviewEvent> = serde_json::from_value(review.clone()).expect("events");
    same(
        &workflow::status("sha256:t", &list),
        sunlight_wasm::review_status("sha256:t", js(&review)),
    );
}

#[wasm_bindgen_test]
fn unusable_input_throws_a_clear_error() {
    let e = sunlight_wasm::vet_candidate("P1", js(&json!({"not": "a list"})), "2013-01-01")
        .expect_err("throws");
    assert!(String::from(e.message()).contains("must be an array"));
    let e = sunlight_wasm::vet_candidate("P1", js(&archive()), "2013-02-30").expect_err("throws");
    assert!(String::from(e.message()).contains("vetting date"));
    let e = sunlight_wasm::rate_unit("nope", js(&json!({}))).expect_err("throws");
    assert!(String::from(e.message()).contains("nope"));
}
