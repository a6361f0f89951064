//! Exact splits: largest-remainder rounding of quotas to whole units.
//!
//! Every function returns parts that sum exactly to the whole, each within one
//! unit of its quota; ties go to the earlier part.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

/// Round half away from zero to a whole number.
pub fn round_half_away(q: &BigRational) -> BigInt {
    let half = BigRational::new(1.into(), 2.into());
    let r = (q.abs() + half).floor().to_integer();
    if q.is_negative() {
        -r
    } else {
        r
    }
}

/// Split `total` units by exact quotas (which sum to `total`): floors first,
/// then one more unit to the largest fractional parts, ties by position.
pub fn split_exact(quotas: &[BigRational], total: i64) -> Vec<i64> {
    let floors: Vec<BigInt> = quotas.iter().map(|q| q.floor().to_integer()).collect();
    let fracs: Vec<BigRational> = quotas
        .iter()
        .zip(&floors)
        .map(|(q, f)| q - BigRational::from(f.clone()))
        .collect();
    let mut parts: Vec<i64> = floors.iter().map(|f| f.to_i64().unwrap_or(0)).collect();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|&a, &b| fracs[b].cmp(&fracs[a]).then(a.cmp(&b)));
    distribute(&mut parts, &order, total);
    parts
}

/// Split `total` units by float quotas (which sum to about `total`), as
/// [`split_exact`] does; float noise never breaks the exact sum.
pub fn split_f64(quotas: &[f64], total: i64) -> Vec<i64> {
    let mut parts: Vec<i64> = quotas.iter().map(|q| q.floor() as i64).collect();
    let fracs: Vec<f64> = quotas
        .iter()
        .zip(&parts)
        .map(|(q, f)| q - *f as f64)
        .collect();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|&a, &b| fracs[b].total_cmp(&fracs[a]).then(a.cmp(&b)));
    distribute(&mut parts, &order, total);
    parts
}

/// Adds (or, after float noise, takes) the units still missing from `total`,
/// one per part, in `order` (or from its end).
fn distribute(parts: &mut [i64], order: &[usize], total: i64) {
    if order.is_empty() {
        return;
    }
    let mut short = total - parts.iter().sum::<i64>();
    let mut i = 0;
    while short > 0 {
        parts[order[i % order.len()]] += 1;
        short -= 1;
        i += 1;
    }
    let mut j = order.len();
    while short < 0 {
        j = if j == 0 { order.len() - 1 } else { j - 1 };
        if parts[order[j]] > 0 {
            parts[order[j]] -= 1;
            short += 1;
        }
    }
}

/// Spread `total` units over `n` days by cumulative rounding (SPEC rule 6):
/// day i (from 1) holds c(i) − c(i−1), with c(i) = ⌊(2·total·i + n) / (2n)⌋,
/// the exact running total i·total/n rounded half up. The days sum to
/// `total`, and any run of consecutive days is within one unit of its exact
/// share, so a month's few units are spaced across it.
pub fn spread_days(total: i64, n: usize) -> impl Iterator<Item = i64> {
    let (x, n) = (i128::from(total), n as i128);
    let c = move |i: i128| (2 * x * i + n).div_euclid(2 * n);
    (1..=n).map(move |i| (c(i) - c(i - 1)) as i64)
}

/// An exact rational from an f64 by its shortest decimal representation.
pub fn ratio_of_f64(v: f64) -> BigRational {
    let text = format!("{v}");
    ratio_of_decimal_str(&text).unwrap_or_else(BigRational::zero)
}

/// An exact rational from a plain decimal string such as `-12.345`.
pub fn ratio_of_decimal_str(text: &str) -> Option<BigRational> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mantissa: BigInt = format!("{int}{frac}").parse().ok()?;
    let scale = BigInt::from(10).pow(frac.len() as u32);
    let r = BigRational::new(mantissa, scale);
    Some(if neg { -r } else { r })
}

/// An exact rational from a decimal.
pub fn ratio_of(d: rust_decimal::Decimal) -> BigRational {
    BigRational::new(BigInt::from(d.mantissa()), BigInt::from(10).pow(d.scale()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn half_away_from_zero() {
        assert_eq!(round_half_away(&r(5, 2)), 3.into());
        assert_eq!(round_half_away(&r(-5, 2)), (-3).into());
        assert_eq!(round_half_away(&r(7, 3)), 2.into());
    }

    #[test]
    fn ties_go_to_the_earlier_part() {
        assert_eq!(split_exact(&[r(1, 3), r(1, 3), r(1, 3)], 1), vec![1, 0, 0]);
        assert_eq!(split_f64(&[0.5, 0.5], 1), vec![1, 0]);
        assert_eq!(spread_days(7, 3).collect::<Vec<_>>(), vec![2, 3, 2]);
        assert_eq!(spread_days(3, 20).filter(|&d| d == 1).count(), 3);
        assert_eq!(
            spread_days(3, 20).collect::<Vec<_>>(),
            [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
            "3 units over 20 days are spaced, not the first three days"
        );
        assert_eq!(spread_days(0, 0).count(), 0);
    }

    #[test]
    fn decimal_strings() {
        assert_eq!(ratio_of_decimal_str("-1.25"), Some(r(-5, 4)));
        assert_eq!(ratio_of_f64(0.1), r(1, 10));
    }

    proptest! {
        #[test]
        fn float_split_is_exact_and_close(weights in prop::collection::vec(0u32..1000, 1..40), total in 0i64..10_000_000) {
            let sum: f64 = weights.iter().map(|&w| w as f64).sum();
            prop_assume!(sum > 0.0);
            let quotas: Vec<f64> = weights.iter().map(|&w| total as f64 * w as f64 / sum).collect();
            let parts = split_f64(&quotas, total);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            for (p, q) in parts.iter().zip(&quotas) {
                prop_assert!((*p as f64 - q).abs() < 1.0 + 1e-6);
            }
            for (p, w) in parts.iter().zip(&weights) {
                if *w == 0 { prop_assert_eq!(*p, 0); }
            }
        }

        #[test]
        fn exact_split_is_exact_close_and_monotone(weights in prop::collection::vec(0i64..1000, 1..30), total in 0i64..1_000_000, scale in 1i64..50) {
            let sum: i64 = weights.iter().sum();
            prop_assume!(sum > 0);
            let quotas: Vec<BigRational> = weights.iter().map(|&w| r(total * w, sum)).collect();
            let parts = split_exact(&quotas, total);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            for (p, q) in parts.iter().zip(&quotas) {
                let diff = (BigRational::from(BigInt::from(*p)) - q).abs();
                prop_assert!(diff < r(1, 1));
            }
            for i in 0..weights.len() {
                for j in 0..weights.len() {
                    if weights[i] > weights[j] { prop_assert!(parts[i] >= parts[j]); }
                }
                if weights[i] == 0 { prop_assert_eq!(parts[i], 0); }
            }
            let scaled: Vec<BigRational> = weights.iter().map(|&w| r(total * w * scale, sum * scale)).collect();
            prop_assert_eq!(split_exact(&scaled, total), parts);
        }

        #[test]
        fn days_sum_to_the_month(total in 0i64..1_000_000_000_000_000, n in 1usize..31) {
            let days: Vec<i64> = spread_days(total, n).collect();
            prop_assert_eq!(days.len(), n);
            prop_assert_eq!(days.iter().sum::<i64>(), total);
            prop_assert!(days.iter().max().unwrap() - days.iter().min().unwrap() <= 1);
        }

        /// Rule 6: every run of consecutive days of a month holds its exact
        /// share (len · total / n) rounded down or up.
        #[test]
        fn every_run_of_days_is_within_one_unit_of_its_share(total in 0i64..2_000, n in 1usize..31) {
            let days: Vec<i64> = spread_days(total, n).collect();
            for start in 0..n {
                let mut sum = 0i64;
                for (end, day) in days.iter().enumerate().skip(start) {
                    sum += day;
                    let share = r(total * (end - start + 1) as i64, n as i64);
                    let diff = (BigRational::from(BigInt::from(sum)) - share).abs();
                    prop_assert!(diff < r(1, 1), "days {start}..={end} hold {sum}");
                }
            }
        }
    }
}
