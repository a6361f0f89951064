//! Command-line flags as parsed, before they are checked, and the options
//! they give the application.

use clap::{Args, Parser, Subcommand};
use plan::app::config::Inputs;
use plan::app::mail::MailOptions;
use plan::app::split::SplitOptions;
use plan::app::track::TrackOptions;
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  done (warnings allowed)
  1  internal error
  2  usage: bad flags, or a required input not named
  3  invalid or unreadable input (missing file, bad plan file, validation problems)
  4  output not written (refused --out, read-only, disk full)";

const MAIL_EXIT_CODES: &str = "\
Exit codes:
  0  done: every selected message sent (or written)
  1  internal error
  2  usage: bad flags, a password in --smtp, no sender, a user name without a password
  3  invalid input: not a plan folder, bad plan file or template, bad address, a letter changed since split
  4  not every message sent or written (server unreachable, login refused, a message refused)";

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
    /// Takes the flags of `split`, so that a script checks with the line it
    /// runs (with --as-of and a plan folder as --out, the re-plan is checked
    /// too); the flags that only concern writing change nothing. Exits 3 when
    /// there is any problem (any warning too, with --strict).
    #[command(after_help = EXIT_CODES)]
    Check(SplitArgs),
    /// Start a new plan folder: a commented plan.toml and template workbooks.
    ///
    /// The templates hold the expected headers, example rows and dropdowns, so
    /// `plan split DIR/plan.toml` runs on the new folder at once.
    #[command(after_help = EXIT_CODES)]
    Init(InitArgs),
    /// Mail each rep their quota letter from a plan folder, or write .eml files.
    ///
    /// Reads the plan folder's manifest.json and sends each reps/<id>.xlsx to its
    /// rep's email as an attachment. The password comes from the
    /// PLAN_SMTP_PASSWORD environment variable or [mail] password_file, never
    /// from the command line. Each message the server accepts is logged in
    /// .<folder>.sent.jsonl beside the plan folder; a file already sent to a
    /// rep is never sent to them again, even after a new split.
    #[command(after_help = MAIL_EXIT_CODES)]
    Mail(MailArgs),
    /// Track actuals against a plan folder: attainment, pace, projection.
    ///
    /// Reads the plan folder's plan.csv and the actuals (read like the
    /// history: transactions or monthly sums by rep), and writes
    /// progress.xlsx and progress.csv into --out (default: the plan folder),
    /// each atomically, leaving the plan's own files untouched. The target to
    /// date pro-rates the as-of month by working days (Monday–Friday, less the
    /// holidays of --holidays or of the --config plan file's [inputs]).
    #[command(after_help = EXIT_CODES)]
    Track(TrackArgs),
}

/// Flags of `plan track`.
#[derive(Debug, Clone, Args)]
pub struct TrackArgs {
    /// The plan folder written by `plan split` (it holds manifest.json and plan.csv).
    #[arg(long, value_name = "DIR")]
    pub plan: PathBuf,
    /// The actuals: transactions or monthly sums with date, rep_id, amount and
    /// count-metric columns (CSV or spreadsheet; FILE#Sheet picks a sheet).
    #[arg(long, value_name = "FILE")]
    pub actuals: String,
    /// The date progress is measured at (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Where progress.xlsx and progress.csv go (default: the plan folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The plan file whose [history] options read the actuals, whose metrics'
    /// history_column name their columns, and whose holidays count.
    #[arg(long, value_name = "PLAN.toml")]
    pub config: Option<PathBuf>,
    /// Holidays and make-up working days (default: the --config plan file's).
    #[arg(long, value_name = "FILE")]
    pub holidays: Option<String>,
    /// Labels in English or Chinese (default: the --config plan file's [output] lang, else en).
    #[arg(long, value_parser = ["en", "zh"])]
    pub lang: Option<String>,
    /// The progress of every rep, team and the company as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Show errors only.
    #[arg(short, long)]
    pub quiet: bool,
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

/// Flags of `plan mail`.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("via").required(true).args(["smtp", "eml"])))]
pub struct MailArgs {
    /// The plan folder written by `plan split` (it holds manifest.json).
    #[arg(long, value_name = "DIR")]
    pub plan: PathBuf,
    /// Send through this server: smtp://[user@]host[:port] (STARTTLS when offered,
    /// required for a login to another machine) or smtps://[user@]host[:port] (TLS).
    #[arg(long, value_name = "URL")]
    pub smtp: Option<String>,
    /// Write one .eml file per message into DIR instead of sending.
    #[arg(long, value_name = "DIR")]
    pub eml: Option<PathBuf>,
    /// The sender, such as "Sales Ops <ops@example.com>" (default: [mail] from).
    #[arg(long, value_name = "ADDR")]
    pub from: Option<String>,
    /// The plan file whose [mail] section gives the sender, subject, body and password file.
    #[arg(long, value_name = "PLAN.toml")]
    pub config: Option<PathBuf>,
    /// List the messages that would be sent; send and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only letters that changed since they were last mailed: reps never mailed are left out.
    #[arg(long)]
    pub changed_only: bool,
    /// Show errors only.
    #[arg(short, long)]
    pub quiet: bool,
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
    /// With --as-of, plan every month anew instead of keeping the previous plan's past months.
    #[arg(long)]
    pub fresh: bool,
}

impl InputArgs {
    /// The inputs named on the command line.
    pub fn inputs(&self) -> Inputs {
        Inputs {
            plan_file: self.plan_file.clone(),
            targets: self.targets.clone(),
            reps: self.reps.clone(),
            history: self.history.clone(),
            holidays: self.holidays.clone(),
            year: self.year,
        }
    }
}

impl SplitArgs {
    /// `split`'s options for the application.
    pub fn options(&self) -> SplitOptions {
        SplitOptions {
            inputs: self.input.inputs(),
            out: self.out.clone(),
            as_of: self.as_of.clone(),
            lang: self.lang.clone(),
            dry_run: self.dry_run,
            force: self.force,
            fresh: self.fresh,
            strict: self.input.strict,
        }
    }
}

impl TrackArgs {
    /// `track`'s options for the application.
    pub fn options(&self) -> TrackOptions {
        TrackOptions {
            plan: self.plan.clone(),
            actuals: self.actuals.clone(),
            as_of: self.as_of.clone(),
            out: self.out.clone(),
            config: self.config.clone(),
            holidays: self.holidays.clone(),
            lang: self.lang.clone(),
        }
    }
}

impl MailArgs {
    /// `mail`'s options for the application.
    pub fn options(&self) -> MailOptions {
        MailOptions {
            plan: self.plan.clone(),
            smtp: self.smtp.clone(),
            eml: self.eml.clone(),
            from: self.from.clone(),
            config: self.config.clone(),
            dry_run: self.dry_run,
            changed_only: self.changed_only,
        }
    }
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
