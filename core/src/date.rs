//! Calendar dates and timestamps, without a time-zone database.
//!
//! The rules of the seeds are about days: a deadline on the 15th, six months since a finding,
//! a phase that ends on 6 June. [`Date`] is a proleptic Gregorian date checked at construction;
//! [`Timestamp`] is an RFC 3339 timestamp whose *local* date (the date the clerk saw) is what the
//! rules use.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// A calendar date (proleptic Gregorian), always a real day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Whether `year` is a leap year in the Gregorian calendar.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month of a year; `month` is 1–12.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, or an error naming what is impossible about it.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self> {
        let bad = |m: &str| Error::Date {
            input: format!("{year:04}-{month:02}-{day:02}"),
            message: m.to_owned(),
        };
        if !(1..=9999).contains(&year) {
            return Err(bad("the year must be between 1 and 9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(bad("the month must be between 1 and 12"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(bad("that month has no such day"));
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The quarter of the year, 1–4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Result<Self> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        let year = i32::try_from(y).map_err(|_| Error::Date {
            input: days.to_string(),
            message: "out of range".into(),
        })?;
        // m is 1..=12 and d is 1..=31 by construction.
        Date::new(year, m as u8, d as u8)
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Result<Self> {
        Date::from_days(self.to_days() + days)
    }

    /// The same day `months` later (earlier when negative); the day is clamped to the month's last
    /// day, so 31 August plus six months is 28 (or 29) February.
    pub fn add_months(self, months: i32) -> Result<Self> {
        let index = self.year * 12 + i32::from(self.month) - 1 + months;
        let year = index.div_euclid(12);
        let month = (index.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        Date::new(year, month, day)
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn digits(s: &str, input: &str) -> Result<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Date {
            input: input.to_owned(),
            message: format!("'{s}' is not a number"),
        });
    }
    s.parse::<u32>().map_err(|_| Error::Date {
        input: input.to_owned(),
        message: "number too large".into(),
    })
}

impl FromStr for Date {
    type Err = Error;

    /// Parses `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self> {
        let shape = || Error::Date {
            input: s.to_owned(),
            message: "expected the form YYYY-MM-DD".into(),
        };
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(shape());
        }
        let y = digits(&s[0..4], s)?;
        let m = digits(&s[5..7], s)?;
        let d = digits(&s[8..10], s)?;
        Date::new(y as i32, m as u8, d as u8).map_err(|e| match e {
            Error::Date { message, .. } => Error::Date {
                input: s.to_owned(),
                message,
            },
            other => other,
        })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An RFC 3339 timestamp such as `2012-08-20T10:15:00+08:00`, kept as written.
///
/// Sunlight only needs its local date (the day as the submitter saw it) and an instant for ordering.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: String,
    date: Date,
    /// Seconds since 1970-01-01T00:00:00Z.
    instant: i64,
}

impl Timestamp {
    /// The local calendar date of the timestamp.
    pub fn date(&self) -> Date {
        self.date
    }

    /// Seconds since the Unix epoch, in UTC.
    pub fn unix_seconds(&self) -> i64 {
        self.instant
    }

    /// The timestamp as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = |m: &str| Error::Date {
            input: s.to_owned(),
            message: m.to_owned(),
        };
        let shape = "expected an RFC 3339 timestamp such as 2012-08-20T10:15:00+08:00";
        if !s.is_ascii() || s.len() < 20 {
            return Err(bad(shape));
        }
        let date: Date = s[..10].parse()?;
        let b = s.as_bytes();
        if !(b[10] == b'T' || b[10] == b't') || b[13] != b':' || b[16] != b':' {
            return Err(bad(shape));
        }
        let hh = digits(&s[11..13], s)?;
        let mm = digits(&s[14..16], s)?;
        let ss = digits(&s[17..19], s)?;
        if hh > 23 || mm > 59 || ss > 60 {
            return Err(bad("the time of day is out of range"));
        }
        let mut rest = &s[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return Err(bad("a fraction of a second needs digits after the point"));
            }
            rest = &frac[n..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6
                && (rest.starts_with('+') || rest.starts_with('-'))
                && &rest[3..4] == ":" =>
            {
                let oh = digits(&rest[1..3], s)?;
                let om = digits(&rest[4..6], s)?;
                if oh > 23 || om > 59 {
                    return Err(bad("the time-zone offset is out of range"));
                }
                let secs = i64::from(oh * 3600 + om * 60);
                if rest.starts_with('-') { -secs } else { secs }
            }
            _ => return Err(bad(shape)),
        };
        let instant = date.to_days() * 86_400 + i64::from(hh * 3600 + mm * 60 + ss) - offset;
        Ok(Timestamp {
            text: s.to_owned(),
            date,
            instant,
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    #[test]
    fn leap_years_and_month_lengths() {
        assert!(
            is_leap_year(2012) && is_leap_year(2000) && !is_leap_year(1900) && !is_leap_year(2013)
        );
        assert_eq!(days_in_month(2012, 2), 29);
        assert_eq!(days_in_month(2013, 2), 28);
        assert!(Date::new(2013, 2, 29).is_err());
        assert!("2012-02-30".parse::<Date>().is_err());
        assert!("2012-13-01".parse::<Date>().is_err());
        assert!("2012-1-01".parse::<Date>().is_err());
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(d("2000-03-01").to_days(), 11_017);
        for n in [-700_000, -1, 0, 1, 15_000, 20_000, 2_000_000] {
            assert_eq!(Date::from_days(n).expect("in range").to_days(), n);
        }
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        assert_eq!(d("2012-08-31").add_months(6).expect("ok"), d("2013-02-28"));
        assert_eq!(d("2011-08-31").add_months(6).expect("ok"), d("2012-02-29"));
        assert_eq!(d("2012-12-15").add_months(1).expect("ok"), d("2013-01-15"));
        assert_eq!(d("2012-01-15").add_months(-1).expect("ok"), d("2011-12-15"));
    }

    #[test]
    fn timestamps() {
        let t: Timestamp = "2012-08-20T01:00:00+08:00".parse().expect("ok");
        assert_eq!(t.date(), d("2012-08-20"));
        let u: Timestamp = "2012-08-19T17:00:00Z".parse().expect("ok");
        assert_eq!(t.unix_seconds(), u.unix_seconds());
        assert!("2012-08-20 01:00:00".parse::<Timestamp>().is_err());
        assert!("2012-08-20T25:00:00Z".parse::<Timestamp>().is_err());
        assert!("2012-08-20T01:00:00.123+08:00".parse::<Timestamp>().is_ok());
        assert!("２０１２-08-20T01:00:00Z".parse::<Timestamp>().is_err());
    }
}
