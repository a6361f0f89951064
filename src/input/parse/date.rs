//! Dates written as text or as spreadsheet serials, and the day/month
//! order of `a/b/yyyy` dates.

use super::error::ValueError;
use super::text::{digits, fold, num, year};
use chrono::{Datelike, Days, NaiveDate};
use ValueError as E;

const MONTHS: &str =
    "january february march april may june july august september october november december";

/// What a date text says, before a column's day/month order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DateText {
    /// A date whose reading is certain.
    Exact(NaiveDate),
    /// `first/second/year`: day-month or month-day, as the column decides.
    DayMonth {
        /// The first of the two parts.
        first: u8,
        /// The second of the two parts.
        second: u8,
        /// The 4-digit year.
        year: i32,
        /// How it was written, for messages (not part of its value).
        written: Written,
    },
}

/// How a `first/second/year` date was written: its separator and which
/// parts had a leading zero. Every one is equal to every other, so that
/// `03/04/2026` and `3/4/2026` stay the same value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    sep: u8,
    zero_first: bool,
    zero_second: bool,
}

impl PartialEq for Written {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Written {}

impl std::hash::Hash for Written {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl PartialOrd for Written {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Written {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

/// Which order a `a/b/y` column uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `31/01/2027`.
    DayFirst,
    /// `01/31/2027`.
    MonthFirst,
}

impl DateText {
    /// The date as it was written (`03/04/2026`), or in ISO form when exact.
    pub fn as_written(&self) -> String {
        match *self {
            DateText::Exact(d) => d.to_string(),
            DateText::DayMonth {
                first,
                second,
                year,
                written: w,
            } => {
                let sep = if w.sep == 0 { '/' } else { char::from(w.sep) };
                let part = |v: u8, zero: bool| {
                    if zero {
                        format!("{v:02}")
                    } else {
                        v.to_string()
                    }
                };
                format!(
                    "{}{sep}{}{sep}{year}",
                    part(first, w.zero_first),
                    part(second, w.zero_second)
                )
            }
        }
    }

    /// What this value proves about its column's order: `DayFirst` when only `first` > 12,
    /// `MonthFirst` when only `second` > 12, None when both are <= 12 (ambiguous).
    pub fn evidence(&self) -> Option<DateOrder> {
        match *self {
            DateText::DayMonth { first, second, .. } => match (first > 12, second > 12) {
                (true, false) => Some(DateOrder::DayFirst),
                (false, true) => Some(DateOrder::MonthFirst),
                _ => None,
            },
            DateText::Exact(_) => None,
        }
    }

    /// The date under `order` (Exact ignores it; None uses the value's own evidence).
    /// `ImpossibleDate` for e.g. 31/02; `AmbiguousDate` when no order is known.
    pub fn resolve(&self, order: Option<DateOrder>) -> Result<NaiveDate, ValueError> {
        match *self {
            DateText::Exact(d) => Ok(d),
            DateText::DayMonth {
                first,
                second,
                year,
                ..
            } => {
                let (m, d) = match order.or(self.evidence()).ok_or(E::AmbiguousDate)? {
                    DateOrder::DayFirst => (second, first),
                    DateOrder::MonthFirst => (first, second),
                };
                ymd(year, m.into(), d.into())
            }
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, ValueError> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| E::ImpossibleDate(format!("{y:04}-{m:02}-{d:02}")))
}

/// A 1-2 digit month or day.
fn part(s: &str) -> Result<u32, ValueError> {
    num(s, 2).ok_or(E::Date)
}

/// `s` without a trailing time such as ` 0:00`, `T09:30`, ` 09:30:00`, ` 9:30 AM`.
fn strip_time(s: &str) -> &str {
    let is_time = |t: &str| {
        t.split_once(':').is_some_and(|(h, rest)| {
            num(h, 2).is_some()
                && rest.get(..2).and_then(|m| num(m, 2)).is_some()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || ":.+-Zz AaPpMm".contains(c))
        })
    };
    s.char_indices()
        .find(|&(i, c)| {
            (c == 'T' || c.is_whitespace()) && is_time(s[i + c.len_utf8()..].trim_start())
        })
        .map_or(s, |(i, _)| s[..i].trim_end())
}

/// Parse a date written as text (SPEC 1.3); a trailing time is ignored. `format`: an optional
/// chrono strftime format (plan file `date_format`), tried first; a match is `Exact`.
///
/// `a/b/yyyy` and `a-b-yyyy` give `DayMonth` (even when a part is > 12); `31.01.2027` is day
/// first. A bare number of 1 to 6 digits (and decimals) is a 1900-system serial; 8 digits is
/// `yyyymmdd`. 2-digit years are rejected (`TwoDigitYear`).
pub fn parse_date(text: &str, format: Option<&str>) -> Result<DateText, ValueError> {
    if format.is_none() {
        if let Some(d) = iso_date(text) {
            return Ok(DateText::Exact(d));
        }
    }
    let folded = fold(text);
    let full = folded.trim();
    let s = strip_time(full);
    let exact = |d: NaiveDate| match d.year() {
        1900..=9999 => Ok(DateText::Exact(d)),
        y => Err(E::YearOutOfRange(y)),
    };
    // A format with a time part matches `full`; one without matches `s`.
    let formatted = |f| {
        [full, s]
            .into_iter()
            .find_map(|t| NaiveDate::parse_from_str(t, f).ok())
    };
    if let Some(d) = format.and_then(formatted) {
        return exact(d);
    }
    if digits(s) && s.len() == 8 {
        return ymd(year(&s[..4])?, part(&s[4..6])?, part(&s[6..])?).map(DateText::Exact);
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    if digits(int) && int.len() <= 6 && digits(frac) {
        let serial = s.parse().map_err(|_| E::Date)?;
        return exact(date_from_serial(serial, false)?);
    }
    if let Some((y, rest)) = s.split_once('年') {
        let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        let rest = rest.strip_suffix(['日', '号']).unwrap_or(&rest);
        let (m, d) = rest.split_once('月').ok_or(E::Date)?;
        return ymd(year(y.trim())?, part(m)?, part(d)?).map(DateText::Exact);
    }
    if s.bytes().any(|b| b.is_ascii_alphabetic()) {
        return named_month_date(s);
    }
    separated_date(s)
}

/// A date with a month name (`31 Jan 2027`, `January 31, 2027`), day and year in either order.
fn named_month_date(s: &str) -> Result<DateText, ValueError> {
    let tokens: Vec<&str> = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let month = |t: &str| {
        let t = t.to_ascii_lowercase();
        MONTHS
            .split(' ')
            .position(|m| t.len() >= 3 && m.starts_with(&t))
    };
    let [a, b, c] = tokens[..] else {
        return Err(E::Date);
    };
    let (m, p, q) = match (month(a), month(b), month(c)) {
        (Some(m), None, None) => (m, b, c),
        (None, Some(m), None) => (m, a, c),
        (None, None, Some(m)) => (m, a, b),
        _ => return Err(E::Date),
    };
    let (d, y) = if p.len() == 4 { (q, p) } else { (p, q) };
    ymd(year(y)?, m as u32 + 1, part(d)?).map(DateText::Exact)
}

/// A date of three parts split by `-`, `/` or `.`: `yyyy-mm-dd`, `dd.mm.yyyy`, or
/// `a/b/yyyy` (`DayMonth`, unless neither order makes it a date).
fn separated_date(s: &str) -> Result<DateText, ValueError> {
    let sep = ['-', '/', '.']
        .into_iter()
        .find(|&c| s.contains(c))
        .ok_or(E::Date)?;
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts[..] else {
        return Err(E::Date);
    };
    if a.len() == 4 {
        return ymd(year(a)?, part(b)?, part(c)?).map(DateText::Exact);
    }
    let (first, second, y) = (part(a)?, part(b)?, year(c)?);
    if sep == '.' {
        return ymd(y, second, first).map(DateText::Exact);
    }
    let dm = DateText::DayMonth {
        first: first as u8,
        second: second as u8,
        year: y,
        written: Written {
            sep: sep as u8,
            zero_first: a.len() == 2 && a.starts_with('0'),
            zero_second: b.len() == 2 && b.starts_with('0'),
        },
    };
    let possible = |o| dm.resolve(Some(o)).is_ok();
    if possible(DateOrder::DayFirst) || possible(DateOrder::MonthFirst) {
        Ok(dm)
    } else {
        Err(E::ImpossibleDate(s.to_string()))
    }
}

/// The fast path for `2027-01-31` exactly, without allocating; `None` sends
/// everything else (and impossible dates) to the full parser.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = num(0..4)? as i32;
    (1900..=9999).contains(&year).then_some(())?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

/// Excel serial day number to a date; the fraction (time) is ignored. 1900 system: serial 1 =
/// 1900-01-01, 61 = 1900-03-01, and 60 (Excel's fictitious 1900-02-29) is `ImpossibleDate`.
/// 1904 system: serial 0 = 1904-01-01. Below those or beyond 9999-12-31: `Serial`.
pub fn date_from_serial(serial: f64, system_1904: bool) -> Result<NaiveDate, ValueError> {
    let day = serial.floor();
    let first = if system_1904 { 0.0 } else { 1.0 };
    if !(first..=3.0e6).contains(&day) {
        return Err(E::Serial);
    }
    let base = if system_1904 {
        (1904, 1, 1)
    } else if day < 60.0 {
        (1899, 12, 31)
    } else if day > 60.0 {
        (1899, 12, 30)
    } else {
        return Err(E::ImpossibleDate("1900-02-29".into()));
    };
    NaiveDate::from_ymd_opt(base.0, base.1, base.2)
        .and_then(|b| b.checked_add_days(Days::new(day as u64)))
        .filter(|d| d.year() <= 9999)
        .ok_or(E::Serial)
}
