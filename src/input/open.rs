//! The one function that opens a file to read: every input table, the plan
//! file, and the files of a plan folder go through [`open_regular`].
//!
//! A special file would make a read block (a FIFO with no writer blocks in
//! `open()`) or never end (`/dev/zero`), so only regular files are opened
//! (after resolving links). The type is checked before opening, the open
//! itself does not block (`O_NONBLOCK`: a FIFO swapped in after the check
//! cannot hang it), and the opened handle is checked again.

use crate::engine::diag::{Code, Origin, Problem};
use rustix::fs::{FileType, Mode, OFlags};
use std::fs::File;
use std::io::{self, Read};
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
    use std::os::unix::fs::MetadataExt;
    let what = kind(FileType::from_raw_mode(meta.mode()));
    io::Error::other(NotRegular(format!("it is {what}, not a regular file")))
}

/// The code of an error of [`open_regular`]: a special file, or a file that cannot be read.
pub fn read_code(e: &io::Error) -> Code {
    match e.get_ref() {
        Some(inner) if inner.is::<NotRegular>() => Code::SpecialFile,
        _ => Code::Unreadable,
    }
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

/// Opens the regular file at `path` if it holds at most `limit` bytes;
/// `what` names the file in messages ("the plan file"), `display` is the
/// file as the user wrote it.
pub fn open_bounded(path: &Path, display: &str, what: &str, limit: u64) -> Result<File, Problem> {
    let file = open_regular(path)
        .and_then(|f| f.metadata().map(|m| (f, m.len())))
        .map_err(|e| cannot_read(read_code(&e), display, what, reason(&e)))?;
    if file.1 > limit {
        return Err(too_large(display, what, limit));
    }
    Ok(file.0)
}

fn cannot_read(code: Code, display: &str, what: &str, reason: String) -> Problem {
    Problem::error(
        code,
        Some(Origin::file(display)),
        format!("cannot read {what}: {reason}"),
    )
}

fn too_large(display: &str, what: &str, limit: u64) -> Problem {
    let reason = format!("it is larger than {} MiB", limit >> 20);
    cannot_read(Code::FileTooLarge, display, what, reason)
}

/// Reads the whole of [`open_bounded`]'s file, refusing one that grew past `limit`.
pub fn read_bounded(
    path: &Path,
    display: &str,
    what: &str,
    limit: u64,
) -> Result<Vec<u8>, Problem> {
    let file = open_bounded(path, display, what, limit)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(read_code(&e), display, what, reason(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(display, what, limit));
    }
    Ok(bytes)
}

/// [`read_bounded`] as UTF-8 text.
pub fn read_text(path: &Path, display: &str, what: &str, limit: u64) -> Result<String, Problem> {
    let bytes = read_bounded(path, display, what, limit)?;
    String::from_utf8(bytes)
        .map_err(|_| cannot_read(Code::Encoding, display, what, "it is not UTF-8 text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let e = open_regular(dir.path()).unwrap_err();
        assert_eq!(reason(&e), "it is a folder, not a regular file");
        let e = open_regular(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(reason(&e), "it is a device, not a regular file");
        let link = dir.path().join("zero.csv");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(
            read_bounded(&link, "zero.csv", "the plan file", 10)
                .unwrap_err()
                .to_string(),
            "zero.csv: cannot read the plan file: it is a device, not a regular file"
        );
        let fifo = dir.path().join("p.csv");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::RUSR | Mode::WUSR,
            0,
        )
        .unwrap();
        assert_eq!(
            reason(&open_regular(&fifo).unwrap_err()),
            "it is a named pipe (FIFO), not a regular file"
        );
        let big = dir.path().join("m.json");
        std::fs::write(&big, vec![b'x'; 3 << 20]).unwrap();
        let p = read_bounded(&big, "m.json", "the manifest", 2 << 20).unwrap_err();
        assert_eq!(
            p.message,
            "cannot read the manifest: it is larger than 2 MiB"
        );
    }
}
