//! The problem codes: each kind of problem with its severity and meaning,
//! and the code text scripts and the README's table rely on.

use std::fmt;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information the user should see (e.g. a deduced date order); never fails a run.
    Note,
    /// The plan can still be made (exit 0), unless `--strict`.
    Warning,
    /// The plan cannot be made (exit 3).
    Error,
}

/// Declares [`Code`]: each kind with its severity and its meaning.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $kind:ident = $severity:ident,)+) => {
        /// The stable code of a kind of problem, shown as `E-HISTORY-COLUMN`
        /// (see [`Code::text`]) at the end of its line and as `code` in JSON.
        /// Released codes are never renamed: scripts and the README's table
        /// rely on them. Each kind has one severity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])+ $kind,)+
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$kind,)+];

            /// The severity of problems of this kind.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$kind => Severity::$severity,)+
                }
            }
        }
    };
}

codes! {
    /// A file cannot be opened or read (missing, not permitted, an I/O error), or its checksum cannot be taken.
    Unreadable = Error,
    /// A file is a folder, a named pipe, a device or a socket, not a regular file.
    SpecialFile = Error,
    /// A file is larger than plan reads.
    FileTooLarge = Error,
    /// A file's extension is not one plan reads, or its content is not of the type its extension says.
    FileType = Error,
    /// A file holds nothing.
    EmptyFile = Error,
    /// A workbook's structure, or a CSV file's quoting, cannot be read.
    Damaged = Error,
    /// A workbook would inflate, or a sheet claims a grid, beyond the memory allowed for what it holds.
    SheetBudget = Error,
    /// The sheet named in the plan file is not in the workbook.
    NoSheet = Error,
    /// No header row was found, or the row named by `header_row` is not one.
    NoHeader = Error,
    /// Bytes that are not valid in the file's encoding (a table's `encoding`, UTF-8 for the plan file).
    Encoding = Error,
    /// A value lies beyond the header's columns.
    ExtraColumn = Error,
    /// The plan file maps or filters on a column the header row does not have.
    MappedColumn = Error,
    /// Two columns match the same field.
    AmbiguousColumn = Error,
    /// A table has a header but no rows.
    NoRows = Error,
    /// A cell holds a spreadsheet error (`#N/A`, `#REF!`) or a formula without a value.
    ErrorCell = Error,
    /// A cell that should hold a number does not, or a number beyond the size plan reads.
    Number = Error,
    /// A number written with a decimal comma while `decimal_comma` is off.
    DecimalComma = Error,
    /// A cell that should hold a growth rate does not.
    Growth = Error,
    /// A cell that should hold a date does not: not a date, a date that does not exist, a 2-digit year or a year outside 1900 to 9999.
    Date = Error,
    /// A date whose day and month are both 12 or less in a column whose order
    /// is unknown, or a date column that mixes day/month/year and month/day/year.
    DateOrder = Error,
    /// A date column's day/month order was deduced from its values.
    DeducedDateOrder = Note,
    /// A cell that should hold a period (`2027`, `2027-Q2`, `2027-05`) does not.
    Period = Error,
    /// A text longer than a workbook cell holds.
    CellText = Error,
    /// An identifier that a spreadsheet would run as a formula.
    FormulaStart = Error,
    /// An identifier (rep id, team, scope, metric) holding a control character.
    IdentifierControl = Error,
    /// A control character in a rep's name.
    ControlCharacter = Warning,
    /// A rep's email is not an address plan mail can send to.
    Email = Warning,
    /// A rep without a rep_id, or a rep_id that appears twice.
    RepId = Error,
    /// A capability that is not greater than 0, or a level the plan file does not map.
    Capability = Error,
    /// An fte that is not greater than 0 and at most 1.
    Fte = Error,
    /// A rep's end_date is before the start_date.
    EndBeforeStart = Error,
    /// Two reps of the same name while the history names reps by name.
    Namesake = Error,
    /// A target's metric that the plan file does not declare.
    UnknownMetric = Error,
    /// A holiday row's kind is neither holiday nor workday.
    HolidayKind = Error,
    /// A target that is negative, or a growth that makes it negative.
    NegativeTarget = Error,
    /// A target row with neither an amount nor a growth, or with both.
    TargetAmount = Error,
    /// The targets hold no target for the fiscal year, or more than one fiscal year.
    TargetYear = Error,
    /// A target's scope is neither a team nor a rep_id of the reps table.
    UnknownScope = Error,
    /// A target's scope names both a team and a rep_id.
    AmbiguousScope = Error,
    /// A growth of 100 % or more written without `%` (`15` is read as 1500 %).
    GrowthWithoutPercent = Warning,
    /// A target for another fiscal year than the one planned (`year`): left out.
    OtherYearTarget = Warning,
    /// Two targets for the same scope, metric and period.
    DuplicateTarget = Error,
    /// A figure beyond those a plan holds exactly.
    TargetLimit = Error,
    /// A growth target whose base period has no positive actual.
    GrowthActual = Error,
    /// A growth target whose base year the history covers only in part.
    GrowthBase = Error,
    /// Company targets next to team targets that are finer than the year, or are not their sum.
    CompanyTarget = Error,
    /// A rep with a target who is not employed in the fiscal year, or a target in a month without a working day of the rep.
    RepNotEmployed = Error,
    /// Targets given inside a period (quarters, months, or rep targets in a team's month) add up to more than its target.
    PartsExceedWhole = Error,
    /// A target is left to spread but no month or available rep can take it.
    NoMonthToTake = Error,
    /// In a re-plan, the months kept from the previous plan leave nothing for the rest.
    KeptMonths = Error,
    /// The previous plan of a re-plan is not a plan.csv as plan wrote it, or holds a target no plan holds.
    PreviousPlan = Error,
    /// A team (or reps without a team) has no target: its reps get no plan.
    NoTeamTarget = Warning,
    /// A fiscal quarter without a target is planned as 0.
    NoQuarterTarget = Warning,
    /// No complete fiscal year of history, or no run-rate to share by: seasonality by working days, or the history share is the equal share.
    ShortHistory = Warning,
    /// No history rows: seasonality by working days, shares without history.
    NoHistory = Warning,
    /// A team-level history gives no rep its history share.
    TeamHistory = Warning,
    /// A metric planned without history (`history_column = false`).
    HistoryOff = Warning,
    /// The history lacks the column a metric is read from.
    HistoryColumn = Error,
    /// The history or the actuals have no rep_id column.
    RepColumn = Error,
    /// A history row without a date.
    HistoryDate = Error,
    /// History or actual rows name a rep that is not in the reps table or the plan.
    UnknownRep = Warning,
    /// A column that is not read although its header looks like one the table lacks.
    UnreadColumn = Warning,
    /// The plan file is not valid TOML.
    PlanFileSyntax = Error,
    /// The plan file has a key plan does not know.
    PlanFileKey = Error,
    /// A key of the plan file has a value outside those allowed (or one the command does not support).
    PlanFileValue = Error,
    /// The holidays are not those the plan was made with.
    HolidaysDiffer = Warning,
    /// A folder that is not a plan folder, or whose manifest.json or plan.csv is not as plan split wrote it.
    PlanFolder = Error,
    /// The actuals have no column for a metric: it is not tracked.
    ActualsColumn = Warning,
    /// Actual rows dated outside the months counted are left out.
    OutsideMonths = Note,
    /// A rep without an email: the letter is not mailed.
    NoEmail = Warning,
    /// A letter cannot be attached or built, or changed since plan split wrote it.
    Letter = Error,
    /// A rep's email is refused when building the message.
    MailAddress = Error,
    /// Errors left out once 2,000 problems were kept.
    MoreErrors = Error,
    /// Warnings left out once 2,000 problems were kept.
    MoreWarnings = Warning,
    /// Notes left out once 2,000 problems were kept.
    MoreNotes = Note,
}

impl Code {
    /// The code as shown: the severity's letter, a dash and the kind in
    /// upper kebab case (`HistoryColumn` → `E-HISTORY-COLUMN`).
    pub fn text(self) -> String {
        let letter = match self.severity() {
            Severity::Error => 'E',
            Severity::Warning => 'W',
            Severity::Note => 'N',
        };
        let mut out = String::from(letter);
        for c in format!("{self:?}").chars() {
            if c.is_ascii_uppercase() {
                out.push('-');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_well_formed_and_in_the_readme() {
        use std::collections::HashSet;
        let readme = include_str!("../../../README.md");
        let (mut seen, mut kinds) = (HashSet::new(), HashSet::new());
        for &code in Code::ALL {
            let text = code.text();
            assert!(seen.insert(text.clone()), "{text} twice");
            let (letter, kind) = text.split_once('-').expect("a dash");
            let letter_of = match code.severity() {
                Severity::Error => "E",
                Severity::Warning => "W",
                Severity::Note => "N",
            };
            assert_eq!(letter, letter_of, "{text}");
            assert!(kinds.insert(kind.to_string()), "{kind} twice");
            // ^[A-Z]+(-[A-Z0-9]+)+$, with and without the letter.
            let segments: Vec<&str> = text.split('-').collect();
            assert!(segments.len() >= 2, "{text}");
            for (i, w) in segments.iter().enumerate() {
                let ok = !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_uppercase() || (i > 1 && b.is_ascii_digit()));
                assert!(ok, "{text}");
            }
            assert_eq!(code.to_string(), text);
            assert_eq!(serde_json::to_value(code).unwrap(), text.as_str());
            let row = format!("| `{text}` | {:?} |", code.severity()).to_lowercase();
            assert!(
                readme.to_lowercase().contains(&row),
                "{text} is not in the README's table of problem codes"
            );
        }
        assert_eq!(Code::HistoryColumn.text(), "E-HISTORY-COLUMN");
        assert_eq!(Code::UnknownRep.text(), "W-UNKNOWN-REP");
        assert_eq!(Code::DeducedDateOrder.text(), "N-DEDUCED-DATE-ORDER");
    }
}
