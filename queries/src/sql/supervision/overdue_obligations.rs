//! `overdue_obligations(scheme, year, done_ids, done_dates, as_of)`: a department's obligations of
//! a year (the table deadline and phases of its scheme, 述职述廉, disclosure by the 15th of the next
//! quarter, the quarterly and half-yearly checks) that are overdue or were met late on `as_of`,
//! worst first — [`sunlight_core::rules::deadlines::obligations`], `standing` and `overdue`, as
//! the browser's `obligations`. `done_ids` and `done_dates` are parallel lists of what was met when.

use datafusion::arrow::datatypes::DataType;
use serde_json::{Value as Json, json};
use sunlight_core::Date;
use sunlight_core::presets::Registry;
use sunlight_core::rules::deadlines::{obligations, overdue, standing};

use super::function::{Arg, Kind, SupervisionRule, list, record, to_json};

/// The `overdue_obligations` function.
#[derive(Debug)]
pub struct OverdueObligations {
    registry: &'static Registry,
}

impl OverdueObligations {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        OverdueObligations { registry }
    }
}

crate::sql::args::same_registry!(
    OverdueObligations,
    <OverdueObligations as SupervisionRule>::NAME
);

impl SupervisionRule for OverdueObligations {
    const NAME: &'static str = "overdue_obligations";
    const ARGS: &'static [(&'static str, Kind)] = &[
        ("scheme", Kind::Text),
        ("year", Kind::Int),
        ("done_ids", Kind::TextList),
        ("done_dates", Kind::DateList),
        ("as_of", Kind::Date),
    ];

    fn output() -> DataType {
        list(record(&[
            ("obligation", DataType::Utf8),
            ("what_zh", DataType::Utf8),
            ("due", DataType::Date32),
            ("done", DataType::Date32),
            ("standing", DataType::Utf8),
            ("days_late", DataType::Int64),
            ("source", DataType::Utf8),
        ]))
    }

    fn row(&self, a: &[Arg]) -> Result<Json, String> {
        let (Some(scheme), Some(year), Some(as_of)) = (a[0].text(), a[1].int(), a[4].date()) else {
            return Ok(Json::Null);
        };
        let year = i32::try_from(year).map_err(|_| format!("{year} is not a usable year"))?;
        let scheme = self.registry.get(scheme).map_err(|e| e.to_string())?;
        let ids = a[2].items();
        let dates = a[3].items();
        if ids.len() != dates.len() {
            return Err(format!(
                "done_ids has {} items but done_dates has {}",
                ids.len(),
                dates.len()
            ));
        }
        // The first day each obligation was met.
        let done = |id: &str| -> Option<Date> {
            ids.iter()
                .zip(dates)
                .filter(|(i, _)| i.text() == Some(id))
                .filter_map(|(_, d)| d.date())
                .min()
        };
        let statuses: Vec<_> = obligations(scheme, year)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|o| {
                let d = done(&o.id);
                standing(o, d, as_of)
            })
            .collect();
        let rows = overdue(&statuses)
            .into_iter()
            .map(|s| {
                Ok(json!({
                    "obligation": s.obligation.id,
                    "what_zh": s.obligation.what.zh,
                    "due": s.obligation.due,
                    "done": s.done,
                    "standing": to_json(&s.standing)?,
                    "days_late": s.days_late,
                    "source": s.obligation.source,
                }))
            })
            .collect::<Result<Vec<Json>, String>>()?;
        Ok(Json::Array(rows))
    }
}
