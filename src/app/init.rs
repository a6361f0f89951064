//! `plan init`: the example plan file and input workbooks, written into a folder.

use crate::app::error::Error;
use std::path::Path;

/// Writes the templates into `dir` (refusing to overwrite them unless
/// `force`); the closing lines.
pub fn run(dir: &Path, zh: bool, force: bool) -> Result<String, Error> {
    let files = crate::render::templates::files(zh)
        .map_err(|e| Error::Internal(format!("cannot make the templates: {e}")))?;
    if !force {
        if let Some((name, _)) = files.iter().find(|(name, _)| dir.join(name).exists()) {
            return Err(Error::Output(format!(
                "{}: already exists; use --force to overwrite the templates",
                dir.join(name).display()
            )));
        }
    }
    let named: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| crate::store::dir::Dir::open(dir))
        .map_err(|e| (String::new(), e))
        .and_then(|d| crate::store::replace::replace_files(&d, &named));
    if let Err((name, e)) = written {
        return Err(Error::Output(format!(
            "{}: {}",
            dir.join(name).display(),
            crate::os::reason(&e)
        )));
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    Ok(format!(
        "initialised {}: {}\nnext: fill the workbooks, then run `plan split {}`",
        dir.display(),
        names.join(", "),
        dir.join("plan.toml").display()
    ))
}
