//! The one error type of every command, and the exit code each kind ends with.

use crate::engine::diag::Problem;

/// The exit codes of SPEC §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    Internal = 1,
    Usage = 2,
    Input = 3,
    Output = 4,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// Why a command stops.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags, or a required input not named.
    #[error("{0}")]
    Usage(String),
    /// Invalid or unreadable input: the problems found (listed first), then
    /// the closing line, when there is one.
    #[error("{}", closing.as_deref().unwrap_or("invalid input"))]
    Input {
        problems: Vec<Problem>,
        closing: Option<String>,
    },
    /// An output not written.
    #[error("{0}")]
    Output(String),
    /// A state the program should never reach.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The exit code this error ends the run with.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            Error::Input { .. } => Exit::Input,
            Error::Output(_) => Exit::Output,
            Error::Internal(_) => Exit::Internal,
        }
    }

    /// Bad input told in one line.
    pub fn input(line: impl Into<String>) -> Error {
        Error::Input {
            problems: Vec::new(),
            closing: Some(line.into()),
        }
    }

    /// Bad input told by its problems alone (sorted by place).
    pub fn problems(mut problems: Vec<Problem>) -> Error {
        crate::app::report::sort(&mut problems);
        Error::Input {
            problems,
            closing: None,
        }
    }

    /// Bad input that stops a run before any file is written: the problems,
    /// then how many errors they stand for.
    pub fn nothing_written(mut problems: Vec<Problem>) -> Error {
        crate::app::report::sort(&mut problems);
        let n = errors(&problems);
        Error::Input {
            problems,
            closing: Some(format!(
                "{n} problem{} in the input; no file was written",
                if n == 1 { "" } else { "s" }
            )),
        }
    }
}

/// How many errors `problems` stand for, counting those left out.
pub fn errors(problems: &[Problem]) -> u64 {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(Problem::count)
        .sum()
}

/// True for rust_xlsxwriter's panic on a temporary file it cannot write
/// (a full TMPDIR), which a command reports as an output error.
pub fn is_write_panic(payload: &(dyn std::any::Any + Send)) -> bool {
    crate::render::xlsx::style::is_write_panic(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diag::Code;

    #[test]
    fn each_kind_has_its_exit_code() {
        assert_eq!(Error::Usage("x".into()).exit() as u8, 2);
        assert_eq!(Error::input("x").exit() as u8, 3);
        assert_eq!(Error::Output("x".into()).exit() as u8, 4);
        assert_eq!(Error::Internal("x".into()).exit() as u8, 1);
        assert_eq!(Exit::Done as u8, 0);
    }

    #[test]
    fn nothing_written_counts_the_errors_only() {
        let e = Error::nothing_written(vec![
            Problem::error(Code::PlanFileValue, None, "a"),
            Problem::warning(Code::HolidaysDiffer, None, "b"),
        ]);
        assert_eq!(e.to_string(), "1 problem in the input; no file was written");
    }
}
