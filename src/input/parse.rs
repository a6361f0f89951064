//! Cell values written as text: numbers, dates, periods and growth rates (SPEC §1.3, §1.4).
//!
//! Pure functions: no I/O, no clock. Every result is exact; nothing is guessed.

use crate::engine::model::PeriodText;
use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Why a text is not the value its column needs. Messages say what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not a number.
    #[error("expected a number such as 1234.56, 1,234 or (1,234)")]
    Number,
    /// A number only with a decimal comma (`1,5`, `1.234,56`) while `decimal_comma` is off:
    /// callers may suggest `decimal_comma = true`.
    #[error("expected a number with a decimal point such as 1234.56, not a decimal comma")]
    LooksLikeDecimalComma,
    /// More digits or decimals than an exact decimal holds.
    #[error("expected a number of at most 28 digits")]
    OutOfRange,
    /// A spreadsheet number that is NaN or infinite.
    #[error("expected a finite number")]
    NotFinite,
    /// Not a growth rate.
    #[error("expected a growth rate such as 15%, 0.15 or -5%")]
    Growth,
    /// Not a date.
    #[error("expected a date such as 2027-01-31, 2027/1/31, 31.01.2027 or 31/01/2027")]
    Date,
    /// A 2-digit year, whose century is ambiguous.
    #[error("expected a 4-digit year such as 31/01/2027: a 2-digit year leaves the century open")]
    TwoDigitYear,
    /// A year outside 1900..=9999.
    #[error("expected a year from 1900 to 9999, found {0}")]
    YearOutOfRange(i32),
    /// A date that does not exist, as written or as resolved (e.g. `2027-02-30`).
    #[error("impossible date: {0} does not exist")]
    ImpossibleDate(String),
    /// Day and month both 12 or less, and the column's order is unknown.
    #[error("ambiguous date: day and month are both 12 or less")]
    AmbiguousDate,
    /// A serial day number outside the supported dates.
    #[error("expected a date serial number for a day from 1900 to 9999")]
    Serial,
    /// Not a target period.
    #[error("expected a period: 2027, 2027-Q2 or 2027-05")]
    Period,
}

use ValueError as E;

const SPACES: [char; 4] = [' ', '\u{2009}', '\u{a0}', '\u{202f}'];
const SYMBOLS: [&str; 8] = ["¥", "￥", "$", "€", "£", "₩", "₹", "元"];
const CODES: [&str; 12] = [
    "CNY", "RMB", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "KRW", "INR", "SGD", "AUD",
];
const MONTHS: &str =
    "january february march april may june july august september october november december";

/// Full-width ASCII forms (digits, `．，％－＋／：（）`, letters) and U+2212 minus as ASCII.
fn fold(text: &str) -> String {
    let ascii = |c: char| char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => ascii(c),
            '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A field of 1 to `max_len` ASCII digits.
fn num(s: &str, max_len: usize) -> Option<u32> {
    (digits(s) && s.len() <= max_len).then(|| s.parse().ok())?
}

/// Parse a number written as text (SPEC 1.3). Ok(Decimal) exactly at the precision written.
///
/// Accepts grouping (`1,234`, `1 234`), a currency (`¥1,234`, `1,234 元`, `USD 5`), a sign or
/// brackets (`(1,234)`), `%`, exponents (`1.5E3`) and full-width forms. Without `decimal_comma`,
/// text that only a decimal comma would make a number is `LooksLikeDecimalComma`.
pub fn parse_number(text: &str, decimal_comma: bool) -> Result<Decimal, ValueError> {
    match plain_decimal(text).filter(|_| !decimal_comma) {
        Some(d) => Ok(d),
        None => hinted(text, decimal_comma, true),
    }
}

/// The fast path for the common case, `-1234.56` (with a decimal point): an
/// optional minus, at most 15 digits before the point and 18 in all, read
/// straight into a mantissa and scale without allocating.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let b = text.as_bytes();
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let (int, frac) = match digits.iter().position(|c| *c == b'.') {
        Some(p) => (&digits[..p], &digits[p + 1..]),
        None => (digits, &digits[..0]),
    };
    if int.is_empty()
        || int.len() > 15
        || int.len() + frac.len() > 18
        || (frac.is_empty() && int.len() < digits.len())
    {
        return None;
    }
    let mut m: i64 = 0;
    for c in int.iter().chain(frac) {
        if !c.is_ascii_digit() {
            return None;
        }
        m = m * 10 + i64::from(c - b'0');
    }
    Some(Decimal::new(if neg { -m } else { m }, frac.len() as u32))
}

/// A percentage or plain ratio for `growth`: "15%" -> 0.15, "0.15" -> 0.15, "-5%" -> -0.05,
/// "15 %" -> 0.15. Uses parse_number's rules for the numeric part, without currency.
pub fn parse_growth(text: &str, decimal_comma: bool) -> Result<Decimal, ValueError> {
    hinted(text, decimal_comma, false).map_err(|e| if e == E::Number { E::Growth } else { e })
}

/// [`parse_num`], with `LooksLikeDecimalComma` when only a decimal comma would make it a number.
fn hinted(text: &str, decimal_comma: bool, money: bool) -> Result<Decimal, ValueError> {
    parse_num(text, decimal_comma, money).map_err(|e| match e {
        E::Number if !decimal_comma && parse_num(text, true, money).is_ok() => {
            E::LooksLikeDecimalComma
        }
        e => e,
    })
}

/// `s` without a currency symbol or code at either end, if it has one.
fn strip_currency(s: &str) -> Option<&str> {
    let code = |p: &&str| CODES.iter().any(|c| c.eq_ignore_ascii_case(p));
    let tail = || {
        s.len()
            .checked_sub(3)
            .and_then(|i| s.get(i..).filter(code).and(s.get(..i)))
    };
    SYMBOLS
        .iter()
        .find_map(|c| s.strip_prefix(c).or_else(|| s.strip_suffix(c)))
        .or_else(|| s.get(..3).filter(code).and(s.get(3..)))
        .or_else(tail)
}

fn parse_num(text: &str, decimal_comma: bool, money: bool) -> Result<Decimal, ValueError> {
    let folded = fold(text);
    let mut s = folded.trim();
    let (mut neg, mut signed, mut currency, mut percent) = (false, false, !money, false);
    loop {
        let before = s;
        if !signed {
            if let Some(r) = s.strip_prefix('-') {
                (neg, signed, s) = (true, true, r);
            } else if let Some(r) = s.strip_prefix('+') {
                (signed, s) = (true, r);
            } else if let Some(r) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                (neg, signed, s) = (true, true, r);
            }
        }
        if let Some(r) = strip_currency(s).filter(|_| !currency) {
            (currency, s) = (true, r);
        }
        if let Some(r) = s.strip_suffix('%').filter(|_| !percent) {
            (percent, s) = (true, r);
        }
        s = s.trim();
        if s == before {
            break;
        }
    }
    let point = if decimal_comma { ',' } else { '.' };
    let group = if decimal_comma { '.' } else { ',' };
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().map_err(|_| E::Number)?),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once(point).unwrap_or((mantissa, ""));
    let int = match int.chars().find(|&c| c == group || SPACES.contains(&c)) {
        None => int.to_string(),
        Some(sep) => {
            let parts: Vec<&str> = int.split(sep).collect();
            let ok = parts.iter().all(|p| digits(p))
                && parts[0].len() <= 3
                && parts[1..].iter().all(|p| p.len() == 3);
            ok.then(|| parts.concat()).ok_or(E::Number)?
        }
    };
    let all = int + frac;
    if !digits(&all) {
        return Err(E::Number);
    }
    let scale = frac.len() as i64 + if percent { 2 } else { 0 } - i64::from(exp);
    exact_decimal(&all, scale, neg).ok_or(E::OutOfRange)
}

/// `digits` × 10^-`scale`, negated if `neg`; None when a Decimal cannot hold it exactly.
fn exact_decimal(digits: &str, mut scale: i64, neg: bool) -> Option<Decimal> {
    let mut m = digits.bytes().try_fold(0i128, |m, b| {
        m.checked_mul(10)?.checked_add((b - b'0').into())
    })?;
    if m == 0 {
        scale = scale.clamp(0, 28);
    }
    while scale < 0 {
        (m, scale) = (m.checked_mul(10)?, scale + 1);
    }
    while scale > 28 && m % 10 == 0 {
        (m, scale) = (m / 10, scale - 1);
    }
    Decimal::try_from_i128_with_scale(if neg { -m } else { m }, u32::try_from(scale).ok()?).ok()
}

/// A spreadsheet f64 as an exact decimal: its shortest round-trip text (0.1 -> 0.1), never the
/// binary expansion. NaN/inf -> `NotFinite`; beyond about 7.9e28 -> `OutOfRange`. A value with more
/// than 28 decimals (only below 1e-11 in magnitude) is rounded to 28.
pub fn number_from_f64(v: f64) -> Result<Decimal, ValueError> {
    if !v.is_finite() {
        return Err(E::NotFinite);
    }
    let s = v.abs().to_string();
    let d = Decimal::from_str_exact(&s).or_else(|_| Decimal::from_str(&s).map(|d| d.normalize()));
    d.map(|d| if v < 0.0 { -d } else { d })
        .map_err(|_| E::OutOfRange)
}

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

/// A 4-digit year in 1900..=9999.
fn year(s: &str) -> Result<i32, ValueError> {
    match num(s, 4) {
        Some(_) if s.len() == 2 => Err(E::TwoDigitYear),
        Some(y) if s.len() == 4 && y >= 1900 => Ok(y as i32),
        Some(y) if s.len() == 4 => Err(E::YearOutOfRange(y as i32)),
        _ => Err(E::Date),
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
        return ymd(year(y)?, m as u32 + 1, part(d)?).map(DateText::Exact);
    }
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

/// Parse a target period: `2027` fiscal year; `2027-Q2` fiscal quarter (also `2027q2`,
/// `2027 Q2`); `2027-05`, `2027-5` or `2027/05` calendar month. Whitespace around is trimmed.
pub fn parse_period(text: &str) -> Result<PeriodText, ValueError> {
    let folded = fold(text);
    let s = folded.trim();
    let y = s.get(..4).filter(|y| digits(y)).ok_or(E::Period)?;
    let (y, rest) = (year(y)?, &s[4..]);
    if rest.is_empty() {
        return Ok(PeriodText::Year(y));
    }
    let quarter = rest
        .strip_prefix(['-', ' '])
        .unwrap_or(rest)
        .strip_prefix(['q', 'Q']);
    if let Some(q) = quarter {
        let q = num(q, 1).filter(|q| (1..=4).contains(q)).ok_or(E::Period)?;
        return Ok(PeriodText::Quarter(y, q as u8));
    }
    let m = rest
        .strip_prefix(['-', '/'])
        .and_then(|m| num(m, 2))
        .filter(|m| (1..=12).contains(m));
    m.map(|m| PeriodText::Month(y, m as u8)).ok_or(E::Period)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// `text=want` pairs separated by `; `.
    fn pairs(cases: &str) -> impl Iterator<Item = (&str, &str)> {
        cases.split("; ").map(|c| c.rsplit_once('=').unwrap())
    }

    /// The number as written back (value and scale).
    fn n(text: &str, decimal_comma: bool) -> Result<String, ValueError> {
        parse_number(text, decimal_comma).map(|d| d.to_string())
    }

    fn pd(text: &str) -> Result<DateText, ValueError> {
        parse_date(text, None)
    }

    fn dm(first: u8, second: u8, year: i32) -> DateText {
        DateText::DayMonth {
            first,
            second,
            year,
            written: Written::default(),
        }
    }

    #[test]
    fn numbers() {
        let cases = "1234=1234; \t1,234.56 =1234.56; 1,234,567.89=1234567.89; 1,234.50=1234.50; \
            1 234 567=1234567; 1\u{2009}234=1234; 1\u{a0}234.5=1234.5; 1\u{202f}234=1234; \
            \u{3000}12\u{a0}=12; ¥1,234=1234; ￥1,234=1234; $1,234.50=1234.50; -$5=-5; $-5=-5; \
            € 5=5; £5=5; ₩5=5; ₹5=5; 1,234 元=1234; CNY 1,234=1234; RMB1234=1234; \
            1234 USD=1234; eur 7=7; (1,234)=-1234; (¥1,234)=-1234; ¥(1,234)=-1234; +5=5; \
            \u{2212}5=-5; １２３４．５=1234.5; －１，２３４=-1234; ＋１２％=0.12; 12%=0.12; \
            12.5%=0.125; 12 %=0.12; 1.5E3=1500; 1e-2=0.01; 2.50e1=25.0; .5=0.5; \
            0.1234567890123456789012345678=0.1234567890123456789012345678";
        for (text, want) in pairs(cases) {
            assert_eq!(n(text, false), Ok(want.into()), "{text:?}");
        }
        for (text, want) in pairs("1.234,56=1234.56; 1 234,5=1234.5; 1,5=1.5; -0,5%=-0.005") {
            assert_eq!(n(text, true), Ok(want.into()), "{text:?}");
        }
    }

    #[test]
    fn number_rejections() {
        let cases = " ; NA; N/A; null; nan; NaN; inf; -inf; -; --; 1,23,456; 12,5O0; 1,2345.6; \
            1.2.3; --5; -(5); (5; 5%%; 1e; e5; 1 2; 1,234 1; 0x10; 1_000; $; $$5; 5 XYZ; \
            1e999999999999";
        for text in cases.split("; ").chain([""]) {
            assert_eq!(n(text, false), Err(E::Number), "{text:?}");
        }
        for text in "1,5; 1,23; 1.234,56; 1 234,5 ; -1,5 %; ,123".split("; ") {
            assert_eq!(n(text, false), Err(E::LooksLikeDecimalComma), "{text:?}");
        }
        for text in ["1.5", "1,234.56", "1.23.4"] {
            assert_eq!(n(text, true), Err(E::Number), "{text:?}");
        }
        let long = "9".repeat(30);
        for text in [&long, "0.00000000000000000000000000001", "1e40", "1e-40"] {
            assert_eq!(n(text, false), Err(E::OutOfRange), "{text:?}");
        }
    }

    #[test]
    fn numbers_from_f64() {
        let f = |v| number_from_f64(v).map(|d| d.to_string());
        for (v, want) in pairs("0.1=0.1; -1234.5=-1234.5; -0=0; 5e-324=0") {
            assert_eq!(f(v.parse().unwrap()), Ok(want.into()));
        }
        assert_eq!(f(1e21), Ok("1000000000000000000000".into()));
        assert_eq!(f(2.5e-17), Ok("0.000000000000000025".into()));
        assert_eq!(f(1e300), Err(E::OutOfRange));
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(f(v), Err(E::NotFinite));
        }
    }

    #[test]
    fn growth() {
        for (text, want) in pairs("15%=0.15; 0.15=0.15; -5%=-0.05; 15 %=0.15; (5%)=-0.05") {
            let growth = parse_growth(text, false).map(|d| d.to_string());
            assert_eq!(growth, Ok(want.into()), "{text:?}");
        }
        assert_eq!(parse_growth("15,5%", true), Ok(Decimal::new(155, 3)));
        assert_eq!(parse_growth("15,5%", false), Err(E::LooksLikeDecimalComma));
        for text in ["", "abc", "$15", "15% CNY", "n/a"] {
            assert_eq!(parse_growth(text, false), Err(E::Growth), "{text:?}");
        }
    }

    #[test]
    fn dates() {
        let cases = "2027-01-31; 2027-1-31; 2027/1/31; 2027.01.31; 2027年1月31日; \
            2027 年 1 月 31 日; ２０２７年１月３１日; 20270131; 31.01.2027; 31.1.2027; \
            31 Jan 2027; Jan 31, 2027; 31-Jan-2027; January 31, 2027; 31 JANUARY 2027; \
            2027-01-31T09:30; 2027-01-31 09:30:00; 2027-01-31T09:30:00.000+08:00; \
            2027/1/31 9:30 AM; 2027年1月31日 09:30; Jan 31, 2027 9:30 PM; 46418; 46418.75";
        for text in cases.split("; ") {
            assert_eq!(pd(text), Ok(DateText::Exact(date(2027, 1, 31))), "{text:?}");
        }
        assert_eq!(pd("1"), Ok(DateText::Exact(date(1900, 1, 1))));
        assert_eq!(pd("61"), Ok(DateText::Exact(date(1900, 3, 1))));
        assert_eq!(pd("2027"), Ok(DateText::Exact(date(1905, 7, 19))));
        assert_eq!(pd("2/24/2003 0:00"), Ok(dm(2, 24, 2003)));
        assert_eq!(pd("24/2/2003"), Ok(dm(24, 2, 2003)));
        assert_eq!(pd(" 01-02-2027 "), Ok(dm(1, 2, 2027)));
    }

    #[test]
    fn date_rejections() {
        let cases = "2027-02-30=2027-02-30; 2027年2月29日=2027-02-29; 20271301=2027-13-01; \
            30.02.2027=2027-02-30; 31 Feb 2027=2027-02-31; 31/02/2027=31/02/2027; \
            13/13/2027=13/13/2027; 0/5/2027=0/5/2027; 60=1900-02-29";
        for (text, shown) in pairs(cases) {
            assert_eq!(pd(text), Err(E::ImpossibleDate(shown.into())), "{text:?}");
        }
        for text in ["1/2/27", "31.01.27", "27年1月31日", "31 Jan 27"] {
            assert_eq!(pd(text), Err(E::TwoDigitYear), "{text:?}");
        }
        for (text, y) in pairs("1899-12-31=1899; 1/1/1066=1066; 01.01.0999=999") {
            assert_eq!(
                pd(text),
                Err(E::YearOutOfRange(y.parse().unwrap())),
                "{text:?}"
            );
        }
        assert_eq!(pd("0"), Err(E::Serial));
        let cases = "NA; 2027-01; 1/2; 1/2/3/2027; 2027-01/31; 1234567; 123456789; \
            31st Jan 2027; Foo 31 2027; Jan Feb 2027; 2027-001-31; -1; 1/2/027; 46418.; \
            2027-01-31T; 2027年1月; 1.5e3";
        for text in cases.split("; ").chain([""]) {
            assert_eq!(pd(text), Err(E::Date), "{text:?}");
        }
    }

    #[test]
    fn date_formats() {
        let cases = "03/05/2027=%d/%m/%Y; 05/03/2027=%m/%d/%Y; 03/05/2027 0:00=%d/%m/%Y; \
            03/05/2027 10:15=%d/%m/%Y %H:%M; 03-May-27=%d-%b-%y; 2027-05-03=%d/%m/%Y";
        for (text, format) in pairs(cases) {
            let may3 = Ok(DateText::Exact(date(2027, 5, 3)));
            assert_eq!(parse_date(text, Some(format)), may3, "{text:?}");
        }
        let old = parse_date("03-May-1850", Some("%d-%b-%Y"));
        assert_eq!(old, Err(E::YearOutOfRange(1850)));
        let dm = Ok(dm(5, 13, 2027));
        assert_eq!(parse_date("5/13/2027", Some("%d/%m/%Y")), dm);
    }

    #[test]
    fn resolving() {
        use DateOrder::*;
        let dm = |first, second| dm(first, second, 2027);
        assert_eq!(dm(13, 1).evidence(), Some(DayFirst));
        assert_eq!(dm(1, 13).evidence(), Some(MonthFirst));
        assert_eq!(dm(3, 4).evidence(), None);
        assert_eq!(DateText::Exact(date(2027, 1, 13)).evidence(), None);
        assert_eq!(dm(3, 4).resolve(None), Err(E::AmbiguousDate));
        assert_eq!(dm(3, 4).resolve(Some(DayFirst)), Ok(date(2027, 4, 3)));
        assert_eq!(dm(3, 4).resolve(Some(MonthFirst)), Ok(date(2027, 3, 4)));
        assert_eq!(dm(13, 1).resolve(None), Ok(date(2027, 1, 13)));
        assert_eq!(dm(1, 13).resolve(None), Ok(date(2027, 1, 13)));
        let impossible = |s: &str| Err(E::ImpossibleDate(s.into()));
        assert_eq!(dm(1, 13).resolve(Some(DayFirst)), impossible("2027-13-01"));
        assert_eq!(dm(31, 2).resolve(Some(DayFirst)), impossible("2027-02-31"));
        let exact = DateText::Exact(date(2027, 1, 1));
        assert_eq!(exact.resolve(Some(MonthFirst)), Ok(date(2027, 1, 1)));
    }

    #[test]
    fn serials() {
        let cases = [
            (1.0, false, date(1900, 1, 1)),
            (59.9, false, date(1900, 2, 28)),
            (61.0, false, date(1900, 3, 1)),
            (46418.5, false, date(2027, 1, 31)),
            (2958465.0, false, date(9999, 12, 31)),
            (0.0, true, date(1904, 1, 1)),
            (44956.0, true, date(2027, 1, 31)),
        ];
        for (serial, s1904, want) in cases {
            assert_eq!(date_from_serial(serial, s1904), Ok(want), "{serial}");
        }
        let leap = Err(E::ImpossibleDate("1900-02-29".into()));
        assert_eq!(date_from_serial(60.0, false), leap);
        for serial in "0.99 -1 2958466 1e300 NaN inf -inf".split(' ') {
            let serial: f64 = serial.parse().unwrap();
            let got = date_from_serial(serial, serial < 0.0);
            assert_eq!(got, Err(E::Serial), "{serial}");
        }
    }

    #[test]
    fn periods() {
        use PeriodText::*;
        let cases = [
            ("2027", Year(2027)),
            (" ２０２７ ", Year(2027)),
            ("2027-Q2", Quarter(2027, 2)),
            ("2027-q4", Quarter(2027, 4)),
            ("2027Q1", Quarter(2027, 1)),
            ("2027 Q3", Quarter(2027, 3)),
            ("2027-05", Month(2027, 5)),
            ("2027-5", Month(2027, 5)),
            ("2027/12", Month(2027, 12)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_period(text), Ok(want), "{text:?}");
        }
        let cases = "27; FY2027; 2027-Q0; 2027-Q5; 2027-Q12; 2027-00; 2027-13; 2027-005; \
            2027-05-01; 202705; 2027.0; 2027-; 2027-+5; Q2-2027; 20270";
        for text in cases.split("; ").chain([""]) {
            assert_eq!(parse_period(text), Err(E::Period), "{text:?}");
        }
        assert_eq!(parse_period("1850"), Err(E::YearOutOfRange(1850)));
    }

    #[test]
    fn messages() {
        let shown = E::ImpossibleDate("2027-02-30".into()).to_string();
        assert_eq!(shown, "impossible date: 2027-02-30 does not exist");
        let shown = E::Period.to_string();
        assert_eq!(shown, "expected a period: 2027, 2027-Q2 or 2027-05");
    }

    /// `n` with `sep` between groups of three digits.
    fn grouped(n: u64, sep: char) -> String {
        let s = n.to_string();
        let lead = (s.len() - 1) % 3 + 1;
        let mut out = s[..lead].to_string();
        for group in s.as_bytes()[lead..].chunks(3) {
            out.push(sep);
            out.push_str(std::str::from_utf8(group).unwrap());
        }
        out
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let days = (date(9999, 12, 31) - date(1900, 1, 1)).num_days() as u64;
        (0..=days).prop_map(|n| date(1900, 1, 1) + Days::new(n))
    }

    proptest! {
        #[test]
        fn grouped_numbers_round_trip(cents in -(10i64.pow(17))..10i64.pow(17), sp in 0..4usize) {
            let want = Ok(Decimal::new(cents, 2).to_string());
            let (int, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
            let sign = if cents < 0 { "-" } else { "" };
            let body = |sep, point| format!("{}{point}{frac:02}", grouped(int, sep));
            let plain = body(',', '.');
            let texts = [
                (format!("{sign}{plain}"), false),
                (format!("{sign}{}", body(SPACES[sp], '.')), false),
                (if cents < 0 { format!("({plain})") } else { plain.clone() }, false),
                (format!("{sign}¥{plain}"), false),
                (format!("{sign}{}", body('.', ',')), true),
                (format!("{sign}{}", body(SPACES[sp], ',')), true),
            ];
            for (text, dc) in texts {
                prop_assert_eq!(n(&text, dc), want.clone(), "{}", text);
            }
        }

        #[test]
        fn dates_round_trip(d in any_date()) {
            for f in ["%Y-%m-%d", "%Y/%-m/%-d", "%Y年%-m月%-d日", "%d.%m.%Y"] {
                prop_assert_eq!(pd(&d.format(f).to_string()), Ok(DateText::Exact(d)));
            }
            let dm = pd(&d.format("%d/%m/%Y").to_string()).unwrap();
            prop_assert!(matches!(dm, DateText::DayMonth { .. }), "{:?}", dm);
            prop_assert_eq!(dm.resolve(Some(DateOrder::DayFirst)), Ok(d));
        }

        #[test]
        fn serials_round_trip(d in any_date(), time in 0.0..1.0f64) {
            let days = |base: NaiveDate| (d - base).num_days() as f64 + time;
            let serial = days(date(1899, 12, 30)) - if d < date(1900, 3, 1) { 1.0 } else { 0.0 };
            prop_assert_eq!(date_from_serial(serial, false), Ok(d));
            if d >= date(1904, 1, 1) {
                prop_assert_eq!(date_from_serial(days(date(1904, 1, 1)), true), Ok(d));
            }
        }

        #[test]
        fn never_panics(
            any in ".*",
            numeric in "[-+(),. 0-9eE%/:年月日Qq]{0,30}",
            f in "[%a-zA-Z/ -]{0,6}",
        ) {
            for text in [any, numeric] {
                let _ = (n(&text, false), n(&text, true), parse_growth(&text, false));
                let _ = (pd(&text), parse_date(&text, Some(&f)), parse_period(&text));
            }
        }
    }
}
