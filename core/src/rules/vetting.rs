//! Promotion vetting by the discipline commission (seed 002, 诸暨 纪委同级监督 rules, 第十二至十四条).
//!
//! - 第十二条: veto when any of six conditions holds;
//! - 第十三条: advise postponement (or supply information) when either of two holds;
//! - 第十四条: otherwise clear; if the archive holds matters that do not bar promotion, the
//!   commission reports them and a targeted integrity talk is held on promotion.
//!
//! Only events dated on or before the vetting date count. Time rules: a sanction bars promotion
//! until its `until` date (the first day promotion is allowed again); a light finding bars it for
//! six months ("尚未超过半年"), so on the day six months later the candidate is clear.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::{ArchiveEvent, EventKind};
use crate::text::Text;

/// The outcome of vetting, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No objection (第十四条 when findings are listed).
    Clear,
    /// 暂缓提拔任用 or supply information (第十三条).
    Postpone,
    /// 否决 (第十二条).
    Veto,
}

impl Outcome {
    /// The id used in files and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Clear => "clear",
            Outcome::Postpone => "postpone",
            Outcome::Veto => "veto",
        }
    }
}

/// One condition that holds, with the article and clause that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The article: 12, 13 or 14.
    pub article: u8,
    /// The clause within it (1-based), 0 for article 14.
    pub clause: u8,
    /// What this finding means for the outcome.
    pub outcome: Outcome,
    /// The events that make it hold.
    pub events: Vec<String>,
    /// The condition, in the article's words.
    pub text: Text,
}

/// The result of vetting a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vetting {
    /// The candidate.
    pub person: String,
    /// The vetting date.
    pub date: Date,
    /// The strongest outcome among the findings (clear when none).
    pub outcome: Outcome,
    /// Every condition that holds.
    pub findings: Vec<Finding>,
    /// Whether a targeted integrity talk is due on promotion (第十四条).
    pub talk_on_promotion: bool,
}

fn resolved(events: &[&ArchiveEvent], id: &str, by: EventKind) -> bool {
    events.iter().any(|e| e.kind == by && e.refers_to == id)
}

/// Vets `person` on `date` from their archive events.
pub fn vet(person: &str, events: &[ArchiveEvent], date: Date) -> Vetting {
    let mine: Vec<&ArchiveEvent> = events
        .iter()
        .filter(|e| e.person == person && e.date <= date)
        .collect();
    let mut findings = Vec::new();
    let add = |findings: &mut Vec<Finding>,
               article: u8,
               clause: u8,
               outcome: Outcome,
               ids: Vec<String>,
               zh: &str,
               en: &str| {
        if !ids.is_empty() {
            findings.push(Finding {
                article,
                clause,
                outcome,
                events: ids,
                text: Text::new(zh, en),
            });
        }
    };
    let ids = |pred: &dyn Fn(&ArchiveEvent) -> bool| -> Vec<String> {
        mine.iter()
            .filter(|e| pred(e))
            .map(|e| e.id.clone())
            .collect()
    };

    add(
        &mut findings,
        12,
        1,
        Outcome::Veto,
        ids(&|e| {
            e.kind == EventKind::CriminalInvestigationOpened
                && !resolved(&mine, &e.id, EventKind::CriminalInvestigationClosed)
        }),
        "司法机关认定有犯罪嫌疑并立案侦查的",
        "under criminal investigation opened by a judicial authority",
    );
    add(
        &mut findings,
        12,
        2,
        Outcome::Veto,
        ids(&|e| {
            e.kind == EventKind::DisciplinaryInvestigationOpened
                && !resolved(&mine, &e.id, EventKind::DisciplinaryInvestigationClosed)
        }),
        "纪检监察机关认定有违纪嫌疑并立案调查的",
        "under disciplinary investigation opened by the discipline inspection authority",
    );
    add(
        &mut findings,
        12,
        3,
        Outcome::Veto,
        ids(&|e| match e.kind {
            EventKind::Sanction => e.until.is_none_or(|u| date < u),
            EventKind::AdmonishmentImposed => {
                !resolved(&mine, &e.id, EventKind::AdmonishmentLifted)
                    && e.until.is_none_or(|u| date < u)
            }
            _ => false,
        }),
        "受处分未超过不得提拔期限、受行政处分尚未解除或者受诫勉处理尚未解除的",
        "a sanction still inside its no-promotion period, or an admonishment not yet lifted",
    );
    add(
        &mut findings,
        12,
        4,
        Outcome::Veto,
        ids(&|e| {
            e.kind == EventKind::LightFinding && e.date.add_months(6).is_ok_and(|end| date < end)
        }),
        "违反党纪政纪，给予免予处分、不处分或者通报批评等处理，尚未超过半年的",
        "a light finding (no sanction, or a notice of criticism) less than six months old",
    );
    add(
        &mut findings,
        12,
        5,
        Outcome::Veto,
        ids(&|e| {
            e.kind == EventKind::UnrectifiedBreach
                && !resolved(&mine, &e.id, EventKind::BreachRectified)
        }),
        "违反廉洁自律有关规定，本人未自查自纠，在群众中造成不良影响的",
        "a breach of the self-discipline rules, not corrected, with bad public influence",
    );
    add(
        &mut findings,
        12,
        6,
        Outcome::Veto,
        ids(&|e| e.kind == EventKind::Accountability),
        "违反党风廉政建设责任制有关规定，受到责任追究的",
        "held accountable under the responsibility system",
    );
    add(
        &mut findings,
        13,
        1,
        Outcome::Postpone,
        ids(&|e| {
            e.kind == EventKind::ReportReceived
                && !resolved(&mine, &e.id, EventKind::ReportVerified)
                && !resolved(&mine, &e.id, EventKind::ReportUnfounded)
        }),
        "群众反映有违纪问题，纪委尚在初核，或线索具体、拟初核而尚未初核的",
        "a report is under, or awaiting, preliminary check",
    );
    add(
        &mut findings,
        13,
        2,
        Outcome::Postpone,
        ids(&|e| e.kind == EventKind::OtherMatter && e.until.is_none_or(|u| date < u)),
        "存在其他需要提供情况的事由",
        "another matter the commission must report",
    );
    let barred = findings.iter().any(|f| f.outcome > Outcome::Clear);
    let mut talk_on_promotion = false;
    if !barred {
        let past: Vec<String> = ids(&|e| {
            matches!(
                e.kind,
                EventKind::ReportVerified
                    | EventKind::LightFinding
                    | EventKind::Sanction
                    | EventKind::AdmonishmentImposed
                    | EventKind::RectificationOrdered
                    | EventKind::WarningGiven
                    | EventKind::UnrectifiedBreach
            )
        });
        talk_on_promotion = !past.is_empty();
        add(
            &mut findings,
            14,
            0,
            Outcome::Clear,
            past,
            "存在党风廉政方面的问题但不影响提拔任用：如实介绍情况，提请党委讨论决定；提拔时进行针对性廉政谈话",
            "matters that do not bar promotion: reported to the party committee; a targeted integrity talk on promotion",
        );
    }
    let outcome = findings
        .iter()
        .map(|f| f.outcome)
        .max()
        .unwrap_or(Outcome::Clear);
    Vetting {
        person: person.to_owned(),
        date,
        outcome,
        findings,
        talk_on_promotion,
    }
}
