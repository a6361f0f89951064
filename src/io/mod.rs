//! The edges: reading input files into the model, writing outputs.

pub mod cells;
pub mod cfb_check;
pub mod columns;
pub mod init;
pub mod load;
pub mod mail;
pub mod manifest;
pub mod persist;
pub mod planfile;
pub mod read;
pub mod read_csv;
pub mod read_sheet;
pub mod sent_log;
pub mod sheet_budget;
pub mod smtp;
pub mod table;
pub mod track_read;
pub mod write_books;
pub mod write_csv;
pub mod write_track;
pub mod write_xlsx;
pub mod xls_extent;
pub mod xlsx_labels;
pub mod xlsx_stream;
pub mod xlsx_style;
pub mod xlsx_table;
