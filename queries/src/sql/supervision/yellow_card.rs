//! `yellow_card(scheme, person, events, year)`: the 廉政风险黄牌警告 a key post's holder earns in a
//! year (seed 004), or NULL — [`sunlight_core::rules::yellow_card::yellow_card`] with the
//! scheme's threshold, as the browser's `yellowCard`.

use datafusion::arrow::datatypes::DataType;
use serde::Serialize;
use sunlight_core::model::ArchiveEvent;
use sunlight_core::presets::Registry;
use sunlight_core::rules::yellow_card::yellow_card;

use super::function::{Arg, Kind, SupervisionRule, policy, record};

/// A yellow card, as `yellow_card` answers.
#[derive(Debug, Serialize)]
pub struct Card {
    verified_reports: u32,
    events: String,
    reason_zh: String,
    reason_en: String,
}

/// The `yellow_card` function.
#[derive(Debug)]
pub struct YellowCard {
    registry: &'static Registry,
}

impl YellowCard {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        YellowCard { registry }
    }
}

crate::sql::args::same_registry!(YellowCard, <YellowCard as SupervisionRule>::NAME);

impl SupervisionRule for YellowCard {
    const NAME: &'static str = "yellow_card";
    const ARGS: &'static [(&'static str, Kind)] = &[
        ("scheme", Kind::Text),
        ("person", Kind::Text),
        ("events", Kind::TextList),
        ("year", Kind::Int),
    ];
    type Answer = Card;

    fn output() -> DataType {
        record(&[
            ("verified_reports", DataType::Int64),
            ("events", DataType::Utf8),
            ("reason_zh", DataType::Utf8),
            ("reason_en", DataType::Utf8),
        ])
    }

    fn row(&self, a: &[Arg<'_>]) -> Result<Option<Card>, String> {
        let p = policy(self.registry, &a[0])?;
        let (Some(person), Some(year)) = (a[1].text(), a[3].int()) else {
            return Ok(None);
        };
        let year = i32::try_from(year).map_err(|_| format!("{year} is not a usable year"))?;
        let events: Vec<ArchiveEvent> = a[2].parsed("archive event")?;
        Ok(yellow_card(p, person, &events, year).map(|c| Card {
            verified_reports: c.verified_reports,
            events: c.events.join(","),
            reason_zh: c.reason.zh,
            reason_en: c.reason.en,
        }))
    }
}
