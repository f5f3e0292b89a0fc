//! `rate_unit(scheme, unit, year, score, cases, yellow_cards)`: the unit's rating in the
//! responsibility-system assessment, every cap explained (seed 004: a case or a yellow card rules
//! out 好) — [`sunlight_core::rules::rating::rate`], as the browser's `rateUnit`.

use datafusion::arrow::datatypes::DataType;
use serde::Serialize;
use sunlight_core::presets::Registry;
use sunlight_core::rules::rating::{RatingInput, rate};

use super::function::{Arg, Kind, SupervisionRule, policy, record};

/// The `rate_unit` function.
#[derive(Debug)]
pub struct RateUnit {
    registry: &'static Registry,
}

impl RateUnit {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        RateUnit { registry }
    }
}

crate::sql::args::same_registry!(RateUnit, <RateUnit as SupervisionRule>::NAME);

fn count<T: TryFrom<i64>>(a: &Arg<'_>, name: &str) -> Result<Option<T>, String> {
    a.int()
        .map(|n| T::try_from(n).map_err(|_| format!("{name} {n} is out of range")))
        .transpose()
}

/// A unit's rating, as `rate_unit` answers.
#[derive(Debug, Serialize)]
pub struct Rated {
    by_score: &'static str,
    rating: &'static str,
    rating_zh: String,
    caps: String,
    caps_zh: String,
}

impl SupervisionRule for RateUnit {
    const NAME: &'static str = "rate_unit";
    const ARGS: &'static [(&'static str, Kind)] = &[
        ("scheme", Kind::Text),
        ("unit", Kind::Text),
        ("year", Kind::Int),
        ("score", Kind::Int),
        ("cases", Kind::Int),
        ("yellow_cards", Kind::Int),
    ];
    type Answer = Rated;

    fn output() -> DataType {
        record(&[
            ("by_score", DataType::Utf8),
            ("rating", DataType::Utf8),
            ("rating_zh", DataType::Utf8),
            ("caps", DataType::Utf8),
            ("caps_zh", DataType::Utf8),
        ])
    }

    fn row(&self, a: &[Arg<'_>]) -> Result<Option<Rated>, String> {
        let p = policy(self.registry, &a[0])?;
        let (Some(unit), Some(year), Some(score)) = (
            a[1].text(),
            count::<i32>(&a[2], "year")?,
            count::<u8>(&a[3], "score")?,
        ) else {
            return Ok(None);
        };
        let input = RatingInput {
            unit: unit.to_owned(),
            year,
            score,
            cases: count::<u32>(&a[4], "cases")?.unwrap_or(0),
            yellow_cards: count::<u32>(&a[5], "yellow_cards")?.unwrap_or(0),
        };
        let r = rate(p, &input).map_err(|e| e.to_string())?;
        let codes: Vec<&str> = r.caps.iter().map(|c| c.code.as_str()).collect();
        let zh: Vec<&str> = r.caps.iter().map(|c| c.reason.zh.as_str()).collect();
        Ok(Some(Rated {
            by_score: r.by_score.as_str(),
            rating: r.rating.as_str(),
            rating_zh: r.rating.name().zh.clone(),
            caps: codes.join(","),
            caps_zh: zh.join("；"),
        }))
    }
}
