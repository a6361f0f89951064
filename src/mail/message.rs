//! The messages of `plan mail`: each rep's quota letter (`reps/<id>.xlsx`,
//! listed in `manifest.json` with its rep and email) attached to a message
//! whose subject and body come from templates.
//!
//! Templates hold the placeholders `{name}`, `{rep_id}`, `{team}` and
//! `{year}`. The manifest gives the rep id and the year; the name and team are
//! read back from the header block of the letter itself, which also tells its
//! language (the default subject and body follow it), so nothing is added to
//! the plan folder's format.

use crate::folder::manifest::{sha256_hex, Manifest};
use crate::render::xlsx::labels::labels;
use calamine::{Data, Reader, Xlsx};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use std::io::Cursor;
use std::path::Path;

/// The content type of an xlsx workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The placeholders a subject or body may hold.
pub const PLACEHOLDERS: [&str; 4] = ["name", "rep_id", "team", "year"];

/// The default subject and body, in English and Chinese.
const SUBJECT_EN: &str = "Your {year} targets";
const SUBJECT_ZH: &str = "{year} 年度销售目标";
const BODY_EN: &str = "Hello {name},

Attached are your sales targets for {year}: every metric by month, quarter and week,
next to the same months of last year.

If anything looks wrong, please reply to this message.
";
const BODY_ZH: &str = "{name}，您好：

附件是您 {year} 年度的销售目标：各项指标按月、季度和周列出，并附去年同期数据。

如有疑问，请直接回复本邮件。
";

/// The most a file of the plan folder that a mailing reads (a quota letter,
/// the manifest) may hold: `plan split` writes them far smaller.
pub const MAX_PLAN_FILE: u64 = 64 << 20;

/// The most a plan file, a body file or a password file may hold.
pub const MAX_TEXT: u64 = 1 << 20;

/// A quota letter of the manifest: a file that belongs to one rep.
#[derive(Debug, Clone)]
pub struct Letter {
    pub rep_id: String,
    /// The rep's email; None when the reps table had none.
    pub email: Option<String>,
    /// Relative to the plan folder, `/`-separated.
    pub path: String,
    pub sha256: String,
}

/// The plan's year and its quota letters, from the plan folder's `manifest.json`.
pub fn read_manifest(plan_dir: &Path) -> Result<(i32, Vec<Letter>), String> {
    let path = plan_dir.join("manifest.json");
    let bytes = crate::os::read_inside(plan_dir, "manifest.json", MAX_PLAN_FILE).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{}: not a plan folder (no manifest.json); run `plan split` first",
                plan_dir.display()
            )
        } else {
            format!("{}: {}", path.display(), crate::os::reason(&e))
        }
    })?;
    let m = Manifest::from_bytes(&bytes)
        .map_err(|e| format!("{}: not a manifest of `plan split`: {e}", path.display()))?;
    let mut letters = Vec::new();
    for f in m.files {
        let Some(rep_id) = f.rep_id else { continue };
        if !is_plain_relative(&f.path) {
            return Err(format!(
                "{}: the path {:?} leaves the plan folder",
                path.display(),
                f.path
            ));
        }
        letters.push(Letter {
            rep_id,
            email: f.email.filter(|e| !e.trim().is_empty()),
            path: f.path,
            sha256: f.sha256,
        });
    }
    Ok((m.plan.year, letters))
}

/// A `/`-separated path that stays inside its folder.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', ':'])
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Checks that a template holds no placeholder but [`PLACEHOLDERS`].
pub fn check_template(template: &str) -> Result<(), String> {
    for (start, _) in template.match_indices('{') {
        let rest = &template[start + 1..];
        let Some(end) = rest.find('}') else { break };
        let word = &rest[..end];
        let is_word =
            !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if is_word && !PLACEHOLDERS.contains(&word) {
            let known: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect();
            return Err(format!(
                "unknown placeholder {{{word}}}; expected one of {}",
                known.join(" ")
            ));
        }
    }
    Ok(())
}

/// What a letter says about its rep, for the templates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepInfo {
    pub name: Option<String>,
    pub team: Option<String>,
    /// The letter is in Chinese (`lang = "zh"`).
    pub zh: bool,
}

/// Reads the header block of a quota letter (first sheet: a label in column A,
/// its value in column B). Anything unreadable is simply unknown.
pub fn rep_info(workbook: &[u8]) -> RepInfo {
    let mut info = RepInfo::default();
    let Ok(mut book) = Xlsx::new(Cursor::new(workbook)) else {
        return info;
    };
    let Some(Ok(range)) = book.worksheet_range_at(0) else {
        return info;
    };
    let (en, zh) = (labels("en"), labels("zh"));
    for row in range.rows().take(20) {
        let (Some(Data::String(key)), Some(value)) = (row.first(), row.get(1)) else {
            continue;
        };
        let value = value.to_string();
        let value = (!value.trim().is_empty()).then_some(value);
        if key == en.name || key == zh.name {
            info.name = value;
            info.zh = key == zh.name;
        } else if key == en.team || key == zh.team {
            info.team = value;
        }
    }
    info
}

/// The subject and body templates of a run: those of the plan file, else the
/// defaults in the letter's language.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    pub subject: Option<String>,
    pub body: Option<String>,
}

impl Templates {
    /// The subject and body for one letter, placeholders filled; the subject
    /// as [`header_text`] makes it.
    pub fn render(&self, letter: &Letter, info: &RepInfo, year: i32) -> (String, String) {
        let (subject, body) = if info.zh {
            (SUBJECT_ZH, BODY_ZH)
        } else {
            (SUBJECT_EN, BODY_EN)
        };
        let subject = self.subject.as_deref().unwrap_or(subject);
        let body = self.body.as_deref().unwrap_or(body);
        let name = info.name.as_deref().unwrap_or(&letter.rep_id);
        let team = info.team.as_deref().unwrap_or("");
        let fill = |t: &str| {
            t.replace("{name}", name)
                .replace("{rep_id}", &letter.rep_id)
                .replace("{team}", team)
                .replace("{year}", &year.to_string())
        };
        (header_text(&fill(subject)), fill(body))
    }
}

/// Text for a header (a display name, a subject, a file name): every control
/// character (CR, LF, NUL, tab, DEL…) becomes a space, so no input can end a
/// header line or start another.
pub fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A mailbox for a header: the address as written, refused when it holds a
/// control character or space or does not parse; the name as [`header_text`]
/// makes it.
pub fn mailbox(name: Option<&str>, email: &str) -> Result<Mailbox, String> {
    let address = crate::engine::address::parse(email)?;
    Ok(Mailbox::new(name.map(header_text), address))
}

/// One message to build: who from and to, what it says, which file it carries.
pub struct Draft<'a> {
    pub from: &'a Mailbox,
    pub to: Mailbox,
    pub subject: String,
    pub body: String,
    pub letter: &'a Letter,
    pub workbook: Vec<u8>,
}

impl Draft<'_> {
    /// The message: a text body and the workbook as an attachment. Its
    /// Message-ID and MIME boundary derive from the rep and the file's
    /// checksum, so the same letter always gives the same message apart from
    /// its Date header.
    pub fn message(self) -> Result<Message, String> {
        let key = sha256_hex(format!("{}\n{}", self.letter.rep_id, self.letter.sha256).as_bytes());
        let id = format!("<plan.{}@{}>", &key[..32], self.from.email.domain());
        let file_name = header_text(
            self.letter
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&self.letter.path),
        );
        let xlsx = ContentType::parse(XLSX_TYPE).map_err(|e| e.to_string())?;
        Message::builder()
            .from(self.from.clone())
            .to(self.to)
            .subject(self.subject)
            .message_id(Some(id))
            .multipart(
                MultiPart::mixed()
                    .boundary(format!("plan-{}", &key[32..]))
                    .singlepart(SinglePart::plain(self.body))
                    .singlepart(Attachment::new(file_name).body(self.workbook, xlsx)),
            )
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            rep_id: "N1".into(),
            email: Some("ann@x.com".into()),
            path: "reps/N1.xlsx".into(),
            sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn templates_fill_placeholders_and_default_by_language() {
        let info = RepInfo {
            name: Some("Ann\r\nBcc: x@y".into()),
            team: Some("North".into()),
            zh: false,
        };
        let t = Templates {
            subject: Some("{year} for {name} ({team}, {rep_id}) {x".into()),
            body: None,
        };
        let (subject, body) = t.render(&letter(), &info, 2027);
        assert_eq!(subject, "2027 for Ann  Bcc: x@y (North, N1) {x");
        assert!(body.starts_with("Hello Ann\r\nBcc: x@y,"), "{body}");
        let zh = RepInfo {
            zh: true,
            ..RepInfo::default()
        };
        let (subject, body) = Templates::default().render(&letter(), &zh, 2027);
        assert_eq!(subject, "2027 年度销售目标");
        assert!(body.starts_with("N1，您好"), "{body}");
    }

    #[test]
    fn unknown_placeholders_are_refused() {
        assert!(check_template("Hi {name}, {year} {team} {rep_id} {").is_ok());
        assert!(check_template("{ not a placeholder }").is_ok());
        let e = check_template("Hi {nmae}").unwrap_err();
        assert!(e.contains("{nmae}") && e.contains("{name}"), "{e}");
    }

    #[test]
    fn manifest_paths_stay_inside_the_folder() {
        assert!(is_plain_relative("reps/N1.xlsx"));
        for bad in [
            "",
            "/etc/passwd",
            "../x.xlsx",
            "reps/../../x",
            "a\\b",
            "C:x",
            "a//b",
        ] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }

    #[test]
    fn same_letter_same_message_apart_from_the_date() {
        let from: Mailbox = "Ops <ops@example.com>".parse().unwrap();
        let l = letter();
        let make = || {
            let draft = Draft {
                from: &from,
                to: "Ann <ann@x.com>".parse().unwrap(),
                subject: "Your 2027 targets".into(),
                body: "Hello".into(),
                letter: &l,
                workbook: vec![1, 2, 3],
            };
            let text = String::from_utf8(draft.message().unwrap().formatted()).unwrap();
            text.lines()
                .filter(|l| !l.starts_with("Date:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let a = make();
        assert_eq!(a, make());
        assert!(a.contains("@example.com>"), "{a}");
        assert!(a.contains(XLSX_TYPE), "{a}");
        assert!(a.contains("filename=\"N1.xlsx\""), "{a}");
    }

    /// Every text that reaches lettre, from every input, with every control
    /// character: no panic, and no header line but those the builder wrote.
    #[test]
    fn no_input_reaches_lettre_unsanitised() {
        let weird: Vec<String> = (0u32..0x20)
            .chain([0x7f, 0x85, 0x2028, 0x2029])
            .filter_map(char::from_u32)
            .map(|c| format!("Ann{c}Bcc: evil@x.com{c}\"=?utf-8?q?x?=\"{c}"))
            .chain(["\r\n\r\n".into(), "é".repeat(500), "a ".repeat(400)])
            .collect();
        for w in &weird {
            let from = mailbox(Some(w), "ops@example.com").unwrap();
            assert!(mailbox(None, &format!("ann@x.com{w}")).is_err(), "{w:?}");
            let l = Letter {
                path: format!("reps/{w}.xlsx"),
                ..letter()
            };
            let info = RepInfo {
                name: Some(w.clone()),
                team: Some(w.clone()),
                zh: false,
            };
            let t = Templates {
                subject: Some(format!("{w}{{name}}{{team}}")),
                body: Some(format!("{w}{{name}}")),
            };
            let (subject, body) = t.render(&l, &info, 2027);
            let draft = Draft {
                from: &from,
                to: mailbox(info.name.as_deref(), "ann@x.com").unwrap(),
                subject,
                body,
                letter: &l,
                workbook: w.as_bytes().to_vec(),
            };
            let text = String::from_utf8(draft.message().unwrap().formatted()).unwrap();
            let headers = text.split("\r\n\r\n").next().unwrap();
            for line in headers.split("\r\n") {
                assert!(!line.starts_with("Bcc"), "{w:?}: {line}");
            }
        }
    }

    #[test]
    fn unreadable_workbook_tells_nothing() {
        assert_eq!(rep_info(b"not a workbook"), RepInfo::default());
    }
}
