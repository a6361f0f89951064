//! The start of a CSV file: its encoding (decoded whole when not UTF-8) and
//! its delimiter.

use crate::engine::diag::{Code, Origin, Problem};
use encoding_rs::{DecoderResult, Encoding};

/// How much of the file is looked at to detect the delimiter.
pub(super) const SNIFF_BYTES: u64 = 64 * 1024;
/// How many non-empty lines decide the delimiter.
const SNIFF_LINES: usize = 20;

/// The encoding a plan file's `encoding = "…"` names.
pub(super) fn unknown_encoding(label: &str, origin: &Origin) -> Result<&'static Encoding, Problem> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        Problem::error(Code::PlanFileValue, Some(origin.clone()), format!("unknown encoding {label:?}"))
            .with_hint("use a WHATWG encoding label such as utf-8, gbk, gb18030, big5, shift_jis or windows-1252")
    })
}

/// Decodes the whole file; the first invalid byte is an error naming its line.
pub(super) fn decode(
    bytes: &[u8],
    encoding: &'static Encoding,
    origin: &Origin,
) -> Result<String, Problem> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut rest = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            DecoderResult::OutputFull => text.reserve(rest.len() * 3 + 16),
            DecoderResult::Malformed(..) => {
                let line = text.matches('\n').count() + 1;
                return Err(Problem::error(
                    Code::Encoding,
                    Some(origin.at_row(line as u32)),
                    format!("bytes that are not valid {}", encoding.name()),
                )
                .with_hint(
                    "check the file's encoding and set `encoding` for this table in the plan file",
                ));
            }
        }
    }
}

/// The delimiter among `,` `;` tab that splits the first lines into the most
/// lines of one field count (more than one field); ties go to the earlier one.
pub(super) fn detect_delimiter(text: &[u8], complete: bool) -> u8 {
    let mut best = (b',', 0);
    for delimiter in [b',', b';', b'\t'] {
        let counts = field_counts(text, delimiter, complete);
        let score = counts
            .iter()
            .filter(|&&n| n > 1)
            .map(|&n| counts.iter().filter(|&&m| m == n).count())
            .max()
            .unwrap_or(0);
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

/// Fields per non-blank line of the first [`SNIFF_LINES`], counting delimiters
/// outside quotes; the last line counts only when `complete` (not cut off).
fn field_counts(text: &[u8], delimiter: u8, complete: bool) -> Vec<usize> {
    let mut counts = Vec::new();
    let (mut fields, mut quoted, mut blank) = (1, false, true);
    for &byte in text {
        match byte {
            b'"' => (quoted, blank) = (!quoted, false),
            _ if quoted => {}
            b'\n' => {
                if !blank {
                    counts.push(fields);
                    if counts.len() == SNIFF_LINES {
                        return counts;
                    }
                }
                (fields, blank) = (1, true);
            }
            _ if byte == delimiter => fields += 1,
            _ if !byte.is_ascii_whitespace() => blank = false,
            _ => {}
        }
    }
    if complete && !blank {
        counts.push(fields);
    }
    counts
}
