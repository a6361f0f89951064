//! Atomic output (SPEC §5): files are written to a temporary folder beside
//! `--out` and moved into place only when complete; a failed run leaves any
//! previous plan untouched.

use std::fs;
use std::path::{Path, PathBuf};

/// Why the output could not be written (exit 4).
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("{out}: the folder holds files that are not a plan (no manifest.json); refusing to replace it")]
    Foreign { out: String },
    #[error("{out}: exists and is not a folder")]
    NotDir { out: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What `--out` holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutState {
    Absent,
    Empty,
    /// A folder holding `manifest.json`.
    Plan,
    Foreign,
}

/// Looks at `--out`.
pub fn out_state(out: &Path) -> Result<OutState, PersistError> {
    match fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(OutState::Absent),
        Err(e) => Err(io_err(out)(e)),
        Ok(m) if !m.is_dir() => Err(PersistError::NotDir {
            out: out.display().to_string(),
        }),
        Ok(_) => {
            if out.join("manifest.json").is_file() {
                return Ok(OutState::Plan);
            }
            let mut entries = fs::read_dir(out).map_err(io_err(out))?;
            Ok(if entries.next().is_none() {
                OutState::Empty
            } else {
                OutState::Foreign
            })
        }
    }
}

fn sibling(out: &Path, tag: &str, pid: u32) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.plan-{tag}-{pid}"))
}

/// Removes temporary folders beside `out` left by runs whose process is gone.
pub fn remove_stale(out: &Path) {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = parent_of(out);
    let Ok(entries) = fs::read_dir(&parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = [format!(".{name}.plan-tmp-"), format!(".{name}.plan-old-")]
            .iter()
            .find_map(|p| {
                file.strip_prefix(p.as_str())
                    .and_then(|pid| pid.parse::<u32>().ok())
            });
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `files` (relative `/`-separated paths and their bytes) as the plan folder `out`.
/// With `force`, a foreign folder gets the plan's files and keeps its others.
pub fn write_plan(
    out: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<(), PersistError> {
    let state = out_state(out)?;
    if state == OutState::Foreign && !force {
        return Err(PersistError::Foreign {
            out: out.display().to_string(),
        });
    }
    let parent = parent_of(out);
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    remove_stale(out);
    let pid = std::process::id();
    let tmp = sibling(out, "tmp", pid);
    let result = fill(&tmp, files).and_then(|()| install(out, &tmp, state, files, pid));
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

fn fill(tmp: &Path, files: &[(String, Vec<u8>)]) -> Result<(), PersistError> {
    let _ = fs::remove_dir_all(tmp);
    fs::create_dir_all(tmp).map_err(io_err(tmp))?;
    for (rel, bytes) in files {
        let path = tmp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        fs::write(&path, bytes).map_err(io_err(&path))?;
    }
    let dir = fs::File::open(tmp).map_err(io_err(tmp))?;
    dir.sync_all().map_err(io_err(tmp))
}

fn install(
    out: &Path,
    tmp: &Path,
    state: OutState,
    files: &[(String, Vec<u8>)],
    pid: u32,
) -> Result<(), PersistError> {
    match state {
        OutState::Absent => fs::rename(tmp, out).map_err(io_err(out)),
        OutState::Empty => {
            fs::remove_dir(out).map_err(io_err(out))?;
            fs::rename(tmp, out).map_err(io_err(out))
        }
        OutState::Plan => {
            let old = sibling(out, "old", pid);
            fs::rename(out, &old).map_err(io_err(out))?;
            if let Err(e) = fs::rename(tmp, out) {
                let _ = fs::rename(&old, out);
                return Err(io_err(out)(e));
            }
            let _ = fs::remove_dir_all(&old);
            Ok(())
        }
        OutState::Foreign => {
            for (rel, _) in files {
                let (from, to) = (tmp.join(rel), out.join(rel));
                if let Some(dir) = to.parent() {
                    fs::create_dir_all(dir).map_err(io_err(dir))?;
                }
                fs::rename(&from, &to).map_err(io_err(&to))?;
            }
            let _ = fs::remove_dir_all(tmp);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(v: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("manifest.json".into(), b"{}".to_vec()),
            ("reps/a.txt".into(), v.as_bytes().to_vec()),
        ]
    }

    #[test]
    fn replaces_a_plan_folder_and_refuses_a_foreign_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_plan(&out, &files("one"), false).unwrap();
        write_plan(&out, &files("two"), false).unwrap();
        assert_eq!(fs::read_to_string(out.join("reps/a.txt")).unwrap(), "two");
        let foreign = dir.path().join("mine");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "keep").unwrap();
        assert!(matches!(
            write_plan(&foreign, &files("x"), false),
            Err(PersistError::Foreign { .. })
        ));
        write_plan(&foreign, &files("x"), true).unwrap();
        assert_eq!(
            fs::read_to_string(foreign.join("notes.txt")).unwrap(),
            "keep"
        );
        assert_eq!(fs::read_to_string(foreign.join("reps/a.txt")).unwrap(), "x");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn stale_temporary_folders_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let stale = dir.path().join(".out.plan-tmp-999999999");
        fs::create_dir(&stale).unwrap();
        write_plan(&out, &files("one"), false).unwrap();
        assert!(!stale.exists());
    }
}
