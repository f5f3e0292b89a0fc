//! `overdue_obligations(scheme, year, done_ids, done_dates, as_of)`: a department's obligations of
//! a year (the table deadline and phases of its scheme, 述职述廉, disclosure by the 15th of the next
//! quarter, the quarterly and half-yearly checks) that are overdue or were met late on `as_of`,
//! worst first — [`sunlight_core::rules::deadlines::obligations`], `standing` and `overdue`, as
//! the browser's `obligations`. `done_ids` and `done_dates` are parallel lists of what was met when.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::DataType;
use serde::Serialize;
use sunlight_core::Date;
use sunlight_core::presets::Registry;
use sunlight_core::rules::deadlines::{Obligation, Standing, obligations, overdue_among};

use super::function::{Arg, Kind, SupervisionRule, list, record};

/// The obligations of a scheme (by id) and year.
type Made = HashMap<(String, i32), Arc<[Obligation]>>;

/// The `overdue_obligations` function.
#[derive(Debug)]
pub struct OverdueObligations {
    registry: &'static Registry,
    /// The obligations of each scheme and year asked about: the same for every department, so
    /// made once (at 10 M risk points the function is called for 468 K department-years).
    made: Mutex<Made>,
}

impl OverdueObligations {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        OverdueObligations {
            registry,
            made: Mutex::new(HashMap::new()),
        }
    }

    /// The obligations of `scheme` in `year`, made once.
    fn obligations(&self, scheme: &str, year: i32) -> Result<Arc<[Obligation]>, String> {
        let key = (scheme.to_owned(), year);
        if let Some(made) = self.made.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(made);
        }
        let scheme = self.registry.get(scheme).map_err(|e| e.to_string())?;
        let made: Arc<[Obligation]> = obligations(scheme, year).map_err(|e| e.to_string())?.into();
        if let Ok(mut m) = self.made.lock() {
            m.insert(key, Arc::clone(&made));
        }
        Ok(made)
    }
}

crate::sql::args::same_registry!(
    OverdueObligations,
    <OverdueObligations as SupervisionRule>::NAME
);

/// One obligation overdue or met late.
#[derive(Debug, Serialize)]
pub struct OverdueItem {
    obligation: String,
    what_zh: String,
    due: Date,
    done: Option<Date>,
    standing: Standing,
    days_late: i64,
    source: String,
}

impl SupervisionRule for OverdueObligations {
    const NAME: &'static str = "overdue_obligations";
    const ARGS: &'static [(&'static str, Kind)] = &[
        ("scheme", Kind::Text),
        ("year", Kind::Int),
        ("done_ids", Kind::TextList),
        ("done_dates", Kind::DateList),
        ("as_of", Kind::Date),
    ];
    type Answer = Vec<OverdueItem>;

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

    fn row(&self, a: &[Arg<'_>]) -> Result<Option<Vec<OverdueItem>>, String> {
        let (Some(scheme), Some(year), Some(as_of)) = (a[0].text(), a[1].int(), a[4].date()) else {
            return Ok(None);
        };
        let year = i32::try_from(year).map_err(|_| format!("{year} is not a usable year"))?;
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
        let done = |o: &Obligation| -> Option<Date> {
            ids.iter()
                .zip(dates)
                .filter(|(i, _)| i.text() == Some(o.id.as_str()))
                .filter_map(|(_, d)| d.date())
                .min()
        };
        let obligations = self.obligations(scheme, year)?;
        Ok(Some(
            overdue_among(&obligations, done, as_of)
                .into_iter()
                .map(|s| OverdueItem {
                    obligation: s.obligation.id,
                    what_zh: s.obligation.what.zh,
                    due: s.obligation.due,
                    done: s.done,
                    standing: s.standing,
                    days_late: s.days_late,
                    source: s.obligation.source,
                })
                .collect(),
        ))
    }
}
