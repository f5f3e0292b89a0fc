//! Worked examples from the seed documents, graded by each preset.
//!
//! Each test names the seed file and line its example comes from. Seeds live in
//! `shared/seeds/` beside the repository.

use std::collections::BTreeMap;

use sunlight_core::scheme::ReasonKind;
use sunlight_core::{Grade, Severity, grade, presets};

fn g(scheme: &str, factors: &[(&str, &str)]) -> Grade {
    let s = presets::get(scheme).expect("preset exists");
    let f: BTreeMap<String, String> = factors
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    grade(s, &f).unwrap_or_else(|e| panic!("{scheme} {factors:?}: {e}"))
}

/// Seed 000, line 47: levels 高/中/低 "根据权力的重要程度、自由裁量权的大小、腐败现象发生的概率及危害程度";
/// line 54: 财政专项资金管理使用 is a key area; lines 60–62: high → principal leader, medium → leader
/// in charge, low → head of the internal section.
#[test]
fn town_2012_special_funds_are_high_and_go_to_the_principal_leader() {
    let gr = g(
        "town-2012",
        &[
            ("importance", "high"),
            ("discretion", "large"),
            ("probability", "high"),
            ("harm", "severe"),
        ],
    );
    assert_eq!(gr.level, "high");
    assert_eq!(gr.severity, Severity::High);
    assert_eq!(gr.responsible, "principal-leader");
    let r = &gr.reasons[0];
    assert_eq!(r.kind, ReasonKind::Score);
    assert_eq!(r.score, Some(12));
    assert_eq!(
        r.factors.len(),
        4,
        "every factor is part of the explanation"
    );
    assert!(
        r.text.zh.contains("综合得分 12") && r.text.zh.contains("权力的重要程度重要 +3"),
        "{}",
        r.text.zh
    );
    assert!(r.text.en.contains("score 12"), "{}", r.text.en);
}

/// Seed 000, lines 55–56: 行政处罚裁量权 — an important power with wide discretion, even when
/// corruption is only moderately likely, reaches 高 at exactly the threshold (10).
#[test]
fn town_2012_penalty_discretion_reaches_high_at_the_threshold() {
    let gr = g(
        "town-2012",
        &[
            ("importance", "high"),
            ("discretion", "large"),
            ("probability", "medium"),
            ("harm", "moderate"),
        ],
    );
    assert_eq!((gr.level.as_str(), gr.reasons[0].score), ("high", Some(10)));
}

/// Seed 000, line 62: 中等级 → 分管领导. A score of exactly 7 is medium; 6 is low (→ 内设机构负责人).
#[test]
fn town_2012_medium_and_low_boundaries() {
    let m = g(
        "town-2012",
        &[
            ("importance", "medium"),
            ("discretion", "medium"),
            ("probability", "low"),
            ("harm", "moderate"),
        ],
    );
    assert_eq!(
        (m.level.as_str(), m.reasons[0].score, m.responsible.as_str()),
        ("medium", Some(7), "leader-in-charge")
    );
    let l = g(
        "town-2012",
        &[
            ("importance", "medium"),
            ("discretion", "small"),
            ("probability", "low"),
            ("harm", "moderate"),
        ],
    );
    assert_eq!(
        (l.level.as_str(), l.reasons[0].score, l.responsible.as_str()),
        ("low", Some(6), "section-head")
    );
    let lowest = g(
        "town-2012",
        &[
            ("importance", "low"),
            ("discretion", "small"),
            ("probability", "low"),
            ("harm", "minor"),
        ],
    );
    assert_eq!(
        (lowest.level.as_str(), lowest.reasons[0].score),
        ("low", Some(4))
    );
}

/// Seed 001, line 31: 一类风险 covers 行政审批 among others; a likely risk there is the higher level.
#[test]
fn ministry_2012_approval_is_class_one() {
    let gr = g(
        "ministry-2012",
        &[
            ("area", "approval"),
            ("likelihood", "high"),
            ("impact", "moderate"),
        ],
    );
    assert_eq!(gr.level, "class1-higher");
    assert_eq!(gr.reasons[0].kind, ReasonKind::Rule);
    assert_eq!(gr.reasons[0].rule, Some(1));
    assert!(
        gr.reasons[0].text.zh.contains("一类风险领域"),
        "{}",
        gr.reasons[0].text.zh
    );
    assert_eq!(gr.responsible, "principal-leader");
}

/// Seed 001, line 31: 干部选拔使用 is class 1; severe harm makes it the higher level (rule 2),
/// 人员安置 with ordinary likelihood and impact stays class-1 ordinary (rule 3).
#[test]
fn ministry_2012_cadre_selection_and_placement() {
    let sel = g(
        "ministry-2012",
        &[
            ("area", "cadre-selection"),
            ("likelihood", "low"),
            ("impact", "severe"),
        ],
    );
    assert_eq!(
        (sel.level.as_str(), sel.reasons[0].rule),
        ("class1-higher", Some(2))
    );
    let pl = g(
        "ministry-2012",
        &[
            ("area", "placement"),
            ("likelihood", "medium"),
            ("impact", "moderate"),
        ],
    );
    assert_eq!(
        (pl.level.as_str(), pl.reasons[0].rule, pl.severity),
        ("class1-ordinary", Some(3), Severity::Medium)
    );
}

/// Seed 001, line 31: 二类风险 covers 单位财务、资产管理; ordinary ones fall to the fallback.
#[test]
fn ministry_2012_unit_finance_is_class_two() {
    let fin = g(
        "ministry-2012",
        &[
            ("area", "unit-finance"),
            ("likelihood", "low"),
            ("impact", "minor"),
        ],
    );
    assert_eq!(fin.level, "class2-ordinary");
    assert_eq!(fin.reasons[0].kind, ReasonKind::Otherwise);
    assert_eq!(fin.responsible, "section-head");
    let assets = g(
        "ministry-2012",
        &[
            ("area", "assets"),
            ("likelihood", "low"),
            ("impact", "severe"),
        ],
    );
    assert_eq!(
        (assets.level.as_str(), assets.reasons[0].rule),
        ("class2-higher", Some(4))
    );
}

/// Seed 003, line 14: "对学校而言，应把大宗物品的推销、图书资料的征订、招生收费等主要领导直接主抓的权力作为一级风险".
#[test]
fn education_bureau_school_bulk_procurement_and_subscriptions_are_level_one() {
    for power in ["大宗物品采购", "图书资料征订"] {
        let gr = g(
            "education-bureau",
            &[
                ("leadership", "principal"),
                ("public-attention", "some"),
                ("discretion", "limited"),
                ("approved-above", "no"),
                ("frequency", "occasional"),
                ("risk-points", "few"),
            ],
        );
        assert_eq!(gr.level, "level-1", "{power}");
        assert_eq!(
            gr.reasons[0].rule,
            Some(1),
            "{power}: the principal-leader rule decides"
        );
        assert_eq!(gr.responsible, "principal-leader");
    }
}

/// Seed 003, line 14: 招生收费 draws high public attention: level 1 even when a section handles it.
#[test]
fn education_bureau_enrolment_fees_are_level_one_by_public_attention() {
    let gr = g(
        "education-bureau",
        &[
            ("leadership", "section"),
            ("public-attention", "high"),
            ("discretion", "none"),
            ("approved-above", "no"),
            ("frequency", "frequent"),
            ("risk-points", "few"),
        ],
    );
    assert_eq!(
        (gr.level.as_str(), gr.reasons[0].rule),
        ("level-1", Some(2))
    );
    assert!(
        gr.reasons[0]
            .text
            .en
            .contains("watched closely by the public")
    );
}

/// Seed 003, line 14: "把由上级主管部门批准的权力和一般物品的推销等由副职领导主抓的权力作为二级风险".
#[test]
fn education_bureau_powers_approved_above_and_general_procurement_are_level_two() {
    let above = g(
        "education-bureau",
        &[
            ("leadership", "section"),
            ("public-attention", "low"),
            ("discretion", "none"),
            ("approved-above", "yes"),
            ("frequency", "occasional"),
            ("risk-points", "few"),
        ],
    );
    assert_eq!(
        (above.level.as_str(), above.reasons[0].rule),
        ("level-2", Some(3))
    );
    let general = g(
        "education-bureau",
        &[
            ("leadership", "deputy"),
            ("public-attention", "some"),
            ("discretion", "none"),
            ("approved-above", "no"),
            ("frequency", "occasional"),
            ("risk-points", "few"),
        ],
    );
    assert_eq!(
        (
            general.level.as_str(),
            general.reasons[0].rule,
            general.responsible.as_str()
        ),
        ("level-2", Some(4), "leader-in-charge")
    );
}

/// Seed 003, line 14: "教师资格认定、人事调动、民办学校的审批等其他发生腐败风险较小的权力应作为三级风险".
#[test]
fn education_bureau_teacher_qualification_transfers_private_schools_are_level_three() {
    for power in ["教师资格认定", "人事调动", "民办学校审批"] {
        let gr = g(
            "education-bureau",
            &[
                ("leadership", "section"),
                ("public-attention", "low"),
                ("discretion", "none"),
                ("approved-above", "no"),
                ("frequency", "occasional"),
                ("risk-points", "few"),
            ],
        );
        assert_eq!(gr.level, "level-3", "{power}");
        assert_eq!(gr.reasons[0].kind, ReasonKind::Otherwise);
        assert_eq!(gr.responsible, "section-head");
    }
}

/// Seed 004, line 21: "根据是否有可能构成犯罪、受纪律处分、造成不良影响分一、二、三级风险".
#[test]
fn university_2010_levels_by_consequence() {
    for (consequence, level, responsible) in [
        ("crime", "level-1", "principal-leader"),
        ("discipline", "level-2", "leader-in-charge"),
        ("influence", "level-3", "section-head"),
    ] {
        let gr = g("university-2010", &[("consequence", consequence)]);
        assert_eq!(
            (gr.level.as_str(), gr.responsible.as_str()),
            (level, responsible),
            "{consequence}"
        );
    }
    let crime = g("university-2010", &[("consequence", "crime")]);
    assert!(crime.reasons[0].text.zh.contains("有可能构成犯罪"));
}

/// The presets cite their seeds and carry their dated phases (seed 004 lines 9–30: 5月20日 to 6月30日;
/// tables due "于6月6日前").
#[test]
fn presets_cite_their_seeds_and_phases() {
    for s in presets::registry().iter() {
        assert!(
            s.source.seed.starts_with("shared/seeds/"),
            "{} cites no seed",
            s.id
        );
        assert!(!s.source.note.zh.is_empty() && !s.source.note.en.is_empty());
    }
    let uni = presets::get("university-2010").expect("preset");
    assert_eq!(
        uni.table_deadline(2010).expect("deadline").to_string(),
        "2010-06-06"
    );
    let town = presets::get("town-2012").expect("preset");
    assert_eq!(
        town.table_deadline(2012).expect("deadline").to_string(),
        "2012-08-31"
    );
}

/// Grading refuses incomplete or foreign factors with a clear error rather than guessing.
#[test]
fn grading_rejects_bad_factors() {
    let s = presets::get("town-2012").expect("preset");
    let missing = BTreeMap::from([("importance".to_string(), "high".to_string())]);
    let e = grade(s, &missing).expect_err("missing factors");
    assert!(e.to_string().contains("no value was given"), "{e}");
    let mut bad: BTreeMap<String, String> = [
        ("importance", "high"),
        ("discretion", "large"),
        ("probability", "high"),
        ("harm", "apocalyptic"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert!(
        grade(s, &bad)
            .expect_err("bad value")
            .to_string()
            .contains("'apocalyptic' is not one of")
    );
    bad.insert("harm".into(), "severe".into());
    bad.insert("colour".into(), "red".into());
    assert!(
        grade(s, &bad)
            .expect_err("unknown factor")
            .to_string()
            .contains("no such factor")
    );
}
