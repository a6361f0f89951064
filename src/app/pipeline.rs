//! read → validate → plan → render → write, one call each.

use crate::app::config::{Config, InputRef};
use crate::app::plan_file::HistoryColumn;
use crate::engine::calendar::WorkCalendar;
use crate::engine::diag::{nearest, thousands, Code, Origin, Problem, Severity};
use crate::engine::layout::{self, Periods};
use crate::engine::model::{History, Plan, PlanInput, Rep};
use crate::engine::plan::make_plan;
use crate::folder::manifest::{self, FileEntry, Hashing, InputSum, Manifest, PlanInfo};
use crate::input::columns::norm;
use crate::input::tables::{self, RepLookup, Source, ValueColumn};
use crate::render::letters;
use crate::render::period_books::{self, PeriodBook};
use crate::render::plan_book::{self, PlanBook};
use crate::render::plan_csv;
use crate::render::xlsx::books::Books;
use crate::store::staging::{Fill, Sink};
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
            problems.push(Problem::error(Code::Unreadable, None, e));
            Err(problems)
        }
        Err(_) => {
            problems.push(Problem::error(
                Code::Unreadable,
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
    let reps = tables::reps(
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
    let targets = tables::targets(
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
        let (hol, work) = tables::holidays(
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
    let mut history = Default::default();
    if let Some(h) = &config.history {
        let (p, d, s, o) = src(h, "history");
        let source = Source {
            path: &p,
            display: &d,
            sheet: s,
            options: &o,
        };
        history = read_history(
            &source,
            &reps,
            &targets,
            reps_read,
            config,
            &mut metrics,
            &mut problems,
        );
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

/// The history value columns to read (`amount` first, then the columns the
/// metrics name), and per metric the index of its column (`None`: no history).
/// A column is needed when the plan file names it, or when a metric with
/// targets (`targeted`) has rules that use the history.
fn value_columns(config: &Config, targeted: &[bool]) -> (Vec<ValueColumn>, Vec<Option<usize>>) {
    let mut cols = vec![ValueColumn {
        name: "amount".into(),
        needed_by: None,
    }];
    let mut index = Vec::new();
    for (i, (m, named)) in config
        .metrics
        .iter()
        .zip(&config.metric_columns)
        .enumerate()
    {
        let (name, explicit) = match named {
            Some(HistoryColumn::Off(_)) => {
                index.push(None);
                continue;
            }
            Some(HistoryColumn::Named(c)) => (c.trim().to_string(), true),
            None if i == 0 => ("amount".to_string(), false),
            None => (m.name.clone(), false),
        };
        let k = match cols.iter().position(|c| norm(&c.name) == norm(&name)) {
            Some(k) => k,
            None => {
                cols.push(ValueColumn {
                    name,
                    needed_by: None,
                });
                cols.len() - 1
            }
        };
        if (explicit || (targeted[i] && m.uses_history())) && cols[k].needed_by.is_none() {
            cols[k].needed_by = Some(m.name.clone());
        }
        index.push(Some(k));
    }
    (cols, index)
}

/// Reads the history and sets each metric's column; the fallbacks it makes
/// (a team-level history, a metric without history) are warnings.
fn read_history(
    src: &Source,
    reps: &[Rep],
    targets: &[crate::engine::model::Target],
    reps_read: bool,
    config: &Config,
    metrics: &mut [crate::engine::model::Metric],
    problems: &mut Vec<Problem>,
) -> crate::engine::model::History {
    let o = src.options;
    let by_name = o
        .rep_key
        .as_deref()
        .is_some_and(|k| k.trim().eq_ignore_ascii_case("name"));
    let by_team = o.by.as_deref().map(str::trim) == Some("team");
    let lookup = RepLookup {
        reps,
        by_name,
        by_team,
        need_rep: metrics.iter().any(|m| m.uses_history()),
    };
    let targeted: Vec<bool> = (0..metrics.len())
        .map(|i| targets.iter().any(|t| t.metric == i))
        .collect();
    let (columns, index) = value_columns(config, &targeted);
    let (hist, found) = tables::history(src, &lookup, &columns, problems);
    for (m, k) in metrics.iter_mut().zip(index) {
        m.history_column = k.filter(|&k| found.get(k).copied().flatten().is_some());
    }
    let at = Some(Origin::file(src.display));
    if hist.unknown_rows > 0 && reps_read {
        problems.push(unknown_reps(&hist, reps, by_name, src.display));
    }
    if hist.company.is_empty() {
        if !problems.iter().any(Problem::is_error) {
            let msg = match hist.filtered_rows {
                0 => "no history rows: seasonality by working days, shares by capability and equal shares".to_string(),
                n => format!("no history rows pass the plan file's filter and exclude rules ({} rows left out): seasonality by working days, shares by capability and equal shares", crate::engine::diag::thousands(n)),
            };
            let p = Problem::warning(Code::NoHistory, at, msg);
            problems.push(match hist.filtered_rows {
                0 => p,
                _ => p.with_hint("check the values of filter and exclude under [history] against the file's (trimmed, case-insensitive)"),
            });
        }
        return hist;
    }
    let shared: Vec<String> = metrics
        .iter()
        .filter(|m| m.rules.weights[0] > 0.0)
        .map(|m| format!("{} (weights.history = {})", m.name, m.rules.weights[0]))
        .collect();
    if by_team && !shared.is_empty() {
        problems.push(
            Problem::warning(Code::TeamHistory, at.clone(), format!("[history] by = \"team\": the history informs seasonality and growth only (no rep column is read), so the history share of every rep falls back to the equal share for {}", shared.join(", ")))
                .with_hint("set weights = { history = 0, … } under [rules] to plan without history shares, or give the history a rep column and drop by = \"team\""),
        );
    }
    for (m, named) in metrics.iter().zip(&config.metric_columns) {
        if matches!(named, Some(HistoryColumn::Off(_))) && m.uses_history() {
            problems.push(
                Problem::warning(Code::HistoryOff, at.clone(), format!("metric {}: history_column = false: planned without history, so its seasonality is by working days and its history share is the equal share", m.name))
                    .with_hint(format!("name its column with history_column = \"…\" under [metrics.{}], or say so with seasonality = \"workdays\" and weights = {{ history = 0, … }} under [metrics.{}.rules]", m.name, m.name)),
            );
        }
    }
    hist
}

/// Options of the rendered files.
pub struct RenderOptions {
    pub as_of: Option<String>,
    pub lang: String,
    /// In a re-plan: the SHA-256 of the previous plan's manifest.
    pub replans: Option<String>,
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
    Problem::warning(Code::UnknownRep, Some(Origin::file(file)), msg).with_hint(format!(
        "add these reps to {reps_file}, or correct them in the history"
    ))
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
    let layout = layout::lines(&planned.plan, &planned.input);
    let book = PlanBook {
        input: &planned.input,
        plan: &planned.plan,
        periods: &periods,
        lines: &layout.metrics,
        teams: &layout.teams,
        inputs: &planned.inputs,
        as_of: opts.as_of.as_deref(),
        replans: opts.replans.as_deref(),
        lang: &opts.lang,
        company: config.plan_file.output.company.as_deref(),
        currency: config.plan_file.output.currency.as_deref(),
        problems: &planned.problems,
    };
    let books = Books::new(&book);
    let (period_books, letters) = jobs(config, &books)?;
    // The workbooks, plan.csv, plan.xlsx and manifest.json.
    sink.expect(period_books.len() + letters.len() + 3);
    let plan_csv = || {
        let mut fill = |w: &mut dyn Write| plan_csv::plan_csv(&planned.input, &periods, &layout, w);
        put(sink, "plan.csv".into(), &mut fill, None)
    };
    // plan.xlsx (the largest workbook), then the period workbooks (every rep in
    // each) one after another: no two of them are ever in memory together,
    // while the quota letters keep the other threads busy.
    let plan_and_periods = || {
        let bytes = plan_book::plan_xlsx(&book).map_err(|e| format!("plan.xlsx: {e}"))?;
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
        let names = letters::rep_file_names(reps, books.planned());
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
            period_books::period_xlsx(books, *p),
            None,
        ),
        Job::Rep(r, name) => (
            format!("reps/{name}.xlsx"),
            letters::rep_xlsx(books, *r),
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
