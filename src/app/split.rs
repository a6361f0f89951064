//! `plan split`: the checked configuration, the plan, and the output folder
//! written as a whole (or a dry run), with what changed since the last plan.

use crate::app::config::{Config, Inputs};
use crate::app::error::Error;
use crate::app::pipeline::{self, Planned, RenderOptions};
use crate::app::report::Report;
use crate::engine::model::{Frozen, Rep};
use crate::folder::manifest::{self, Manifest};
use crate::store::staging::{self, OutLock, OutPath, PersistError, Sink, Staging};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `plan split`'s options, as the command line gives them.
#[derive(Debug, Clone, Default)]
pub struct SplitOptions {
    pub inputs: Inputs,
    pub out: Option<PathBuf>,
    pub as_of: Option<String>,
    pub lang: Option<String>,
    pub dry_run: bool,
    pub force: bool,
    pub fresh: bool,
    pub strict: bool,
}

/// What `split` and `check` share before planning: the configuration (with a
/// re-plan's kept months), the as-of date and the output folder.
pub struct Prepared {
    pub config: Config,
    pub as_of: Option<NaiveDate>,
    pub target: OutPath,
    /// `--out` as given (or its default), as messages show it.
    pub out: PathBuf,
    /// In a re-plan: the SHA-256 of the previous plan's manifest.
    pub replans: Option<String>,
}

/// Loads the configuration, reads `--as-of`, resolves `--out` and, for a
/// re-plan, reads the previous plan's kept months.
pub fn prepare(opts: &SplitOptions) -> Result<Prepared, Error> {
    let mut config = Config::load(&opts.inputs)?;
    let as_of = match &opts.as_of {
        None => None,
        Some(s) => Some(
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                Error::Usage(format!(
                    "--as-of expects a date such as 2027-07-01, found {s:?}"
                ))
            })?,
        ),
    };
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| match &config.plan_file.output.dir {
            Some(d) => config.base.join(d),
            None => config.base.join("out"),
        });
    let target = OutPath::resolve(&out).map_err(|e| Error::Output(e.to_string()))?;
    // A re-plan: --as-of with a previous plan in --out keeps its past months.
    let mut replans = None;
    if let Some(date) = as_of.filter(|_| !opts.fresh && is_plan_folder(&target)) {
        let csv = target.path().join("plan.csv");
        let targets = crate::input::tables::previous_targets(&csv, &csv.display().to_string())
            .map_err(|p| Error::Input {
                problems: vec![p],
                closing: Some("a re-plan keeps the months before --as-of from the previous plan.csv; restore it, or add --fresh to plan every month anew".into()),
            })?;
        config.frozen = Some(Frozen {
            as_of: date,
            targets,
        });
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

/// Runs `plan split`: plans, then writes the folder (or, dry, renders only).
pub fn run(opts: &SplitOptions, report: &dyn Report) -> Result<Summary, Error> {
    let prepared = prepare(opts)?;
    let started = std::time::Instant::now();
    report.step("reading the inputs");
    let planned = pipeline::plan(&prepared.config).map_err(|problems| {
        report.finish();
        Error::nothing_written(problems)
    })?;
    let rows: u64 = planned.input.history.company.values().map(|s| s.rows).sum();
    report.verbose(&format!(
        "read {} reps, {} targets and {rows} history rows, planned {} metrics: {:.2} s",
        planned.input.reps.len(),
        planned.input.targets.len(),
        planned.plan.metrics.len(),
        started.elapsed().as_secs_f64()
    ));
    let mut problems = planned.problems.clone();
    crate::app::report::sort(&mut problems);
    report.problems(&problems);
    if pipeline::fails(&problems, opts.strict) {
        return Err(Error::input(
            "warnings are errors with --strict; no file was written",
        ));
    }
    let previous = staging::previous_files(&prepared.target);
    report.step("writing the plan");
    let (manifest, kept) = write(opts, &prepared, &planned, report, started)?;
    if !kept.is_empty() {
        report.kept(&prepared.target.path(), &kept);
    }
    Ok(Summary::of(opts, &prepared, &planned, &previous, &manifest))
}

/// Renders the plan into the staging folder and swaps it in (or, dry, into
/// nothing); the manifest and the entries kept in place.
fn write(
    opts: &SplitOptions,
    prepared: &Prepared,
    planned: &Planned,
    report: &dyn Report,
    started: std::time::Instant,
) -> Result<(Manifest, Vec<String>), Error> {
    let lang = opts
        .lang
        .clone()
        .or_else(|| prepared.config.plan_file.output.lang.clone())
        .unwrap_or_else(|| "en".into());
    let render_opts = RenderOptions {
        as_of: prepared.as_of.map(|d| d.to_string()),
        lang,
        replans: prepared.replans.clone(),
    };
    let mut into = |sink: &dyn Sink| render(&prepared.config, planned, &render_opts, sink);
    let untouched = |e: String| format!("{e}; the previous plan, if any, is untouched");
    let done = |written: Result<Manifest, String>| {
        report.finish();
        report.verbose(&format!(
            "rendered and wrote the outputs: {:.2} s in all",
            started.elapsed().as_secs_f64()
        ));
        written.map_err(Error::Output)
    };
    if opts.dry_run {
        let manifest = done(
            report
                .follow(&staging::Discard, &mut into)
                .map_err(untouched),
        )?;
        return Ok((manifest, Vec::new()));
    }
    let (_lock, stage) = begin_writing(&prepared.target, opts.force, prepared.replans.as_deref())
        .map_err(|e| {
        report.finish();
        Error::Output(e)
    })?;
    let kept = stage.kept().to_vec();
    let manifest = done(
        report
            .follow(&stage, &mut into)
            .map_err(untouched)
            .and_then(|m| stage.commit().map(|()| m).map_err(commit_error)),
    )?;
    Ok((manifest, kept))
}

/// Renders the plan into `sink`. rust_xlsxwriter panics when it cannot write
/// a low-memory sheet's temporary file (a full TMPDIR): that is an output
/// error, not an internal one.
fn render(
    config: &Config,
    planned: &Planned,
    opts: &RenderOptions,
    sink: &dyn Sink,
) -> Result<Manifest, String> {
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
fn commit_error(e: PersistError) -> String {
    match e {
        PersistError::Partial { .. } => e.to_string(),
        e => format!("{e}; the previous plan, if any, is untouched"),
    }
}

/// True when `out` holds a previous plan (its manifest.json a regular file).
fn is_plan_folder(out: &OutPath) -> bool {
    matches!(staging::out_state(out), Ok(staging::OutState::Plan))
}

/// The SHA-256 of the plan folder's manifest.
fn manifest_sha(out: &OutPath) -> Option<String> {
    manifest::sha256_file(&out.path().join("manifest.json")).ok()
}

/// Takes the output folder's lock (only now that the plan is made, so that a
/// run that fails before writing leaves the folder beside `--out` as it was)
/// and opens the staging folder. A re-plan whose previous plan was replaced
/// by another run meanwhile is refused.
fn begin_writing(
    out: &OutPath,
    force: bool,
    replans: Option<&str>,
) -> Result<(OutLock, Staging), String> {
    let refused = |e: PersistError| match e {
        PersistError::Foreign { .. } => {
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
    let stage = Staging::begin(out, force).map_err(refused)?;
    Ok((lock, stage))
}

/// What a split did, for its closing line or `--json`.
pub struct Summary {
    pub year: i32,
    /// The reps that count for the year, planned or left out.
    pub reps: usize,
    pub left_out: Vec<LeftOut>,
    pub metrics: usize,
    pub files: usize,
    pub changes: Changes,
    pub out: PathBuf,
    pub dry_run: bool,
}

/// A rep that counts for the year but has no plan in any metric, and why.
#[derive(serde::Serialize)]
pub struct LeftOut {
    rep_id: String,
    team: String,
    reason: String,
}

impl LeftOut {
    fn of(rep: &Rep) -> LeftOut {
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
pub struct Changes {
    changed: Vec<String>,
    added: Vec<String>,
    removed: Vec<String>,
    unchanged: usize,
}

impl Changes {
    fn between(previous: &BTreeMap<String, String>, now: &Manifest) -> Changes {
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
        let paths: BTreeSet<&str> = now.files.iter().map(|f| f.path.as_str()).collect();
        c.removed = previous
            .keys()
            .filter(|p| !paths.contains(p.as_str()))
            .cloned()
            .collect();
        c
    }
}

impl Summary {
    fn of(
        opts: &SplitOptions,
        prepared: &Prepared,
        planned: &Planned,
        previous: &BTreeMap<String, String>,
        manifest: &Manifest,
    ) -> Summary {
        let reps = &planned.input.reps;
        Summary {
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
            changes: Changes::between(previous, manifest),
            out: prepared.out.clone(),
            dry_run: opts.dry_run,
        }
    }

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

    /// The closing line: what was planned and where it was written.
    pub fn line(&self) -> String {
        if self.dry_run {
            format!(
                "plan {}: {}, {} metrics; dry run, {} files not written",
                self.year,
                self.reps_text(),
                self.metrics,
                self.files
            )
        } else {
            format!(
                "plan {}: {}, {} metrics; {} files written to {}",
                self.year,
                self.reps_text(),
                self.metrics,
                self.files,
                self.out.display()
            )
        }
    }

    /// The summary as `--json` prints it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "year": self.year, "reps": self.reps, "metrics": self.metrics,
            "reps_planned": self.reps - self.left_out.len(), "reps_left_out": self.left_out,
            "files": self.files, "out": self.out.display().to_string(), "dry_run": self.dry_run,
            "changed": self.changes.changed, "added": self.changes.added,
            "removed": self.changes.removed, "unchanged": self.changes.unchanged,
        })
    }
}
