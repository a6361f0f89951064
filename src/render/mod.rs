//! The plan → bytes: plan.csv, the plan workbook, letters, period books and
//! progress books, with no file system access.

pub mod figures;
pub mod letters;
pub mod period_books;
pub mod plan_book;
pub mod plan_csv;
pub mod progress;
pub mod rep_lines;
pub mod templates;
pub mod xlsx;
