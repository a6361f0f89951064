//! Which sheet to read: the one the plan file names, else the first visible
//! one with a header row; and the problems that list the sheets.

use crate::engine::diag::{Code, Origin, Problem};
use crate::input::table::ReadOptions;

/// A workbook's worksheets in order: name, and whether it is visible.
pub(super) type SheetList = [(String, bool)];

/// The sheets as a problem lists them, hidden ones marked.
fn list(sheets: &SheetList) -> String {
    let shown = sheets.iter().map(|(name, visible)| {
        if *visible {
            name.clone()
        } else {
            format!("{name} (hidden)")
        }
    });
    shown.collect::<Vec<_>>().join(", ")
}

/// `origin` in sheet `name`.
pub(super) fn at(origin: &Origin, name: &str) -> Origin {
    Origin {
        sheet: Some(name.to_string()),
        ..origin.clone()
    }
}

/// The sheet `opts.sheet` names (exactly, else ignoring case); `None` when not set.
pub(super) fn wanted_sheet<'a>(
    sheets: &'a SheetList,
    opts: &ReadOptions,
    origin: &Origin,
) -> Result<Option<&'a String>, Problem> {
    let Some(wanted) = &opts.sheet else {
        return Ok(None);
    };
    let names = || sheets.iter().map(|(name, _)| name);
    let name = names()
        .find(|name| *name == wanted)
        .or_else(|| names().find(|name| name.to_lowercase() == wanted.to_lowercase()))
        .ok_or_else(|| {
            Problem::error(
                Code::NoSheet,
                Some(origin.clone()),
                format!("no sheet named {wanted:?}; sheets are: {}", list(sheets)),
            )
        })?;
    Ok(Some(name))
}

/// No visible sheet has a header row.
pub(super) fn nowhere(sheets: &SheetList, opts: &ReadOptions, origin: &Origin) -> Problem {
    let row = opts
        .header_row
        .map(|n| format!(" at row {n}"))
        .unwrap_or_default();
    let message = format!(
        "no header row found{row} in any visible sheet (sheets: {})",
        list(sheets)
    );
    Problem::error(Code::NoHeader, Some(origin.clone()), message)
}
