//! How the plan file says to read one input table: its columns, filters,
//! dates, decimals, encoding and header row.

use serde::Deserialize;
use std::collections::BTreeMap;

/// One value or a list of values (`filter = { Stage = ["Won", "Closed"] }`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, as a list.
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// `[targets]`, `[reps]`, `[history]`, `[holidays]`: how to read one table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableOptions {
    /// canonical name → header in the file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub filter: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    pub exclude: BTreeMap<String, OneOrMany>,
    pub rep_key: Option<String>,
    pub date_format: Option<String>,
    pub decimal_comma: Option<bool>,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub header_row: Option<u32>,
    /// `[history] by = "team"`: a team-level history, without a rep column.
    pub by: Option<String>,
}
