//! `--out` resolved before anything is touched ([`OutPath`]), what it holds
//! now ([`OutState`]) and the files its previous plan's manifest lists.

use crate::folder::manifest::{self, Manifest};
use crate::store::dir::{plain_parts, Dir, Kind};
use crate::store::sink::{io_err, PersistError};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `--out` resolved before anything is touched: a canonical parent folder
/// (links in it resolved) and the output folder's name in it.
#[derive(Debug, Clone)]
pub struct OutPath {
    pub(super) parent: PathBuf,
    pub(super) name: OsString,
}

impl OutPath {
    /// Resolves `out`. Its last part may not be a link, `.` or `..`; the
    /// parts of its parent that exist are resolved, the others are plain names.
    pub fn resolve(out: &Path) -> Result<OutPath, PersistError> {
        let bad = || PersistError::BadPath {
            out: out.display().to_string(),
        };
        let abs = std::env::current_dir()
            .map_err(io_err(Path::new(".")))?
            .join(crate::store::dir::without_trailing_slashes(out));
        if fs::symlink_metadata(&abs).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(PersistError::Link {
                out: out.display().to_string(),
            });
        }
        let canonical = match fs::canonicalize(&abs) {
            Ok(c) => c,
            Err(_) => {
                let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
                    return Err(bad());
                };
                if out.ends_with("..") || out.as_os_str().to_string_lossy().ends_with("/.") {
                    return Err(bad());
                }
                canonical_prefix(parent).ok_or_else(bad)?.join(name)
            }
        };
        match (canonical.parent(), canonical.file_name()) {
            (Some(parent), Some(name)) => Ok(OutPath {
                parent: parent.to_path_buf(),
                name: name.to_os_string(),
            }),
            _ => Err(bad()),
        }
    }

    /// The output folder's path.
    pub fn path(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// `.<out name>.plan-<tag>`.
    pub(super) fn sibling(&self, tag: &str) -> OsString {
        let mut s = OsString::from(".");
        s.push(&self.name);
        s.push(format!(".plan-{tag}"));
        s
    }

    /// The parent folder, made when missing.
    pub(super) fn parent_dir(&self) -> Result<Dir, PersistError> {
        fs::create_dir_all(&self.parent).map_err(io_err(&self.parent))?;
        Dir::open(&self.parent).map_err(io_err(&self.parent))
    }
}

/// `path` with its longest existing ancestor resolved and the rest appended
/// (None when a missing part is `..`).
fn canonical_prefix(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut p = path;
    loop {
        if let Ok(c) = fs::canonicalize(p) {
            return Some(
                rest.iter()
                    .rev()
                    .fold(c, |acc: PathBuf, part| acc.join(part)),
            );
        }
        let name = p.file_name()?;
        rest.push(name.to_os_string());
        p = p.parent()?;
    }
}

/// The previous plan's files and their SHA-256, from its manifest (empty when
/// there is none or it cannot be read). Paths that are not plain relative
/// paths are left out, so they are never touched.
pub fn previous_files(out: &OutPath) -> BTreeMap<String, String> {
    let mut text = Vec::new();
    let read = Dir::open(&out.path())
        .and_then(|d| d.read_file(OsStr::new("manifest.json")))
        .and_then(|f| f.take(manifest::MAX_BYTES).read_to_end(&mut text));
    if read.is_err() {
        return BTreeMap::new();
    }
    Manifest::files_of(&text)
        .map(|files| {
            files
                .into_iter()
                .filter(|e| plain_parts(&e.path).is_ok_and(|p| !p.is_empty()))
                .map(|e| (e.path, e.sha256))
                .collect()
        })
        .unwrap_or_default()
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
pub fn out_state(out: &OutPath) -> Result<OutState, PersistError> {
    let shown = || out.path().display().to_string();
    let kind = Dir::open(&out.parent)
        .and_then(|d| d.kind(&out.name))
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(Kind::Missing),
            _ => Err(e),
        })
        .map_err(io_err(&out.parent))?;
    match kind {
        Kind::Missing => Ok(OutState::Absent),
        Kind::File { .. } => Err(PersistError::NotDir { out: shown() }),
        Kind::Other => Err(PersistError::Link { out: shown() }),
        Kind::Dir => {
            let dir = Dir::open(&out.path()).map_err(io_err(&out.path()))?;
            if let Kind::File { .. } = dir
                .kind(OsStr::new("manifest.json"))
                .map_err(io_err(&out.path()))?
            {
                return Ok(OutState::Plan);
            }
            let mut entries = fs::read_dir(out.path()).map_err(io_err(&out.path()))?;
            Ok(if entries.next().is_none() {
                OutState::Empty
            } else {
                OutState::Foreign
            })
        }
    }
}

/// What `--out` holds, when a run may write it: a foreign folder is refused
/// unless `force`, a file or link always. Checked before the lock is taken,
/// so that a refused run leaves nothing beside `--out`.
pub fn writable_state(out: &OutPath, force: bool) -> Result<OutState, PersistError> {
    let state = out_state(out)?;
    if state == OutState::Foreign && !force {
        return Err(PersistError::Foreign {
            out: out.path().display().to_string(),
        });
    }
    Ok(state)
}
