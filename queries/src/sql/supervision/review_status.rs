//! `review_status(table, events)`: where a table stands in its review (确定 → 审定 → 公示 → 备案),
//! from its review steps in the order they were recorded, with every refused step and why —
//! [`sunlight_core::rules::workflow::status`], as the browser's `reviewStatus`.

use datafusion::arrow::datatypes::DataType;
use serde::Serialize;
use sunlight_core::rules::workflow::{ReviewEvent, status};

use super::function::{Arg, Kind, SupervisionRule, record};

/// A table's review state, as `review_status` answers.
#[derive(Debug, Serialize)]
pub struct ReviewState {
    state: &'static str,
    next_step: Option<&'static str>,
    last_at: Option<String>,
    scope: Option<String>,
    problem_count: usize,
    problem_codes: String,
    problems_zh: String,
}

/// The `review_status` function.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct ReviewStatus;

impl SupervisionRule for ReviewStatus {
    const NAME: &'static str = "review_status";
    const ARGS: &'static [(&'static str, Kind)] =
        &[("table", Kind::Text), ("events", Kind::TextList)];
    type Answer = ReviewState;

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

    fn row(&self, a: &[Arg<'_>]) -> Result<Option<ReviewState>, String> {
        let Some(table) = a[0].text() else {
            return Ok(None);
        };
        let events: Vec<ReviewEvent> = a[1].parsed("review event")?;
        let s = status(table, &events);
        let codes: Vec<&str> = s.problems.iter().map(|p| p.code.as_str()).collect();
        let zh: Vec<String> = s
            .problems
            .iter()
            .map(|p| format!("第 {} 步：{}", p.event + 1, p.message.zh))
            .collect();
        Ok(Some(ReviewState {
            state: s.state.as_str(),
            next_step: s.next.map(|n| n.as_str()),
            last_at: s.last_at,
            scope: s.scope,
            problem_count: s.problems.len(),
            problem_codes: codes.join(","),
            problems_zh: zh.join("；"),
        }))
    }
}
