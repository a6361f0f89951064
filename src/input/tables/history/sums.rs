//! The history's sums: running sums per key, ended into hashed sums, and
//! resolved rows added to the company, rep or team.

use crate::engine::calendar::Ym;
use crate::engine::model::{History, Sums};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// Adds a row's values to the running sum of `key`, first moving the
/// running sum of another key into `sums`.
pub(super) fn run<K: std::hash::Hash + Eq + Copy>(
    current: &mut Option<(K, Sums)>,
    sums: &mut FxHashMap<K, Sums>,
    key: K,
    values: &[Decimal],
) {
    match current {
        Some((k, s)) if *k == key => s.add(values),
        Some((k, s)) => {
            sums.entry(*k).or_default().merge(s);
            *k = key;
            s.values.fill(Decimal::ZERO);
            s.rows = 0;
            s.add(values);
        }
        None => {
            let mut s = Sums::default();
            s.add(values);
            *current = Some((key, s));
        }
    }
}

/// Moves the running sum, if any, into `sums`.
pub(super) fn end_run<K: std::hash::Hash + Eq>(
    current: &mut Option<(K, Sums)>,
    sums: &mut FxHashMap<K, Sums>,
) {
    if let Some((k, s)) = current.take() {
        sums.entry(k).or_default().merge(&s);
    }
}

/// Adds `sums` of month `ym` to the company, and to the rep or else the
/// team (when named) the rows belong to.
pub(super) fn add_sums(h: &mut History, rep: Option<usize>, team: String, ym: Ym, sums: &Sums) {
    h.company.entry(ym).or_default().merge(sums);
    match rep {
        Some(r) => h.by_rep.entry((r, ym)).or_default().merge(sums),
        None if !team.is_empty() => h.unknown_by_team.entry((team, ym)).or_default().merge(sums),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn sums(values: &[&str], rows: u64) -> Sums {
        Sums {
            values: values.iter().map(|v| d(v)).collect(),
            rows,
        }
    }

    #[test]
    fn runs_sum_until_the_key_changes() {
        let (mut current, mut done) = (None, FxHashMap::default());
        run(&mut current, &mut done, 1, &[d("1"), d("2")]);
        run(&mut current, &mut done, 1, &[d("10"), d("20")]);
        assert!(done.is_empty());
        assert_eq!(current, Some((1, sums(&["11", "22"], 2))));
        run(&mut current, &mut done, 2, &[d("5"), d("0")]);
        assert_eq!(done[&1], sums(&["11", "22"], 2));
        run(&mut current, &mut done, 1, &[d("1"), d("1")]);
        end_run(&mut current, &mut done);
        assert_eq!(current, None);
        assert_eq!(done[&1], sums(&["12", "23"], 3));
        assert_eq!(done[&2], sums(&["5", "0"], 1));
        end_run(&mut current, &mut done);
        assert_eq!(done.len(), 2);
    }

    #[test]
    fn resolved_sums_go_to_the_company_and_the_rep_or_team() {
        let mut h = History::default();
        let s = sums(&["7"], 2);
        add_sums(&mut h, Some(0), "north".into(), 5, &s);
        add_sums(&mut h, None, "north".into(), 5, &s);
        add_sums(&mut h, None, String::new(), 6, &s);
        assert_eq!(h.company[&5], sums(&["14"], 4));
        assert_eq!(h.company[&6], s);
        assert_eq!(h.by_rep.len(), 1);
        assert_eq!(h.by_rep[&(0, 5)], s);
        assert_eq!(h.unknown_by_team.len(), 1);
        assert_eq!(h.unknown_by_team[&("north".to_string(), 5)], s);
    }
}
