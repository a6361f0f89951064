//! The figures of one row of progress from its sums: the projection, the
//! gap, the status and the run-rate needed, taken exactly in decimals.

use super::{Level, Progress, Status, WorkingDays};
use num_traits::ToPrimitive;
use rust_decimal::Decimal;

/// The sums a row's figures come from.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sums {
    pub(super) year: Decimal,
    pub(super) to_date: Decimal,
    pub(super) actual: Decimal,
    pub(super) before: Decimal,
    pub(super) months: [Decimal; 12],
    pub(super) actual_months: [Decimal; 12],
}

impl Sums {
    /// Adds another row's sums.
    pub(super) fn add(&mut self, o: &Sums) {
        self.year += o.year;
        self.to_date += o.to_date;
        self.actual += o.actual;
        self.before += o.before;
        for m in 0..12 {
            self.months[m] += o.months[m];
            self.actual_months[m] += o.actual_months[m];
        }
    }
}

/// a · b / c, exact when the product fits, else dividing first; `None` when c = 0.
fn mul_div(a: Decimal, b: Decimal, c: Decimal) -> Option<Decimal> {
    if c.is_zero() {
        return None;
    }
    a.checked_mul(b)
        .and_then(|p| p.checked_div(c))
        .or_else(|| a.checked_div(c).and_then(|q| q.checked_mul(b)))
}

/// a / b as a float; `None` when b = 0.
fn ratio(a: Decimal, b: Decimal) -> Option<f64> {
    a.checked_div(b).and_then(|r| r.to_f64())
}

/// The figures of one row from its sums; `None` when one cannot be represented.
pub(super) fn row(
    level: Level,
    team: &str,
    metric: usize,
    s: &Sums,
    days: &WorkingDays,
    started: &[bool; 12],
) -> Option<Progress> {
    let (y, e, a) = (s.year, s.to_date, s.actual);
    let projection = if e.is_zero() {
        a.checked_add(y)?
    } else {
        a.checked_add(mul_div(y - e, a, e)?)?
    };
    let status = if e.is_zero() || a >= e {
        Status::Green
    } else if a.checked_mul(Decimal::TEN)? >= e * Decimal::from(9) {
        Status::Amber
    } else {
        Status::Red
    };
    let needed = match days.remaining {
        0 => None,
        n => Some(y.checked_sub(a)?.max(Decimal::ZERO) / Decimal::from(n)),
    };
    Some(Progress {
        level,
        team: team.to_string(),
        metric,
        target_year: y,
        target_to_date: e,
        actual_to_date: a,
        actual_before: s.before,
        attainment: ratio(a, y),
        pace: ratio(a, e),
        projection,
        gap: y.checked_sub(projection)?,
        needed_per_workday: needed,
        status,
        rank: None,
        month_targets: s.months,
        month_actuals: std::array::from_fn(|m| started[m].then_some(s.actual_months[m])),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn days(remaining: u32) -> WorkingDays {
        WorkingDays {
            year: 250,
            elapsed: 250 - remaining,
            remaining,
            month: None,
        }
    }

    fn sums(year: &str, to_date: &str, actual: &str) -> Sums {
        Sums {
            year: dec(year),
            to_date: dec(to_date),
            actual: dec(actual),
            before: dec("100"),
            months: [dec(year) / dec("12"); 12],
            actual_months: [Decimal::ZERO; 12],
        }
    }

    #[test]
    fn sums_add_every_figure() {
        let mut s = sums("1200", "200", "180");
        s.actual_months[1] = dec("7");
        let o = s;
        s.add(&o);
        assert_eq!(
            (s.year, s.to_date, s.actual, s.before),
            (dec("2400"), dec("400"), dec("360"), dec("200"))
        );
        assert_eq!((s.months[0], s.actual_months[1]), (dec("200"), dec("14")));
    }

    #[test]
    fn a_row_at_nine_tenths_of_its_pace_is_amber() {
        let started = std::array::from_fn(|m| m < 2);
        let p = row(
            Level::Rep(3),
            "T",
            1,
            &sums("1200", "200", "180"),
            &days(100),
            &started,
        )
        .unwrap();
        assert_eq!(
            (p.level, p.team.as_str(), p.metric),
            (Level::Rep(3), "T", 1)
        );
        // P = 180 + (1200 - 200) * 180 / 200; 10 * 180 = 9 * 200.
        assert_eq!(p.projection, dec("1080"));
        assert_eq!(p.gap, dec("120"));
        assert_eq!(p.status, Status::Amber);
        assert_eq!(p.needed_per_workday, Some(dec("10.2")));
        assert_eq!((p.attainment, p.pace), (Some(0.15), Some(0.9)));
        assert_eq!((p.actual_before, p.rank), (dec("100"), None));
        assert_eq!(p.month_actuals[1], Some(Decimal::ZERO));
        assert_eq!(p.month_actuals[2], None);
    }

    #[test]
    fn a_row_with_nothing_due_is_green_and_projects_the_plan() {
        let started = [false; 12];
        let p = row(
            Level::Company,
            "",
            0,
            &sums("1200", "0", "30"),
            &days(0),
            &started,
        )
        .unwrap();
        assert_eq!(p.projection, dec("1230"));
        assert_eq!(p.gap, dec("-30"));
        assert_eq!(
            (p.status, p.pace, p.needed_per_workday),
            (Status::Green, None, None)
        );
        let red = row(
            Level::Team,
            "T",
            0,
            &sums("1200", "200", "179"),
            &days(1),
            &started,
        )
        .unwrap();
        assert_eq!(red.status, Status::Red);
    }

    #[test]
    fn huge_figures_do_not_overflow() {
        let big = dec("1000000000000000000000000000");
        assert!(mul_div(big, big, Decimal::ONE).is_none());
        // 10^27 · 100 overflows; 10^27 / 1000 · 100 does not.
        assert_eq!(mul_div(big, dec("100"), dec("1000")), Some(big / dec("10")));
        assert_eq!(mul_div(dec("1"), dec("1"), Decimal::ZERO), None);
    }
}
