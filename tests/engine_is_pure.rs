//! The planning core never touches files, the terminal, the environment or the clock.

/// Every .rs file under `dir`, in subfolders too.
fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn engine_is_pure() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let forbidden = [
        "std::fs",
        "std::io",
        "std::env",
        "std::process",
        "std::net",
        "std::thread",
        "SystemTime",
        "Instant::now",
        "Local::now",
        "Utc::now",
        "calamine",
        "rust_xlsxwriter",
        "csv::",
        "rustix",
        "lettre::transport",
        "println!",
        "eprintln!",
    ];
    let mut all = Vec::new();
    files(&dir, &mut all);
    for path in &all {
        let text = std::fs::read_to_string(path).unwrap();
        for word in forbidden {
            assert!(!text.contains(word), "{} uses {word}", path.display());
        }
    }
    assert!(all.len() >= 10, "only {} engine files found", all.len());
}
