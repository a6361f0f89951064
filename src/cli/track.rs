//! `plan track`: actuals against a plan folder → progress.xlsx, progress.csv
//! and, with `--json`, the progress on stdout.

use crate::app::plan_file::{self, PlanFile};
use crate::cli::args::TrackArgs;
use crate::cli::config::io_reason;
use crate::cli::report::{self, Exit};
use crate::engine::calendar::WorkCalendar;
use crate::engine::diag::{Code, Origin, Problem};
use crate::engine::track::{self, TrackInput, TrackRep};
use crate::folder::manifest;
use crate::input::actuals::{self, PlanFolder};
use crate::input::tables::{self, Source};
use crate::render::progress::{self, ProgressBook};
use crate::store::dir::Dir;
use crate::store::replace::replace_files;
use crate::store::staging::{self, OutPath};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files `plan track` writes.
const FILES: [&str; 2] = ["progress.xlsx", "progress.csv"];

/// Runs `plan track`.
pub fn run(args: &TrackArgs) -> Exit {
    match track(args) {
        Ok(()) => Exit::Done,
        Err(e) => e,
    }
}

/// Prints the problems and a closing error line; the exit for bad input.
fn bad_input(problems: &mut [Problem], quiet: bool) -> Exit {
    report::sort(problems);
    report::print(problems, quiet, false);
    let n = report::errors(problems);
    report::error(&format!(
        "{n} problem{} in the input; no file was written",
        if n == 1 { "" } else { "s" }
    ));
    Exit::Input
}

fn track(args: &TrackArgs) -> Result<(), Exit> {
    let as_of = match &args.as_of {
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            report::error(&format!(
                "--as-of expects a date such as 2027-03-15, found {s:?}"
            ));
            Exit::Usage
        })?,
        None => today()?,
    };
    let (config, base) = plan_file(args.config.as_deref(), args.quiet)?;
    let mut problems = Vec::new();
    let plan = actuals::plan_folder(&args.plan, &args.plan.display().to_string())
        .map_err(|p| bad_input(&mut [p], args.quiet))?;
    let calendar = calendar(args, &config, &base, &plan, &mut problems);
    if config.history.rep_key.as_deref().map(str::trim) == Some("name") {
        problems.push(Problem::error(Code::PlanFileValue,
            args.config.as_ref().map(|c| Origin::file(c.display().to_string())),
            "plan track matches the actuals to the plan's reps by rep_id: [history] rep_key = \"name\" is not supported",
        ));
    }
    let (path, display, sheet) = input_ref(&args.actuals, Path::new(""));
    let named: BTreeMap<String, String> = config
        .metrics
        .iter()
        .filter_map(|(name, def)| {
            Some((
                name.clone(),
                def.history_column.as_ref()?.name()?.to_string(),
            ))
        })
        .collect();
    let actuals = actuals::actuals(
        &Source {
            path: &path,
            display: &display,
            sheet,
            options: &config.history,
        },
        &plan,
        &named,
        as_of,
        &mut problems,
    );
    if problems.iter().any(Problem::is_error) {
        return Err(bad_input(&mut problems, args.quiet));
    }
    let keep: Vec<usize> = (0..plan.metrics.len())
        .filter(|&k| actuals.tracked[k])
        .collect();
    let input = TrackInput {
        first_ym: plan.first_ym,
        metrics: keep.len(),
        reps: plan
            .reps
            .iter()
            .map(|r| TrackRep {
                id: r.id.clone(),
                team: r.team.clone(),
                targets: keep.iter().map(|&k| r.targets[k]).collect(),
            })
            .collect(),
        actuals: actuals
            .sums
            .into_iter()
            .map(|(key, v)| (key, keep.iter().map(|&k| v[k]).collect()))
            .collect(),
        calendar,
        as_of,
    };
    let metrics: Vec<_> = keep.iter().map(|&k| plan.metrics[k].clone()).collect();
    let tracked = track::track(&input).map_err(|o| {
        let scope = if o.scope.is_empty() { "the company".to_string() } else { o.scope };
        report::error(&format!(
            "{}: the progress of {scope} for {} cannot be represented exactly (the actuals are too large for the targets); no progress file was written",
            args.actuals,
            metrics[o.metric].name
        ));
        Exit::Input
    })?;
    if let Some(p) = tracked.rows.iter().find(|p| !fits(p, &metrics[p.metric])) {
        let scope = match p.level {
            track::Level::Rep(r) => format!("rep {}", input.reps[r].id),
            track::Level::Team => format!("team {}", p.team),
            track::Level::Company => "the company".into(),
        };
        report::error(&format!(
            "{}: the progress of {scope} for {} has a figure beyond 15 significant digits (the largest a plan holds exactly); no progress file was written",
            args.actuals, metrics[p.metric].name
        ));
        return Err(Exit::Input);
    }
    let lang = args
        .lang
        .clone()
        .or_else(|| config.output.lang.clone())
        .unwrap_or_else(|| "en".into());
    let book = ProgressBook {
        tracked: &tracked,
        metrics: &metrics,
        reps: &input.reps,
        year: plan.year,
        first_ym: plan.first_ym,
        as_of,
        lang: &lang,
        currency: config.output.currency.as_deref(),
        company: config.output.company.as_deref(),
    };
    let rendered = progress::progress_xlsx(&book)
        .map_err(|e| format!("progress.xlsx: {e}"))
        .and_then(|x| {
            let c = progress::progress_csv(&book).map_err(|e| format!("progress.csv: {e}"))?;
            Ok([x, c])
        });
    let bytes = rendered.map_err(|e| {
        report::error(&e);
        Exit::Internal
    })?;
    let out = args.out.clone().unwrap_or_else(|| args.plan.clone());
    report::sort(&mut problems);
    report::print(&problems, args.quiet, false);
    if let Err(e) = write_files(&out, &args.plan, &bytes) {
        report::error(&format!("{e}; no progress file was replaced"));
        return Err(Exit::Output);
    }
    print_summary(args, &book, &out);
    Ok(())
}

/// True when every figure of a progress row, as it is written (with the
/// metric's places, at least 2), has at most 15 significant digits.
fn fits(p: &track::Progress, metric: &actuals::PlanMetric) -> bool {
    let places = metric.places.clamp(2, 28);
    let max = Decimal::from_i128_with_scale(crate::engine::limits::MAX_MANTISSA.into(), places);
    let fits = |v: Decimal| v.abs().round_dp(places) <= max;
    [
        p.target_year,
        p.target_to_date,
        p.actual_to_date,
        p.projection,
        p.gap,
    ]
    .into_iter()
    .chain(p.needed_per_workday)
    .chain(p.month_actuals.iter().flatten().copied())
    .all(fits)
}

/// Today's date (UTC): the only place `plan track` reads the clock.
fn today() -> Result<NaiveDate, Exit> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| chrono::DateTime::from_timestamp(d.as_secs() as i64, 0))
        .map(|t| t.date_naive())
        .ok_or_else(|| {
            report::error("the system clock is before 1970; give --as-of");
            Exit::Usage
        })
}

/// The `--config` plan file (default options without one) and its folder.
fn plan_file(path: Option<&Path>, quiet: bool) -> Result<(PlanFile, PathBuf), Exit> {
    let Some(path) = path else {
        return Ok((PlanFile::default(), PathBuf::new()));
    };
    let display = path.display().to_string();
    let text = plan_file::read(path, &display).map_err(|p| {
        report::print(&[p], quiet, false);
        Exit::Input
    })?;
    let pf = plan_file::parse(&text, &display).map_err(|p| bad_input(&mut [p], quiet))?;
    Ok((pf, path.parent().map(Path::to_path_buf).unwrap_or_default()))
}

/// `FILE#Sheet` relative to `base`: the path, the name to show and the sheet.
fn input_ref(named: &str, base: &Path) -> (PathBuf, String, Option<String>) {
    if !base.join(named).exists() {
        if let Some((file, sheet)) = named.rsplit_once('#') {
            return (base.join(file), file.to_string(), Some(sheet.to_string()));
        }
    }
    (base.join(named), named.to_string(), None)
}

/// The working days: Monday–Friday less the holidays of `--holidays`, else
/// of the plan file's `[inputs]`; a warning when they are not those the plan
/// was made with, as far as the manifest tells.
fn calendar(
    args: &TrackArgs,
    config: &PlanFile,
    base: &Path,
    plan: &PlanFolder,
    problems: &mut Vec<Problem>,
) -> WorkCalendar {
    let named = match (&args.holidays, &config.inputs.holidays) {
        (Some(f), _) => Some(input_ref(f, Path::new(""))),
        (None, Some(f)) => Some(input_ref(f, base)),
        (None, None) => None,
    };
    let Some((path, display, sheet)) = named else {
        if let Some((file, _)) = &plan.holidays {
            problems.push(Problem::warning(Code::HolidaysDiffer,
                None,
                format!("the plan was made with the holidays of {file}; without --holidays, working days are Monday–Friday"),
            ));
        }
        return WorkCalendar::default();
    };
    if let (Some((file, sha)), Ok(now)) = (&plan.holidays, manifest::sha256_file(&path)) {
        if *sha != now {
            problems.push(Problem::warning(
                Code::HolidaysDiffer,
                Some(Origin::file(&display)),
                format!(
                    "not the holidays file the plan was made with ({file}): its content differs"
                ),
            ));
        }
    }
    let (holidays, workdays) = tables::holidays(
        &Source {
            path: &path,
            display: &display,
            sheet,
            options: &config.holidays,
        },
        problems,
    );
    WorkCalendar::new(holidays, workdays)
}

/// Writes the progress files into `out`, each atomically; the plan's own
/// files are never touched. Written into the plan folder (under its lock),
/// they are listed in its manifest, so that the next `plan split` knows them
/// as plan's and replaces the folder as a whole.
fn write_files(out: &Path, plan: &Path, bytes: &[Vec<u8>; 2]) -> Result<(), String> {
    let shown = |p: &Path, e: std::io::Error| format!("{}: {}", p.display(), io_reason(&e));
    std::fs::create_dir_all(out).map_err(|e| shown(out, e))?;
    let dir = Dir::open(out).map_err(|e| shown(out, e))?;
    let into_plan = std::fs::canonicalize(out).ok() == std::fs::canonicalize(plan).ok();
    let _lock = match into_plan {
        true => Some(
            OutPath::resolve(plan)
                .and_then(|p| staging::lock(&p))
                .map_err(|e| e.to_string())?,
        ),
        false => None,
    };
    let files: Vec<(&str, &[u8])> = FILES
        .iter()
        .copied()
        .zip(bytes.iter().map(Vec::as_slice))
        .collect();
    replace_files(&dir, &files).map_err(|(name, e)| shown(&out.join(name), e))?;
    if into_plan {
        list_in_manifest(&dir, &files).map_err(|e| shown(&out.join("manifest.json"), e))?;
    }
    Ok(())
}

/// Lists the progress files, with their checksums, in the plan folder's manifest.
fn list_in_manifest(dir: &Dir, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    use std::io::Read;
    let mut text = Vec::new();
    dir.read_file(std::ffi::OsStr::new("manifest.json"))?
        .take(manifest::MAX_BYTES)
        .read_to_end(&mut text)?;
    let mut m = manifest::Manifest::from_bytes(&text).map_err(std::io::Error::other)?;
    m.files.retain(|f| !FILES.contains(&f.path.as_str()));
    m.files
        .extend(files.iter().map(|(name, bytes)| manifest::FileEntry {
            path: name.to_string(),
            sha256: manifest::sha256_hex(bytes),
            rep_id: None,
            email: None,
        }));
    replace_files(dir, &[("manifest.json", &m.to_bytes())]).map_err(|(_, e)| e)
}

/// The progress as JSON, or a summary line and the alerts, on stdout.
fn print_summary(args: &TrackArgs, book: &ProgressBook, out: &Path) {
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let mut v = progress::progress_json(book);
        v["out"] = out.display().to_string().into();
        v["files"] = FILES.to_vec().into();
        let _ = writeln!(stdout, "{v}");
        return;
    }
    if args.quiet {
        return;
    }
    let reps = book
        .reps
        .iter()
        .filter(|r| r.targets.iter().any(Option::is_some));
    let _ = writeln!(
        stdout,
        "progress {} as of {}: {} reps, {} metrics, {} alerts; {} written to {}",
        book.year,
        book.as_of,
        reps.count(),
        book.metrics.len(),
        book.tracked.alerts.len(),
        FILES.join(" and "),
        out.display()
    );
    for line in progress::alert_lines(book) {
        let _ = writeln!(stdout, "  {line}");
    }
}
