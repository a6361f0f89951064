//! The planning core never touches files, the terminal, the environment or the clock.

#[test]
fn engine_is_pure() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let forbidden = [
        "std::fs",
        "std::io",
        "std::env",
        "std::process",
        "SystemTime",
        "Local::now",
        "Utc::now",
        "calamine",
        "rust_xlsxwriter",
        "csv::",
        "crate::io",
        "crate::cli",
        "println!",
        "eprintln!",
    ];
    let mut checked = 0;
    // Every file of src/engine and of its folders (engine/plan/, engine/diag/, …).
    let mut files = Vec::new();
    let mut dirs = vec![dir];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            if entry.path().is_dir() {
                dirs.push(entry.path());
            } else {
                files.push(entry);
            }
        }
    }
    for entry in files {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for word in forbidden {
            assert!(
                !text.contains(word),
                "{} uses {word}",
                entry.path().display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} engine files found");
}
