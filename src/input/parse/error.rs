//! Why a text is not the value its column needs.

/// Why a text is not the value its column needs. Messages say what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not a number.
    #[error("expected a number such as 1234.56, 1,234 or (1,234)")]
    Number,
    /// A number only with a decimal comma (`1,5`, `1.234,56`) while `decimal_comma` is off:
    /// callers may suggest `decimal_comma = true`.
    #[error("expected a number with a decimal point such as 1234.56, not a decimal comma")]
    LooksLikeDecimalComma,
    /// More digits or decimals than an exact decimal holds.
    #[error("expected a number of at most 28 digits")]
    OutOfRange,
    /// A spreadsheet number that is NaN or infinite.
    #[error("expected a finite number")]
    NotFinite,
    /// Not a growth rate.
    #[error("expected a growth rate such as 15%, 0.15 or -5%")]
    Growth,
    /// Not a date.
    #[error("expected a date such as 2027-01-31, 2027/1/31, 31.01.2027 or 31/01/2027")]
    Date,
    /// A 2-digit year, whose century is ambiguous.
    #[error("expected a 4-digit year such as 31/01/2027: a 2-digit year leaves the century open")]
    TwoDigitYear,
    /// A year outside 1900..=9999.
    #[error("expected a year from 1900 to 9999, found {0}")]
    YearOutOfRange(i32),
    /// A date that does not exist, as written or as resolved (e.g. `2027-02-30`).
    #[error("impossible date: {0} does not exist")]
    ImpossibleDate(String),
    /// Day and month both 12 or less, and the column's order is unknown.
    #[error("ambiguous date: day and month are both 12 or less")]
    AmbiguousDate,
    /// A serial day number outside the supported dates.
    #[error("expected a date serial number for a day from 1900 to 9999")]
    Serial,
    /// Not a target period.
    #[error("expected a period: 2027, 2027-Q2 or 2027-05")]
    Period,
}
