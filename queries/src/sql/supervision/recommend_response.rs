//! `recommend_response(scheme, person, events, from, to)`: the graduated response (seed 003:
//! 警示教育或风险提示 / 廉政谈话并责令整改 / 组织处置) for a person's archive events dated
//! `from..=to`, with the reason — [`sunlight_core::rules::response::recommend`], as the browser's
//! `recommendResponse`.

use datafusion::arrow::datatypes::DataType;
use serde::Serialize;
use sunlight_core::model::{ArchiveEvent, MatterSeverity};
use sunlight_core::presets::Registry;
use sunlight_core::rules::response::recommend;

use super::function::{Arg, Kind, SupervisionRule, date_arg, policy, record};

/// The `recommend_response` function.
#[derive(Debug)]
pub struct RecommendResponse {
    registry: &'static Registry,
}

impl RecommendResponse {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        RecommendResponse { registry }
    }
}

crate::sql::args::same_registry!(
    RecommendResponse,
    <RecommendResponse as SupervisionRule>::NAME
);

/// A graduated response, as `recommend_response` answers.
#[derive(Debug, Serialize)]
pub struct Due {
    response: &'static str,
    response_zh: String,
    complaints: u32,
    severity: Option<MatterSeverity>,
    low_satisfaction: bool,
    reason_zh: String,
    reason_en: String,
}

impl SupervisionRule for RecommendResponse {
    const NAME: &'static str = "recommend_response";
    const ARGS: &'static [(&'static str, Kind)] = &[
        ("scheme", Kind::Text),
        ("person", Kind::Text),
        ("events", Kind::TextList),
        ("from", Kind::Date),
        ("to", Kind::Date),
    ];
    type Answer = Due;

    fn output() -> DataType {
        record(&[
            ("response", DataType::Utf8),
            ("response_zh", DataType::Utf8),
            ("complaints", DataType::Int64),
            ("severity", DataType::Utf8),
            ("low_satisfaction", DataType::Boolean),
            ("reason_zh", DataType::Utf8),
            ("reason_en", DataType::Utf8),
        ])
    }

    fn row(&self, a: &[Arg<'_>]) -> Result<Option<Due>, String> {
        let p = policy(self.registry, &a[0])?;
        let Some(person) = a[1].text() else {
            return Ok(None);
        };
        let events: Vec<ArchiveEvent> = a[2].parsed("archive event")?;
        let r = recommend(
            p,
            person,
            &events,
            date_arg(&a[3], "the first day")?,
            date_arg(&a[4], "the last day")?,
        );
        Ok(Some(Due {
            response: r.response.as_str(),
            response_zh: r.response.name().zh.clone(),
            complaints: r.complaints,
            severity: r.severity,
            low_satisfaction: r.low_satisfaction,
            reason_zh: r.reason.zh,
            reason_en: r.reason.en,
        }))
    }
}
