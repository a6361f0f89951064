//! Input files → the engine's model: safe opening, sniffing, csv and sheet
//! readers, cell parsing, column mapping and the input tables.

pub mod actuals;
pub mod cells;
pub mod columns;
pub mod csv;
pub mod open;
pub mod options;
pub mod parse;
pub mod read;
pub mod sheet;
pub mod table;
pub mod tables;
