//! Property tests: random tables and random text never make the core panic, and whatever
//! finalises round-trips through its canonical JSON.

use std::collections::BTreeMap;

use proptest::prelude::*;
use sunlight_core::model::{FlowStep, Measure, Power, RiskRow};
use sunlight_core::{
    DepartmentRef, PersonRef, SelfCheckTable, Submission, UnitRef, canonical, presets,
    validate_with,
};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z\\-]{0,12}",
        2 => "\\PC{0,40}",
        1 => ".{0,8}",
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["high", "low", "medium", "large", "small", "severe", "minor", "crime", "level-1", "prevention", "monitoring", "disposal", "approval", "post-duty"]).prop_map(String::from),
    ]
}

fn factors() -> impl Strategy<Value = BTreeMap<String, String>> {
    let keys = prop::sample::select(vec![
        "importance",
        "discretion",
        "probability",
        "harm",
        "area",
        "likelihood",
        "impact",
        "consequence",
        "leadership",
        "colour",
        // Names whose byte order is not their UTF-16 order (canonical JSON sorts by UTF-16).
        "\u{e000}private",
        "\u{10000}astral",
        "é",
    ]);
    let vals = prop::sample::select(vec![
        "high",
        "medium",
        "low",
        "large",
        "small",
        "severe",
        "moderate",
        "minor",
        "crime",
        "discipline",
        "approval",
        "principal",
        "?",
    ]);
    prop::collection::btree_map(
        keys.prop_map(String::from),
        vals.prop_map(String::from),
        0..6,
    )
}

fn measure() -> impl Strategy<Value = Measure> {
    (text(), text(), text()).prop_map(|(line, kind, text)| Measure { line, kind, text })
}

fn row() -> impl Strategy<Value = RiskRow> {
    (
        (text(), text(), text(), text()),
        (text(), text(), factors(), prop::option::of(text())),
        (prop::collection::vec(measure(), 0..4), text(), text()),
    )
        .prop_map(
            |(
                (name, category, step, post),
                (risk_point, risk_type, factors, level),
                (measures, responsible, level_reason),
            )| RiskRow {
                power: Power {
                    name,
                    category,
                    ..Default::default()
                },
                step: FlowStep {
                    name: step,
                    ..Default::default()
                },
                post,
                risk_point,
                risk_type,
                factors,
                level,
                graded_level: None,
                level_reason,
                measures,
                responsible,
            },
        )
}

fn table() -> impl Strategy<Value = SelfCheckTable> {
    (
        prop::sample::select(vec![
            "town-2012",
            "ministry-2012",
            "education-bureau",
            "university-2010",
            "nope",
            "",
        ]),
        prop_oneof![Just(2012_i64), Just(2010), any::<i64>()],
        prop::sample::select(vec!["annual", "H1", "Q9", ""]),
        prop::sample::select(vec!["department", "personal", "x"]),
        (text(), text(), text()),
        prop::option::of((text(), text(), text(), any::<bool>())),
        prop::collection::vec(row(), 0..5),
        prop::option::of(prop_oneof![
            Just("2012-08-20T10:00:00+08:00".to_string()),
            text()
        ]),
        (
            prop_oneof![4 => Just(1_i64), 1 => any::<i64>()],
            prop::option::of(text()),
        ),
    )
        .prop_map(
            |(
                scheme,
                year,
                period,
                kind,
                (unit, dept, name),
                person,
                rows,
                submitted_at,
                (schema_version, hash),
            )| {
                SelfCheckTable {
                    schema_version,
                    hash,
                    scheme: scheme.into(),
                    year,
                    period: period.into(),
                    table: kind.into(),
                    unit: UnitRef {
                        id: unit.clone(),
                        name: unit,
                    },
                    department: DepartmentRef {
                        id: dept.clone(),
                        name: dept,
                    },
                    person: person.map(|(id, n, post, key_post)| PersonRef {
                        id,
                        name: format!("{name}{n}"),
                        post,
                        key_post,
                    }),
                    rows,
                    submitted_at,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn validation_and_finalisation_never_panic(t in table()) {
        let report = validate_with(presets::registry(), &t);
        for issue in &report.issues {
            prop_assert!(!issue.message.zh.is_empty() && !issue.message.en.is_empty());
        }
        if let Ok(sub) = Submission::finalize(presets::registry(), t, "2012-08-20T10:00:00+08:00") {
            let json = sub.to_json().expect("a finalised submission is canonical");
            let again = Submission::from_json(presets::registry(), &json).expect("and reads back");
            prop_assert_eq!(again.hash(), sub.hash());
            prop_assert_eq!(again.to_json().expect("canonical"), json);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = SelfCheckTable::from_json(&s);
        let _ = Submission::from_json(presets::registry(), &s);
        let _ = sunlight_core::Scheme::from_json(&s);
    }

    #[test]
    fn tables_are_written_canonically_as_their_json_values_are(t in table()) {
        // The same text, or the same error (an out-of-range year, say) at the same place.
        let value = serde_json::to_value(&t).expect("a table is JSON");
        let text = |r: sunlight_core::Result<String>| r.map_err(|e| e.to_string());
        prop_assert_eq!(
            text(canonical::to_canonical_string_of(&t, None)),
            text(canonical::to_canonical_string(&value))
        );
        let mut without = value;
        if let serde_json::Value::Object(m) = &mut without {
            m.remove("hash");
        }
        prop_assert_eq!(
            text(canonical::to_canonical_string_of(&t, Some("hash"))),
            text(canonical::to_canonical_string(&without))
        );
        // The table's own writer (what hashing and `to_json` use) writes the same.
        prop_assert_eq!(
            text(canonical::table_to_canonical_string(&t, true)),
            text(canonical::to_canonical_string_of(&t, None))
        );
        prop_assert_eq!(
            text(canonical::table_to_canonical_string(&t, false)),
            text(canonical::to_canonical_string_of(&t, Some("hash")))
        );
    }

    #[test]
    fn json_values_are_written_canonically_as_they_are_typed(v in json_value()) {
        // serde_json::Value goes through the serializer too: maps, arrays, every leaf.
        prop_assert_eq!(
            canonical::to_canonical_string_of(&v, None).expect("typed"),
            canonical::to_canonical_string(&v).expect("from the value")
        );
    }

    #[test]
    fn canonical_form_is_a_fixed_point(v in json_value()) {
        let once = canonical::to_canonical_string(&v).expect("integers and strings only");
        let parsed: serde_json::Value = serde_json::from_str(&once).expect("canonical JSON is JSON");
        prop_assert_eq!(canonical::to_canonical_string(&parsed).expect("again"), once);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        (-(1_i64 << 53) + 1..(1_i64 << 53)).prop_map(serde_json::Value::from),
        "\\PC{0,10}|[\\x00-\\x1f\"\\\\]{0,4}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("\\PC{0,6}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
