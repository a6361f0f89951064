//! What a plan can hold (SPEC §5): figures that a workbook's number cell holds
//! exactly, text that a cell holds, identifiers that a spreadsheet does not run.

use num_bigint::BigInt;
use rust_decimal::Decimal;

/// The most significant digits of a figure: 15, so that every figure (a total
/// over teams, periods and reps included) is exact in a workbook's number cell
/// (an f64) and reads the same there as in `plan.csv`.
pub const MAX_DIGITS: u32 = 15;

/// The largest mantissa of [`MAX_DIGITS`] digits: 999,999,999,999,999.
pub const MAX_MANTISSA: i64 = 10i64.pow(MAX_DIGITS) - 1;

/// The most characters a workbook cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The largest figure of a metric, in its units: a figure is units × unit, so
/// with a unit of 0.01 or 1 it is 999,999,999,999,999 units (9,999,999,999,999.99
/// in money).
pub fn max_units(unit: Decimal) -> i64 {
    let mut m = unit.mantissa().unsigned_abs().max(1);
    while m.is_multiple_of(10) {
        m /= 10;
    }
    MAX_MANTISSA / i64::try_from(m).unwrap_or(MAX_MANTISSA).max(1)
}

/// True when `units` of a metric of `unit` is a figure a plan can hold.
pub fn units_fit(units: &BigInt, unit: Decimal) -> bool {
    *units <= BigInt::from(max_units(unit))
}

/// The problem with an identifier (a rep id, a team or metric name) that a
/// spreadsheet opening a CSV would run as a formula: one starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return.
pub fn formula_problem(s: &str) -> Option<&'static str> {
    s.starts_with(['=', '+', '-', '@', '\t', '\r']).then_some(
        "an identifier cannot start with =, +, -, @, a tab or a carriage return (a spreadsheet opening the CSV would run it as a formula)",
    )
}

/// The problem with an identifier (a rep id, a team, scope or metric name)
/// that `plan.csv` and `progress.csv` carry: a formula start
/// ([`formula_problem`]) or a control character, which would reach those
/// files raw.
pub fn identifier_problem(s: &str) -> Option<(crate::engine::diag::Code, &'static str)> {
    use crate::engine::diag::Code;
    formula_problem(s)
        .map(|m| (Code::FormulaStart, m))
        .or_else(|| {
            s.chars().any(char::is_control).then_some((
                Code::IdentifierControl,
                "an identifier cannot hold a control character (a newline, tab or escape)",
            ))
        })
}

/// The problem with a text that goes into a workbook cell, if any.
pub fn text_problem(s: &str) -> Option<String> {
    let n = s.chars().count();
    (n > MAX_CELL_CHARS).then(|| {
        format!("a text of {n} characters; a workbook cell holds at most {MAX_CELL_CHARS}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_fifteen_digits_of_the_figure() {
        assert_eq!(max_units(Decimal::new(1, 2)), 999_999_999_999_999);
        assert_eq!(max_units(Decimal::ONE), 999_999_999_999_999);
        assert_eq!(max_units(Decimal::new(1000, 0)), 999_999_999_999_999);
        assert_eq!(max_units(Decimal::new(5, 2)), 199_999_999_999_999);
        assert!(units_fit(&BigInt::from(MAX_MANTISSA), Decimal::ONE));
        assert!(!units_fit(&BigInt::from(MAX_MANTISSA + 1), Decimal::ONE));
        // Every figure within the limit reads back the same from an f64.
        let cents = MAX_MANTISSA;
        let text = format!("{}.{:02}", cents / 100, cents % 100);
        assert_eq!(text.parse::<f64>().unwrap().to_string(), text);
    }

    #[test]
    fn formulas_and_long_texts_are_found() {
        for s in ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx"] {
            assert!(formula_problem(s).is_some(), "{s:?}");
        }
        for s in ["R-1", "a=b", "North", "", "销售一部"] {
            assert!(formula_problem(s).is_none(), "{s:?}");
        }
        assert!(text_problem(&"x".repeat(MAX_CELL_CHARS)).is_none());
        assert!(text_problem(&"x".repeat(MAX_CELL_CHARS + 1)).is_some());
    }
}
