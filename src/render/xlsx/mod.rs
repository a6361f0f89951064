//! What every workbook shares: styles, labels in each language, the team table.

pub mod labels;
pub mod style;
pub mod team_table;
