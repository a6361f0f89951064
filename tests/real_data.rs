//! Real, public sales files (`../shared/data/real/<dataset>/`, each described by
//! its PROVENANCE.md) through `plan split` with the plan files of
//! `tests/real/<dataset>/`. Each run must succeed, and a property of the result
//! is checked against figures this file computes on its own from the source
//! file (read here with calamine, csv and encoding_rs). A test whose shared file
//! is absent prints why and passes, so the repository also tests on its own.

mod support;

use assert_cmd::Command;
use calamine::{open_workbook_auto, Data, DataType, Range, Reader};
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared file, or `None` (the skip printed) when it is absent.
fn shared(dataset: &str, file: &str) -> Option<PathBuf> {
    let p = root().join("../shared/data/real").join(dataset).join(file);
    if p.is_file() {
        Some(p)
    } else {
        println!("skipped: {} absent", p.display());
        None
    }
}

/// A finished `plan split` run.
struct Run {
    _dir: tempfile::TempDir,
    out: PathBuf,
    stderr: String,
}

impl Run {
    fn file(&self, rel: &str) -> PathBuf {
        self.out.join(rel)
    }

    /// plan.csv: (team, rep_id, metric, period) → target in units of the last decimal shown.
    fn plan(&self) -> BTreeMap<(String, String, String, String), i64> {
        support::plan_csv(&self.file("plan.csv"))
            .into_iter()
            .map(|(k, v)| (k, v.replace('.', "").parse().unwrap()))
            .collect()
    }
}

/// `plan split tests/real/<dataset>/plan.toml --out <temp>` from the repository root, asserted to exit 0.
fn split(dataset: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::cargo_bin("plan")
        .unwrap()
        .current_dir(root())
        .arg("split")
        .arg(format!("tests/real/{dataset}/plan.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "plan split {dataset} failed:\n{stderr}"
    );
    Run {
        _dir: dir,
        out,
        stderr,
    }
}

/// A number's decimal text as an exact integer in units of 1e-18 (an f64 by its
/// shortest round-trip text, as a spreadsheet shows it).
fn atto(text: &str) -> i128 {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let frac: String = frac
        .chars()
        .chain(std::iter::repeat('0'))
        .take(18)
        .collect();
    let v = int.parse::<i128>().unwrap() * 10i128.pow(18) + frac.parse::<i128>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

fn atto_f64(v: f64) -> i128 {
    atto(&v.to_string())
}

fn as_f64(a: i128) -> f64 {
    a as f64 / 1e18
}

/// `sum × (100 + growth%) / 100` in units of 10^-places, half away from zero (SPEC §1.4
/// growth targets: rounded to the metric's unit).
fn grown(sum: i128, growth_pct: i128, places: u32) -> i64 {
    let num = sum * (100 + growth_pct);
    let den = 100 * 10i128.pow(18 - places);
    let q = (num.abs() + den / 2) / den;
    (if num < 0 { -q } else { q }) as i64
}

/// A money growth target in cents.
fn grown_cents(sum: i128, growth_pct: i128) -> i64 {
    grown(sum, growth_pct, 2)
}

/// Month index: year·12 + month − 1.
fn ym(y: i32, m: u32) -> i32 {
    y * 12 + m as i32 - 1
}

/// A spreadsheet date cell's month.
fn cell_ym(c: &Data) -> i32 {
    let date = match c {
        Data::DateTime(d) => serial_date(d.as_f64()),
        Data::Float(f) => serial_date(*f),
        Data::DateTimeIso(s) => NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").unwrap(),
        other => panic!("not a date: {other:?}"),
    };
    ym(date.year(), date.month())
}

/// A 1900-system serial date.
fn serial_date(serial: f64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .checked_add_days(chrono::Days::new(serial.floor() as u64))
        .unwrap()
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn cell_atto(c: &Data) -> i128 {
    match c {
        Data::Float(f) => atto_f64(*f),
        Data::Int(i) => *i as i128 * 10i128.pow(18),
        Data::Empty => 0,
        other => panic!("not a number: {other:?}"),
    }
}

/// A sheet of a source workbook with its header (row 1) as column indices by trimmed name.
fn source_sheet(path: &Path, sheet: &str) -> (Range<Data>, BTreeMap<String, usize>) {
    let range = open_workbook_auto(path)
        .unwrap()
        .worksheet_range(sheet)
        .unwrap();
    let header = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, c)| (cell_text(c), i))
        .collect();
    (range, header)
}

/// Monthly sums (and row counts) of one key, in units of 1e-18.
#[derive(Default, Debug)]
struct Monthly {
    sums: BTreeMap<i32, i128>,
    rows: BTreeMap<i32, u64>,
}

impl Monthly {
    fn add(&mut self, month: i32, amount: i128) {
        *self.sums.entry(month).or_default() += amount;
        *self.rows.entry(month).or_default() += 1;
    }

    /// Σ over months `from..=to`.
    fn sum(&self, from: i32, to: i32) -> i128 {
        self.sums.range(from..=to).map(|(_, v)| v).sum()
    }

    fn count(&self, from: i32, to: i32) -> u64 {
        self.rows.range(from..=to).map(|(_, v)| v).sum()
    }

    /// The starting months of the last `n` fiscal years before the one starting at `plan`
    /// that count (SPEC §2 rule 1: a row in each month and a positive total), oldest first.
    fn counted(&self, plan: i32, n: usize) -> Vec<i32> {
        let first = *self.rows.keys().next().unwrap();
        let mut out = Vec::new();
        let mut f0 = plan - 12;
        while f0 + 11 >= first && out.len() < n {
            if (f0..f0 + 12).all(|m| self.rows.contains_key(&m)) && self.sum(f0, f0 + 11) > 0 {
                out.insert(0, f0);
            }
            f0 -= 12;
        }
        out
    }

    /// SPEC §2 rule 1, from scratch: the mean month shares of the fiscal years starting at the
    /// given months (each a complete year here), in fiscal order.
    fn season(&self, year_starts: &[i32]) -> [f64; 12] {
        let mut s = [0.0; 12];
        for &f0 in year_starts {
            let total = as_f64(self.sum(f0, f0 + 11));
            for (m, x) in s.iter_mut().enumerate() {
                assert!(self.rows.contains_key(&(f0 + m as i32)), "month missing");
                *x += as_f64(self.sums[&(f0 + m as i32)]) / total;
            }
        }
        s.map(|x| x / year_starts.len() as f64)
    }
}

/// A sheet of the output `plan.xlsx`.
fn out_sheet(run: &Run, name: &str) -> Range<Data> {
    open_workbook_auto(run.file("plan.xlsx"))
        .unwrap()
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

/// The Seasonality sheet: (metric, group) → (source, the 12 indexes in fiscal order).
fn seasonality(run: &Run, sheet: &str) -> BTreeMap<(String, String), (String, [f64; 12])> {
    out_sheet(run, sheet)
        .rows()
        .skip(1)
        .filter(|r| !cell_text(&r[0]).is_empty())
        .map(|r| {
            let s = std::array::from_fn(|m| r[3 + m].as_f64().unwrap());
            ((cell_text(&r[0]), cell_text(&r[1])), (cell_text(&r[2]), s))
        })
        .collect()
}

fn assert_season(what: &str, got: &[f64; 12], want: &[f64; 12]) {
    for m in 0..12 {
        assert!(
            (got[m] - want[m]).abs() < 1e-9,
            "{what}: month {} of the fiscal year: plan {} vs computed {}\nplan {got:?}\ncomputed {want:?}",
            m + 1,
            got[m],
            want[m]
        );
    }
}

/// One row of the Weights sheet.
#[derive(Debug)]
struct WeightRow {
    team: String,
    name: String,
    net: f64,
    rows: u64,
    capacity: f64,
    own_run_rate: Option<f64>,
}

/// The words of the Weights sheet in one language: its name, then the headers of
/// net sales in the window, rows in the window, capacity and own run-rate.
type WeightLabels = [&'static str; 5];
const EN: WeightLabels = [
    "Weights",
    "Net sales in window",
    "Window rows",
    "Capacity",
    "Own run-rate",
];
const ZH: WeightLabels = ["权重", "窗口内净销售", "窗口内记录数", "产能", "本人月均"];

/// The Weights sheet: (metric, rep_id) → its row; columns found by their header.
fn weights(run: &Run, labels: WeightLabels) -> BTreeMap<(String, String), WeightRow> {
    let range = out_sheet(run, labels[0]);
    let header: Vec<String> = range.rows().nth(1).unwrap().iter().map(cell_text).collect();
    let col = |label: &str| {
        header
            .iter()
            .position(|h| h == label)
            .unwrap_or_else(|| panic!("no column {label:?} in {header:?}"))
    };
    let [c_net, c_rows, c_capacity, c_own] = [1, 2, 3, 4].map(|i| col(labels[i]));
    range
        .rows()
        .skip(2)
        .filter(|r| !cell_text(&r[0]).is_empty())
        .map(|r| {
            (
                (cell_text(&r[0]), cell_text(&r[2])),
                WeightRow {
                    team: cell_text(&r[1]),
                    name: cell_text(&r[3]),
                    net: r[c_net].as_f64().unwrap(),
                    rows: r[c_rows].as_f64().unwrap() as u64,
                    capacity: r[c_capacity].as_f64().unwrap(),
                    own_run_rate: r[c_own].as_f64(),
                },
            )
        })
        .collect()
}

fn assert_net(what: &str, row: &WeightRow, sum: i128, count: u64) {
    let want = as_f64(sum);
    assert!(
        (row.net - want).abs() < 1e-6,
        "{what}: net sales in window: plan {} vs computed {want}",
        row.net
    );
    assert_eq!(row.rows, count, "{what}: rows in window");
}

fn key(a: &str, b: &str, c: &str, d: &str) -> (String, String, String, String) {
    (a.into(), b.into(), c.into(), d.into())
}

/// CSV records of a file decoded with `encoding` (BOM stripped), with the header's indices by name.
fn csv_records(
    path: &Path,
    encoding: &'static encoding_rs::Encoding,
) -> (Vec<csv::StringRecord>, BTreeMap<String, usize>) {
    let bytes = std::fs::read(path).unwrap();
    let (text, _, had_errors) = encoding.decode(&bytes);
    assert!(!had_errors, "{} is not {}", path.display(), encoding.name());
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect();
    (rdr.records().map(Result::unwrap).collect(), header)
}

// ---------------------------------------------------------------------------

/// Superstore US (.xls): the People sheet is the reps table (region → person), returned
/// orders are excluded by Order ID. FY from April: FY2015 = Apr 2015 – Mar 2016; the
/// history runs Jan 2011 – Dec 2014.
#[test]
fn superstore_us_xls() {
    let Some(xls) = shared("superstore-us", "Sample - Superstore.xls") else {
        return;
    };
    let run = split("superstore-us");
    let (returns, hr) = source_sheet(&xls, "Returns");
    let returned: BTreeSet<String> = returns
        .rows()
        .skip(1)
        .map(|r| cell_text(&r[hr["Order ID"]]))
        .collect();
    assert_eq!(returned.len(), 296);
    let (orders, h) = source_sheet(&xls, "Orders");
    let (c_id, c_date, c_region, c_sales) =
        (h["Order ID"], h["Order Date"], h["Region"], h["Sales"]);
    let mut company = Monthly::default();
    let mut by_region: BTreeMap<String, Monthly> = BTreeMap::new();
    let mut dropped = 0;
    for r in orders.rows().skip(1) {
        if returned.contains(&cell_text(&r[c_id])) {
            dropped += 1;
            continue;
        }
        let (m, amount) = (cell_ym(&r[c_date]), cell_atto(&r[c_sales]));
        company.add(m, amount);
        by_region
            .entry(cell_text(&r[c_region]))
            .or_default()
            .add(m, amount);
    }
    assert_eq!(company.count(0, i32::MAX) + dropped, 9994);
    assert!(dropped > 296, "every line of a returned order: {dropped}");

    // Seasonality: the fiscal years Apr 2011 – Mar 2014 (FY2014 lacks Jan – Mar 2015), April first.
    let season = seasonality(&run, "Seasonality");
    let (source, s) = &season[&("revenue".into(), "Company".into())];
    assert_eq!(source, "company history 2011, 2012, 2013");
    let want = company.season(&[ym(2011, 4), ym(2012, 4), ym(2013, 4)]);
    assert_season("company", s, &want);

    // Each region's net sales in the window (Jan – Dec 2014, the 12 months that end with
    // the last recorded month before the plan year) and its rows, returns left out.
    let w = weights(&run, EN);
    assert_eq!(w.len(), 4);
    let (from, to) = (ym(2014, 1), ym(2014, 12));
    for (region, monthly) in &by_region {
        let row = &w[&("revenue".into(), region.clone())];
        assert_net(region, row, monthly.sum(from, to), monthly.count(from, to));
    }
    // The People sheet names each region's rep.
    let (people, hp) = source_sheet(&xls, "People");
    for r in people.rows().skip(1) {
        let region = cell_text(&r[hp["Region"]]);
        assert_eq!(
            w[&("revenue".into(), region)].name,
            cell_text(&r[hp["Person"]])
        );
    }

    // The company total is the target, to the cent, and every region has a plan.
    let plan = run.plan();
    assert_eq!(plan[&key("", "", "revenue", "2015")], 85_000_000);
    for region in by_region.keys() {
        assert!(plan[&key("", region, "revenue", "2015-04")] > 0, "{region}");
    }
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// SPEC §2 rule 3: capacity = Σ over the window's months of a·12·s_m. Here the window is
/// Jan – Dec 2014 (the history ends three months before FY2015 starts in April 2015),
/// every region is available throughout and the twelve s_m sum to 1, so each capacity is 12.
#[test]
fn superstore_us_capacity_covers_the_window() {
    if shared("superstore-us", "Sample - Superstore.xls").is_none() {
        return;
    }
    let run = split("superstore-us");
    for (key, row) in weights(&run, EN) {
        assert!(
            (row.capacity - 12.0).abs() < 1e-9,
            "{key:?}: {}",
            row.capacity
        );
    }
}

/// Superstore China (.xls, 2014–2017): no rep column, each 地区 is a team whose manager
/// (销售人员 sheet) is its rep; growth targets per region for 2018.
#[test]
fn superstore_cn_xls() {
    let Some(xls) = shared("superstore-cn", "示例 - 超市.xls") else {
        return;
    };
    let run = split("superstore-cn-xls");
    let (orders, h) = source_sheet(&xls, "订单");
    let (c_date, c_region, c_sales) = (h["订单日期"], h["地区"], h["销售额"]);
    let mut by_region: BTreeMap<String, Monthly> = BTreeMap::new();
    for r in orders.rows().skip(1) {
        by_region
            .entry(cell_text(&r[c_region]))
            .or_default()
            .add(cell_ym(&r[c_date]), cell_atto(&r[c_sales]));
    }
    assert_eq!(by_region.len(), 6);

    // Each region's own seasonality: its last three complete calendar years, 2015–2017,
    // except 西北, which has no order in one month of 2015 and so uses 2014, 2016, 2017.
    let season = seasonality(&run, "季节性");
    for (region, monthly) in &by_region {
        let (source, s) = &season[&("revenue".into(), region.clone())];
        let years = monthly.counted(ym(2018, 1), 3);
        let names: Vec<String> = years.iter().map(|m| (m / 12).to_string()).collect();
        assert_eq!(
            source,
            &format!("own history {}", names.join(", ")),
            "{region}"
        );
        let first = if region == "西北" { 2014 } else { 2015 };
        assert_eq!(years[0], ym(first, 1), "{region}");
        assert_season(region, s, &monthly.season(&years));
    }

    // Growth targets: the region's 2017 sales × (1 + growth), rounded to the cent.
    let plan = run.plan();
    let growth: BTreeMap<&str, i128> = [
        ("东北", 20),
        ("中南", 20),
        ("华东", 25),
        ("华北", 20),
        ("西北", 15),
        ("西南", 15),
    ]
    .into();
    let mut total = 0;
    for (region, monthly) in &by_region {
        let want = grown_cents(
            monthly.sum(ym(2017, 1), ym(2017, 12)),
            growth[region.as_str()],
        );
        assert_eq!(
            plan[&key(region, "", "revenue", "2018")],
            want,
            "{region}: 2018 = 2017 × growth"
        );
        total += want;
    }
    assert_eq!(plan[&key("", "", "revenue", "2018")], total);
    // The region's manager is its only rep and holds the whole team target.
    assert_eq!(
        plan[&key("华东", "洪光", "revenue", "2018")],
        plan[&key("华东", "", "revenue", "2018")]
    );
    assert!(
        run.stderr.contains("no rep column"),
        "the run says the history has no rep column: {}",
        run.stderr
    );
}

/// Superstore China, Strict Open XML .xlsx (2015–2018, ISO date cells, 41 formatted empty
/// rows after the data): each 地区 is a rep, one company target for 2019.
#[test]
fn superstore_cn_strict_xlsx() {
    let Some(xlsx) = shared("superstore-cn", "示例 - 超市.xlsx") else {
        return;
    };
    let run = split("superstore-cn-xlsx");
    let (orders, h) = source_sheet(&xlsx, "订单");
    let (c_date, c_region, c_sales) = (h["订单日期"], h["地区"], h["销售额"]);
    let mut company = Monthly::default();
    let mut by_region: BTreeMap<String, Monthly> = BTreeMap::new();
    for r in orders.rows().skip(1) {
        if matches!(r[c_date], Data::Empty) {
            continue; // the formatted empty rows after the data
        }
        let (m, amount) = (cell_ym(&r[c_date]), cell_atto(&r[c_sales]));
        company.add(m, amount);
        by_region
            .entry(cell_text(&r[c_region]))
            .or_default()
            .add(m, amount);
    }
    assert_eq!(company.count(0, i32::MAX), 9959);

    // Company seasonality over 2016–2018.
    let season = seasonality(&run, "季节性");
    let (_, s) = &season[&("revenue".into(), "公司".into())];
    let want = company.season(&[ym(2016, 1), ym(2017, 1), ym(2018, 1)]);
    assert_season("company", s, &want);

    // Each region's 2018 sales and rows are its net sales and rows in the window.
    let w = weights(&run, ZH);
    assert_eq!(w.len(), 6);
    let (from, to) = (ym(2018, 1), ym(2018, 12));
    for (region, monthly) in &by_region {
        let row = &w[&("revenue".into(), region.clone())];
        assert_net(region, row, monthly.sum(from, to), monthly.count(from, to));
        assert!(
            (row.capacity - 12.0).abs() < 1e-9,
            "{region}: {}",
            row.capacity
        );
    }
    let in_window: u64 = w.values().map(|r| r.rows).sum();
    assert_eq!(in_window, company.count(from, to));

    let plan = run.plan();
    assert_eq!(plan[&key("", "", "revenue", "2019")], 650_000_000);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// Kaggle sample sales (.csv, DOS bytes, M/D/YYYY text dates, TERRITORY "NA", cancelled and
/// disputed orders excluded). FY June – May named by its end: FY2006 = Jun 2005 – May 2006.
#[test]
fn sales_data_sample_csv() {
    let Some(csv_path) = shared("sales-data-sample", "sales_data_sample.csv") else {
        return;
    };
    let run = split("sales-data-sample");
    let (records, h) = csv_records(&csv_path, encoding_rs::WINDOWS_1252);
    assert_eq!(records.len(), 2823);
    let mut by_territory: BTreeMap<String, Monthly> = BTreeMap::new();
    let mut dropped = 0;
    for r in &records {
        if ["Cancelled", "Disputed"].contains(&&r[h["STATUS"]]) {
            dropped += 1;
            continue;
        }
        let date = r[h["ORDERDATE"]].split(' ').next().unwrap();
        let d = NaiveDate::parse_from_str(date, "%m/%d/%Y").unwrap();
        by_territory
            .entry(r[h["TERRITORY"]].to_string())
            .or_default()
            .add(ym(d.year(), d.month()), atto(&r[h["SALES"]]));
    }
    assert_eq!(dropped, 74);
    assert!(by_territory.contains_key("NA"));

    assert!(
        run.stderr.contains("dates read as month/day/year"),
        "the deduced date order is reported: {}",
        run.stderr
    );

    // The window is FY2005 (Jun 2004 – May 2005); "NA" is a rep like any other.
    let w = weights(&run, EN);
    let (from, to) = (ym(2004, 6), ym(2005, 5));
    for (territory, monthly) in &by_territory {
        let row = &w[&("revenue".into(), territory.clone())];
        assert_net(
            territory,
            row,
            monthly.sum(from, to),
            monthly.count(from, to),
        );
    }
    assert_eq!(w[&("revenue".into(), "NA".into())].team, "Americas");

    // Growth targets: FY2005 sales of the team's territories × (1 + growth).
    let plan = run.plan();
    let fy2005 = |t: &str| by_territory[t].sum(from, to);
    let americas = grown_cents(fy2005("NA"), 8);
    let international = grown_cents(fy2005("EMEA") + fy2005("APAC") + fy2005("Japan"), 12);
    assert_eq!(plan[&key("Americas", "", "revenue", "2006")], americas);
    assert_eq!(
        plan[&key("Americas", "NA", "revenue", "2006")],
        americas,
        "NA is the Americas' only rep"
    );
    assert_eq!(
        plan[&key("International", "", "revenue", "2006")],
        international
    );

    // The Americas' seasonality: NA's shares in FY2004 and FY2005, June first.
    let season = seasonality(&run, "Seasonality");
    let (_, s) = &season[&("revenue".into(), "Americas".into())];
    let want = by_territory["NA"].season(&[ym(2003, 6), ym(2004, 6)]);
    assert_season("Americas", s, &want);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// Maven CRM pipeline (.csv): only Won deals count; sales_teams.csv is the reps table.
#[test]
fn maven_crm_won_deals() {
    let (Some(pipeline), Some(teams)) = (
        shared("maven-crm", "sales_pipeline.csv"),
        shared("maven-crm", "sales_teams.csv"),
    ) else {
        return;
    };
    let run = split("maven-crm");
    let (deals, h) = csv_records(&pipeline, encoding_rs::UTF_8);
    let mut won: BTreeMap<String, (i128, u64)> = BTreeMap::new();
    for r in deals.iter().filter(|r| &r[h["deal_stage"]] == "Won") {
        let e = won.entry(r[h["sales_agent"]].to_string()).or_default();
        e.0 += atto(&r[h["close_value"]]);
        e.1 += 1;
    }
    let (agents, ht) = csv_records(&teams, encoding_rs::UTF_8);
    assert_eq!(agents.len(), 35);

    let w = weights(&run, EN);
    assert_eq!(w.len(), 35);
    let mut without_deals = BTreeSet::new();
    for a in &agents {
        let agent = &a[ht["sales_agent"]];
        let row = &w[&("revenue".into(), agent.to_string())];
        assert_eq!(row.team, a[ht["regional_office"]], "{agent}: team");
        match won.get(agent) {
            // Won close_value in Mar – Dec 2017 (all of it), and the number of won deals:
            // the lost and open ones are filtered out.
            Some(&(sum, count)) => assert_net(agent, row, sum, count),
            None => {
                assert_eq!((row.net, row.rows), (0.0, 0), "{agent}");
                assert_eq!(row.own_run_rate, None, "{agent} gets the median run-rate");
                without_deals.insert(agent.to_string());
            }
        }
    }
    assert_eq!(without_deals.len(), 5, "{without_deals:?}");
    let won_rows: u64 = w.values().map(|r| r.rows).sum();
    assert_eq!(won_rows, 4238);

    // Team targets add up to the company; every agent, with deals or not, has a plan.
    let plan = run.plan();
    assert_eq!(plan[&key("", "", "revenue", "2018")], 1_320_000_000);
    for agent in &without_deals {
        let team = &w[&("revenue".into(), agent.clone())].team;
        assert!(plan[&key(team, agent, "revenue", "2018")] > 0, "{agent}");
    }
    // Every history row names an agent of the reps table; 10 months are not a fiscal year.
    assert!(
        !run.stderr.contains("not in the reps table"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("seasonality by working days"),
        "{}",
        run.stderr
    );
    let season = seasonality(&run, "Seasonality");
    for team in ["Central", "East", "West"] {
        let (source, _) = &season[&("revenue".into(), team.into())];
        assert_eq!(source, "working days (no history)");
    }
}

/// Microsoft's Financial Sample (.xlsx, an Excel table, header " Sales" with a leading
/// space): each segment is a rep, 2015 planned in whole dollars.
#[test]
fn financial_sample_xlsx() {
    let Some(xlsx) = shared("financial-sample", "Financial Sample.xlsx") else {
        return;
    };
    let run = split("financial-sample");
    let (sheet, h) = source_sheet(&xlsx, "Sheet1");
    // The header " Sales" has a leading space (trimmed here as by plan).
    let (c_date, c_segment, c_sales) = (h["Date"], h["Segment"], h["Sales"]);
    let mut company = Monthly::default();
    let mut by_segment: BTreeMap<String, Monthly> = BTreeMap::new();
    for r in sheet.rows().skip(1) {
        let (m, amount) = (cell_ym(&r[c_date]), cell_atto(&r[c_sales]));
        company.add(m, amount);
        by_segment
            .entry(cell_text(&r[c_segment]))
            .or_default()
            .add(m, amount);
    }
    assert_eq!(company.count(0, i32::MAX), 700);

    // Seasonality: 2014, the only complete year (the data starts in September 2013).
    let season = seasonality(&run, "Seasonality");
    let (source, s) = &season[&("revenue".into(), "Company".into())];
    assert!(
        source.contains("2014") && !source.contains("2013"),
        "{source}"
    );
    assert_season("company", s, &company.season(&[ym(2014, 1)]));

    let w = weights(&run, EN);
    assert_eq!(w.len(), 5);
    let (from, to) = (ym(2014, 1), ym(2014, 12));
    for (segment, monthly) in &by_segment {
        let row = &w[&("revenue".into(), segment.clone())];
        assert_net(segment, row, monthly.sum(from, to), monthly.count(from, to));
        assert!(
            (row.capacity - 12.0).abs() < 1e-9,
            "{segment}: {}",
            row.capacity
        );
    }

    // round_to = 1: every figure is whole dollars, and they add up to the target.
    let plan = run.plan();
    assert!(plan.values().all(|v| v % 100 == 0));
    assert_eq!(plan[&key("", "", "revenue", "2015")], 11_000_000_000);
}

/// GBK daily sales by region (.csv, no rep column): FY from April, FY2024 = Apr 2024 –
/// Mar 2025 is the one complete year; per-region growth targets for two metrics.
#[test]
fn cn_sales_gbk_csv() {
    let Some(csv_path) = shared("cn-sales-gbk", "销售数据.csv") else {
        return;
    };
    let run = split("cn-sales-gbk");
    let (records, h) = csv_records(&csv_path, encoding_rs::GBK);
    assert_eq!(records.len(), 7300);
    // (region, metric) → monthly sums.
    let mut by: BTreeMap<(String, &str), Monthly> = BTreeMap::new();
    for r in &records {
        let d = NaiveDate::parse_from_str(&r[h["日期"]], "%Y/%m/%d").unwrap();
        let m = ym(d.year(), d.month());
        for (metric, col) in [("revenue", "销售额"), ("订单量", "订单量")] {
            by.entry((r[h["地区"]].to_string(), metric))
                .or_default()
                .add(m, atto(&r[h[col]]));
        }
    }

    // GBK headers recognised: each region's own seasonality is FY2024's month shares
    // (April first; March 2024 belongs to FY2023, which is incomplete).
    let season = seasonality(&run, "季节性");
    let fy2024 = ym(2024, 4);
    for ((region, metric), monthly) in &by {
        let (_, s) = &season[&(metric.to_string(), region.clone())];
        assert_season(&format!("{region} {metric}"), s, &monthly.season(&[fy2024]));
    }

    // Growth targets on FY2024: revenue in cents, 订单量 (a count) in whole orders.
    let plan = run.plan();
    for (region, rev_growth, orders_growth) in [
        ("北方", 10, 5),
        ("南方", 10, 5),
        ("华东", 12, 5),
        ("西部", 15, 8),
    ] {
        let sum = |metric| by[&(region.to_string(), metric)].sum(fy2024, fy2024 + 11);
        assert_eq!(
            plan[&key(region, "", "revenue", "2025")],
            grown_cents(sum("revenue"), rev_growth),
            "{region} revenue"
        );
        assert_eq!(
            plan[&key(region, "", "订单量", "2025")],
            grown(sum("订单量"), orders_growth, 0),
            "{region} 订单量"
        );
    }
    assert!(run.stderr.contains("no rep column"), "{}", run.stderr);
}

/// Chinese order lines (.csv, UTF-8 with BOM): reps by name (销售员), teams from reps.csv,
/// two metrics; 2026 with its holidays and make-up days, seasonality by working days.
#[test]
fn cn_sales_rep_bom_csv() {
    let Some(csv_path) = shared("cn-sales-rep-bom", "销售数据.csv") else {
        return;
    };
    let run = split("cn-sales-rep-bom");
    let (records, h) = csv_records(&csv_path, encoding_rs::UTF_8);
    assert_eq!(records.len(), 100);
    assert!(h.contains_key("订单日期"), "BOM stripped: {h:?}");
    // (rep name, metric) → (sum, rows).
    let mut by: BTreeMap<(String, &str), (i128, u64)> = BTreeMap::new();
    for r in &records {
        for (metric, col) in [("revenue", "收入(折后)"), ("利润", "利润")] {
            let e = by.entry((r[h["销售员"]].to_string(), metric)).or_default();
            e.0 += atto(&r[h[col]]);
            e.1 += 1;
        }
    }
    let reps: BTreeMap<String, String> =
        csv::Reader::from_path(root().join("tests/real/cn-sales-rep-bom/reps.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[1].to_string(), r[0].to_string())
            })
            .collect();

    // Each rep's net sales and rows in the window (Jan – Aug 2025: all of it), per metric.
    let w = weights(&run, ZH);
    assert_eq!(w.len(), 16);
    for ((name, metric), &(sum, count)) in &by {
        let row = &w[&(metric.to_string(), reps[name].clone())];
        assert_net(&format!("{name} {metric}"), row, sum, count);
    }
    assert_eq!(by[&("陈晨".to_string(), "revenue")].1, 17);

    // No complete year: the season is the working days of 2026 (Mon – Fri, less the
    // holidays, plus the make-up days of holidays.csv).
    let mut holidays = BTreeSet::new();
    let mut workdays = BTreeSet::new();
    for r in csv::Reader::from_path(root().join("tests/real/cn-sales-rep-bom/holidays.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        let d = NaiveDate::parse_from_str(&r[0], "%Y-%m-%d").unwrap();
        if &r[1] == "调休" {
            workdays.insert(d)
        } else {
            holidays.insert(d)
        };
    }
    let mut days = [0.0; 12];
    let mut d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    while d.year() == 2026 {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        if (!weekend && !holidays.contains(&d)) || workdays.contains(&d) {
            days[d.month0() as usize] += 1.0;
        }
        d = d.succ_opt().unwrap();
    }
    let total: f64 = days.iter().sum();
    assert_eq!(total, 248.0);
    let season = seasonality(&run, "季节性");
    for group in ["南区", "北区"] {
        for metric in ["revenue", "利润"] {
            let (_, s) = &season[&(metric.into(), group.into())];
            assert_season(group, s, &days.map(|x| x / total));
        }
    }

    let plan = run.plan();
    assert_eq!(plan[&key("", "", "revenue", "2026")], 150_000_000);
    assert_eq!(plan[&key("", "", "利润", "2026")], 54_000_000);
    assert!(
        !run.stderr.contains("not in the reps table"),
        "{}",
        run.stderr
    );
}
