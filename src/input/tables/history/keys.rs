//! How history rows find their rep: the reps' keys, matched lower-cased
//! and as the reps file spells them.

use crate::engine::model::Rep;
use crate::input::columns::norm;
use rustc_hash::FxHashMap;

/// A key's index, matched trimmed and case-insensitively; allocates only for
/// keys with upper-case or non-ASCII letters.
pub(super) fn find_key(keys: &FxHashMap<String, usize>, s: &str) -> Option<usize> {
    let t = s.trim();
    if t.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        keys.get(t).copied()
    } else {
        keys.get(&norm(t)).copied()
    }
}

/// A rep's key as the reps file spells it: its name with `rep_key = "name"`, else its id.
fn spelled(r: &Rep, by_name: bool) -> &str {
    if by_name {
        r.name.trim()
    } else {
        r.id.trim()
    }
}

/// The reps' keys, matched lower-cased (the first rep of a key wins), and
/// as spelled, for the reps found that way.
pub(super) fn rep_keys(
    reps: &[Rep],
    by_name: bool,
) -> (FxHashMap<String, usize>, FxHashMap<&str, usize>) {
    let keys: FxHashMap<String, usize> = reps
        .iter()
        .enumerate()
        .rev()
        .map(|(i, r)| (norm(spelled(r, by_name)), i))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let exact: FxHashMap<&str, usize> = reps
        .iter()
        .enumerate()
        .map(|(i, r)| (spelled(r, by_name), i))
        .filter(|(k, i)| find_key(&keys, k) == Some(*i))
        .collect();
    (keys, exact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diag::Origin;
    use rust_decimal::Decimal;

    fn rep(id: &str, name: &str) -> Rep {
        Rep {
            id: id.into(),
            key: norm(id),
            name: name.into(),
            email: String::new(),
            team: String::new(),
            team_key: String::new(),
            manager: String::new(),
            capability: Decimal::ONE,
            role: String::new(),
            start: None,
            end: None,
            fte: Decimal::ONE,
            origin: Origin::default(),
        }
    }

    #[test]
    fn keys_are_found_trimmed_and_case_insensitively() {
        let keys: FxHashMap<String, usize> = [("r1".to_string(), 0), ("åsa".to_string(), 1)]
            .into_iter()
            .collect();
        assert_eq!(find_key(&keys, " r1 "), Some(0));
        assert_eq!(find_key(&keys, "R1"), Some(0));
        assert_eq!(find_key(&keys, "ÅSA"), Some(1));
        assert_eq!(find_key(&keys, "r2"), None);
    }

    #[test]
    fn rep_keys_by_id_or_name_first_rep_wins() {
        let reps = [rep(" R1 ", "Ann"), rep("r1", "Bo"), rep("R3", " ")];
        let (keys, exact) = rep_keys(&reps, false);
        assert_eq!(keys.len(), 2);
        assert_eq!((keys["r1"], keys["r3"]), (0, 2));
        let mut exact: Vec<_> = exact.into_iter().collect();
        exact.sort();
        assert_eq!(exact, [("R1", 0), ("R3", 2)]);
        let (keys, exact) = rep_keys(&reps, true);
        assert_eq!((keys.len(), keys["ann"], keys["bo"]), (2, 0, 1));
        assert_eq!((exact.len(), exact["Ann"], exact["Bo"]), (2, 0, 1));
        assert_eq!(spelled(&reps[0], false), "R1");
        assert_eq!(spelled(&reps[2], true), "");
    }
}
