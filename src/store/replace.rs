//! Small files replaced in place, each atomically: written in full to a
//! temporary sibling `.<name>.plan-tmp-<pid>`, synced, then renamed over the
//! old one. Only regular files (or nothing) are ever replaced.

use crate::store::dir::{Dir, Kind};
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};

/// The temporary sibling of `name` for this process.
fn temp_name(name: &str, pid: u32) -> OsString {
    OsString::from(format!(".{name}.plan-tmp-{pid}"))
}

/// Writes every `(name, bytes)` into `dir`: all temporaries first, then the
/// renames in order, so a failure before the renames replaces nothing. A
/// name held by a folder, link or special file is refused, never replaced.
pub fn replace_files(dir: &Dir, files: &[(&str, &[u8])]) -> Result<(), (String, io::Error)> {
    let pid = std::process::id();
    remove_stale(dir, files);
    let temps: Vec<OsString> = files.iter().map(|(n, _)| temp_name(n, pid)).collect();
    let clean = |from: usize| {
        for t in &temps[from..] {
            let _ = dir.remove_file(t);
        }
    };
    for ((name, bytes), tmp) in files.iter().zip(&temps) {
        let refused = match dir.kind(OsStr::new(name)) {
            Ok(Kind::Missing | Kind::File { .. }) => None,
            Ok(_) => Some(io::Error::other(
                "not a regular file; refusing to replace it",
            )),
            Err(e) => Some(e),
        };
        let written = match refused {
            Some(e) => Err(e),
            None => write_new(dir, tmp, bytes),
        };
        if let Err(e) = written {
            clean(0);
            return Err((name.to_string(), e));
        }
    }
    for (i, ((name, _), tmp)) in files.iter().zip(&temps).enumerate() {
        if let Err(e) = dir.rename(tmp, dir, OsStr::new(name)) {
            clean(i);
            return Err((name.to_string(), e));
        }
    }
    Ok(())
}

/// A fresh file `tmp` holding `bytes`, on the disk.
fn write_new(dir: &Dir, tmp: &OsStr, bytes: &[u8]) -> io::Result<()> {
    let _ = dir.remove_file(tmp);
    let mut f = dir.write_file(tmp)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Removes temporaries of `files` left by runs whose process is gone.
fn remove_stale(dir: &Dir, files: &[(&str, &[u8])]) {
    let Ok(entries) = dir.entries() else {
        return;
    };
    for entry in entries {
        let text = entry.to_string_lossy();
        let pid = files.iter().find_map(|(name, _)| {
            text.strip_prefix(&format!(".{name}.plan-tmp-"))
                .and_then(|pid| pid.parse::<u32>().ok())
        });
        if let Some(pid) = pid {
            if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
            {
                let _ = dir.remove_file(&entry);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_replaced_and_a_folder_in_the_way_is_refused() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("a.csv"), "old").unwrap();
        std::fs::write(t.path().join(".a.csv.plan-tmp-999999999"), "stale").unwrap();
        let dir = Dir::open(t.path()).unwrap();
        replace_files(&dir, &[("a.csv", b"new"), ("b.csv", b"b")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(t.path().join("a.csv")).unwrap(),
            "new"
        );
        assert!(!t.path().join(".a.csv.plan-tmp-999999999").exists());
        std::fs::create_dir(t.path().join("c.csv")).unwrap();
        let (name, _) = replace_files(&dir, &[("a.csv", b"newer"), ("c.csv", b"c")]).unwrap_err();
        assert_eq!(name, "c.csv");
        assert_eq!(
            std::fs::read_to_string(t.path().join("a.csv")).unwrap(),
            "new"
        );
        let left: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 3, "no temporary left: {left:?}");
    }
}
