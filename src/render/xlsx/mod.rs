//! What every workbook shares: styles, labels in each language, the team
//! table, and the plan indexed by rep for the letters and period books.

pub mod books;
pub mod labels;
pub mod style;
pub mod team_table;
