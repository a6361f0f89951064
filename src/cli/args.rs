//! Command-line flags as parsed, before they are checked.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  done (warnings allowed)
  1  internal error
  2  usage: bad flags, or a required input not named
  3  invalid or unreadable input (missing file, bad plan file, validation problems)
  4  output not written (refused --out, read-only, disk full)";

/// Compile sales-target plans from spreadsheets.
#[derive(Debug, Parser)]
#[command(name = "plan", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Split the targets down to every rep and period, and write the plan workbooks.
    ///
    /// Reads the targets, reps, history and holidays (from a plan file and/or
    /// flags), computes the plan exactly, and writes plan.csv, plan.xlsx and
    /// manifest.json into --out, atomically.
    #[command(after_help = EXIT_CODES)]
    Split(SplitArgs),
    /// Validate the inputs and list every problem; write nothing.
    ///
    /// Exits 3 when there is any problem (any warning too, with --strict).
    #[command(after_help = EXIT_CODES)]
    Check(InputArgs),
    /// Start a new plan folder: a commented plan.toml and template workbooks.
    ///
    /// The templates hold the expected headers, example rows and dropdowns, so
    /// `plan split DIR/plan.toml` runs on the new folder at once.
    #[command(after_help = EXIT_CODES)]
    Init(InitArgs),
}

/// Flags of `plan init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The folder to create or fill.
    pub dir: PathBuf,
    /// Headers and examples in English or Chinese.
    #[arg(long, value_parser = ["en", "zh"])]
    pub lang: Option<String>,
    /// Overwrite template files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// Flags naming and reading the inputs.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// The plan file (plan.toml); its relative paths are relative to its folder.
    pub plan_file: Option<PathBuf>,
    /// The targets table (CSV or spreadsheet; FILE#Sheet picks a sheet).
    #[arg(long, value_name = "FILE")]
    pub targets: Option<String>,
    /// The reps table.
    #[arg(long, value_name = "FILE")]
    pub reps: Option<String>,
    /// Past sales: transactions or monthly sums.
    #[arg(long, value_name = "FILE")]
    pub history: Option<String>,
    /// Holidays and make-up working days.
    #[arg(long, value_name = "FILE")]
    pub holidays: Option<String>,
    /// The fiscal year to plan (default: the one year in the targets).
    #[arg(long)]
    pub year: Option<i32>,
    /// Make every warning an error (exit 3).
    #[arg(long)]
    pub strict: bool,
    /// Machine-readable output on stdout.
    #[arg(long)]
    pub json: bool,
    /// Show errors only.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Show more about what is done.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Flags of `plan split`.
#[derive(Debug, Clone, Args)]
pub struct SplitArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The output folder (default: [output] dir, else `out` beside the plan file).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The date the plan is made (YYYY-MM-DD); recorded only when given.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Labels in English or Chinese.
    #[arg(long, value_parser = ["en", "zh"])]
    pub lang: Option<String>,
    /// Read, validate and compute; print the summary; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write into an --out folder that is not a plan folder, leaving its other files alone.
    #[arg(long)]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
