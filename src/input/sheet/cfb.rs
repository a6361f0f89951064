//! A sanity check of an old Excel (`.xls`) container before calamine opens it.
//!
//! calamine follows the container's sector chains until a chain ends or a
//! stream's declared length is reached; a chain that loops back on itself
//! (found by fuzzing) makes it allocate without bound. A valid file never has
//! a loop, so a loop or a pointer past the file means a damaged workbook.

/// Special sector numbers that end a chain or mark sectors that are not in one.
const LAST_REGULAR: u32 = 0xFFFF_FFF9;

/// Whether the sector chains of a compound file are sound: no chain of its
/// FAT or mini FAT loops or points past the table. `bytes` is the whole file.
pub fn chains_are_sound(bytes: &[u8]) -> bool {
    tables(bytes).is_some()
}

/// A compound file's sector size and its sound FAT and mini FAT.
struct Tables {
    size: usize,
    fat: Vec<u32>,
    mini: Vec<u32>,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Sector `id` of a file with sectors of `size` bytes (the header is sector -1).
fn sector(bytes: &[u8], size: usize, id: u32) -> Option<&[u8]> {
    let start = (id as usize).checked_add(1)?.checked_mul(size)?;
    bytes.get(start..start.checked_add(size)?)
}

/// The sector tables, `None` when a chain loops or points past its table.
fn tables(bytes: &[u8]) -> Option<Tables> {
    let u32_at = |at: usize| u32_at(bytes, at);
    let shift = bytes
        .get(0x1E..0x20)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))?;
    if !(7..=16).contains(&shift) {
        return None;
    }
    let size = 1usize << shift;
    let sector = |id: u32| sector(bytes, size, id);
    let entries = |data: &[u8]| -> Vec<u32> {
        data.chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };
    // The FAT's sectors: the 109 in the header, then the DIFAT chain's.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(0x4C + 4 * i))
        .filter(|&s| s <= LAST_REGULAR)
        .collect();
    let mut difat = u32_at(0x44).unwrap_or(u32::MAX);
    let mut seen = 0;
    while difat <= LAST_REGULAR {
        let data = sector(difat)?;
        let ids = entries(data);
        let (&next, list) = ids.split_last()?;
        fat_sectors.extend(list.iter().copied().filter(|&s| s <= LAST_REGULAR));
        difat = next;
        seen += 1;
        if seen > bytes.len() / size {
            return None;
        }
    }
    let mut fat = Vec::new();
    for id in fat_sectors {
        let data = sector(id)?;
        fat.extend(entries(data));
    }
    if !acyclic(&fat) {
        return None;
    }
    // The mini FAT lives in a chain of the FAT.
    let mut mini = Vec::new();
    let mut id = u32_at(0x3C).unwrap_or(u32::MAX);
    while id <= LAST_REGULAR {
        let data = sector(id)?;
        mini.extend(entries(data));
        id = fat.get(id as usize).copied().unwrap_or(u32::MAX);
    }
    acyclic(&mini).then_some(Tables { size, fat, mini })
}

/// Whether following `next` from any entry ends: no loop, no pointer past the table.
fn acyclic(next: &[u32]) -> bool {
    // 0: not seen, 1: on the current walk, 2: known to end.
    let mut state = vec![0u8; next.len()];
    for start in 0..next.len() {
        let mut walk = Vec::new();
        let mut i = start;
        loop {
            match state[i] {
                1 => return false,
                2 => break,
                _ => {}
            }
            state[i] = 1;
            walk.push(i);
            let n = next[i];
            if n > LAST_REGULAR {
                break;
            }
            if n as usize >= next.len() {
                return false;
            }
            i = n as usize;
        }
        for w in walk {
            state[w] = 2;
        }
    }
    true
}

/// The `Workbook` (or BIFF5 `Book`) stream of a sound compound file, `None` if it has none.
pub fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let t = tables(bytes)?;
    let sector = |id: u32| sector(bytes, t.size, id);
    // A chain of the FAT, sector by sector; sound tables make it end.
    let chain = |mut id: u32| -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(data) = (id <= LAST_REGULAR).then(|| sector(id)).flatten() {
            out.extend_from_slice(data);
            id = t.fat.get(id as usize).copied().unwrap_or(u32::MAX);
        }
        out
    };
    let dir = chain(u32_at(bytes, 0x30)?);
    let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
    let named = |e: &&&[u8]| {
        let len = usize::from(u16::from_le_bytes([e[0x40], e[0x41]])).min(64);
        let name: Vec<u16> = e[..len.saturating_sub(2)]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let name = String::from_utf16_lossy(&name);
        e[0x42] == 2 && (name.eq_ignore_ascii_case("Workbook") || name.eq_ignore_ascii_case("Book"))
    };
    let entry = entries.iter().find(named)?;
    let (start, len) = (u32_at(entry, 0x74)?, u32_at(entry, 0x78)? as usize);
    let mut stream = if len >= u32_at(bytes, 0x38)? as usize {
        chain(start)
    } else {
        let root = chain(u32_at(entries.first()?, 0x74)?);
        let mut out = Vec::new();
        let mut id = start;
        while let Some(data) = (id <= LAST_REGULAR)
            .then(|| root.get(id as usize * 64..id as usize * 64 + 64))
            .flatten()
        {
            out.extend_from_slice(data);
            id = t.mini.get(id as usize).copied().unwrap_or(u32::MAX);
        }
        out
    };
    stream.truncate(len);
    Some(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_and_pointers_past_the_table_are_unsound() {
        assert!(acyclic(&[1, 2, 0xFFFF_FFFE]));
        assert!(!acyclic(&[1, 2, 0]));
        assert!(!acyclic(&[5]));
        assert!(acyclic(&[0xFFFF_FFFF, 0xFFFF_FFFE]));
    }

    #[test]
    fn not_a_compound_file_is_unsound() {
        assert!(!chains_are_sound(b"short"));
    }
}
