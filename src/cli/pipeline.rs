//! read → validate → plan → render → write, one call each.

use super::config::{Config, InputRef};
use crate::engine::calendar::WorkCalendar;
use crate::engine::diag::{nearest, thousands, Origin, Problem, Severity};
use crate::engine::layout::{self, Periods};
use crate::engine::model::{History, Plan, PlanInput, Rep};
use crate::engine::plan::make_plan;
use crate::io::load::{self, RepLookup, Source};
use crate::io::manifest::{self, FileEntry, Hashing, InputSum, Manifest, PlanInfo};
use crate::io::persist::{Fill, Sink};
use crate::io::write_books::{self, Books, PeriodBook};
use crate::io::write_csv;
use crate::io::write_xlsx::{self, PlanBook};
use rayon::prelude::*;
use std::io::Write;

/// What reading and planning gave.
pub struct Planned {
    pub input: PlanInput,
    pub plan: Plan,
    /// The input files as named, with their SHA-256.
    pub inputs: Vec<InputSum>,
    /// Warnings and notes of reading and planning.
    pub problems: Vec<Problem>,
}

/// Reads every input and makes the plan; all problems found, or the plan.
/// The inputs' checksums are taken on another thread while the plan is made
/// (reading keeps two threads busy; planning, one).
pub fn plan(config: &Config) -> Result<Planned, Vec<Problem>> {
    let (input, mut problems) = read(config)?;
    let (sums, made) = std::thread::scope(|s| {
        let sums = s.spawn(|| input_sums(config));
        let made = make_plan(&input);
        (sums.join(), made)
    });
    let plan = match made {
        Ok(mut plan) => {
            problems.append(&mut plan.problems);
            plan
        }
        Err(mut errs) => {
            problems.append(&mut errs);
            return Err(problems);
        }
    };
    match sums {
        Ok(Ok(inputs)) => Ok(Planned {
            input,
            plan,
            inputs,
            problems,
        }),
        Ok(Err(e)) => {
            problems.push(Problem::error(None, e));
            Err(problems)
        }
        Err(_) => {
            problems.push(Problem::error(
                None,
                "the input checksums could not be taken",
            ));
            Err(problems)
        }
    }
}

/// Reads every input: the plan's input and the warnings, or every problem.
fn read(config: &Config) -> Result<(PlanInput, Vec<Problem>), Vec<Problem>> {
    let mut problems = Vec::new();
    let src = |r: &'_ InputRef, table: &str| {
        (
            r.path.clone(),
            r.display.clone(),
            r.sheet.clone(),
            config.options(table).clone(),
        )
    };
    let by_name = config.history.is_some()
        && config
            .options("history")
            .rep_key
            .as_deref()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case("name"));
    let (rp, rd, rs, ro) = src(&config.reps, "reps");
    let reps = load::reps(
        &Source {
            path: &rp,
            display: &rd,
            sheet: rs,
            options: &ro,
        },
        &config.levels,
        by_name,
        &mut problems,
    );
    // Reps that could not all be read make unknown reps in the history meaningless.
    let reps_read = !problems.iter().any(Problem::is_error);
    let names: Vec<String> = config.metrics.iter().map(|m| m.name.clone()).collect();
    let (tp, td, ts, to) = src(&config.targets, "targets");
    let targets = load::targets(
        &Source {
            path: &tp,
            display: &td,
            sheet: ts,
            options: &to,
        },
        &names,
        &mut problems,
    );
    let mut calendar = WorkCalendar::default();
    if let Some(h) = &config.holidays {
        let (p, d, s, o) = src(h, "holidays");
        let (hol, work) = load::holidays(
            &Source {
                path: &p,
                display: &d,
                sheet: s,
                options: &o,
            },
            &mut problems,
        );
        calendar = WorkCalendar::new(hol, work);
    }
    let mut metrics = config.metrics.clone();
    let mut value_columns = vec!["amount".to_string()];
    for (m, named) in metrics.iter().zip(&config.metric_columns).skip(1) {
        let c = named.clone().unwrap_or_else(|| m.name.clone());
        if !value_columns.contains(&c) {
            value_columns.push(c);
        }
    }
    let mut history = Default::default();
    if let Some(h) = &config.history {
        let (p, d, s, o) = src(h, "history");
        let (hist, cols) = load::history(
            &Source {
                path: &p,
                display: &d,
                sheet: s,
                options: &o,
            },
            &RepLookup {
                reps: &reps,
                by_name,
            },
            &value_columns,
            &mut problems,
        );
        for (i, m) in metrics.iter_mut().enumerate() {
            let c = if i == 0 {
                "amount".to_string()
            } else {
                config.metric_columns[i]
                    .clone()
                    .unwrap_or_else(|| m.name.clone())
            };
            let idx = value_columns.iter().position(|x| *x == c).unwrap_or(0);
            m.history_column = if cols.get(idx).copied().flatten().is_some() {
                idx
            } else {
                0
            };
            if idx != 0 && cols.get(idx).copied().flatten().is_none() {
                if let Some(named) = &config.metric_columns[i] {
                    problems.push(Problem::error(Some(Origin::file(&d)), format!("metric {} names the history column {named:?}, which the history does not have", m.name)));
                }
            }
        }
        if hist.unknown_rows > 0 && reps_read {
            problems.push(unknown_reps(&hist, &reps, by_name, &d));
        }
        if !hist.has_rep_column && !hist.company.is_empty() {
            problems.push(Problem::note(Some(Origin::file(&d)), "the history has no rep column: it informs seasonality and growth only, and history shares fall back to equal shares"));
        }
        if hist.company.is_empty() && !problems.iter().any(Problem::is_error) {
            problems.push(Problem::warning(Some(Origin::file(&d)), "no history rows: seasonality by working days, shares by capability and equal shares"));
        }
        history = hist;
    }
    if problems.iter().any(Problem::is_error) {
        return Err(problems);
    }
    let input = PlanInput {
        year: config.year,
        fiscal: config.fiscal,
        metrics,
        reps,
        targets,
        history,
        calendar,
        frozen: config.frozen.clone(),
    };
    Ok((input, problems))
}

/// The warning for history rows whose rep is not in the reps table: how
/// many rows and how much, and the first ids with their first row, row count
/// and nearest known id (or name, with `rep_key = "name"`).
fn unknown_reps(hist: &History, reps: &[Rep], by_name: bool, file: &str) -> Problem {
    let known = || {
        reps.iter().map(|r| {
            if by_name {
                r.name.as_str()
            } else {
                r.id.as_str()
            }
        })
    };
    let mut ids: Vec<String> = hist
        .unknown_ids
        .iter()
        .map(|u| {
            let rows = if u.rows == 1 {
                "1 row".to_string()
            } else {
                format!("{} rows", thousands(u.rows))
            };
            match (u.id.as_str(), nearest(&u.id, known())) {
                ("", _) => format!("an empty rep (row {}, {rows})", u.first_row),
                (id, Some(near)) => format!(
                    "{id:?} (row {}, {rows}; did you mean {near:?}?)",
                    u.first_row
                ),
                (id, None) => format!("{id:?} (row {}, {rows})", u.first_row),
            }
        })
        .collect();
    let listed: u64 = hist.unknown_ids.iter().map(|u| u.rows).sum();
    if hist.unknown_rows > listed {
        ids.push(format!(
            "{} rows of other reps",
            thousands(hist.unknown_rows - listed)
        ));
    }
    let msg = format!(
        "{} history rows (amount {}) name a rep that is not in the reps table: {}; they count toward their team's and the company's seasonality only",
        thousands(hist.unknown_rows),
        hist.unknown_amount,
        ids.join(", ")
    );
    let reps_file = reps
        .first()
        .map_or("the reps table", |r| r.origin.file.as_str());
    Problem::warning(Some(Origin::file(file)), msg).with_hint(format!(
        "add these reps to {reps_file}, or correct them in the history"
    ))
}

/// Options of the rendered files.
pub struct RenderOptions {
    pub as_of: Option<String>,
    pub lang: String,
    /// In a re-plan: the SHA-256 of the previous plan's manifest.
    pub replans: Option<String>,
}

/// Renders every output file into `sink` as soon as it is made, manifest
/// last; returns the manifest (which lists every other file).
pub fn render(
    config: &Config,
    planned: &Planned,
    opts: &RenderOptions,
    sink: &dyn Sink,
) -> Result<Manifest, String> {
    let periods = Periods::of(&planned.plan.calendar);
    let lines = layout::lines(&planned.plan, &planned.input);
    let book = PlanBook {
        input: &planned.input,
        plan: &planned.plan,
        periods: &periods,
        lines: &lines,
        inputs: &planned.inputs,
        as_of: opts.as_of.as_deref(),
        replans: opts.replans.as_deref(),
        lang: &opts.lang,
        company: config.plan_file.output.company.as_deref(),
        currency: config.plan_file.output.currency.as_deref(),
    };
    let books = Books::new(&book);
    let (period_books, letters) = jobs(config, &books)?;
    // The workbooks, plan.csv, plan.xlsx and manifest.json.
    sink.expect(period_books.len() + letters.len() + 3);
    let plan_csv = || {
        let mut fill = |w: &mut dyn Write| write_csv::plan_csv(&planned.input, &periods, &lines, w);
        put(sink, "plan.csv".into(), &mut fill, None)
    };
    // plan.xlsx (the largest workbook), then the period workbooks (every rep in
    // each) one after another: no two of them are ever in memory together,
    // while the quota letters keep the other threads busy.
    let plan_and_periods = || {
        let bytes = write_xlsx::plan_xlsx(&book).map_err(|e| format!("plan.xlsx: {e}"))?;
        let mut entries = vec![put(
            sink,
            "plan.xlsx".into(),
            &mut |w| w.write_all(&bytes),
            None,
        )?];
        drop(bytes);
        let rendered: Result<Vec<_>, _> = period_books
            .iter()
            .map(|job| workbook(&books, job, sink))
            .collect();
        entries.extend(rendered?);
        Ok::<_, String>(entries)
    };
    let quota_letters = || {
        letters
            .par_iter()
            .map(|job| workbook(&books, job, sink))
            .collect::<Result<Vec<_>, _>>()
    };
    let (csv_entry, (book_entries, letter_entries)) =
        in_render_pool(|| rayon::join(plan_csv, || rayon::join(plan_and_periods, quota_letters)));
    let mut entries = vec![csv_entry?];
    entries.extend(book_entries?);
    entries.extend(letter_entries?);
    let m = Manifest {
        plan: PlanInfo {
            year: planned.plan.year,
            as_of: opts.as_of.clone(),
            tool: tool_version(),
            replans: opts.replans.clone(),
            inputs: planned.inputs.clone(),
        },
        files: entries,
    };
    sink.put("manifest.json", &m.to_bytes())
        .map_err(|e| e.to_string())?;
    Ok(m)
}

/// The threads that render: twice the cores (or `RAYON_NUM_THREADS`), because
/// saving a workbook waits while rust_xlsxwriter assembles its sheets on
/// threads of its own, and the other workers keep every core busy meanwhile.
/// Without such a pool (no threads to be had), on rayon's global one.
fn in_render_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| 2 * std::thread::available_parallelism().map_or(1, |n| n.get()));
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// Stores one file, written by `fill`, and returns its manifest entry.
fn put(
    sink: &dyn Sink,
    path: String,
    fill: &mut Fill,
    rep: Option<&Rep>,
) -> Result<FileEntry, String> {
    let mut sha256 = String::new();
    sink.put_with(&path, &mut |w| {
        let mut hashing = Hashing::new(w);
        fill(&mut hashing)?;
        sha256 = hashing.hex();
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(FileEntry {
        sha256,
        rep_id: rep.map(|r| r.id.clone()),
        email: rep.map(|r| r.email.clone()).filter(|e| !e.is_empty()),
        path,
    })
}

/// A workbook to render: a period's, or a rep's under its file name.
enum Job {
    Period(PeriodBook),
    Rep(usize, String),
}

/// The period workbooks and the rep workbooks, as the plan file's `[output]` asks.
fn jobs(config: &Config, books: &Books) -> Result<(Vec<Job>, Vec<Job>), String> {
    let output = &config.plan_file.output;
    let reps = &books.book().input.reps;
    let mut periods = Vec::new();
    let kinds = output
        .period_workbooks
        .clone()
        .unwrap_or_else(|| vec!["quarter".into(), "month".into()]);
    let mut seen: Vec<String> = Vec::new();
    for kind in kinds {
        let kind = kind.trim().to_lowercase();
        if seen.contains(&kind) {
            continue;
        }
        match kind.as_str() {
            "quarter" => periods.extend((0..4).map(|q| Job::Period(PeriodBook::Quarter(q)))),
            "month" => periods.extend((0..12).map(|m| Job::Period(PeriodBook::Month(m)))),
            other => {
                return Err(format!(
                    "plan file: [output] period_workbooks holds {other:?}; expected \"quarter\" or \"month\""
                ))
            }
        }
        seen.push(kind);
    }
    let mut letters = Vec::new();
    if output.rep_workbooks.unwrap_or(true) {
        let names = write_books::rep_file_names(reps, books.planned());
        letters.extend(
            books
                .planned()
                .iter()
                .zip(names)
                .map(|(&r, n)| Job::Rep(r, n)),
        );
    }
    Ok((periods, letters))
}

/// Renders one workbook into `sink` and returns its manifest entry.
fn workbook(books: &Books, job: &Job, sink: &dyn Sink) -> Result<FileEntry, String> {
    let book = books.book();
    let (path, bytes, rep) = match job {
        Job::Period(p) => (
            format!("periods/{}.xlsx", book.periods.labels[p.column()]),
            write_books::period_xlsx(books, *p),
            None,
        ),
        Job::Rep(r, name) => (
            format!("reps/{name}.xlsx"),
            write_books::rep_xlsx(books, *r),
            Some(&book.input.reps[*r]),
        ),
    };
    let bytes = bytes.map_err(|e| format!("{path}: {e}"))?;
    put(sink, path, &mut |w| w.write_all(&bytes), rep)
}

/// `plan 0.1.0`.
pub fn tool_version() -> String {
    format!("plan {}", env!("CARGO_PKG_VERSION"))
}

/// Checksums of the input files, as named.
fn input_sums(config: &Config) -> Result<Vec<InputSum>, String> {
    let mut out = Vec::new();
    let named = [
        ("targets", Some(&config.targets)),
        ("reps", Some(&config.reps)),
        ("history", config.history.as_ref()),
        ("holidays", config.holidays.as_ref()),
    ];
    for (table, r) in named {
        let Some(r) = r else { continue };
        let sha256 = manifest::sha256_file(&r.path).map_err(|e| format!("{}: {e}", r.display))?;
        // Outputs never hold absolute paths: an input named by one is recorded by its file name.
        let shown = match std::path::Path::new(&r.display) {
            p if p.is_absolute() => p
                .file_name()
                .map_or(r.display.clone(), |n| n.to_string_lossy().into_owned()),
            _ => r.display.clone(),
        };
        let file = match &r.sheet {
            Some(s) => format!("{shown}#{s}"),
            None => shown,
        };
        out.push(InputSum {
            table: table.into(),
            file,
            sha256,
        });
    }
    Ok(out)
}

/// Whether problems stop the run: any error, or any warning under `--strict`.
pub fn fails(problems: &[Problem], strict: bool) -> bool {
    problems
        .iter()
        .any(|p| p.severity == Severity::Error || (strict && p.severity == Severity::Warning))
}
