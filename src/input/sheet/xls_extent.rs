//! The extent of each sheet of an `.xls` workbook, found before calamine
//! reads it: calamine parses every sheet when it opens the workbook, reserves
//! the cells its DIMENSIONS record claims and builds a dense grid from the
//! first to the last cell. This scan of the BIFF records (no values decoded)
//! refuses a sheet whose claim is beyond the budget of its real cells.

use crate::engine::diag::{Origin, Problem};
use crate::input::sheet::budget::{check_grid, span};

/// One BIFF record: its type and data.
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let head = stream.get(at..at + 4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, data))
    })
}

fn u16_at(data: &[u8], at: usize) -> u32 {
    data.get(at..at + 2)
        .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    data.get(at..at + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The sheets of the workbook globals (BOUNDSHEET records): stream position and name.
fn sheets(stream: &[u8]) -> Vec<(usize, String)> {
    let name = |d: &[u8]| -> String {
        let n = usize::from(*d.get(6).unwrap_or(&0));
        match d.get(7) {
            Some(1) if d.len() >= 8 + 2 * n => {
                let units: Vec<u16> = d[8..8 + 2 * n]
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            Some(0) if d.len() >= 8 + n => d[8..8 + n].iter().map(|&b| char::from(b)).collect(),
            _ => d
                .get(7..7 + n)
                .unwrap_or_default()
                .iter()
                .map(|&b| char::from(b))
                .collect(),
        }
    };
    records(stream)
        .take_while(|(typ, _)| *typ != 0x000A)
        .filter(|(typ, _)| *typ == 0x0085)
        .map(|(_, d)| (u32_at(d, 0) as usize, name(d)))
        .collect()
}

/// One sheet's DIMENSIONS claim (rows, columns), the grid its cells span and its real cells.
fn scan(sheet: &[u8]) -> ((u64, u64), (u64, u64), u64) {
    let (mut claim, mut cells, mut real) = ((0, 0), Vec::new(), 0u64);
    let mut depth = 0usize;
    for (i, (typ, d)) in records(sheet).enumerate() {
        match typ {
            0x0809 if i > 0 => depth += 1,
            0x000A if depth == 0 => break,
            0x000A => depth -= 1,
            _ if depth > 0 => {}
            0x0200 => {
                let (rows, cols) = match d.len() {
                    10 => (u16_at(d, 2).saturating_sub(u16_at(d, 0)), u16_at(d, 6)),
                    14 | 16 => (u32_at(d, 4).saturating_sub(u32_at(d, 0)), u16_at(d, 10)),
                    _ => (0, 0),
                };
                claim = (u64::from(rows), u64::from(cols));
            }
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                cells.push((u16_at(d, 0), u16_at(d, 2)));
                real += 1;
            }
            0x00BD if d.len() >= 6 => {
                let (row, first, last) = (u16_at(d, 0), u16_at(d, 2), u16_at(d, d.len() - 2));
                cells.extend([(row, first), (row, last.max(first))]);
                real += u64::from(last.saturating_sub(first)) + 1;
            }
            _ => {}
        }
    }
    (claim, span(cells.into_iter()), real)
}

/// Refuses a workbook (its BIFF `stream`) with a sheet whose DIMENSIONS
/// claim or cells span a grid beyond the budget of its real cells.
pub fn check(stream: &[u8], origin: &Origin) -> Result<(), Problem> {
    for (pos, name) in sheets(stream) {
        let Some(sheet) = stream.get(pos..) else {
            continue;
        };
        let (claim, spanned, real) = scan(sheet);
        let (rows, cols) = if claim.0.saturating_mul(claim.1) > spanned.0 * spanned.1 {
            claim
        } else {
            spanned
        };
        let at = Origin {
            sheet: Some(name),
            ..origin.clone()
        };
        check_grid(rows, cols, real, &at)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
        out
    }

    /// A workbook stream with one sheet "Sales": its DIMENSIONS `dims` and a number at each of `cells`.
    fn stream(dims: (u32, u16), cells: &[(u16, u16)]) -> Vec<u8> {
        let bof = record(0x0809, &[0; 16]);
        let sheet_at = bof.len() + 4 + 13 + 4;
        let mut name = (sheet_at as u32).to_le_bytes().to_vec();
        name.extend([0, 0, 5, 0]);
        name.extend(b"Sales");
        let mut out = [bof.clone(), record(0x0085, &name), record(0x000A, &[])].concat();
        assert_eq!(out.len(), sheet_at);
        out.extend(&bof);
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(dims.0.to_le_bytes());
        d.extend([0, 0]);
        d.extend(dims.1.to_le_bytes());
        d.extend([0, 0]);
        out.extend(record(0x0200, &d));
        for (row, col) in cells {
            let number = [&row.to_le_bytes()[..], &col.to_le_bytes(), &[0; 10]].concat();
            out.extend(record(0x0203, &number));
        }
        out.extend(record(0x000A, &[]));
        out
    }

    #[test]
    fn dimensions_and_far_cells_beyond_the_budget_are_refused() {
        let at = Origin::file("t.xls");
        assert!(check(&stream((2, 2), &[(0, 0), (1, 1)]), &at).is_ok());
        let p = check(&stream((65_536, 256), &[(0, 0)]), &at).unwrap_err();
        assert_eq!(p.origin.as_ref().unwrap().sheet.as_deref(), Some("Sales"));
        assert!(
            p.message
                .starts_with("the sheet claims 65,536 × 256 cells but holds 1"),
            "{p}"
        );
        let p = check(&stream((1, 1), &[(0, 0), (65_535, 255)]), &at).unwrap_err();
        assert!(
            p.message
                .starts_with("the sheet claims 65,536 × 256 cells but holds 2"),
            "{p}"
        );
    }
}
