//! Fiscal years, calendar months, working days and ISO weeks.
//!
//! Months are absolute numbers, [`Ym`] = year × 12 + month − 1, so that month
//! arithmetic across year ends is plain integer arithmetic.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// An absolute calendar month: year × 12 + (month − 1).
pub type Ym = i32;

/// The month of a date.
pub fn ym_of(date: NaiveDate) -> Ym {
    date.year() * 12 + date.month0() as i32
}

/// The first day of a month.
pub fn ym_first_day(ym: Ym) -> NaiveDate {
    NaiveDate::from_ymd_opt(ym.div_euclid(12), ym.rem_euclid(12) as u32 + 1, 1)
        .expect("month numbers stay inside chrono's range")
}

/// `2027-05` for a month.
pub fn ym_label(ym: Ym) -> String {
    format!("{}-{:02}", ym.div_euclid(12), ym.rem_euclid(12) + 1)
}

/// How fiscal years are laid on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fiscal {
    /// The calendar month (1–12) the fiscal year starts in.
    pub start: u32,
    /// `true`: a fiscal year is named by the calendar year it ends in.
    pub named_by_end: bool,
}

impl Default for Fiscal {
    fn default() -> Self {
        Fiscal {
            start: 1,
            named_by_end: false,
        }
    }
}

impl Fiscal {
    fn offset(&self) -> i32 {
        if self.named_by_end && self.start != 1 {
            -1
        } else {
            0
        }
    }

    /// The first month of fiscal year `year`.
    pub fn first_month(&self, year: i32) -> Ym {
        (year + self.offset()) * 12 + self.start as i32 - 1
    }

    /// The fiscal year a month belongs to.
    pub fn year_of(&self, ym: Ym) -> i32 {
        (ym - self.start as i32 + 1).div_euclid(12) - self.offset()
    }

    /// The fiscal position (0–11) of a month.
    pub fn position(&self, ym: Ym) -> usize {
        (ym - self.start as i32 + 1).rem_euclid(12) as usize
    }
}

/// Which days are working days: Monday–Friday, minus holidays, plus make-up workdays.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// A calendar with the given holidays and make-up working days.
    pub fn new(holidays: BTreeSet<NaiveDate>, workdays: BTreeSet<NaiveDate>) -> Self {
        WorkCalendar { holidays, workdays }
    }

    /// Whether `day` is a working day.
    pub fn is_working(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }
}

/// Working days counted over a run of whole months, for fast counts of the
/// working days of any month inside an employment interval.
#[derive(Debug, Clone)]
pub struct DayIndex {
    first: NaiveDate,
    first_ym: Ym,
    /// `cum[i]` = working days among the first `i` days.
    cum: Vec<u32>,
}

impl DayIndex {
    /// Covers the months `first_ym ..= last_ym`.
    pub fn new(cal: &WorkCalendar, first_ym: Ym, last_ym: Ym) -> Self {
        let first = ym_first_day(first_ym);
        let end = ym_first_day(last_ym + 1);
        let mut cum = vec![0];
        let mut n = 0;
        for day in first.iter_days().take_while(|d| *d < end) {
            n += u32::from(cal.is_working(day));
            cum.push(n);
        }
        DayIndex {
            first,
            first_ym,
            cum,
        }
    }

    fn index(&self, day: NaiveDate) -> usize {
        let i = (day - self.first)
            .num_days()
            .clamp(0, self.cum.len() as i64 - 1);
        i as usize
    }

    /// Working days of month `ym`, and those of them inside `[start, end]` (either open).
    pub fn month_days(
        &self,
        ym: Ym,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> (u32, u32) {
        if ym < self.first_ym {
            return (0, 0);
        }
        let lo = self.index(ym_first_day(ym));
        let hi = self.index(ym_first_day(ym + 1));
        let elo = start.map_or(lo, |s| self.index(s).clamp(lo, hi));
        let ehi = end.map_or(hi, |e| self.index(e + Days::new(1)).clamp(elo, hi));
        (self.cum[hi] - self.cum[lo], self.cum[ehi] - self.cum[elo])
    }
}

/// An ISO week of the plan year: its label and the plan-year days it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    /// `2027-W05`, by ISO week-year.
    pub label: String,
    /// First day of the week inside the plan year.
    pub first: NaiveDate,
    /// Last day of the week inside the plan year.
    pub last: NaiveDate,
}

/// The plan year's days: months in fiscal order, working days, ISO weeks.
#[derive(Debug, Clone)]
pub struct YearCalendar {
    /// The fiscal year.
    pub year: i32,
    /// The first month of the fiscal year.
    pub first_ym: Ym,
    /// Working days of each fiscal month.
    pub month_workdays: [u32; 12],
    /// Working days of each fiscal month, in date order.
    pub working: [Vec<NaiveDate>; 12],
    /// ISO weeks with at least one day in the year, in order.
    pub weeks: Vec<Week>,
}

impl YearCalendar {
    /// The calendar of fiscal year `year`.
    pub fn new(fiscal: Fiscal, year: i32, cal: &WorkCalendar) -> Self {
        let first_ym = fiscal.first_month(year);
        let mut working: [Vec<NaiveDate>; 12] = Default::default();
        let mut weeks: Vec<Week> = Vec::new();
        for (m, days) in working.iter_mut().enumerate() {
            let start = ym_first_day(first_ym + m as i32);
            let end = ym_first_day(first_ym + m as i32 + 1);
            for day in start.iter_days().take_while(|d| *d < end) {
                if cal.is_working(day) {
                    days.push(day);
                }
                let label = week_label(day);
                match weeks.last_mut() {
                    Some(w) if w.label == label => w.last = day,
                    _ => weeks.push(Week {
                        label,
                        first: day,
                        last: day,
                    }),
                }
            }
        }
        let month_workdays = std::array::from_fn(|m| working[m].len() as u32);
        YearCalendar {
            year,
            first_ym,
            month_workdays,
            working,
            weeks,
        }
    }

    /// `2027-05` for fiscal month `m` (0–11).
    pub fn month_label(&self, m: usize) -> String {
        ym_label(self.first_ym + m as i32)
    }

    /// The index in [`Self::weeks`] of the week holding `day` (a plan-year day).
    pub fn week_of(&self, day: NaiveDate) -> usize {
        self.weeks.partition_point(|w| w.last < day)
    }
}

/// The ISO week label of a day: `2026-W53` for 1 Jan 2027.
pub fn week_label(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn fiscal_years() {
        let apr = Fiscal {
            start: 4,
            named_by_end: false,
        };
        assert_eq!(ym_label(apr.first_month(2027)), "2027-04");
        assert_eq!(apr.year_of(ym_of(d(2028, 3, 31))), 2027);
        assert_eq!(apr.position(ym_of(d(2028, 3, 1))), 11);
        let end = Fiscal {
            start: 4,
            named_by_end: true,
        };
        assert_eq!(ym_label(end.first_month(2027)), "2026-04");
        assert_eq!(end.year_of(ym_of(d(2027, 3, 1))), 2027);
        let jan_end = Fiscal {
            start: 1,
            named_by_end: true,
        };
        assert_eq!(ym_label(jan_end.first_month(2027)), "2027-01");
    }

    #[test]
    fn working_days_with_holidays_and_makeup_days() {
        let cal = WorkCalendar::new([d(2027, 1, 1)].into(), [d(2027, 1, 9)].into());
        let year = YearCalendar::new(Fiscal::default(), 2027, &cal);
        // January 2027: 21 weekdays, minus New Year, plus Saturday 9 January.
        assert_eq!(year.month_workdays[0], 21);
        assert!(year.working[0].contains(&d(2027, 1, 9)));
        assert!(!year.working[0].contains(&d(2027, 1, 1)));
        assert_eq!(year.weeks[0].label, "2026-W53");
        assert_eq!(year.weeks[0].first, d(2027, 1, 1));
        assert_eq!(year.weeks[0].last, d(2027, 1, 3));
        assert_eq!(year.weeks.last().unwrap().label, "2027-W52");
        assert_eq!(year.week_of(d(2027, 1, 4)), 1);
    }

    #[test]
    fn employed_days_in_a_month() {
        let cal = WorkCalendar::default();
        let idx = DayIndex::new(&cal, ym_of(d(2026, 1, 1)), ym_of(d(2027, 12, 1)));
        let feb = ym_of(d(2027, 2, 1));
        assert_eq!(idx.month_days(feb, None, None), (20, 20));
        assert_eq!(idx.month_days(feb, Some(d(2027, 2, 15)), None), (20, 10));
        assert_eq!(idx.month_days(feb, None, Some(d(2027, 2, 1))), (20, 1));
        assert_eq!(idx.month_days(feb, Some(d(2027, 3, 1)), None), (20, 0));
        assert_eq!(idx.month_days(feb, None, Some(d(2027, 1, 31))), (20, 0));
    }
}
