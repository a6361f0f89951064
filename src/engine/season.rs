//! Rule 1 (seasonality) and the spreading of a scope's targets over months (SPEC §1.4).

use crate::engine::allocate::ratio_of;
use crate::engine::calendar::{Fiscal, Ym};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Monthly sales and row counts of one scope.
pub type MonthSeries = BTreeMap<Ym, (Decimal, u64)>;

/// Exact month weights in fiscal order.
pub type Weights12 = [BigRational; 12];

/// Mean month shares over the last `years` counted fiscal years before `plan_year`
/// (a year counts when each of its months has a row and its total is positive).
/// Returns the index and the years used, or `None` when no year counts.
pub fn from_history(
    series: &MonthSeries,
    fiscal: Fiscal,
    plan_year: i32,
    years: usize,
) -> Option<(Weights12, Vec<i32>)> {
    let first = *series.keys().next()?;
    let mut used: Vec<(i32, [Decimal; 12])> = Vec::new();
    let mut y = plan_year - 1;
    while fiscal.first_month(y) + 11 >= first && used.len() < years.max(1) {
        let f0 = fiscal.first_month(y);
        let mut sums = [Decimal::ZERO; 12];
        let mut complete = true;
        for (m, sum) in sums.iter_mut().enumerate() {
            match series.get(&(f0 + m as i32)) {
                Some(&(s, rows)) if rows > 0 => *sum = s,
                _ => complete = false,
            }
        }
        let total: Decimal = sums.iter().sum();
        if complete && total > Decimal::ZERO {
            used.push((y, sums));
        }
        y -= 1;
    }
    if used.is_empty() {
        return None;
    }
    let n = BigRational::from_integer(used.len().into());
    let mut s: Vec<BigRational> = (0..12)
        .map(|m| {
            let mean = used
                .iter()
                .map(|(_, sums)| ratio_of(sums[m]) / ratio_of(sums.iter().sum()))
                .fold(BigRational::zero(), |a, b| a + b)
                / &n;
            if mean.is_negative() {
                BigRational::zero()
            } else {
                mean
            }
        })
        .collect();
    let total = s.iter().fold(BigRational::zero(), |a, b| a + b);
    if total.is_zero() {
        return None;
    }
    for x in &mut s {
        *x = &*x / &total;
    }
    let mut years_used: Vec<i32> = used.iter().map(|(y, _)| *y).collect();
    years_used.sort_unstable();
    Some((to_array(s), years_used))
}

/// Weights proportional to `parts` (all zero: even).
pub fn proportional(parts: &[BigRational]) -> Weights12 {
    let total = parts.iter().fold(BigRational::zero(), |a, b| a + b);
    if total.is_zero() {
        return to_array(vec![BigRational::new(1.into(), 12.into()); 12]);
    }
    to_array(parts.iter().map(|p| p / &total).collect())
}

/// `(1 − λ)·s + λ·w`.
pub fn smooth(s: &Weights12, w: &Weights12, lambda: &BigRational) -> Weights12 {
    let one = BigRational::from_integer(1.into());
    to_array(
        s.iter()
            .zip(w)
            .map(|(a, b)| (&one - lambda) * a + lambda * b)
            .collect(),
    )
}

/// The weights as floats.
pub fn to_f64(s: &Weights12) -> [f64; 12] {
    std::array::from_fn(|m| s[m].to_f64().unwrap_or(0.0))
}

fn to_array(v: Vec<BigRational>) -> Weights12 {
    v.try_into()
        .unwrap_or_else(|_| unreachable!("twelve months"))
}

/// A scope's targets for one year: the year, fiscal quarters (0–3), fiscal months (0–11), in units.
#[derive(Debug, Clone, Default)]
pub struct ScopeTargets {
    pub year: Option<BigRational>,
    pub quarters: [Option<BigRational>; 4],
    pub months: [Option<BigRational>; 12],
}

/// Why a scope's targets cannot be spread.
#[derive(Debug, Clone, PartialEq)]
pub enum SpreadError {
    /// Given parts (units) exceed their whole (units): the year's
    /// (`quarter` None) or a fiscal quarter's (0–3).
    PartsExceedWhole {
        parts: BigRational,
        whole: BigRational,
        quarter: Option<usize>,
    },
    /// A positive rest and no month with weight to take it.
    NoMonthToTake { rest: BigRational },
}

/// Month quotas (exact units) and the whole: months held; a quarter spreads
/// what its held months leave over its other months; the year spreads what
/// held quarters and months leave over the free months; spreading uses
/// `weights` renormalised over the receiving months. Without a year target,
/// months of quarters with no target get 0, and the quarters (1–4) are listed.
pub fn spread(
    t: &ScopeTargets,
    weights: &[BigRational; 12],
) -> Result<(Vec<BigRational>, BigRational, Vec<usize>), SpreadError> {
    let mut tau: Vec<Option<BigRational>> = t.months.to_vec();
    let fill = |tau: &mut Vec<Option<BigRational>>,
                whole: &BigRational,
                months: &[usize],
                quarter: Option<usize>| {
        let held = months
            .iter()
            .filter_map(|&m| tau[m].clone())
            .fold(BigRational::zero(), |a, b| a + b);
        let rest = whole - &held;
        if rest.is_negative() {
            return Err(SpreadError::PartsExceedWhole {
                parts: held,
                whole: whole.clone(),
                quarter,
            });
        }
        let free: Vec<usize> = months
            .iter()
            .copied()
            .filter(|&m| tau[m].is_none())
            .collect();
        let ws = free
            .iter()
            .fold(BigRational::zero(), |a, &m| a + &weights[m]);
        if rest.is_positive() && ws.is_zero() {
            return Err(SpreadError::NoMonthToTake { rest });
        }
        for m in free {
            tau[m] = Some(if rest.is_zero() {
                BigRational::zero()
            } else {
                &rest * &weights[m] / &ws
            });
        }
        Ok(())
    };
    for (q, target) in t.quarters.iter().enumerate() {
        if let Some(target) = target {
            fill(&mut tau, target, &[3 * q, 3 * q + 1, 3 * q + 2], Some(q))?;
        }
    }
    if let Some(year) = &t.year {
        let all: Vec<usize> = (0..12).collect();
        fill(&mut tau, year, &all, None)?;
        let tau = tau.into_iter().map(Option::unwrap_or_default).collect();
        return Ok((tau, year.clone(), Vec::new()));
    }
    let empty = (0..4)
        .filter(|q| (3 * q..3 * q + 3).all(|m| tau[m].is_none()))
        .map(|q| q + 1)
        .collect();
    let tau: Vec<BigRational> = tau.into_iter().map(Option::unwrap_or_default).collect();
    let whole = tau.iter().fold(BigRational::zero(), |a, b| a + b);
    Ok((tau, whole, empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64) -> BigRational {
        BigRational::from_integer(n.into())
    }

    #[test]
    fn held_quarter_and_month_inside_a_year() {
        let even: [BigRational; 12] = std::array::from_fn(|_| r(1));
        let mut t = ScopeTargets {
            year: Some(r(1200)),
            ..Default::default()
        };
        t.quarters[0] = Some(r(600));
        t.months[0] = Some(r(300));
        let (tau, whole, _) = spread(&t, &even).unwrap();
        assert_eq!(whole, r(1200));
        assert_eq!(tau[0], r(300));
        assert_eq!(tau[1], r(150));
        assert_eq!(tau[3], r(600) / r(9));
        assert_eq!(tau.iter().fold(BigRational::zero(), |a, b| a + b), r(1200));
    }

    #[test]
    fn parts_exceeding_the_whole_are_refused() {
        let even: [BigRational; 12] = std::array::from_fn(|_| r(1));
        let mut t = ScopeTargets {
            year: Some(r(100)),
            ..Default::default()
        };
        t.quarters[1] = Some(r(150));
        assert!(matches!(
            spread(&t, &even),
            Err(SpreadError::PartsExceedWhole { .. })
        ));
    }

    #[test]
    fn quarter_only_targets_leave_other_quarters_empty() {
        let even: [BigRational; 12] = std::array::from_fn(|_| r(1));
        let mut t = ScopeTargets::default();
        t.quarters[0] = Some(r(90));
        let (tau, whole, empty) = spread(&t, &even).unwrap();
        assert_eq!(whole, r(90));
        assert_eq!(tau[2], r(30));
        assert_eq!(empty, vec![2, 3, 4]);
    }

    #[test]
    fn history_shares_are_averaged_over_counted_years() {
        let fiscal = Fiscal::default();
        let mut series = MonthSeries::new();
        for y in [2025, 2026] {
            for m in 0..12 {
                let v = if y == 2025 { 1 } else { m + 1 };
                series.insert(y * 12 + m, (Decimal::from(v), 1));
            }
        }
        let (s, years) = from_history(&series, fiscal, 2027, 3).unwrap();
        assert_eq!(years, vec![2025, 2026]);
        // 2025: 1/12 each; 2026: (m+1)/78.
        assert_eq!(s[0], (r(1) / r(12) + r(1) / r(78)) / r(2));
        assert_eq!(s.iter().fold(BigRational::zero(), |a, b| a + b), r(1));
    }
}
