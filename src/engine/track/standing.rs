//! Where the reps stand: their ranks by attainment and their alerts.

use super::{Alert, AlertKind, Level, Progress, Status};
use rust_decimal::Decimal;

/// Ranks the reps of each metric by attainment (exact), highest first; ties share a rank.
pub(super) fn rank(rows: &mut [Progress], metrics: usize) {
    for k in 0..metrics {
        let mut ranked: Vec<(usize, Decimal)> = rows
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.level, Level::Rep(_)) && p.metric == k)
            .filter_map(|(i, p)| {
                p.actual_to_date
                    .checked_div(p.target_year)
                    .map(|att| (i, att))
            })
            .collect();
        ranked.sort_by_key(|&(_, att)| std::cmp::Reverse(att));
        for (pos, &(i, att)) in ranked.iter().enumerate() {
            let first = ranked.iter().position(|&(_, x)| x == att).unwrap_or(pos);
            rows[i].rank = Some(first + 1);
        }
    }
}

/// The alerts of the rep rows, in row order.
pub(super) fn alerts(rows: &[Progress]) -> Vec<Alert> {
    let mut out = Vec::new();
    for (i, p) in rows.iter().enumerate() {
        if !matches!(p.level, Level::Rep(_)) {
            continue;
        }
        if p.target_year > Decimal::ZERO {
            let reached = [100u32, 90, 50].into_iter().find(|&t| {
                let line = p.target_year * Decimal::from(t) / Decimal::ONE_HUNDRED;
                p.actual_before < line && p.actual_to_date >= line
            });
            if let Some(t) = reached {
                out.push(Alert {
                    row: i,
                    kind: AlertKind::Reached(t),
                });
            }
        }
        if p.status == Status::Red {
            out.push(Alert {
                row: i,
                kind: AlertKind::BehindPace,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(
        level: Level,
        metric: usize,
        year: i64,
        before: i64,
        now: i64,
        status: Status,
    ) -> Progress {
        Progress {
            level,
            team: String::new(),
            metric,
            target_year: Decimal::from(year),
            target_to_date: Decimal::ZERO,
            actual_to_date: Decimal::from(now),
            actual_before: Decimal::from(before),
            attainment: None,
            pace: None,
            projection: Decimal::ZERO,
            gap: Decimal::ZERO,
            needed_per_workday: None,
            status,
            rank: None,
            month_targets: [Decimal::ZERO; 12],
            month_actuals: [None; 12],
        }
    }

    #[test]
    fn reps_rank_by_attainment_per_metric_and_ties_share_a_rank() {
        let g = Status::Green;
        let mut rows = vec![
            rep(Level::Rep(0), 0, 100, 0, 50, g),
            rep(Level::Rep(1), 0, 200, 0, 180, g),
            rep(Level::Rep(2), 0, 10, 0, 5, g),
            rep(Level::Rep(3), 0, 0, 0, 5, g),
            rep(Level::Team, 0, 10, 0, 10, g),
            rep(Level::Rep(0), 1, 10, 0, 1, g),
        ];
        rank(&mut rows, 2);
        let ranks: Vec<Option<usize>> = rows.iter().map(|p| p.rank).collect();
        assert_eq!(ranks, vec![Some(2), Some(1), Some(2), None, None, Some(1)]);
    }

    #[test]
    fn the_highest_line_crossed_and_a_red_status_are_alerts_of_reps() {
        let rows = vec![
            rep(Level::Rep(0), 0, 100, 40, 95, Status::Green),
            rep(Level::Rep(1), 0, 100, 95, 99, Status::Red),
            rep(Level::Rep(2), 0, 100, 99, 100, Status::Green),
            rep(Level::Team, 0, 100, 0, 100, Status::Red),
            rep(Level::Rep(3), 0, 0, 0, 5, Status::Green),
        ];
        let kinds: Vec<(usize, AlertKind)> =
            alerts(&rows).iter().map(|a| (a.row, a.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (0, AlertKind::Reached(90)),
                (1, AlertKind::BehindPace),
                (2, AlertKind::Reached(100)),
            ]
        );
    }
}
