//! The edges: reading input files into the model, writing outputs.

pub mod cells;
pub mod columns;
pub mod init;
pub mod load;
pub mod manifest;
pub mod persist;
pub mod planfile;
pub mod read;
pub mod read_csv;
pub mod read_sheet;
pub mod table;
pub mod write_books;
pub mod write_csv;
pub mod write_xlsx;
pub mod xlsx_labels;
pub mod xlsx_style;
pub mod xlsx_table;
