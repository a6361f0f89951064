//! A folder held open by its descriptor: every name inside it is resolved
//! relative to that folder and never through a symbolic link, so a link
//! planted by someone else is refused instead of followed.

use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, RenameFlags};
use rustix::io::Errno;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;

/// An open folder.
pub struct Dir {
    fd: OwnedFd,
}

/// What a name in a folder is, links not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Missing,
    /// A regular file with `links` hard links.
    File {
        links: u64,
    },
    Dir,
    /// A symbolic link, FIFO, socket or device.
    Other,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Dir {
    /// Opens the folder at `path`; a link as its last part is refused.
    pub fn open(path: &Path) -> io::Result<Dir> {
        // A trailing slash would make the kernel follow a link as the last part.
        let path = &without_trailing_slashes(path);
        match rfs::open(path, DIR_FLAGS, Mode::empty()) {
            Ok(fd) => Ok(Dir { fd }),
            Err(e) if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) => {
                Err(link_refused(e))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The sub-folder `name`, made first when `create` and missing.
    pub fn sub(&self, name: &OsStr, create: bool) -> io::Result<Dir> {
        match rfs::openat(&self.fd, name, DIR_FLAGS, Mode::empty()) {
            Err(Errno::NOENT) if create => {
                match rfs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
                Ok(Dir {
                    fd: rfs::openat(&self.fd, name, DIR_FLAGS, Mode::empty())?,
                })
            }
            Err(e) if self.kind(name).is_ok_and(|k| k == Kind::Other) => Err(link_refused(e)),
            r => Ok(Dir { fd: r? }),
        }
    }

    /// The folder at the `/`-separated relative path `rel` (its parts checked
    /// by [`plain_parts`]), made as needed when `create`.
    pub fn descend(&self, rel: &str, create: bool) -> io::Result<Dir> {
        let mut dir = self.sub(OsStr::new("."), false)?;
        for part in plain_parts(rel)? {
            dir = dir.sub(OsStr::new(part), create)?;
        }
        Ok(dir)
    }

    /// What `name` is.
    pub fn kind(&self, name: &OsStr) -> io::Result<Kind> {
        match rfs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => Ok(Kind::Missing),
            Err(e) => Err(e.into()),
            Ok(st) => Ok(match FileType::from_raw_mode(st.st_mode) {
                FileType::RegularFile => Kind::File { links: st.st_nlink },
                FileType::Directory => Kind::Dir,
                _ => Kind::Other,
            }),
        }
    }

    /// The regular file `name` opened for writing, created when missing. A
    /// link, or a file with another hard link (whose other name could lie
    /// outside the folder), is replaced by a fresh file, never written through.
    pub fn write_file(&self, name: &OsStr) -> io::Result<File> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mode = Mode::from_raw_mode(0o666);
        if let Kind::File { links: 1 } | Kind::Missing = self.kind(name)? {
            match rfs::openat(&self.fd, name, flags, mode) {
                Ok(fd) if rfs::fstat(&fd).is_ok_and(|st| st.st_nlink == 1) => {
                    return Ok(File::from(fd))
                }
                Ok(_) | Err(Errno::LOOP) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.remove_file(name)?;
        Ok(File::from(rfs::openat(
            &self.fd,
            name,
            flags | OFlags::EXCL,
            mode,
        )?))
    }

    /// The regular file `name` opened for reading, never through a link, and
    /// refused when it is not a regular file (a FIFO opened here never blocks).
    pub fn read_file(&self, name: &OsStr) -> io::Result<File> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = rfs::openat(&self.fd, name, flags, Mode::empty())?;
        if FileType::from_raw_mode(rfs::fstat(&fd)?.st_mode) != FileType::RegularFile {
            return Err(io::Error::other("not a regular file"));
        }
        Ok(File::from(fd))
    }

    /// Removes the entry `name` (a file, link or special file; not a folder).
    pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
        Ok(rfs::unlinkat(&self.fd, name, AtFlags::empty())?)
    }

    /// Removes the empty folder `name`.
    pub fn remove_dir(&self, name: &OsStr) -> io::Result<()> {
        Ok(rfs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)?)
    }

    /// Moves `name` to `to`/`new`, replacing what is there.
    pub fn rename(&self, name: &OsStr, to: &Dir, new: &OsStr) -> io::Result<()> {
        Ok(rfs::renameat(&self.fd, name, &to.fd, new)?)
    }

    /// Moves `name` to `new` in this folder, failing when `new` exists.
    pub fn rename_new(&self, name: &OsStr, new: &OsStr) -> io::Result<()> {
        match rfs::renameat_with(&self.fd, name, &self.fd, new, RenameFlags::NOREPLACE) {
            Err(e) if unsupported(e) => {
                if self.kind(new)? != Kind::Missing {
                    return Err(Errno::EXIST.into());
                }
                self.rename(name, self, new)
            }
            r => Ok(r?),
        }
    }

    /// Swaps the entries `a` and `b` of this folder in one step; `Ok(false)`
    /// when the file system has no atomic exchange.
    pub fn exchange(&self, a: &OsStr, b: &OsStr) -> io::Result<bool> {
        match rfs::renameat_with(&self.fd, a, &self.fd, b, RenameFlags::EXCHANGE) {
            Err(e) if unsupported(e) => Ok(false),
            r => r.map(|()| true).map_err(Into::into),
        }
    }

    /// The names in this folder.
    pub fn entries(&self) -> io::Result<Vec<OsString>> {
        let mut names = Vec::new();
        for entry in rfs::Dir::read_from(&self.fd)? {
            let name = entry?.file_name().to_bytes().to_vec();
            if name != b"." && name != b".." {
                names.push(std::os::unix::ffi::OsStringExt::from_vec(name));
            }
        }
        Ok(names)
    }

    /// Writes the folder's entries to the disk.
    pub fn sync(&self) -> io::Result<()> {
        Ok(rfs::fsync(&self.fd)?)
    }
}

/// `path` without trailing slashes (`/` itself stays): rebuilt from its
/// parts, which also drops `.` parts.
pub fn without_trailing_slashes(path: &Path) -> std::path::PathBuf {
    path.components().collect()
}

/// The error for a folder that is a symbolic link (or another special file).
fn link_refused(e: Errno) -> io::Error {
    io::Error::new(
        io::Error::from(e).kind(),
        "a symbolic link or special file where a folder was expected; plan never writes through one",
    )
}

/// The kernel or file system lacks the rename flag asked for.
fn unsupported(e: Errno) -> bool {
    matches!(e, Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP)
}

/// The parts of a relative `/`-separated path, refused when one is empty,
/// `.` or `..` (so that no path leaves the folder it is taken in).
pub fn plain_parts(rel: &str) -> io::Result<Vec<&str>> {
    if rel.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\0'))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{rel:?} is not a plain relative path"),
        ));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn links_are_replaced_never_written_through() {
        let t = tempfile::tempdir().unwrap();
        let outside = t.path().join("outside.txt");
        std::fs::write(&outside, "keep").unwrap();
        let d = t.path().join("d");
        std::fs::create_dir(&d).unwrap();
        std::os::unix::fs::symlink(&outside, d.join("soft")).unwrap();
        std::fs::hard_link(&outside, d.join("hard")).unwrap();
        let dir = Dir::open(&d).unwrap();
        for name in ["soft", "hard"] {
            let mut f = dir.write_file(OsStr::new(name)).unwrap();
            f.write_all(b"new").unwrap();
            assert_eq!(std::fs::read_to_string(d.join(name)).unwrap(), "new");
        }
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
        assert!(dir.read_file(OsStr::new("missing")).is_err());
    }

    #[test]
    fn a_linked_folder_is_refused() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("real")).unwrap();
        std::os::unix::fs::symlink(t.path().join("real"), t.path().join("link")).unwrap();
        let dir = Dir::open(t.path()).unwrap();
        assert!(dir.sub(OsStr::new("link"), true).is_err());
        assert!(Dir::open(&t.path().join("link")).is_err());
        assert!(dir.descend("real/../..", false).is_err());
        assert_eq!(dir.kind(OsStr::new("link")).unwrap(), Kind::Other);
    }

    #[test]
    fn exchange_swaps_two_folders() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("a")).unwrap();
        std::fs::create_dir(t.path().join("b")).unwrap();
        std::fs::write(t.path().join("a/x"), "a").unwrap();
        let dir = Dir::open(t.path()).unwrap();
        if dir.exchange(OsStr::new("a"), OsStr::new("b")).unwrap() {
            assert_eq!(std::fs::read_to_string(t.path().join("b/x")).unwrap(), "a");
            assert!(!t.path().join("a/x").exists());
        }
        assert!(dir.rename_new(OsStr::new("a"), OsStr::new("b")).is_err());
    }
}
