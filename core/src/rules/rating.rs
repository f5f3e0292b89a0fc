//! The unit rating in the responsibility-system assessment (党风廉政建设责任制考核).
//!
//! The seeds give one hard rule (seed 004 line 30): "凡单位出现违规违纪案件或被给予“廉政风险黄牌警告”的，
//! 该单位领导班子、主要领导和分管领导在党风廉政建设责任制考核中不能评为“好”等次". Seed 000 links the
//! risk-control assessment (自查、互查、检查、评议) to this rating without giving a scale; the score
//! thresholds are the scheme's ([`crate::scheme::Supervision::rating_thresholds`]).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::scheme::Supervision;
use crate::text::Text;

/// The rating grades, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    /// 好.
    Good,
    /// 较好.
    FairlyGood,
    /// 一般.
    Average,
    /// 差.
    Poor,
}

impl Rating {
    /// The id used in files and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::FairlyGood => "fairly-good",
            Rating::Average => "average",
            Rating::Poor => "poor",
        }
    }

    /// The grade's name.
    pub fn name(self) -> Text {
        match self {
            Rating::Good => Text::new("好", "good"),
            Rating::FairlyGood => Text::new("较好", "fairly good"),
            Rating::Average => Text::new("一般", "average"),
            Rating::Poor => Text::new("差", "poor"),
        }
    }
}

/// What the rating is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingInput {
    /// The unit.
    pub unit: String,
    /// The year.
    pub year: i32,
    /// The assessment score, 0–100 (自查、互查、检查、评议 combined).
    pub score: u8,
    /// Disciplinary cases (违规违纪案件) in the unit that year.
    pub cases: u32,
    /// Yellow cards given in the unit that year.
    pub yellow_cards: u32,
}

/// A cap that lowered the rating, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cap {
    /// Stable code: `case` or `yellow-card`.
    pub code: String,
    /// The best rating the cap allows.
    pub at_most: Rating,
    /// Why.
    pub reason: Text,
}

/// The rating with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRating {
    /// The unit.
    pub unit: String,
    /// The year.
    pub year: i32,
    /// The rating the score alone gives.
    pub by_score: Rating,
    /// The final rating after caps.
    pub rating: Rating,
    /// Every cap that applies (whether or not it lowered the rating).
    pub caps: Vec<Cap>,
}

/// Rates a unit.
pub fn rate(policy: &Supervision, input: &RatingInput) -> Result<UnitRating> {
    if input.score > 100 {
        return Err(Error::Factor {
            scheme: String::new(),
            factor: "score".into(),
            message: format!("{} is above 100", input.score),
        });
    }
    let [good, fair, average] = policy.rating_thresholds;
    let by_score = match input.score {
        s if s >= good => Rating::Good,
        s if s >= fair => Rating::FairlyGood,
        s if s >= average => Rating::Average,
        _ => Rating::Poor,
    };
    let mut caps = Vec::new();
    if input.cases > 0 {
        caps.push(Cap {
            code: "case".into(),
            at_most: Rating::FairlyGood,
            reason: Text::new(
                format!(
                    "{} 年出现违规违纪案件 {} 起，不能评为“好”（种子 004）",
                    input.year, input.cases
                ),
                format!(
                    "{} disciplinary case(s) in {}: cannot be rated good (seed 004)",
                    input.cases, input.year
                ),
            ),
        });
    }
    if input.yellow_cards > 0 {
        caps.push(Cap {
            code: "yellow-card".into(),
            at_most: Rating::FairlyGood,
            reason: Text::new(
                format!(
                    "{} 年被给予廉政风险黄牌警告 {} 次，不能评为“好”（种子 004）",
                    input.year, input.yellow_cards
                ),
                format!(
                    "{} yellow card(s) in {}: cannot be rated good (seed 004)",
                    input.yellow_cards, input.year
                ),
            ),
        });
    }
    let rating = caps.iter().map(|c| c.at_most).fold(by_score, Ord::max);
    Ok(UnitRating {
        unit: input.unit.clone(),
        year: input.year,
        by_score,
        rating,
        caps,
    })
}
