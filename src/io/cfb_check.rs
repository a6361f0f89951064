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
    let u32_at = |at: usize| -> Option<u32> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let Some(shift) = bytes
        .get(0x1E..0x20)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
    else {
        return false;
    };
    if !(7..=16).contains(&shift) {
        return false;
    }
    let size = 1usize << shift;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        bytes.get(start..start.checked_add(size)?)
    };
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
        let Some(data) = sector(difat) else {
            return false;
        };
        let ids = entries(data);
        let Some((&next, list)) = ids.split_last() else {
            return false;
        };
        fat_sectors.extend(list.iter().copied().filter(|&s| s <= LAST_REGULAR));
        difat = next;
        seen += 1;
        if seen > bytes.len() / size {
            return false;
        }
    }
    let mut fat = Vec::new();
    for id in fat_sectors {
        let Some(data) = sector(id) else { return false };
        fat.extend(entries(data));
    }
    if !acyclic(&fat) {
        return false;
    }
    // The mini FAT lives in a chain of the FAT.
    let mut mini = Vec::new();
    let mut id = u32_at(0x3C).unwrap_or(u32::MAX);
    while id <= LAST_REGULAR {
        let Some(data) = sector(id) else { return false };
        mini.extend(entries(data));
        id = fat.get(id as usize).copied().unwrap_or(u32::MAX);
    }
    acyclic(&mini)
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
