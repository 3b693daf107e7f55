//! Calendar dates as the data formats write them: `YYYY-MM-DD`.

use std::fmt;
use std::str::FromStr;

/// A proleptic Gregorian calendar date. Ordering is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not of the shape `YYYY-MM-DD`.
    #[error("expected a date as YYYY-MM-DD, found `{0}`")]
    Shape(String),
    /// The shape is right but no such day exists.
    #[error("`{0}` is not a day of the calendar")]
    NoSuchDay(String),
}

impl Date {
    /// The date `year-month-day`, if it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if is_leap(year) => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days_in_month).contains(&day)).then_some(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    pub fn day(self) -> u8 {
        self.day
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(DateError::Shape(s.to_owned()));
        }
        let num = |r: std::ops::Range<usize>| -> u16 { b[r].iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')) };
        let month = u8::try_from(num(5..7)).unwrap_or(0);
        let day = u8::try_from(num(8..10)).unwrap_or(0);
        Date::new(num(0..4), month, day).ok_or_else(|| DateError::NoSuchDay(s.to_owned()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Date = "2027-03-01".parse().unwrap();
        assert_eq!(d.to_string(), "2027-03-01");
        assert!(d < "2027-03-02".parse().unwrap());
        assert!("2024-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn refuses_bad_dates() {
        assert!(matches!("2023-02-29".parse::<Date>(), Err(DateError::NoSuchDay(_))));
        assert!(matches!("2023-13-01".parse::<Date>(), Err(DateError::NoSuchDay(_))));
        assert!(matches!("2023-1-01".parse::<Date>(), Err(DateError::Shape(_))));
        assert!(matches!("2023-01-01T00:00".parse::<Date>(), Err(DateError::Shape(_))));
        assert!(matches!("".parse::<Date>(), Err(DateError::Shape(_))));
        assert!(matches!("２０２３-01-01".parse::<Date>(), Err(DateError::Shape(_))));
    }
}
