//! Text helpers the value parsers share: folding full-width forms, digit
//! runs and years.

use super::error::ValueError;
use ValueError as E;

/// Full-width ASCII forms (digits, `．，％－＋／：（）`, letters) and U+2212 minus as ASCII.
pub(super) fn fold(text: &str) -> String {
    let ascii = |c: char| char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => ascii(c),
            '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

pub(super) fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A field of 1 to `max_len` ASCII digits.
pub(super) fn num(s: &str, max_len: usize) -> Option<u32> {
    (digits(s) && s.len() <= max_len).then(|| s.parse().ok())?
}

/// A 4-digit year in 1900..=9999.
pub(super) fn year(s: &str) -> Result<i32, ValueError> {
    match num(s, 4) {
        Some(_) if s.len() == 2 => Err(E::TwoDigitYear),
        Some(y) if s.len() == 4 && y >= 1900 => Ok(y as i32),
        Some(y) if s.len() == 4 => Err(E::YearOutOfRange(y as i32)),
        _ => Err(E::Date),
    }
}
