//! Numbers and growth rates written as text, and spreadsheet numbers as exact decimals.

use super::error::ValueError;
use super::text::{digits, fold};
use rust_decimal::Decimal;
use std::str::FromStr;
use ValueError as E;

/// The spaces a number may be grouped with.
pub(super) const SPACES: [char; 4] = [' ', '\u{2009}', '\u{a0}', '\u{202f}'];
const SYMBOLS: [&str; 8] = ["¥", "￥", "$", "€", "£", "₩", "₹", "元"];
const CODES: [&str; 12] = [
    "CNY", "RMB", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "KRW", "INR", "SGD", "AUD",
];

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
