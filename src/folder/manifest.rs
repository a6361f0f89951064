//! `manifest.json`: every file written, with its checksum and the rep it belongs to.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The largest `manifest.json` read back: about 150 bytes a file, so room
/// for some 400,000 files.
pub const MAX_BYTES: u64 = 64 << 20;

/// The SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A writer that passes bytes on to `inner` and takes their SHA-256.
pub struct Hashing<'a> {
    inner: &'a mut dyn std::io::Write,
    sha: Sha256,
}

impl<'a> Hashing<'a> {
    /// Hashes what goes on to `inner`.
    pub fn new(inner: &'a mut dyn std::io::Write) -> Hashing<'a> {
        Hashing {
            inner,
            sha: Sha256::new(),
        }
    }

    /// The SHA-256 of every byte written, as lowercase hex.
    pub fn hex(self) -> String {
        hex(&self.sha.finalize())
    }
}

impl std::io::Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = crate::os::open_regular(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An input file as named, and its checksum.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputSum {
    pub table: String,
    pub file: String,
    pub sha256: String,
}

/// The plan's header in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanInfo {
    pub year: i32,
    pub as_of: Option<String>,
    pub tool: String,
    /// In a re-plan: the SHA-256 of the previous plan's manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replans: Option<String>,
    pub inputs: Vec<InputSum>,
}

/// One file of the plan folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rep_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The whole manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub plan: PlanInfo,
    pub files: Vec<FileEntry>,
}

impl Manifest {
    /// Pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Reads `manifest.json` back, as `plan mail` does.
    pub fn from_bytes(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// Reads only the plan header's year and input files of a
    /// `manifest.json` (what `plan track` needs), whatever the rest holds:
    /// the year is None when it is missing, the inputs empty when they are
    /// not as plan writes them.
    pub fn plan_of(bytes: &[u8]) -> Result<(Option<i32>, Vec<InputSum>), serde_json::Error> {
        let mut doc: serde_json::Value = serde_json::from_slice(bytes)?;
        let plan = &mut doc["plan"];
        let year = plan["year"].as_i64().and_then(|y| i32::try_from(y).ok());
        let inputs = Vec::<InputSum>::deserialize(plan["inputs"].take()).unwrap_or_default();
        Ok((year, inputs))
    }

    /// Reads only the file list of a `manifest.json`, whatever its plan
    /// header holds: what a run needs to know of the previous plan it replaces.
    pub fn files_of(bytes: &[u8]) -> Result<Vec<FileEntry>, serde_json::Error> {
        let mut doc: serde_json::Value = serde_json::from_slice(bytes)?;
        let files = doc
            .get_mut("files")
            .map(serde_json::Value::take)
            .unwrap_or_default();
        Vec::<FileEntry>::deserialize(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_plan_header_is_read_alone_and_leniently() {
        let full = br#"{"plan":{"year":2027,"as_of":null,"tool":"plan 0.1.0","inputs":[{"table":"holidays","file":"h.csv","sha256":"ab"}]},"files":[]}"#;
        let (year, inputs) = Manifest::plan_of(full).unwrap();
        assert_eq!(year, Some(2027));
        assert_eq!(
            (inputs[0].table.as_str(), inputs[0].file.as_str()),
            ("holidays", "h.csv")
        );
        let (year, inputs) = Manifest::plan_of(br#"{"plan":{"inputs":[{"table":1}]}}"#).unwrap();
        assert_eq!((year, inputs.len()), (None, 0));
        assert!(Manifest::plan_of(b"{").is_err());
    }

    #[test]
    fn hashing_passes_every_byte_on_and_hashes_what_it_passed() {
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 256) as u8).collect();
        let mut out = Vec::new();
        let mut hashing = Hashing::new(&mut out);
        for chunk in bytes.chunks(999) {
            hashing.write_all(chunk).unwrap();
        }
        let sha = hashing.hex();
        assert_eq!(out, bytes);
        assert_eq!(sha, sha256_hex(&bytes));
    }

    #[test]
    fn the_file_list_is_read_with_or_without_a_plan_header() {
        let m = Manifest {
            plan: PlanInfo {
                year: 2026,
                as_of: None,
                tool: "plan".into(),
                replans: None,
                inputs: Vec::new(),
            },
            files: vec![FileEntry {
                path: "plan.csv".into(),
                sha256: "ab".into(),
                rep_id: None,
                email: None,
            }],
        };
        let files = Manifest::files_of(&m.to_bytes()).unwrap();
        assert_eq!(
            (files[0].path.as_str(), files[0].sha256.as_str()),
            ("plan.csv", "ab")
        );
        let bare = br#"{"files": [{"path": "reps/a.xlsx", "sha256": ""}]}"#;
        assert_eq!(Manifest::files_of(bare).unwrap()[0].path, "reps/a.xlsx");
        assert!(Manifest::files_of(br#"{"plan": {}}"#).is_err());
    }
}
