//! The integrity archive (干部廉政档案, seed 003 line 14): dated events about a person, gathered
//! from questionnaires, public evaluation, online reports, inspection tours and cases.
//!
//! Events travel in batches, a submission kind of their own ([`EventBatch`]), hashed and checked
//! like tables so that ingest gives them the same guarantees.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::text::Text;

/// Where an event's information came from (seed 003: 问卷调查、群众评议、网上举报、廉政巡视、案件查处).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventSource {
    /// 问卷调查.
    Questionnaire,
    /// 群众评议 / 民主测评.
    PublicEvaluation,
    /// 网上举报.
    OnlineReport,
    /// 群众来信来访.
    Letter,
    /// 廉政巡视.
    InspectionTour,
    /// 案件查处.
    Case,
    /// The discipline inspection office's own work (talks, warnings, decisions).
    Office,
}

impl EventSource {
    /// Whether the source is the public (群众反映), which the graduated response counts.
    pub fn is_public(self) -> bool {
        match self {
            EventSource::Questionnaire
            | EventSource::PublicEvaluation
            | EventSource::OnlineReport
            | EventSource::Letter => true,
            EventSource::InspectionTour | EventSource::Case | EventSource::Office => false,
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A report or complaint about the person came in (群众反映、举报); `complaints` counts how many.
    ReportReceived,
    /// A report was checked and found true (查实); `refers_to` names it, `severity` grades the matter.
    ReportVerified,
    /// A report was checked and found groundless (查否); `refers_to` names it.
    ReportUnfounded,
    /// 民主测评满意度较低 (seed 004).
    LowSatisfaction,
    /// 廉政谈话 / 谈话提醒 held.
    TalkHeld,
    /// 警示提醒 / 风险提示 given.
    WarningGiven,
    /// 责令整改 ordered.
    RectificationOrdered,
    /// The rectification `refers_to` names was completed.
    RectificationClosed,
    /// 免予处分、不处分或通报批评 (seed 002 article 12(4)).
    LightFinding,
    /// A party or administrative sanction (党纪政纪处分); `until` is the first day promotion is allowed again.
    Sanction,
    /// 诫勉处理; lifted by `admonishment-lifted` or at `until`.
    AdmonishmentImposed,
    /// The admonishment `refers_to` names was lifted.
    AdmonishmentLifted,
    /// 司法机关立案侦查.
    CriminalInvestigationOpened,
    /// The criminal investigation `refers_to` names ended without charge.
    CriminalInvestigationClosed,
    /// 纪检监察机关立案调查.
    DisciplinaryInvestigationOpened,
    /// The disciplinary investigation `refers_to` names was closed.
    DisciplinaryInvestigationClosed,
    /// 违反廉洁自律规定，未自查自纠，在群众中造成不良影响.
    UnrectifiedBreach,
    /// The breach `refers_to` names was corrected.
    BreachRectified,
    /// 违反党风廉政建设责任制，受到责任追究.
    Accountability,
    /// 其他需要提供情况的事由 (seed 002 article 13(2)); relevant until `until`, if given.
    OtherMatter,
    /// 违规违纪案件 in the unit (seed 004: the unit cannot be rated 好 that year).
    CaseFiled,
}

impl EventKind {
    /// The id used in files and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ReportReceived => "report-received",
            EventKind::ReportVerified => "report-verified",
            EventKind::ReportUnfounded => "report-unfounded",
            EventKind::LowSatisfaction => "low-satisfaction",
            EventKind::TalkHeld => "talk-held",
            EventKind::WarningGiven => "warning-given",
            EventKind::RectificationOrdered => "rectification-ordered",
            EventKind::RectificationClosed => "rectification-closed",
            EventKind::LightFinding => "light-finding",
            EventKind::Sanction => "sanction",
            EventKind::AdmonishmentImposed => "admonishment-imposed",
            EventKind::AdmonishmentLifted => "admonishment-lifted",
            EventKind::CriminalInvestigationOpened => "criminal-investigation-opened",
            EventKind::CriminalInvestigationClosed => "criminal-investigation-closed",
            EventKind::DisciplinaryInvestigationOpened => "disciplinary-investigation-opened",
            EventKind::DisciplinaryInvestigationClosed => "disciplinary-investigation-closed",
            EventKind::UnrectifiedBreach => "unrectified-breach",
            EventKind::BreachRectified => "breach-rectified",
            EventKind::Accountability => "accountability",
            EventKind::OtherMatter => "other-matter",
            EventKind::CaseFiled => "case-filed",
        }
    }

    /// The kind of event this kind resolves through `refers_to`, if it is a resolving kind.
    pub fn resolves(self) -> Option<EventKind> {
        match self {
            EventKind::ReportVerified | EventKind::ReportUnfounded => {
                Some(EventKind::ReportReceived)
            }
            EventKind::RectificationClosed => Some(EventKind::RectificationOrdered),
            EventKind::AdmonishmentLifted => Some(EventKind::AdmonishmentImposed),
            EventKind::CriminalInvestigationClosed => Some(EventKind::CriminalInvestigationOpened),
            EventKind::DisciplinaryInvestigationClosed => {
                Some(EventKind::DisciplinaryInvestigationOpened)
            }
            EventKind::BreachRectified => Some(EventKind::UnrectifiedBreach),
            EventKind::LowSatisfaction
            | EventKind::ReportReceived
            | EventKind::TalkHeld
            | EventKind::WarningGiven
            | EventKind::RectificationOrdered
            | EventKind::LightFinding
            | EventKind::Sanction
            | EventKind::AdmonishmentImposed
            | EventKind::CriminalInvestigationOpened
            | EventKind::DisciplinaryInvestigationOpened
            | EventKind::UnrectifiedBreach
            | EventKind::Accountability
            | EventKind::OtherMatter
            | EventKind::CaseFiled => None,
        }
    }
}

/// How grave a matter is (seed 003: 问题较轻 / 情节较重 / 情节严重).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatterSeverity {
    /// 问题较轻, 情节轻微.
    Minor,
    /// 情节较重.
    Heavier,
    /// 情节严重.
    Serious,
}

impl MatterSeverity {
    /// The severity's name.
    pub fn name(self) -> Text {
        match self {
            MatterSeverity::Minor => Text::new("问题较轻", "minor"),
            MatterSeverity::Heavier => Text::new("情节较重", "heavier"),
            MatterSeverity::Serious => Text::new("情节严重", "serious"),
        }
    }
}

/// One dated event in a person's integrity archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveEvent {
    /// Id, unique within the unit (e.g. the office's register number).
    pub id: String,
    /// The person's id (as in personal tables).
    pub person: String,
    /// The person's department id.
    #[serde(default)]
    pub department: String,
    /// Whether the person holds a key post (重点岗位) at the time.
    #[serde(default)]
    pub key_post: bool,
    /// When it happened.
    pub date: Date,
    /// Where the information came from.
    pub source: EventSource,
    /// What happened.
    pub kind: EventKind,
    /// How grave, for verified reports, findings and sanctions.
    #[serde(default)]
    pub severity: Option<MatterSeverity>,
    /// How many complaints a `report-received` stands for (default 1).
    #[serde(default = "one")]
    pub complaints: u32,
    /// The first day after the event's effect ends (sanction period, admonishment, other matter).
    #[serde(default)]
    pub until: Option<Date>,
    /// The id of the event this one resolves.
    #[serde(default)]
    pub refers_to: String,
    /// A short description; not published.
    #[serde(default)]
    pub note: String,
}

fn one() -> u32 {
    1
}

/// A batch of archive events: a submission kind of its own ([`super::Batch`] of events).
pub type EventBatch = super::Batch<ArchiveEvent>;

/// The `kind` of an [`EventBatch`].
pub const EVENT_BATCH_KIND: &str = "archive-events";
