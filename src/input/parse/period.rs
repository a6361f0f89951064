//! Target periods: a fiscal year, quarter or calendar month.

use super::error::ValueError;
use super::text::{digits, fold, num, year};
use crate::engine::model::PeriodText;
use ValueError as E;

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
