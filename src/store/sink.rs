//! Where rendered files go ([`Sink`]: a staging folder, or nowhere for
//! `--dry-run`) and why the output could not be written ([`PersistError`]).

use std::io::Write;
use std::path::Path;

/// Why the output could not be written (exit 4).
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("{out}: the folder holds files that are not a plan (no manifest.json); refusing to replace it")]
    Foreign { out: String },
    #[error("{out}: exists and is not a folder")]
    NotDir { out: String },
    #[error(
        "{out}: is a symbolic link; plan never writes through one (give the folder it points to)"
    )]
    Link { out: String },
    #[error("{out}: cannot be an output folder (it names no folder of its own, or resolves through itself)")]
    BadPath { out: String },
    #[error("{path}: is not a regular file written by plan; refusing to replace it (move it away, or use --force for a regular file)")]
    NotOurs { path: String },
    #[error("{out}: another plan run is writing this folder (lock {lock}); try again when it has finished")]
    Busy { out: String, lock: String },
    #[error("{path}: {source}; the folder now holds part of the new plan (files it does not list are untouched): run again")]
    Partial {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Maps an I/O error on `path` to [`PersistError::Io`].
pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a file's bytes, piece by piece, to the writer it is given.
pub type Fill<'a> = dyn FnMut(&mut dyn Write) -> std::io::Result<()> + 'a;

/// Where rendered files go, one at a time, from any thread.
pub trait Sink: Sync {
    /// Stores one file under its relative `/`-separated path, its bytes
    /// written by `fill` (so that a large file is never whole in memory). The
    /// writer may be unbuffered: `fill` writes in large pieces.
    fn put_with(&self, rel: &str, fill: &mut Fill) -> Result<(), PersistError>;
    /// Stores one file made in memory.
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), PersistError> {
        self.put_with(rel, &mut |w| w.write_all(bytes))
    }
    /// Told, before the first file, how many files are coming.
    fn expect(&self, _files: usize) {}
}

/// A sink that keeps nothing (`--dry-run`).
pub struct Discard;

impl Sink for Discard {
    fn put_with(&self, rel: &str, fill: &mut Fill) -> Result<(), PersistError> {
        fill(&mut std::io::sink()).map_err(|source| PersistError::Io {
            path: rel.to_string(),
            source,
        })
    }
}
