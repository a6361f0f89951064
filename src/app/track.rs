//! `plan track`: actuals against a plan folder → progress.xlsx, progress.csv
//! and, with `--json`, the progress on stdout.

use crate::app::config::{input_ref, InputRef};
use crate::app::error::Error;
use crate::app::plan_file::{self, LoadError, PlanFile};
use crate::app::report::Report;
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
use std::path::{Path, PathBuf};

/// The files `plan track` writes.
const FILES: [&str; 2] = ["progress.xlsx", "progress.csv"];

/// `plan track`'s options, as the command line gives them.
#[derive(Debug, Clone, Default)]
pub struct TrackOptions {
    pub plan: PathBuf,
    pub actuals: String,
    pub as_of: Option<String>,
    pub out: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub holidays: Option<String>,
    pub lang: Option<String>,
}

/// What `plan track` wrote, for its closing lines or `--json`.
pub struct TrackSummary {
    /// The progress as `--json` prints it.
    pub json: serde_json::Value,
    /// The closing line and the alerts under it.
    pub lines: Vec<String>,
}

/// Runs `plan track`: reads the plan folder and the actuals, writes
/// progress.xlsx and progress.csv.
pub fn run(args: &TrackOptions, report: &dyn Report) -> Result<TrackSummary, Error> {
    let as_of = match &args.as_of {
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            Error::Usage(format!(
                "--as-of expects a date such as 2027-03-15, found {s:?}"
            ))
        })?,
        None => today()?,
    };
    let (config, base) = plan_file(args.config.as_deref())?;
    let mut problems = Vec::new();
    let plan = actuals::plan_folder(&args.plan, &args.plan.display().to_string())
        .map_err(|p| Error::nothing_written(vec![p]))?;
    let calendar = calendar(args, &config, &base, &plan, &mut problems);
    if config.history.rep_key.as_deref().map(str::trim) == Some("name") {
        problems.push(Problem::error(Code::PlanFileValue,
            args.config.as_ref().map(|c| Origin::file(c.display().to_string())),
            "plan track matches the actuals to the plan's reps by rep_id: [history] rep_key = \"name\" is not supported",
        ));
    }
    let actuals = read_actuals(args, &config, &plan, as_of, &mut problems);
    if problems.iter().any(Problem::is_error) {
        return Err(Error::nothing_written(problems));
    }
    let keep: Vec<usize> = (0..plan.metrics.len())
        .filter(|&k| actuals.tracked[k])
        .collect();
    let input = track_input(&plan, actuals, &keep, calendar, as_of);
    let metrics: Vec<_> = keep.iter().map(|&k| plan.metrics[k].clone()).collect();
    let tracked = progress_of(args, &input, &metrics)?;
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
    let bytes = render(&book)?;
    let out = args.out.clone().unwrap_or_else(|| args.plan.clone());
    crate::app::report::sort(&mut problems);
    report.problems(&problems);
    write_files(&out, &args.plan, &bytes)
        .map_err(|e| Error::Output(format!("{e}; no progress file was replaced")))?;
    Ok(summary(&book, &out))
}

/// The actuals of `--actuals`, summed by rep and month for the plan's metrics
/// (a metric's column as its `history_column` names it).
fn read_actuals(
    args: &TrackOptions,
    config: &PlanFile,
    plan: &PlanFolder,
    as_of: NaiveDate,
    problems: &mut Vec<Problem>,
) -> actuals::Actuals {
    let InputRef {
        path,
        display,
        sheet,
    } = input_ref(&args.actuals, Path::new(""));
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
    actuals::actuals(
        &Source {
            path: &path,
            display: &display,
            sheet,
            options: &config.history,
        },
        plan,
        &named,
        as_of,
        problems,
    )
}

/// What the engine tracks: the plan's reps and the actuals, in the metrics kept.
fn track_input(
    plan: &PlanFolder,
    actuals: actuals::Actuals,
    keep: &[usize],
    calendar: WorkCalendar,
    as_of: NaiveDate,
) -> TrackInput {
    TrackInput {
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
    }
}

/// The progress of every rep, team and the company; an error when a figure
/// cannot be written exactly.
fn progress_of(
    args: &TrackOptions,
    input: &TrackInput,
    metrics: &[actuals::PlanMetric],
) -> Result<track::Tracked, Error> {
    let tracked = track::track(input).map_err(|o| {
        let scope = if o.scope.is_empty() { "the company".to_string() } else { o.scope };
        Error::input(format!(
            "{}: the progress of {scope} for {} cannot be represented exactly (the actuals are too large for the targets); no progress file was written",
            args.actuals,
            metrics[o.metric].name
        ))
    })?;
    if let Some(p) = tracked.rows.iter().find(|p| !fits(p, &metrics[p.metric])) {
        let scope = match p.level {
            track::Level::Rep(r) => format!("rep {}", input.reps[r].id),
            track::Level::Team => format!("team {}", p.team),
            track::Level::Company => "the company".into(),
        };
        return Err(Error::input(format!(
            "{}: the progress of {scope} for {} has a figure beyond 15 significant digits (the largest a plan holds exactly); no progress file was written",
            args.actuals, metrics[p.metric].name
        )));
    }
    Ok(tracked)
}

/// progress.xlsx and progress.csv. A workbook that cannot be made is an
/// output not written (exit 4), as in `plan split`.
fn render(book: &ProgressBook) -> Result<[Vec<u8>; 2], Error> {
    let xlsx =
        progress::progress_xlsx(book).map_err(|e| Error::Output(format!("progress.xlsx: {e}")))?;
    let csv =
        progress::progress_csv(book).map_err(|e| Error::Output(format!("progress.csv: {e}")))?;
    Ok([xlsx, csv])
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
fn today() -> Result<NaiveDate, Error> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| chrono::DateTime::from_timestamp(d.as_secs() as i64, 0))
        .map(|t| t.date_naive())
        .ok_or_else(|| Error::Usage("the system clock is before 1970; give --as-of".into()))
}

/// The `--config` plan file (default options without one) and its folder.
fn plan_file(path: Option<&Path>) -> Result<(PlanFile, PathBuf), Error> {
    let Some(path) = path else {
        return Ok((PlanFile::default(), PathBuf::new()));
    };
    match plan_file::load(path) {
        Ok(loaded) => Ok((loaded.file, loaded.base)),
        Err(LoadError::Unreadable(p)) => Err(Error::problems(vec![p])),
        Err(LoadError::Invalid(p)) => Err(Error::nothing_written(vec![p])),
    }
}

/// The working days: Monday–Friday less the holidays of `--holidays`, else
/// of the plan file's `[inputs]`; a warning when they are not those the plan
/// was made with, as far as the manifest tells.
fn calendar(
    args: &TrackOptions,
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
    let Some(InputRef {
        path,
        display,
        sheet,
    }) = named
    else {
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
    let shown = |p: &Path, e: std::io::Error| format!("{}: {}", p.display(), crate::os::reason(&e));
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

/// The progress as JSON, and the summary line with the alerts under it.
fn summary(book: &ProgressBook, out: &Path) -> TrackSummary {
    let mut json = progress::progress_json(book);
    json["out"] = out.display().to_string().into();
    json["files"] = FILES.to_vec().into();
    let reps = book
        .reps
        .iter()
        .filter(|r| r.targets.iter().any(Option::is_some));
    let mut lines = vec![format!(
        "progress {} as of {}: {} reps, {} metrics, {} alerts; {} written to {}",
        book.year,
        book.as_of,
        reps.count(),
        book.metrics.len(),
        book.tracked.alerts.len(),
        FILES.join(" and "),
        out.display()
    )];
    lines.extend(
        progress::alert_lines(book)
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    TrackSummary { json, lines }
}
