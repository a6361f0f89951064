//! The command line: flags → checked config → pipeline → report → exit code.

pub mod args;
pub mod config;
pub mod mail;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod track;

use crate::store::staging;
use args::{Cli, Command, InitArgs, InputArgs, SplitArgs};
use clap::Parser;
use config::{Config, ConfigError};
use report::Exit;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs `plan` with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Done.into()
            };
        }
    };
    match cli.command {
        Command::Split(a) => split(&a),
        Command::Check(a) => check(&a),
        Command::Init(a) => init(&a),
        Command::Mail(a) => mail::run(&a),
        Command::Track(a) => track::run(&a),
    }
    .into()
}

fn load(args: &InputArgs) -> Result<Config, Exit> {
    Config::load(args).map_err(|e| match e {
        ConfigError::Usage(msg) => {
            report::error(&msg);
            Exit::Usage
        }
        ConfigError::Input(mut problems) => {
            report::sort(&mut problems);
            report::print(&problems, args.quiet, args.strict);
            Exit::Input
        }
    })
}

/// `plan check` takes `split`'s flags, so that a script checks with the very
/// line it runs; those that only concern writing change nothing.
fn check(split_args: &SplitArgs) -> Exit {
    let args = &split_args.input;
    let config = match prepare(split_args) {
        Ok(p) => p.config,
        Err(e) => return e,
    };
    let mut problems = match pipeline::plan(&config) {
        Ok(p) => p.problems,
        Err(p) => p,
    };
    report::sort(&mut problems);
    let failed = pipeline::fails(&problems, args.strict);
    if args.json {
        let left_out: u64 = problems.iter().filter_map(|p| p.left_out).sum();
        let json = serde_json::json!({ "ok": !failed, "problems": problems, "left_out": left_out });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    }
    report::print(&problems, args.quiet, args.strict);
    if failed {
        let n: u64 = problems
            .iter()
            .filter(|p| p.is_error() || args.strict)
            .map(crate::engine::diag::Problem::count)
            .sum();
        report::error(&format!(
            "{n} problem{} in the input",
            if n == 1 { "" } else { "s" }
        ));
        Exit::Input
    } else {
        Exit::Done
    }
}

fn init(args: &InitArgs) -> Exit {
    let zh = args.lang.as_deref() == Some("zh");
    let files = match crate::render::templates::files(zh) {
        Ok(f) => f,
        Err(e) => {
            report::error(&format!("cannot make the templates: {e}"));
            return Exit::Internal;
        }
    };
    if !args.force {
        if let Some((name, _)) = files.iter().find(|(name, _)| args.dir.join(name).exists()) {
            report::error(&format!(
                "{}: already exists; use --force to overwrite the templates",
                args.dir.join(name).display()
            ));
            return Exit::Output;
        }
    }
    let named: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let written = std::fs::create_dir_all(&args.dir)
        .and_then(|()| crate::store::dir::Dir::open(&args.dir))
        .map_err(|e| (String::new(), e))
        .and_then(|dir| crate::store::replace::replace_files(&dir, &named));
    if let Err((name, e)) = written {
        report::error(&format!(
            "{}: {}",
            args.dir.join(name).display(),
            config::io_reason(&e)
        ));
        return Exit::Output;
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let _ = writeln!(
        std::io::stdout().lock(),
        "initialised {}: {}\nnext: fill the workbooks, then run `plan split {}`",
        args.dir.display(),
        names.join(", "),
        args.dir.join("plan.toml").display()
    );
    Exit::Done
}

/// What `split` and `check` share before planning: the configuration (with a
/// re-plan's kept months), the as-of date and the output folder.
struct Prepared {
    config: Config,
    as_of: Option<chrono::NaiveDate>,
    target: staging::OutPath,
    /// `--out` as given (or its default), as messages show it.
    out: PathBuf,
    /// In a re-plan: the SHA-256 of the previous plan's manifest.
    replans: Option<String>,
}

/// Loads the configuration, reads `--as-of`, resolves `--out` and, for a
/// re-plan, reads the previous plan's kept months.
fn prepare(args: &SplitArgs) -> Result<Prepared, Exit> {
    let a = &args.input;
    let mut config = load(a)?;
    let as_of = match &args.as_of {
        None => None,
        Some(s) => match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                report::error(&format!(
                    "--as-of expects a date such as 2027-07-01, found {s:?}"
                ));
                return Err(Exit::Usage);
            }
        },
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| match &config.plan_file.output.dir {
            Some(d) => config.base.join(d),
            None => config.base.join("out"),
        });
    let target = match staging::OutPath::resolve(&out) {
        Ok(t) => t,
        Err(e) => {
            report::error(&e.to_string());
            return Err(Exit::Output);
        }
    };
    // A re-plan: --as-of with a previous plan in --out keeps its past months.
    let mut replans = None;
    if let Some(date) = as_of.filter(|_| !args.fresh && is_plan_folder(&target)) {
        let csv = target.path().join("plan.csv");
        match crate::input::tables::previous_targets(&csv, &csv.display().to_string()) {
            Ok(targets) => {
                config.frozen = Some(crate::engine::model::Frozen {
                    as_of: date,
                    targets,
                })
            }
            Err(p) => {
                report::print(&[p], a.quiet, a.strict);
                report::error("a re-plan keeps the months before --as-of from the previous plan.csv; restore it, or add --fresh to plan every month anew");
                return Err(Exit::Input);
            }
        }
        replans = manifest_sha(&target);
    }
    Ok(Prepared {
        config,
        as_of,
        target,
        out,
        replans,
    })
}

fn split(args: &SplitArgs) -> Exit {
    let a = &args.input;
    let Prepared {
        config,
        as_of,
        target,
        out,
        replans,
    } = match prepare(args) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let started = std::time::Instant::now();
    let progress = progress::Progress::new(!a.quiet && !a.json);
    progress.step("reading the inputs");
    let planned = match pipeline::plan(&config) {
        Ok(p) => p,
        Err(mut problems) => {
            progress.finish();
            report::sort(&mut problems);
            report::print(&problems, a.quiet, a.strict);
            let n = report::errors(&problems);
            report::error(&format!(
                "{n} problem{} in the input; no file was written",
                if n == 1 { "" } else { "s" }
            ));
            return Exit::Input;
        }
    };
    if a.verbose {
        let rows: u64 = planned.input.history.company.values().map(|s| s.rows).sum();
        eprintln!(
            "read {} reps, {} targets and {rows} history rows, planned {} metrics: {:.2} s",
            planned.input.reps.len(),
            planned.input.targets.len(),
            planned.plan.metrics.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let mut problems = planned.problems.clone();
    report::sort(&mut problems);
    report::print(&problems, a.quiet, a.strict);
    if pipeline::fails(&problems, a.strict) {
        report::error("warnings are errors with --strict; no file was written");
        return Exit::Input;
    }
    let lang = args
        .lang
        .clone()
        .or_else(|| config.plan_file.output.lang.clone())
        .unwrap_or_else(|| "en".into());
    let opts = pipeline::RenderOptions {
        as_of: as_of.map(|d| d.to_string()),
        lang,
        replans: replans.clone(),
    };
    let previous = staging::previous_files(&target);
    progress.step("writing the plan");
    let mut kept = Vec::new();
    let manifest = if args.dry_run {
        let sink = progress::Tracked {
            sink: &staging::Discard,
            progress: &progress,
        };
        render(&config, &planned, &opts, &sink)
            .map_err(|e| format!("{e}; the previous plan, if any, is untouched"))
    } else {
        let (_lock, stage) = match begin_writing(&target, args.force, replans.as_deref()) {
            Ok(s) => s,
            Err(e) => {
                progress.finish();
                report::error(&e);
                return Exit::Output;
            }
        };
        kept = stage.kept().to_vec();
        let sink = progress::Tracked {
            sink: &stage,
            progress: &progress,
        };
        render(&config, &planned, &opts, &sink)
            .map_err(|e| format!("{e}; the previous plan, if any, is untouched"))
            .and_then(|m| stage.commit().map(|()| m).map_err(commit_error))
    };
    progress.finish();
    if a.verbose {
        eprintln!(
            "rendered and wrote the outputs: {:.2} s in all",
            started.elapsed().as_secs_f64()
        );
    }
    let manifest = match manifest {
        Ok(m) => m,
        Err(e) => {
            report::error(&e);
            return Exit::Output;
        }
    };
    if !kept.is_empty() && !a.quiet {
        report::note_kept(&target.path(), &kept);
    }
    let reps = &planned.input.reps;
    let summary = Summary {
        year: planned.plan.year,
        reps: planned.plan.counted.len(),
        left_out: planned
            .plan
            .left_out
            .iter()
            .map(|&i| LeftOut::of(&reps[i]))
            .collect(),
        metrics: planned.plan.metrics.len(),
        files: manifest.files.len() + 1,
        changes: Changes::between(&previous, &manifest),
        out,
        dry_run: args.dry_run,
    };
    summary.print(a.json, a.quiet);
    Exit::Done
}

/// Renders the plan into `sink`. rust_xlsxwriter panics when it cannot write
/// a low-memory sheet's temporary file (a full TMPDIR): that is an output
/// error, not an internal one.
fn render(
    config: &Config,
    planned: &pipeline::Planned,
    opts: &pipeline::RenderOptions,
    sink: &dyn staging::Sink,
) -> Result<crate::folder::manifest::Manifest, String> {
    let run = std::panic::AssertUnwindSafe(|| pipeline::render(config, planned, opts, sink));
    std::panic::catch_unwind(run).unwrap_or_else(|payload| {
        if !crate::render::xlsx::style::is_write_panic(payload.as_ref()) {
            std::panic::resume_unwind(payload)
        }
        Err(format!(
            "no space left for the temporary files of large sheets in {} (TMPDIR)",
            std::env::temp_dir().display()
        ))
    })
}

/// A failed commit: whether the previous plan is untouched depends on where it failed.
fn commit_error(e: staging::PersistError) -> String {
    match e {
        staging::PersistError::Partial { .. } => e.to_string(),
        e => format!("{e}; the previous plan, if any, is untouched"),
    }
}

/// True when `out` holds a previous plan (its manifest.json a regular file).
fn is_plan_folder(out: &staging::OutPath) -> bool {
    matches!(staging::out_state(out), Ok(staging::OutState::Plan))
}

/// The SHA-256 of the plan folder's manifest.
fn manifest_sha(out: &staging::OutPath) -> Option<String> {
    crate::folder::manifest::sha256_file(&out.path().join("manifest.json")).ok()
}

/// Takes the output folder's lock (only now that the plan is made, so that a
/// run that fails before writing leaves the folder beside `--out` as it was)
/// and opens the staging folder. A re-plan whose previous plan was replaced
/// by another run meanwhile is refused.
fn begin_writing(
    out: &staging::OutPath,
    force: bool,
    replans: Option<&str>,
) -> Result<(staging::OutLock, staging::Staging), String> {
    let refused = |e: staging::PersistError| match e {
        staging::PersistError::Foreign { .. } => {
            format!("{e}; use an empty or new folder, or --force to write into it")
        }
        e => e.to_string(),
    };
    staging::writable_state(out, force).map_err(refused)?;
    let lock = staging::lock(out).map_err(|e| e.to_string())?;
    if replans.is_some() && manifest_sha(out).as_deref() != replans {
        return Err(format!(
            "{}: another run replaced the plan while this re-plan was being made; run it again",
            out.path().display()
        ));
    }
    let stage = staging::Staging::begin(out, force).map_err(refused)?;
    Ok((lock, stage))
}

struct Summary {
    year: i32,
    /// The reps that count for the year, planned or left out.
    reps: usize,
    left_out: Vec<LeftOut>,
    metrics: usize,
    files: usize,
    changes: Changes,
    out: PathBuf,
    dry_run: bool,
}

/// A rep that counts for the year but has no plan in any metric, and why.
#[derive(serde::Serialize)]
struct LeftOut {
    rep_id: String,
    team: String,
    reason: String,
}

impl LeftOut {
    fn of(rep: &crate::engine::model::Rep) -> LeftOut {
        let reason = match rep.team.as_str() {
            "" => "no team".to_string(),
            team => format!("no target for team {team}"),
        };
        LeftOut {
            rep_id: rep.id.clone(),
            team: rep.team.clone(),
            reason,
        }
    }
}

/// Which files differ from the previous plan in `--out`, by SHA-256 (manifest.json aside).
#[derive(serde::Serialize)]
struct Changes {
    changed: Vec<String>,
    added: Vec<String>,
    removed: Vec<String>,
    unchanged: usize,
}

impl Changes {
    fn between(
        previous: &std::collections::BTreeMap<String, String>,
        now: &crate::folder::manifest::Manifest,
    ) -> Changes {
        let mut c = Changes {
            changed: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            unchanged: 0,
        };
        for f in &now.files {
            match previous.get(&f.path) {
                Some(sha) if *sha == f.sha256 => c.unchanged += 1,
                Some(_) => c.changed.push(f.path.clone()),
                None => c.added.push(f.path.clone()),
            }
        }
        let paths: std::collections::BTreeSet<&str> =
            now.files.iter().map(|f| f.path.as_str()).collect();
        c.removed = previous
            .keys()
            .filter(|p| !paths.contains(p.as_str()))
            .cloned()
            .collect();
        c
    }
}

impl Summary {
    /// `12 reps`, or `12 reps planned, 1 left out (no target for team Nort)`.
    fn reps_text(&self) -> String {
        let planned = self.reps - self.left_out.len();
        if self.left_out.is_empty() {
            return format!("{planned} reps");
        }
        let mut reasons: Vec<&str> = Vec::new();
        for l in &self.left_out {
            if !reasons.contains(&l.reason.as_str()) {
                reasons.push(&l.reason);
            }
        }
        let n = self.left_out.len();
        format!(
            "{planned} reps planned, {n} left out ({})",
            reasons.join("; ")
        )
    }

    fn print(&self, json: bool, quiet: bool) {
        let mut stdout = std::io::stdout().lock();
        let _ = if json {
            let v = serde_json::json!({
                "year": self.year, "reps": self.reps, "metrics": self.metrics,
                "reps_planned": self.reps - self.left_out.len(), "reps_left_out": self.left_out,
                "files": self.files, "out": self.out.display().to_string(), "dry_run": self.dry_run,
                "changed": self.changes.changed, "added": self.changes.added,
                "removed": self.changes.removed, "unchanged": self.changes.unchanged,
            });
            writeln!(stdout, "{v}")
        } else if quiet {
            Ok(())
        } else if self.dry_run {
            writeln!(
                stdout,
                "plan {}: {}, {} metrics; dry run, {} files not written",
                self.year,
                self.reps_text(),
                self.metrics,
                self.files
            )
        } else {
            writeln!(
                stdout,
                "plan {}: {}, {} metrics; {} files written to {}",
                self.year,
                self.reps_text(),
                self.metrics,
                self.files,
                self.out.display()
            )
        };
    }
}
