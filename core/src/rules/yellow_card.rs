//! The integrity-risk yellow card (廉政风险黄牌警告, seed 004 line 30): "凡确定为廉政风险防范的重点岗位，
//! 群众举报两次以上且查实存在问题的给予“廉政风险黄牌警告”，并对该岗位负责人实行重点监管。"
//!
//! 两次以上 includes two. The threshold comes from the scheme; the period is the assessment year.

use serde::{Deserialize, Serialize};

use crate::model::{ArchiveEvent, EventKind};
use crate::scheme::Supervision;
use crate::text::Text;

/// A yellow card given to a key post's holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YellowCard {
    /// The person (the post's head, put under key supervision).
    pub person: String,
    /// The year.
    pub year: i32,
    /// Verified reports counted.
    pub verified_reports: u32,
    /// The ids of the verifications.
    pub events: Vec<String>,
    /// Why.
    pub reason: Text,
}

/// Whether `person` earns a yellow card in `year`. Only key posts can: the person counts as
/// holding one when any of their events in the year marks `key_post`.
pub fn yellow_card(
    policy: &Supervision,
    person: &str,
    events: &[ArchiveEvent],
    year: i32,
) -> Option<YellowCard> {
    let in_year: Vec<&ArchiveEvent> = events
        .iter()
        .filter(|e| e.person == person && e.date.year() == year)
        .collect();
    if !in_year.iter().any(|e| e.key_post) {
        return None;
    }
    let verified: Vec<String> = in_year
        .iter()
        .filter(|e| e.kind == EventKind::ReportVerified)
        .map(|e| e.id.clone())
        .collect();
    let n = u32::try_from(verified.len()).unwrap_or(u32::MAX);
    (n >= policy.yellow_card_reports).then(|| YellowCard {
        person: person.to_owned(),
        year,
        verified_reports: n,
        events: verified,
        reason: Text::new(
            format!("重点岗位 {year} 年群众举报查实 {n} 次（{} 次以上即黄牌警告），岗位负责人实行重点监管", policy.yellow_card_reports),
            format!("key post with {n} verified reports in {year} ({} or more earn a yellow card); its head is put under key supervision", policy.yellow_card_reports),
        ),
    })
}
