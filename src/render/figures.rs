//! How figures are shown: their decimal places, their plain decimal text (as
//! in `plan.csv` and the cached results of workbook formulas), and the number
//! a workbook cell holds, computed from the units without a text round trip.

use crate::engine::model::{Metric, MetricKind};
use rust_decimal::Decimal;

/// A ratio (a `BigRational`) rounded half away from zero to some places, as text.
pub use crate::engine::plan::format_ratio;

/// Decimal places of a metric's figures, as in `plan.csv`: money at least two,
/// counts as many as their unit has.
pub fn places(unit: Decimal, kind: MetricKind) -> usize {
    match kind {
        MetricKind::Money => unit.scale().max(2) as usize,
        MetricKind::Count => unit.scale() as usize,
    }
}

/// A figure in units as a plain decimal: money with at least two decimals, counts as integers.
pub fn format_units(units: i64, unit: Decimal, kind: MetricKind) -> String {
    let v = Decimal::from(units) * unit;
    let places = places(unit, kind);
    format!("{v:.places$}")
}

/// A figure in units: its exact decimal text and that number for the cell.
pub fn figure(units: i64, metric: &Metric) -> (String, f64) {
    let text = format_units(units, metric.unit, metric.kind);
    (text, units_value(units, metric.unit))
}

/// The powers of ten that a double holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `n × 10^exp` as the nearest double, when one operation on exact operands
/// gives it: `|n| < 2^53` and `|exp| ≤ 22`. IEEE arithmetic rounds that one
/// operation correctly, so it equals parsing the number's decimal text.
fn scaled(n: i128, exp: i32) -> Option<f64> {
    if n.unsigned_abs() >= 1 << 53 {
        return None;
    }
    let pow = *POW10.get(exp.unsigned_abs() as usize)?;
    let n = n as f64;
    Some(if exp < 0 { n / pow } else { n * pow })
}

/// A decimal's mantissa with its trailing zeros moved into the exponent:
/// `(m, e)` with `d = m × 10^e`.
fn reduced(d: Decimal) -> (i128, i32) {
    let (mut m, mut e) = (d.mantissa(), -(d.scale() as i32));
    while m != 0 && m % 10 == 0 {
        m /= 10;
        e += 1;
    }
    (m, e)
}

/// The number a workbook cell holds for `units` of `unit`: the double nearest
/// to `units × unit`, the same as parsing [`format_units`]'s text.
pub fn units_value(units: i64, unit: Decimal) -> f64 {
    let (m, e) = reduced(unit);
    i128::from(units)
        .checked_mul(m)
        .and_then(|n| scaled(n, e))
        .unwrap_or_else(|| decimal_value(Decimal::from(units) * unit))
}

/// The number a workbook cell holds for a decimal: the double nearest to it,
/// the same as parsing its text (a negative zero stays negative).
pub fn decimal_value(d: Decimal) -> f64 {
    let (m, e) = reduced(d);
    match scaled(m, e) {
        Some(v) if m == 0 && d.is_sign_negative() => -v,
        Some(v) => v,
        // Past 2^53 or 10^22 no single operation is exact: read the text.
        None => d.to_string().parse().unwrap_or(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::limits::MAX_MANTISSA;
    use proptest::prelude::*;

    #[test]
    fn units_as_plain_decimals() {
        assert_eq!(
            format_units(123450, Decimal::new(1, 2), MetricKind::Money),
            "1234.50"
        );
        assert_eq!(
            format_units(1234, Decimal::ONE, MetricKind::Money),
            "1234.00"
        );
        assert_eq!(
            format_units(-5, Decimal::new(1, 2), MetricKind::Money),
            "-0.05"
        );
        assert_eq!(format_units(7, Decimal::ONE, MetricKind::Count), "7");
        assert_eq!(format_units(7, Decimal::from(5), MetricKind::Count), "35");
    }

    /// The units of a metric worth testing: small ones, any, and the 15-digit limit.
    fn units() -> impl Strategy<Value = i64> {
        prop_oneof![
            -2000i64..2000,
            any::<i64>().prop_map(|u| u / 1000),
            -MAX_MANTISSA..=MAX_MANTISSA,
            (0i64..1000).prop_map(|k| MAX_MANTISSA - k),
            (0i64..1000).prop_map(|k| -MAX_MANTISSA + k),
            (0i64..1000).prop_map(|k| (1 << 53) - 500 + k),
        ]
    }

    fn unit() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            Just("0.01"),
            Just("1"),
            Just("0.1"),
            Just("0.001"),
            Just("100"),
            Just("0.05"),
            Just("25"),
            Just("0.0000001"),
            Just("1.00"),
        ]
        .prop_map(|u| u.parse().unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The cell's number from the units is the number of the figure's text.
        #[test]
        fn units_value_is_the_value_of_the_text(units in units(), unit in unit(), money: bool) {
            let kind = if money { MetricKind::Money } else { MetricKind::Count };
            let text = format_units(units, unit, kind);
            let parsed: f64 = text.parse().unwrap();
            prop_assert_eq!(units_value(units, unit).to_bits(), parsed.to_bits(), "{}", text);
            let powered = units as f64 / 10f64.powi(unit.scale() as i32);
            if unit.mantissa() == 1 && units.unsigned_abs() < 1 << 53 {
                prop_assert_eq!(powered.to_bits(), parsed.to_bits(), "{}", text);
            }
        }

        /// A decimal's number is the number of its text, for any mantissa and scale.
        #[test]
        fn decimal_value_is_the_value_of_the_text(
            mantissa in prop_oneof![-100_000i64..100_000, any::<i64>(), -MAX_MANTISSA..=MAX_MANTISSA],
            scale in 0u32..=28,
        ) {
            let d = Decimal::new(mantissa, scale);
            let parsed: f64 = d.to_string().parse().unwrap();
            prop_assert_eq!(decimal_value(d).to_bits(), parsed.to_bits(), "{}", d);
        }
    }

    #[test]
    fn zeros_keep_their_sign() {
        for d in [
            Decimal::ZERO,
            -Decimal::new(0, 2),
            Decimal::new(-1, 3).round_dp(2),
        ] {
            let parsed: f64 = d.to_string().parse().unwrap();
            assert_eq!(decimal_value(d).to_bits(), parsed.to_bits(), "{d}");
        }
    }
}
