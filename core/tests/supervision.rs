//! Table-driven tests of the supervision rules, one case per condition, each citing its seed and
//! article. Boundary dates: exactly six months, the 15th, quarter ends, leap years.

use sunlight_core::model::{ArchiveEvent, EventBatch, EventKind, EventSource, MatterSeverity};
use sunlight_core::rules::deadlines::{
    Disclosure, Obligation, Standing, Status, disclosure_due, obligations, overdue, overdue_among,
    standing,
};
use sunlight_core::rules::decision::{DecidedBy, DecisionRecord, Disposition, accountability};
use sunlight_core::rules::rating::{Rating, RatingInput, rate};
use sunlight_core::rules::response::{Response, recommend};
use sunlight_core::rules::vetting::{Outcome, vet};
use sunlight_core::rules::yellow_card::yellow_card;
use sunlight_core::scheme::Supervision;
use sunlight_core::{Date, Error, EventSubmission, UnitRef, presets};

fn d(s: &str) -> Date {
    s.parse().expect("date")
}

fn ev(id: &str, date: &str, source: EventSource, kind: EventKind) -> ArchiveEvent {
    ArchiveEvent {
        id: id.into(),
        person: "P1".into(),
        department: "finance".into(),
        key_post: false,
        date: d(date),
        source,
        kind,
        severity: None,
        complaints: 1,
        until: None,
        refers_to: String::new(),
        note: String::new(),
    }
}

fn report(id: &str, date: &str, complaints: u32) -> ArchiveEvent {
    ArchiveEvent {
        complaints,
        ..ev(
            id,
            date,
            EventSource::OnlineReport,
            EventKind::ReportReceived,
        )
    }
}

fn verified(id: &str, date: &str, of: &str, severity: MatterSeverity) -> ArchiveEvent {
    ArchiveEvent {
        refers_to: of.into(),
        severity: Some(severity),
        ..ev(id, date, EventSource::Office, EventKind::ReportVerified)
    }
}

// ---------------------------------------------------------------- graduated response, seed 003 line 14

#[test]
fn graduated_response_seed_003() {
    let p = Supervision::default();
    let low = ArchiveEvent {
        ..ev(
            "s",
            "2012-05-01",
            EventSource::PublicEvaluation,
            EventKind::LowSatisfaction,
        )
    };
    let tour = ArchiveEvent {
        complaints: 9,
        ..ev(
            "t",
            "2012-05-01",
            EventSource::InspectionTour,
            EventKind::ReportReceived,
        )
    };
    let cases: Vec<(&str, Vec<ArchiveEvent>, Response)> = vec![
        ("nothing recorded", vec![], Response::None),
        (
            "有群众反映但问题较轻: one complaint",
            vec![report("r1", "2012-05-01", 1)],
            Response::WarningEducation,
        ),
        (
            "two complaints are still below 意见较大 (3)",
            vec![report("r1", "2012-05-01", 2)],
            Response::WarningEducation,
        ),
        (
            "意见较大: three complaints",
            vec![report("r1", "2012-05-01", 2), report("r2", "2012-05-02", 1)],
            Response::TalkAndRectification,
        ),
        (
            "情节较重: a heavier verified matter",
            vec![
                report("r1", "2012-05-01", 1),
                verified("v1", "2012-05-10", "r1", MatterSeverity::Heavier),
            ],
            Response::TalkAndRectification,
        ),
        (
            "four complaints are below 意见集中 (5)",
            vec![report("r1", "2012-05-01", 4)],
            Response::TalkAndRectification,
        ),
        (
            "意见集中: five complaints",
            vec![report("r1", "2012-05-01", 5)],
            Response::OrganisationalDisposal,
        ),
        (
            "情节严重: a serious verified matter",
            vec![
                report("r1", "2012-05-01", 1),
                verified("v1", "2012-05-10", "r1", MatterSeverity::Serious),
            ],
            Response::OrganisationalDisposal,
        ),
        (
            "seed 004: low satisfaction alone calls for a reminder",
            vec![low],
            Response::WarningEducation,
        ),
        (
            "an inspection tour is not a public complaint",
            vec![tour],
            Response::None,
        ),
        (
            "outside the window (before 1 April)",
            vec![report("r1", "2012-03-31", 9)],
            Response::None,
        ),
        (
            "on the window's first day (1 April)",
            vec![report("r1", "2012-04-01", 5)],
            Response::OrganisationalDisposal,
        ),
        (
            "on the window's last day (30 June)",
            vec![report("r1", "2012-06-30", 5)],
            Response::OrganisationalDisposal,
        ),
    ];
    for (name, events, expected) in cases {
        let r = recommend(&p, "P1", &events, d("2012-04-01"), d("2012-06-30"));
        assert_eq!(r.response, expected, "{name}: {}", r.reason.en);
        assert!(!r.reason.zh.is_empty());
    }
}

// ---------------------------------------------------------------- yellow card, seed 004 line 30

#[test]
fn yellow_card_seed_004() {
    let p = Supervision::default();
    let key = |mut e: ArchiveEvent| {
        e.key_post = true;
        e
    };
    let two = vec![
        key(report("r1", "2012-03-01", 1)),
        key(verified("v1", "2012-03-20", "r1", MatterSeverity::Minor)),
        key(report("r2", "2012-09-01", 1)),
        key(verified("v2", "2012-09-20", "r2", MatterSeverity::Minor)),
    ];
    let card = yellow_card(&p, "P1", &two, 2012).expect("两次以上 includes two");
    assert_eq!(
        (card.verified_reports, card.events.clone()),
        (2, vec!["v1".to_string(), "v2".to_string()])
    );
    assert!(
        yellow_card(&p, "P1", &two[..2], 2012).is_none(),
        "one verified report is not enough"
    );
    let not_key: Vec<ArchiveEvent> = two
        .iter()
        .cloned()
        .map(|mut e| {
            e.key_post = false;
            e
        })
        .collect();
    assert!(
        yellow_card(&p, "P1", &not_key, 2012).is_none(),
        "only key posts get yellow cards"
    );
    let across = vec![
        key(verified("v1", "2012-12-31", "r1", MatterSeverity::Minor)),
        key(verified("v2", "2013-01-01", "r2", MatterSeverity::Minor)),
    ];
    assert!(
        yellow_card(&p, "P1", &across, 2012).is_none()
            && yellow_card(&p, "P1", &across, 2013).is_none(),
        "the period is the year"
    );
    let strict = Supervision {
        yellow_card_reports: 3,
        ..Supervision::default()
    };
    assert!(
        yellow_card(&strict, "P1", &two, 2012).is_none(),
        "the threshold comes from the scheme"
    );
    assert!(
        yellow_card(&p, "P2", &two, 2012).is_none(),
        "other people's events do not count"
    );
}

// ---------------------------------------------------------------- promotion vetting, seed 002 articles 12–14

fn with(mut e: ArchiveEvent, f: impl FnOnce(&mut ArchiveEvent)) -> ArchiveEvent {
    f(&mut e);
    e
}

#[test]
fn vetting_seed_002_articles_12_to_14() {
    use EventKind as K;
    use EventSource as S;
    let resolve = |id: &str, date: &str, kind, of: &str| {
        with(ev(id, date, S::Office, kind), |e| e.refers_to = of.into())
    };
    // (name, events, vetting date, outcome, (article, clause) of the deciding finding)
    type Case<'a> = (
        &'a str,
        Vec<ArchiveEvent>,
        &'a str,
        Outcome,
        Option<(u8, u8)>,
    );
    let cases: Vec<Case> = vec![
        ("empty archive", vec![], "2013-01-10", Outcome::Clear, None),
        (
            "12(1) criminal investigation open",
            vec![ev(
                "c",
                "2012-10-01",
                S::Case,
                K::CriminalInvestigationOpened,
            )],
            "2013-01-10",
            Outcome::Veto,
            Some((12, 1)),
        ),
        (
            "12(1) closed before vetting",
            vec![
                ev("c", "2012-10-01", S::Case, K::CriminalInvestigationOpened),
                resolve("c2", "2012-12-01", K::CriminalInvestigationClosed, "c"),
            ],
            "2013-01-10",
            Outcome::Clear,
            None,
        ),
        (
            "12(2) disciplinary investigation open",
            vec![ev(
                "c",
                "2012-10-01",
                S::Case,
                K::DisciplinaryInvestigationOpened,
            )],
            "2013-01-10",
            Outcome::Veto,
            Some((12, 2)),
        ),
        (
            "12(2) closed after the vetting date still bars",
            vec![
                ev(
                    "c",
                    "2012-10-01",
                    S::Case,
                    K::DisciplinaryInvestigationOpened,
                ),
                resolve("c2", "2013-02-01", K::DisciplinaryInvestigationClosed, "c"),
            ],
            "2013-01-10",
            Outcome::Veto,
            Some((12, 2)),
        ),
        (
            "12(3) sanction: the day before its period ends",
            vec![with(ev("s", "2012-03-01", S::Case, K::Sanction), |e| {
                e.until = Some(d("2013-03-01"));
                e.severity = Some(MatterSeverity::Heavier)
            })],
            "2013-02-28",
            Outcome::Veto,
            Some((12, 3)),
        ),
        (
            "12(3) sanction: the day its period ends (article 14 applies)",
            vec![with(ev("s", "2012-03-01", S::Case, K::Sanction), |e| {
                e.until = Some(d("2013-03-01"));
                e.severity = Some(MatterSeverity::Heavier)
            })],
            "2013-03-01",
            Outcome::Clear,
            Some((14, 0)),
        ),
        (
            "12(3) admonishment not lifted",
            vec![ev("a", "2012-06-01", S::Office, K::AdmonishmentImposed)],
            "2013-01-10",
            Outcome::Veto,
            Some((12, 3)),
        ),
        (
            "12(3) admonishment lifted",
            vec![
                ev("a", "2012-06-01", S::Office, K::AdmonishmentImposed),
                resolve("a2", "2012-12-01", K::AdmonishmentLifted, "a"),
            ],
            "2013-01-10",
            Outcome::Clear,
            Some((14, 0)),
        ),
        (
            "12(3) admonishment ending on 29 February of a leap year",
            vec![with(
                ev("a", "2011-08-29", S::Office, K::AdmonishmentImposed),
                |e| e.until = Some(d("2012-02-29")),
            )],
            "2012-02-28",
            Outcome::Veto,
            Some((12, 3)),
        ),
        (
            "12(4) light finding one day short of six months",
            vec![with(ev("l", "2012-08-31", S::Case, K::LightFinding), |e| {
                e.severity = Some(MatterSeverity::Minor)
            })],
            "2013-02-27",
            Outcome::Veto,
            Some((12, 4)),
        ),
        (
            "12(4) light finding exactly six months old (31 Aug → 28 Feb)",
            vec![with(ev("l", "2012-08-31", S::Case, K::LightFinding), |e| {
                e.severity = Some(MatterSeverity::Minor)
            })],
            "2013-02-28",
            Outcome::Clear,
            Some((14, 0)),
        ),
        (
            "12(4) leap year: 31 Aug 2011 + six months is 29 Feb 2012; the 28th still bars",
            vec![with(ev("l", "2011-08-31", S::Case, K::LightFinding), |e| {
                e.severity = Some(MatterSeverity::Minor)
            })],
            "2012-02-28",
            Outcome::Veto,
            Some((12, 4)),
        ),
        (
            "12(4) leap year: clear on 29 Feb 2012",
            vec![with(ev("l", "2011-08-31", S::Case, K::LightFinding), |e| {
                e.severity = Some(MatterSeverity::Minor)
            })],
            "2012-02-29",
            Outcome::Clear,
            Some((14, 0)),
        ),
        (
            "12(5) breach not corrected, bad influence",
            vec![ev("b", "2012-06-01", S::Letter, K::UnrectifiedBreach)],
            "2013-01-10",
            Outcome::Veto,
            Some((12, 5)),
        ),
        (
            "12(5) breach corrected",
            vec![
                ev("b", "2012-06-01", S::Letter, K::UnrectifiedBreach),
                resolve("b2", "2012-07-01", K::BreachRectified, "b"),
            ],
            "2013-01-10",
            Outcome::Clear,
            Some((14, 0)),
        ),
        (
            "12(6) held accountable",
            vec![ev("x", "2012-06-01", S::Office, K::Accountability)],
            "2013-01-10",
            Outcome::Veto,
            Some((12, 6)),
        ),
        (
            "13(1) report under or awaiting preliminary check",
            vec![report("r", "2012-12-20", 1)],
            "2013-01-10",
            Outcome::Postpone,
            Some((13, 1)),
        ),
        (
            "13(1) report found groundless",
            vec![
                report("r", "2012-12-20", 1),
                resolve("u", "2013-01-05", K::ReportUnfounded, "r"),
            ],
            "2013-01-10",
            Outcome::Clear,
            None,
        ),
        (
            "13(1) report verified: a matter that does not bar (article 14)",
            vec![
                report("r", "2012-12-20", 1),
                verified("v", "2013-01-05", "r", MatterSeverity::Minor),
            ],
            "2013-01-10",
            Outcome::Clear,
            Some((14, 0)),
        ),
        (
            "13(2) another matter to report",
            vec![ev("o", "2012-12-20", S::Office, K::OtherMatter)],
            "2013-01-10",
            Outcome::Postpone,
            Some((13, 2)),
        ),
        (
            "13(2) the other matter has lapsed",
            vec![with(
                ev("o", "2012-12-20", S::Office, K::OtherMatter),
                |e| e.until = Some(d("2013-01-01")),
            )],
            "2013-01-10",
            Outcome::Clear,
            None,
        ),
        (
            "events after the vetting date do not count",
            vec![ev(
                "c",
                "2013-02-01",
                S::Case,
                K::CriminalInvestigationOpened,
            )],
            "2013-01-10",
            Outcome::Clear,
            None,
        ),
        (
            "a veto outweighs a postponement",
            vec![
                report("r", "2012-12-20", 1),
                ev("x", "2012-06-01", S::Office, K::Accountability),
            ],
            "2013-01-10",
            Outcome::Veto,
            Some((12, 6)),
        ),
    ];
    for (name, events, date, outcome, deciding) in cases {
        let v = vet("P1", &events, d(date));
        assert_eq!(v.outcome, outcome, "{name}: {:#?}", v.findings);
        let top = v
            .findings
            .iter()
            .filter(|f| f.outcome == v.outcome)
            .map(|f| (f.article, f.clause))
            .next();
        assert_eq!(top, deciding, "{name}");
        assert_eq!(v.talk_on_promotion, deciding == Some((14, 0)), "{name}");
    }
}

// ---------------------------------------------------------------- decision accountability, seed 002 article 10

#[test]
fn decision_accountability_seed_002_article_10() {
    let good = DecisionRecord {
        id: "2012-纪要-07".into(),
        title: "村级道路硬化工程发包".into(),
        decided_by: DecidedBy::Collective,
        procedure_breached: false,
        members: 7,
        votes_for: 5,
        adopted: true,
        facts_withheld: false,
        re_deliberation_ordered: false,
        re_deliberated: false,
        went_wrong: false,
        secrecy_breached: false,
        serious_consequences: false,
    };
    let cases: Vec<(&str, DecisionRecord, Vec<u8>)> = vec![
        ("a proper collective decision", good.clone(), vec![]),
        (
            "(一) procedure breached",
            DecisionRecord {
                procedure_breached: true,
                ..good.clone()
            },
            vec![1],
        ),
        (
            "(二) a leader decided alone",
            DecisionRecord {
                decided_by: DecidedBy::Individual,
                ..good.clone()
            },
            vec![2],
        ),
        (
            "(三) adopted without a majority (3 of 7)",
            DecisionRecord {
                votes_for: 3,
                ..good.clone()
            },
            vec![3],
        ),
        (
            "(三) exactly half is no majority (4 of 8)",
            DecisionRecord {
                members: 8,
                votes_for: 4,
                ..good.clone()
            },
            vec![3],
        ),
        (
            "(三) rejected although the majority was for",
            DecisionRecord {
                adopted: false,
                ..good.clone()
            },
            vec![3],
        ),
        (
            "(四) facts withheld",
            DecisionRecord {
                facts_withheld: true,
                ..good.clone()
            },
            vec![4],
        ),
        (
            "(五) not deliberated again when ordered",
            DecisionRecord {
                re_deliberation_ordered: true,
                ..good.clone()
            },
            vec![5],
        ),
        (
            "(五) deliberated again as ordered",
            DecisionRecord {
                re_deliberation_ordered: true,
                re_deliberated: true,
                ..good.clone()
            },
            vec![],
        ),
        (
            "(六) the collective decision went wrong",
            DecisionRecord {
                went_wrong: true,
                ..good.clone()
            },
            vec![6],
        ),
        (
            "(七) confidentiality breached",
            DecisionRecord {
                secrecy_breached: true,
                ..good.clone()
            },
            vec![7],
        ),
        (
            "several at once",
            DecisionRecord {
                decided_by: DecidedBy::Individual,
                facts_withheld: true,
                secrecy_breached: true,
                ..good.clone()
            },
            vec![2, 4, 7],
        ),
    ];
    for (name, record, clauses) in cases {
        let (triggers, disposition) = accountability(&record);
        assert_eq!(
            triggers.iter().map(|t| t.clause).collect::<Vec<_>>(),
            clauses,
            "{name}"
        );
        assert_eq!(
            disposition == Disposition::None,
            clauses.is_empty(),
            "{name}"
        );
    }
    let (_, minor) = accountability(&DecisionRecord {
        facts_withheld: true,
        ..good.clone()
    });
    assert_eq!(
        minor,
        Disposition::SelfCriticism,
        "情节轻微: 在党政领导班子和全体干部大会上进行检查"
    );
    let (_, serious) = accountability(&DecisionRecord {
        facts_withheld: true,
        serious_consequences: true,
        ..good
    });
    assert_eq!(
        serious,
        Disposition::ReportUpward,
        "情节较重并造成后果: 报上级有关部门处理"
    );
}

// ---------------------------------------------------------------- deadlines

#[test]
fn disclosure_deadlines_linan_rule() {
    // "常规性工作按每季度一次公开，时间为次季度首月15日前".
    for (quarter, due) in [
        (1, "2012-04-15"),
        (2, "2012-07-15"),
        (3, "2012-10-15"),
        (4, "2013-01-15"),
    ] {
        assert_eq!(
            disclosure_due(Disclosure::Routine {
                year: 2012,
                quarter
            })
            .expect("due"),
            d(due),
            "Q{quarter}"
        );
    }
    assert!(
        disclosure_due(Disclosure::Routine {
            year: 2012,
            quarter: 5
        })
        .is_err()
    );
    assert_eq!(
        disclosure_due(Disclosure::Staged {
            stage_end: d("2012-09-30")
        })
        .expect("due"),
        d("2012-09-30"),
        "阶段性工作逐段公开"
    );
    assert_eq!(
        disclosure_due(Disclosure::AdHoc {
            occurred: d("2012-02-29")
        })
        .expect("due"),
        d("2012-02-29"),
        "临时性工作随时公开"
    );
}

#[test]
fn standing_on_the_due_day_and_after() {
    let due = disclosure_due(Disclosure::Routine {
        year: 2012,
        quarter: 1,
    })
    .expect("due");
    let ob = || sunlight_core::rules::deadlines::Obligation {
        id: "q1".into(),
        what: Default::default(),
        due,
        source: String::new(),
    };
    let cases = [
        (Some("2012-04-15"), "2012-05-01", Standing::OnTime, 0),
        (Some("2012-04-16"), "2012-05-01", Standing::Late, 1),
        (None, "2012-04-15", Standing::Pending, 0),
        (None, "2012-04-16", Standing::Overdue, 1),
        (None, "2012-05-15", Standing::Overdue, 30),
    ];
    for (done, today, expected, days) in cases {
        let s = standing(ob(), done.map(d), d(today));
        assert_eq!(
            (s.standing, s.days_late),
            (expected, days),
            "done {done:?} today {today}"
        );
    }
}

#[test]
fn obligations_of_a_year_and_the_overdue_list() {
    let town = presets::get("town-2012").expect("preset");
    let obs = obligations(town, 2012).expect("obligations");
    let due = |id: &str| {
        obs.iter()
            .find(|o| o.id == id)
            .map(|o| o.due.to_string())
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert_eq!(
        due("table-2012"),
        "2012-08-31",
        "seed 000: 查找风险 7月至8月末"
    );
    assert_eq!(
        due("duty-report-1-2012"),
        "2012-06-30",
        "seed 000: 述职述廉 at least twice a year"
    );
    assert_eq!(due("duty-report-2-2012"), "2012-12-31");
    assert_eq!(
        due("decision-check-q1-2012"),
        "2012-03-31",
        "seed 002 第六条: quarterly, at the quarter's end"
    );
    assert_eq!(due("decision-check-q2-2012"), "2012-06-30");
    assert_eq!(due("decision-check-q3-2012"), "2012-09-30");
    assert_eq!(due("decision-check-q4-2012"), "2012-12-31");
    assert_eq!(due("affairs-check-h2-2012"), "2012-12-31");
    assert_eq!(
        due("disclosure-q1-2012"),
        "2012-04-15",
        "里南乡: 次季度首月15日前"
    );
    assert_eq!(
        due("affairs-check-h1-2012"),
        "2012-06-30",
        "seed 002 第十六条: each half-year"
    );
    assert_eq!(due("disclosure-q4-2012"), "2013-01-15");
    let uni = presets::get("university-2010").expect("preset");
    assert_eq!(
        obligations(uni, 2010)
            .expect("ok")
            .iter()
            .find(|o| o.id == "table-2010")
            .map(|o| o.due),
        Some(d("2010-06-06"))
    );

    let statuses: Vec<_> = obs
        .into_iter()
        .map(|o| {
            let done = match o.id.as_str() {
                "table-2012" => Some(d("2012-09-10")),
                "duty-report-1-2012" => Some(d("2012-06-01")),
                _ => None,
            };
            standing(o, done, d("2012-10-01"))
        })
        .collect();
    let list = overdue(&statuses);
    let ids: Vec<&str> = list.iter().map(|s| s.obligation.id.as_str()).collect();
    assert!(
        ids.contains(&"table-2012")
            && ids.contains(&"affairs-check-h1-2012")
            && ids.contains(&"decision-check-q3-2012"),
        "{ids:?}"
    );
    assert!(
        !ids.contains(&"duty-report-1-2012") && !ids.contains(&"duty-report-2-2012"),
        "{ids:?}"
    );
    assert!(
        list.windows(2).all(|w| w[0].days_late >= w[1].days_late),
        "worst first"
    );
}

#[test]
fn the_overdue_list_among_kept_obligations_is_the_overdue_list() {
    let town = presets::get("town-2012").expect("preset");
    let obs = obligations(town, 2012).expect("obligations");
    let done = |o: &Obligation| match o.id.as_str() {
        "table-2012" => Some(d("2012-09-10")),
        "duty-report-1-2012" => Some(d("2012-06-01")),
        "disclosure-q1-2012" => Some(d("2012-04-20")),
        _ => None,
    };
    for today in ["2012-03-01", "2012-07-01", "2012-10-01", "2013-02-01"] {
        let statuses: Vec<Status> = obs
            .iter()
            .map(|o| standing(o.clone(), done(o), d(today)))
            .collect();
        let want: Vec<Status> = overdue(&statuses).into_iter().cloned().collect();
        assert!(!want.is_empty() || today == "2012-03-01", "{today}");
        assert_eq!(overdue_among(&obs, done, d(today)), want, "{today}");
    }
}

// ---------------------------------------------------------------- unit rating, seed 004 line 30

#[test]
fn unit_rating_caps_seed_004() {
    let p = Supervision::default();
    let input = |score, cases, yellow_cards| RatingInput {
        unit: "jxau".into(),
        year: 2010,
        score,
        cases,
        yellow_cards,
    };
    let cases = [
        (95, 0, 0, Rating::Good, Rating::Good, 0),
        (90, 0, 0, Rating::Good, Rating::Good, 0),
        (89, 0, 0, Rating::FairlyGood, Rating::FairlyGood, 0),
        (75, 0, 0, Rating::FairlyGood, Rating::FairlyGood, 0),
        (74, 0, 0, Rating::Average, Rating::Average, 0),
        (60, 0, 0, Rating::Average, Rating::Average, 0),
        (100, 0, 0, Rating::Good, Rating::Good, 0),
        (0, 0, 0, Rating::Poor, Rating::Poor, 0),
        (95, 1, 0, Rating::Good, Rating::FairlyGood, 1),
        (95, 0, 1, Rating::Good, Rating::FairlyGood, 1),
        (95, 2, 1, Rating::Good, Rating::FairlyGood, 2),
        (65, 1, 0, Rating::Average, Rating::Average, 1),
        (59, 0, 0, Rating::Poor, Rating::Poor, 0),
    ];
    for (score, c, y, by_score, rating, caps) in cases {
        let r = rate(&p, &input(score, c, y)).expect("rated");
        assert_eq!(
            (r.by_score, r.rating, r.caps.len()),
            (by_score, rating, caps),
            "score {score}, cases {c}, cards {y}"
        );
        assert!(r.caps.iter().all(|c| c.reason.zh.contains("不能评为“好”")));
    }
    assert!(matches!(
        rate(&p, &input(101, 0, 0)),
        Err(Error::Factor { .. })
    ));
}

// ---------------------------------------------------------------- archive events as a submission kind

#[test]
fn event_batches_are_hashed_and_checked_like_tables() {
    let batch = EventBatch {
        schema_version: 1,
        kind: "archive-events".into(),
        unit: UnitRef {
            id: "jxau".into(),
            name: "江西农业大学".into(),
        },
        events: vec![
            report("r1", "2010-09-01", 2),
            verified("v1", "2010-09-15", "r1", MatterSeverity::Minor),
        ],
        submitted_at: None,
        hash: None,
    };
    let sub = EventSubmission::finalize(batch.clone(), "2010-10-01T09:00:00+08:00").expect("valid");
    let json = sub.to_json().expect("canonical");
    let again = EventSubmission::from_json(&json).expect("reads back");
    assert_eq!(
        (again.hash(), again.to_json().expect("json")),
        (sub.hash(), json.clone())
    );
    assert!(matches!(
        EventSubmission::from_json(&json.replace("\"complaints\":2", "\"complaints\":3")),
        Err(Error::HashMismatch { .. })
    ));

    let mut bad = batch;
    bad.events.push(report("r1", "2010-09-02", 1));
    bad.events.push(ArchiveEvent {
        refers_to: "v1".into(),
        ..ev(
            "u1",
            "2010-09-20",
            EventSource::Office,
            EventKind::ReportUnfounded,
        )
    });
    bad.events.push(ArchiveEvent {
        severity: None,
        ..verified("v2", "2010-09-20", "r1", MatterSeverity::Minor)
    });
    bad.events.push(ev(
        "s1",
        "2010-09-20",
        EventSource::Case,
        EventKind::Sanction,
    ));
    match EventSubmission::finalize(bad, "2010-10-01T09:00:00+08:00") {
        Err(Error::Invalid(r)) => {
            let mut codes: Vec<&str> = r.issues.iter().map(|i| i.code.as_str()).collect();
            codes.sort();
            assert_eq!(
                codes,
                [
                    "bad-reference",
                    "duplicate-event-id",
                    "missing-field",
                    "missing-field",
                    "missing-field"
                ],
                "{:#?}",
                r.issues
            );
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- review steps and the office's register as submission kinds

#[test]
fn review_batches_are_hashed_and_checked_like_tables() {
    use sunlight_core::ReviewSubmission;
    use sunlight_core::rules::workflow::{ReviewBatch, ReviewEvent, ReviewStep};
    let step = |step, at: &str, scope: &str| ReviewEvent {
        table: "sha256:t".into(),
        step,
        by: "镇党委".into(),
        at: at.into(),
        scope: scope.into(),
    };
    let batch = ReviewBatch {
        schema_version: 1,
        kind: "review-events".into(),
        unit: UnitRef {
            id: "chengguan".into(),
            name: "城关镇".into(),
        },
        events: vec![
            step(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00", ""),
            step(ReviewStep::Publish, "2012-09-02T09:00:00+08:00", "机关内部"),
        ],
        submitted_at: None,
        hash: None,
    };
    let sub = ReviewSubmission::finalize(batch.clone(), "2012-09-03T09:00:00+08:00")
        .expect("an out-of-order step is valid input: the status reports it");
    let json = sub.to_json().expect("canonical");
    assert_eq!(
        ReviewSubmission::from_json(&json)
            .expect("reads back")
            .hash(),
        sub.hash()
    );
    assert!(matches!(
        ReviewSubmission::from_json(&json.replace("机关内部", "社会公开")),
        Err(Error::HashMismatch { .. })
    ));
    // An archive batch is not a review batch.
    assert!(matches!(
        ReviewSubmission::from_json(&json.replace("review-events", "archive-events")),
        Err(Error::Invalid(_))
    ));
    // One case per refusal: the code and the path of the field.
    let cases = [
        (
            ReviewEvent {
                table: "t-1".into(),
                ..step(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00", "")
            },
            "bad-reference",
            "events[0].table",
        ),
        (
            ReviewEvent {
                by: " ".into(),
                ..step(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00", "")
            },
            "missing-field",
            "events[0].by",
        ),
        (
            step(ReviewStep::Publish, "2012-09-01T09:00:00+08:00", ""),
            "missing-field",
            "events[0].scope",
        ),
        (
            step(ReviewStep::Confirm, "2012-02-30T09:00:00+08:00", ""),
            "invalid-timestamp",
            "events[0].at",
        ),
    ];
    for (event, code, path) in cases {
        let mut bad = batch.clone();
        bad.events = vec![event];
        match ReviewSubmission::finalize(bad, "2012-09-03T09:00:00+08:00") {
            Err(Error::Invalid(r)) => {
                let got: Vec<(&str, &str)> = r
                    .issues
                    .iter()
                    .map(|i| (i.code.as_str(), i.path.as_str()))
                    .collect();
                assert_eq!(got, [(code, path)], "{code}");
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn office_records_are_checked_like_tables() {
    use sunlight_core::RecordSubmission;
    use sunlight_core::model::{Batch, OfficeRecord};
    let batch = |events: Vec<OfficeRecord>| Batch {
        schema_version: 1,
        kind: "office-records".into(),
        unit: UnitRef {
            id: "jxau".into(),
            name: "江西农业大学".into(),
        },
        events,
        submitted_at: None,
        hash: None,
    };
    let good = vec![
        OfficeRecord::Candidate {
            id: "c1".into(),
            person: "P1".into(),
            post: "财务处处长".into(),
            date: d("2013-02-28"),
        },
        OfficeRecord::Assessment {
            id: "a1".into(),
            year: 2012,
            score: 95,
        },
        OfficeRecord::Completed {
            id: "m1".into(),
            department: "finance".into(),
            obligation: "duty-report-1-2012".into(),
            date: d("2012-06-01"),
        },
    ];
    let sub = RecordSubmission::finalize(batch(good.clone()), "2013-03-01T09:00:00+08:00")
        .expect("valid");
    let json = sub.to_json().expect("canonical");
    assert!(json.contains(r#""type":"candidate""#), "{json}");
    assert_eq!(
        RecordSubmission::from_json(&json)
            .expect("reads back")
            .batch()
            .events,
        good
    );
    let mut bad = good;
    bad.push(OfficeRecord::Assessment {
        id: "a1".into(),
        year: 2012,
        score: 101,
    });
    match RecordSubmission::finalize(batch(bad), "2013-03-01T09:00:00+08:00") {
        Err(Error::Invalid(r)) => {
            let mut codes: Vec<&str> = r.issues.iter().map(|i| i.code.as_str()).collect();
            codes.sort();
            assert_eq!(codes, ["duplicate-event-id", "out-of-range"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        RecordSubmission::from_json(
            &json.replace(r#""type":"candidate""#, r#""type":"promotion""#)
        ),
        Err(Error::Json { .. })
    ));
}
