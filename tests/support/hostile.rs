//! Helpers of the hostile suites (issue 11): a snapshot of everything in a
//! folder (links not followed), the check that a run changed nothing outside
//! `--out` and its own `.<out>.plan-*` folders, and runs under a memory limit.

use std::collections::BTreeMap;
use std::path::Path;

/// What one entry of a folder is: a file's bytes, a link's target, or a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>),
    Link(std::path::PathBuf),
    Dir,
    Other,
}

/// Every entry under `root`, by relative path, without following links.
pub fn snapshot(root: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let entry = if meta.file_type().is_symlink() {
                Entry::Link(std::fs::read_link(&p).unwrap())
            } else if meta.is_dir() {
                stack.push(p.clone());
                Entry::Dir
            } else if meta.is_file() {
                Entry::File(std::fs::read(&p).unwrap_or_default())
            } else {
                Entry::Other
            };
            out.insert(rel, entry);
        }
    }
    out
}

/// True when `rel` lies in the output folder `out` or one of plan's own
/// `.<out>.plan-*` siblings (all relative to the snapshot's root).
pub fn owned_by_run(rel: &str, out: &str) -> bool {
    let first = rel.split('/').next().unwrap_or("");
    first == out || first.starts_with(&format!(".{out}.plan-"))
}

/// Asserts that nothing under `root` outside `out` (and its `.<out>.plan-*`
/// folders) differs between the two snapshots.
pub fn assert_unchanged_outside(
    before: &BTreeMap<String, Entry>,
    after: &BTreeMap<String, Entry>,
    out: &str,
) {
    let outside = |m: &BTreeMap<String, Entry>| -> BTreeMap<String, Entry> {
        m.iter()
            .filter(|(k, _)| !owned_by_run(k, out))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (b, a) = (outside(before), outside(after));
    for (k, v) in &b {
        assert_eq!(a.get(k), Some(v), "{k} changed or vanished outside --out");
    }
    for k in a.keys() {
        assert!(b.contains_key(k), "{k} appeared outside --out");
    }
}

/// `sh -c 'ulimit -v KIB; exec timeout 120 plan ARGS'` in `dir`: the binary
/// under an address-space limit (no unsafe pre-exec needed), killed after
/// 120 s so that a run that would hang fails (exit 124) instead of blocking.
pub fn run_limited(dir: &Path, limit_mib: u64, args: &[&str]) -> super::Output {
    let bin = assert_cmd::cargo::cargo_bin("plan");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec timeout 120 \"$0\" \"$@\"",
            limit_mib * 1024
        ))
        .arg(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    super::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts two snapshots are equal, naming the entries that differ (not their bytes).
pub fn assert_same(before: &BTreeMap<String, Entry>, after: &BTreeMap<String, Entry>, what: &str) {
    let differ: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "{what}: these entries differ: {differ:?}"
    );
}
