//! The safe ways to open a file to read, beneath every layer that reads:
//! regular files only, never blocking on a FIFO, bounded in size; and an I/O
//! error's reason as messages show it.
//!
//! A special file would make a read block (a FIFO with no writer blocks in
//! `open()`) or never end (`/dev/zero`), so only regular files are opened.
//! The type is checked before opening, the open itself does not block
//! (`O_NONBLOCK`: a FIFO swapped in after the check cannot hang it), and the
//! opened handle is checked again.

use rustix::fs::{FileType, Mode, OFlags};
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// What a file that is not a regular file is, as a message names it.
fn kind(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Directory => "a folder",
        FileType::Fifo => "a named pipe (FIFO)",
        FileType::CharacterDevice | FileType::BlockDevice => "a device",
        FileType::Socket => "a socket",
        _ => "a special file",
    }
}

/// The error of a file that is not a regular file (see [`read_code`]).
#[derive(Debug)]
struct NotRegular(String);

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotRegular {}

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    let what = kind(FileType::from_raw_mode(meta.mode()));
    io::Error::other(NotRegular(format!("it is {what}, not a regular file")))
}

/// Opens `path` for reading if it is a regular file (links resolved); a
/// folder, FIFO, device or socket is an error saying what it is.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = File::from(rustix::fs::open(path, flags, Mode::empty())?);
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

/// An I/O error's text without the trailing "(os error N)".
pub fn reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

/// True for the error [`open_regular`] gives for a file that is not a regular file.
pub fn is_not_regular(e: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    e.is::<NotRegular>()
}

/// Reads the file `rel` (`/`-separated, plain) of the plan folder `root`: only
/// a regular file that is inside the folder once links are resolved, at most
/// `limit` bytes.
pub fn read_inside(root: &Path, rel: &str, limit: u64) -> std::io::Result<Vec<u8>> {
    let root = std::fs::canonicalize(root)?;
    let path = std::fs::canonicalize(root.join(rel))?;
    if !path.starts_with(&root) {
        return Err(refused(format!(
            "a link that leads out of the plan folder (to {}); only files of the plan folder are mailed",
            path.display()
        )));
    }
    read_regular(&path, limit)
}

/// Reads a UTF-8 text file named by the user (links resolved) of at most
/// `limit` bytes, as [`read_regular`] does.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    let bytes = read_regular(&std::fs::canonicalize(path)?, limit)?;
    String::from_utf8(bytes).map_err(|_| refused("not UTF-8 text".into()))
}

/// Reads a regular file of at most `limit` bytes. Its type is checked before
/// it is opened (without following a link, without waiting on a FIFO) and
/// again once open, and it must hold as many bytes as it says, so a FIFO, a
/// device or a file that grows can neither hang the run nor fill its memory.
pub fn read_regular(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let before = std::fs::symlink_metadata(path)?;
    check_regular(&before, limit)?;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = File::from(rustix::fs::open(path, flags, Mode::empty())?);
    let meta = file.metadata()?;
    check_regular(&meta, limit)?;
    if (meta.dev(), meta.ino()) != (before.dev(), before.ino()) {
        return Err(refused("replaced while it was opened".into()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(meta.len() + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != meta.len() {
        return Err(refused(format!(
            "its size changed while it was read ({} bytes, then {})",
            meta.len(),
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// A regular file of at most `limit` bytes, else why not.
fn check_regular(meta: &Metadata, limit: u64) -> std::io::Result<()> {
    let t = meta.file_type();
    let kind = if t.is_file() {
        None
    } else if t.is_symlink() {
        Some("a symbolic link")
    } else if t.is_dir() {
        Some("a folder")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_char_device() || t.is_block_device() {
        Some("a device")
    } else {
        Some("a special file")
    };
    if let Some(kind) = kind {
        return Err(refused(format!("{kind}, not a regular file")));
    }
    if meta.len() > limit {
        return Err(refused(format!(
            "{} bytes, more than the {limit} expected at most",
            meta.len()
        )));
    }
    Ok(())
}

fn refused(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}
