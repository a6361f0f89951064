//! Opening an input file as a problem names it: every input table, the plan
//! file and the files of a plan folder go through [`crate::os::open_regular`],
//! bounded in size, with a failure as a [`Problem`] with its code.

use crate::engine::diag::{Code, Origin, Problem};
use crate::os::reason;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The code of an error of [`crate::os::open_regular`]: a special file, or a file that cannot be read.
pub fn read_code(e: &io::Error) -> Code {
    match e.get_ref() {
        Some(inner) if crate::os::is_not_regular(inner) => Code::SpecialFile,
        _ => Code::Unreadable,
    }
}

/// Opens the regular file at `path` if it holds at most `limit` bytes;
/// `what` names the file in messages ("the plan file"), `display` is the
/// file as the user wrote it.
pub fn open_bounded(path: &Path, display: &str, what: &str, limit: u64) -> Result<File, Problem> {
    let file = crate::os::open_regular(path)
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
    use crate::os::open_regular;
    use rustix::fs::{FileType, Mode};

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
