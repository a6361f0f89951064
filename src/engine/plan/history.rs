//! A scope's history and seasonality (rule 1): its monthly sales, and its
//! month weights from the plan file, its own or the company's history, or
//! working days.

use super::Ctx;
use crate::engine::allocate::ratio_of_f64;
use crate::engine::calendar::Ym;
use crate::engine::diag::Code;
use crate::engine::model::{Metric, Seasonality, Sums};
use crate::engine::season::{self, MonthSeries, Weights12};
use num_rational::BigRational;
use num_traits::Zero;
use rust_decimal::Decimal;

/// Whose history a series sums.
pub(super) enum SeriesScope {
    Company,
    Team(String),
    Rep(usize),
}

impl Ctx<'_> {
    /// A scope's monthly sales for a history column (none: no sales).
    pub(super) fn series(&self, col: Option<usize>, scope: &SeriesScope) -> MonthSeries {
        let h = &self.input.history;
        let mut out = MonthSeries::new();
        let Some(col) = col else { return out };
        let mut add = |ym: Ym, s: &Sums| {
            let e = out.entry(ym).or_insert((Decimal::ZERO, 0));
            e.0 += s.value(col);
            e.1 += s.rows;
        };
        match scope {
            SeriesScope::Company => h.company.iter().for_each(|(&ym, s)| add(ym, s)),
            SeriesScope::Rep(i) => h
                .by_rep
                .range((*i, Ym::MIN)..=(*i, Ym::MAX))
                .for_each(|(&(_, ym), s)| add(ym, s)),
            SeriesScope::Team(key) => {
                for (i, rep) in self.input.reps.iter().enumerate() {
                    if &rep.team_key == key {
                        h.by_rep
                            .range((i, Ym::MIN)..=(i, Ym::MAX))
                            .for_each(|(&(_, ym), s)| add(ym, s));
                    }
                }
                h.unknown_by_team
                    .range((key.clone(), Ym::MIN)..=(key.clone(), Ym::MAX))
                    .for_each(|((_, ym), s)| add(*ym, s));
            }
        }
        out
    }

    pub(super) fn workday_weights(&self) -> Weights12 {
        let parts: Vec<BigRational> = self
            .calendar
            .month_workdays
            .iter()
            .map(|&d| BigRational::from_integer(d.into()))
            .collect();
        season::proportional(&parts)
    }

    /// Rule 1 for one scope: its history, else the company's, else working days.
    pub(super) fn seasonality(
        &mut self,
        metric: &Metric,
        own: Option<&MonthSeries>,
        company: &MonthSeries,
        what: &str,
    ) -> (Weights12, String) {
        let rules = &metric.rules;
        let fiscal = self.input.fiscal;
        match &rules.seasonality {
            Seasonality::Even => (
                season::proportional(&vec![BigRational::from_integer(1.into()); 12]),
                "even".into(),
            ),
            Seasonality::Workdays => (self.workday_weights(), "working days".into()),
            Seasonality::Fixed(w) => {
                let parts: Vec<BigRational> = w.iter().map(|&x| ratio_of_f64(x)).collect();
                (
                    season::proportional(&parts),
                    "fixed in the plan file".into(),
                )
            }
            Seasonality::History if self.without_history(metric) => (
                self.workday_weights(),
                "working days (history_column = false)".into(),
            ),
            Seasonality::History => {
                let years = rules.seasonality_years;
                let found = own
                    .and_then(|s| season::from_history(s, fiscal, self.year, years))
                    .map(|(s, y)| (s, format!("own history {}", join_years(&y))))
                    .or_else(|| {
                        season::from_history(company, fiscal, self.year, years)
                            .map(|(s, y)| (s, format!("company history {}", join_years(&y))))
                    });
                match found {
                    Some((s, src)) => {
                        let lambda = ratio_of_f64(rules.smoothing);
                        if lambda.is_zero() {
                            (s, src)
                        } else {
                            (
                                season::smooth(&s, &self.workday_weights(), &lambda),
                                format!("{src}, smoothed {}", rules.smoothing),
                            )
                        }
                    }
                    None => {
                        self.warn(Code::ShortHistory, None, format!("{what}: no complete fiscal year of history; seasonality by working days"));
                        (self.workday_weights(), "working days (no history)".into())
                    }
                }
            }
        }
    }

    /// A metric planned without history on purpose (`history_column = false`
    /// next to a history): its fallbacks were announced when the history was read.
    pub(super) fn without_history(&self, metric: &Metric) -> bool {
        metric.history_column.is_none() && !self.input.history.columns.is_empty()
    }
}

/// Years as a list: `2025, 2026`.
fn join_years(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{ctx, input, metric, rep, warnings};
    use super::*;

    fn sums(v: i64, rows: u64) -> Sums {
        Sums {
            values: vec![Decimal::from(v)],
            rows,
        }
    }

    #[test]
    fn a_series_sums_its_scope_s_rows_per_month() {
        let mut input = input(
            vec![
                rep("R1", "North", 2),
                rep("R2", "North", 3),
                rep("R3", "South", 4),
            ],
            vec![],
        );
        let h = &mut input.history;
        let jan = 2026 * 12;
        h.by_rep.insert((0, jan), sums(10, 1));
        h.by_rep.insert((1, jan), sums(5, 2));
        h.by_rep.insert((1, jan + 1), sums(7, 1));
        h.by_rep.insert((2, jan), sums(100, 1));
        h.unknown_by_team
            .insert(("north".into(), jan + 1), sums(1, 1));
        h.company.insert(jan, sums(115, 4));
        let ctx = ctx(&input);
        let team = ctx.series(Some(0), &SeriesScope::Team("north".into()));
        let want: MonthSeries = [
            (jan, (Decimal::from(15), 3)),
            (jan + 1, (Decimal::from(8), 2)),
        ]
        .into();
        assert_eq!(team, want);
        let rep = ctx.series(Some(0), &SeriesScope::Rep(1));
        let want: MonthSeries = [
            (jan, (Decimal::from(5), 2)),
            (jan + 1, (Decimal::from(7), 1)),
        ]
        .into();
        assert_eq!(rep, want);
        let company = ctx.series(Some(0), &SeriesScope::Company);
        assert_eq!(company, [(jan, (Decimal::from(115), 4))].into());
        assert!(ctx.series(None, &SeriesScope::Company).is_empty());
    }

    #[test]
    fn seasonality_from_the_rules_or_working_days() {
        let input = input(vec![], vec![]);
        let mut ctx = ctx(&input);
        let ratio = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        let work = ctx.workday_weights();
        assert_eq!(
            (work[0].clone(), work[11].clone()),
            (ratio(21, 261), ratio(23, 261))
        );
        let none = MonthSeries::new();
        let (s, src) = ctx.seasonality(&metric(), None, &none, "revenue/*");
        assert_eq!((s[4].clone(), src.as_str()), (ratio(1, 12), "even"));
        let mut m = metric();
        m.rules.seasonality =
            Seasonality::Fixed([1.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let (s, src) = ctx.seasonality(&m, None, &none, "revenue/*");
        assert_eq!(
            (s[1].clone(), src.as_str()),
            (ratio(3, 4), "fixed in the plan file")
        );
        m.rules.seasonality = Seasonality::History;
        let (s, src) = ctx.seasonality(&m, None, &none, "revenue/North");
        assert_eq!(
            (s, src.as_str()),
            (work.clone(), "working days (no history)")
        );
        assert_eq!(
            warnings(&ctx),
            vec![(
                Code::ShortHistory,
                "revenue/North: no complete fiscal year of history; seasonality by working days"
                    .to_string()
            )]
        );
        assert!(!ctx.without_history(&m));
    }

    #[test]
    fn seasonality_from_a_full_year_of_history() {
        let mut input = input(vec![], vec![]);
        input.history.columns = vec!["amount".into()];
        let mut ctx = ctx(&input);
        let mut m = metric();
        m.rules.seasonality = Seasonality::History;
        let (s, src) = ctx.seasonality(&m, None, &MonthSeries::new(), "revenue/*");
        assert_eq!(
            (s, src.as_str()),
            (
                ctx.workday_weights(),
                "working days (history_column = false)"
            )
        );
        m.history_column = Some(0);
        let own: MonthSeries = (2026 * 12..2027 * 12)
            .map(|ym| {
                (
                    ym,
                    (Decimal::from(if ym == 2026 * 12 { 300 } else { 100 }), 1),
                )
            })
            .collect();
        let (s, src) = ctx.seasonality(&m, Some(&own), &MonthSeries::new(), "revenue/*");
        let ratio = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert_eq!((s[0].clone(), s[1].clone()), (ratio(3, 14), ratio(1, 14)));
        assert_eq!(src, "own history 2026");
        let (_, src) = ctx.seasonality(&m, None, &own, "revenue/*");
        assert_eq!(src, "company history 2026");
        assert!(ctx.problems.is_empty());
        assert_eq!(join_years(&[2025, 2026]), "2025, 2026");
    }
}
