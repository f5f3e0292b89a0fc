//! `review_status(table, events)`: where a table stands in its review (确定 → 审定 → 公示 → 备案),
//! from its review steps in the order they were recorded, with every refused step and why —
//! [`sunlight_core::rules::workflow::status`], as the browser's `reviewStatus`.

use datafusion::arrow::datatypes::DataType;
use serde_json::{Value as Json, json};
use sunlight_core::rules::workflow::{ReviewEvent, status};

use super::function::{Arg, Kind, SupervisionRule, record};

/// The `review_status` function.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct ReviewStatus;

impl SupervisionRule for ReviewStatus {
    const NAME: &'static str = "review_status";
    const ARGS: &'static [(&'static str, Kind)] =
        &[("table", Kind::Text), ("events", Kind::TextList)];

    fn output() -> DataType {
        record(&[
            ("state", DataType::Utf8),
            ("next_step", DataType::Utf8),
            ("last_at", DataType::Utf8),
            ("scope", DataType::Utf8),
            ("problem_count", DataType::Int64),
            ("problem_codes", DataType::Utf8),
            ("problems_zh", DataType::Utf8),
        ])
    }

    fn row(&self, a: &[Arg]) -> Result<Json, String> {
        let Some(table) = a[0].text() else {
            return Ok(Json::Null);
        };
        let events: Vec<ReviewEvent> = a[1].parsed("review event")?;
        let s = status(table, &events);
        let codes: Vec<&str> = s.problems.iter().map(|p| p.code.as_str()).collect();
        let zh: Vec<String> = s
            .problems
            .iter()
            .map(|p| format!("第 {} 步：{}", p.event + 1, p.message.zh))
            .collect();
        Ok(json!({
            "state": s.state.as_str(),
            "next_step": s.next.map(|n| n.as_str()),
            "last_at": s.last_at,
            "scope": s.scope,
            "problem_count": s.problems.len(),
            "problem_codes": codes.join(","),
            "problems_zh": zh.join("；"),
        }))
    }
}
