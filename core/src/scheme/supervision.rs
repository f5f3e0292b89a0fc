//! The numbers a scheme sets for its supervision rules.
//!
//! Only two seeds give these rules, and each gives them once: the yellow card is seed 004's
//! (two verified reports on a key post in the year), the graduated response is seed 003's, and
//! 述职述廉 twice a year is seed 000's. A scheme file may omit `supervision`; it then takes these
//! seed values, so every preset applies the rules the same way unless a unit's own file changes them.

use serde::{Deserialize, Serialize};

/// Supervision settings of a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Supervision {
    /// Verified reports on a key post within the year that earn a yellow card (seed 004: 两次以上 → 2).
    pub yellow_card_reports: u32,
    /// Public complaints in the analysis window that count as "larger" (意见较大) under seed 003's
    /// graduated response. The seed gives no number; 3 is Sunlight's default.
    pub larger_complaints: u32,
    /// Public complaints that count as "concentrated" (意见集中); default 5, likewise an interpretation.
    pub concentrated_complaints: u32,
    /// How many 述职述廉 reports a department owes each year (seed 000: 每年至少 2 次).
    pub duty_reports_per_year: u32,
    /// Assessment score thresholds for the unit rating, highest first: 好, 较好, 一般; below is 差.
    /// The seeds give none; 90 / 75 / 60 are Sunlight's defaults.
    pub rating_thresholds: [u8; 3],
}

impl Default for Supervision {
    fn default() -> Self {
        Supervision {
            yellow_card_reports: 2,
            larger_complaints: 3,
            concentrated_complaints: 5,
            duty_reports_per_year: 2,
            rating_thresholds: [90, 75, 60],
        }
    }
}
