//! The lock that keeps two runs from writing one output folder at once.

use crate::store::out_path::OutPath;
use crate::store::sink::{io_err, PersistError};
use std::fs;

/// An exclusive lock on an output folder, held while a run writes it: two
/// overlapping runs (say, from cron) never interleave. The lock is the
/// operating system's on `.<out name>.plan-lock` beside the folder, so a killed
/// run releases it.
pub struct OutLock {
    _file: fs::File,
}

/// Takes the lock on `out`, or says that another run holds it.
pub fn lock(out: &OutPath) -> Result<OutLock, PersistError> {
    let parent = out.parent_dir()?;
    let name = out.sibling("lock");
    let path = out.parent.join(&name);
    let file = parent.write_file(&name).map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(OutLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(PersistError::Busy {
            out: out.path().display().to_string(),
            lock: path.display().to_string(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
    }
}
