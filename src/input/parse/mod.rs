//! Cell values written as text: numbers, dates, periods and growth rates (SPEC §1.3, §1.4).
//!
//! Pure functions: no I/O, no clock. Every result is exact; nothing is guessed.

mod date;
mod error;
mod number;
mod period;
mod text;

pub use date::{date_from_serial, parse_date, DateOrder, DateText, Written};
pub use error::ValueError;
pub use number::{number_from_f64, parse_growth, parse_number};
pub use period::parse_period;

#[cfg(test)]
mod tests;
