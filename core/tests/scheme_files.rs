//! A unit's own scheme file: loaded, checked, and refused with a clear path when it is wrong.

use serde_json::{Value, json};
use sunlight_core::presets::{PRESET_FILES, Registry};
use sunlight_core::{Error, Scheme, SelfCheckTable, Submission};

fn preset(id: &str) -> Value {
    let text = PRESET_FILES
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, t)| *t)
        .expect("preset");
    serde_json::from_str(text).expect("json")
}

fn load(v: &Value) -> Result<Scheme, Error> {
    Scheme::from_json(&v.to_string())
}

fn scheme_error(v: &Value) -> (String, String) {
    match load(v) {
        Err(Error::Scheme { path, message, .. }) => (path, message),
        other => panic!("expected a scheme error, got {other:?}"),
    }
}

#[test]
fn a_units_own_scheme_loads_and_grades_without_code() {
    // A county bureau adapts the university scheme: its own id, and a fourth, stricter rule.
    let mut v = preset("university-2010");
    v["id"] = json!("county-audit-2013");
    v["years"] = json!({"from": 2013, "to": 2015});
    v["factors"].as_array_mut().expect("factors").push(json!({
        "id": "funds", "name": {"zh": "涉及资金", "en": "funds involved"},
        "options": [{"id": "large", "name": {"zh": "大额", "en": "large"}}, {"id": "small", "name": {"zh": "小额", "en": "small"}}]
    }));
    v["grading"]["rules"].as_array_mut().expect("rules").insert(
        0,
        json!({"when": {"consequence": ["discipline"], "funds": ["large"]}, "level": "level-1",
               "reason": {"zh": "涉及大额资金，可能受处分，从严定为一级", "en": "large funds: level 1"}}),
    );
    let mut registry = Registry::with_presets().expect("presets");
    let scheme = registry.add_json(&v.to_string()).expect("valid scheme");
    assert_eq!(scheme.id, "county-audit-2013");
    let table = SelfCheckTable::from_json(
        &json!({
            "scheme": "county-audit-2013", "year": 2014, "table": "department",
            "unit": {"id": "c", "name": "县审计局"}, "department": {"id": "d", "name": "办公室"},
            "rows": [{"power": {"name": "专项审计", "category": "supervision"}, "risk_point": "审计走过场",
                      "risk_type": "post-duty", "factors": {"consequence": "discipline", "funds": "large"},
                      "measures": [{"line": "prevention", "text": "a"}, {"line": "monitoring", "text": "b"}, {"line": "disposal", "text": "c"}],
                      "responsible": "局长"}]
        })
        .to_string(),
    )
    .expect("table");
    let sub = Submission::finalize(&registry, table, "2014-05-01T08:00:00+08:00").expect("valid");
    assert_eq!(sub.table().rows[0].level.as_deref(), Some("level-1"));
    assert!(
        registry.add_json(&v.to_string()).is_err(),
        "the same id twice is refused"
    );
}

#[test]
fn mistakes_in_a_scheme_file_are_named_with_their_path() {
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Mutation, &str, &str)> = vec![
        (
            Box::new(|v| v["format"] = json!("sunlight-scheme/9")),
            "format",
            "expected 'sunlight-scheme/1'",
        ),
        (
            Box::new(|v| v["id"] = json!("Town 2012")),
            "id",
            "lower-case",
        ),
        (
            Box::new(|v| v["levels"][0]["responsible"] = json!("mayor")),
            "levels[0].responsible",
            "names role 'mayor'",
        ),
        (
            Box::new(|v| v["levels"][1]["rank"] = json!(1)),
            "levels[1].rank",
            "used twice",
        ),
        (
            Box::new(|v| v["grading"]["thresholds"][2]["min"] = json!(5)),
            "grading.thresholds",
            "lowest possible score",
        ),
        (
            Box::new(|v| v["grading"]["thresholds"][1]["level"] = json!("extreme")),
            "grading.thresholds[1].level",
            "names level 'extreme'",
        ),
        (
            Box::new(|v| v["grading"]["points"]["harm"] = json!({"severe": 3, "moderate": 2})),
            "grading.points.harm.minor",
            "every option needs points",
        ),
        (
            Box::new(|v| v["risk_types"][1]["id"] = json!("moral")),
            "risk_types",
            "'moral' appears twice",
        ),
        (
            Box::new(|v| v["phases"][0]["end"] = json!("05-01")),
            "phases[0]",
            "ends (05-01) before it starts",
        ),
        (
            Box::new(|v| v["table_deadline"] = json!("harvest")),
            "table_deadline",
            "names phase 'harvest'",
        ),
        (
            Box::new(|v| v["years"] = json!({"from": 2012, "to": 2011})),
            "years",
            "ends (2011) before it starts",
        ),
        (
            Box::new(|v| v["periods"] = json!([])),
            "periods",
            "at least one",
        ),
    ];
    for (mutate, path, needle) in cases {
        let mut v = preset("town-2012");
        mutate(&mut v);
        let (p, m) = scheme_error(&v);
        assert_eq!(p, path, "{m}");
        assert!(m.contains(needle), "{path}: {m}");
    }
}

#[test]
fn mistakes_in_a_decision_table_are_named() {
    let mut v = preset("university-2010");
    v["grading"]["rules"][1]["when"] = json!({"consequence": ["treason"]});
    assert_eq!(
        scheme_error(&v),
        (
            "grading.rules[1].when.consequence".into(),
            "'treason' is not an option of factor 'consequence'".into()
        )
    );
    let mut v = preset("university-2010");
    v["grading"]["rules"][0]["when"] = json!({});
    assert_eq!(scheme_error(&v).0, "grading.rules[0]");
    let mut v = preset("university-2010");
    v["grading"]["otherwise"]["level"] = json!("level-9");
    assert_eq!(scheme_error(&v).0, "grading.otherwise.level");
}

#[test]
fn a_file_that_is_not_a_scheme_says_where() {
    match Scheme::from_json("{\n  \"format\": \"sunlight-scheme/1\",\n  \"id\": 7\n}") {
        Err(Error::Json { line, what, .. }) => assert_eq!((line, what), (3, "scheme file")),
        other => panic!("{other:?}"),
    }
    let mut v = preset("town-2012");
    v["colour"] = json!("red");
    assert!(
        matches!(load(&v), Err(Error::Json { .. })),
        "unknown members are refused"
    );
    let mut v = preset("town-2012");
    v["measures"][0]["line"] = json!("during");
    assert!(matches!(load(&v), Err(Error::Json { .. })));
}
