//! The value parsers' tests: examples, rejections, messages and round trips.

use super::number::SPACES;
use super::*;
use crate::engine::model::PeriodText;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use ValueError as E;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `text=want` pairs separated by `; `.
fn pairs(cases: &str) -> impl Iterator<Item = (&str, &str)> {
    cases.split("; ").map(|c| c.rsplit_once('=').unwrap())
}

/// The number as written back (value and scale).
fn n(text: &str, decimal_comma: bool) -> Result<String, ValueError> {
    parse_number(text, decimal_comma).map(|d| d.to_string())
}

fn pd(text: &str) -> Result<DateText, ValueError> {
    parse_date(text, None)
}

fn dm(first: u8, second: u8, year: i32) -> DateText {
    DateText::DayMonth {
        first,
        second,
        year,
        written: Written::default(),
    }
}

#[test]
fn numbers() {
    let cases = "1234=1234; \t1,234.56 =1234.56; 1,234,567.89=1234567.89; 1,234.50=1234.50; \
        1 234 567=1234567; 1\u{2009}234=1234; 1\u{a0}234.5=1234.5; 1\u{202f}234=1234; \
        \u{3000}12\u{a0}=12; ¥1,234=1234; ￥1,234=1234; $1,234.50=1234.50; -$5=-5; $-5=-5; \
        € 5=5; £5=5; ₩5=5; ₹5=5; 1,234 元=1234; CNY 1,234=1234; RMB1234=1234; \
        1234 USD=1234; eur 7=7; (1,234)=-1234; (¥1,234)=-1234; ¥(1,234)=-1234; +5=5; \
        \u{2212}5=-5; １２３４．５=1234.5; －１，２３４=-1234; ＋１２％=0.12; 12%=0.12; \
        12.5%=0.125; 12 %=0.12; 1.5E3=1500; 1e-2=0.01; 2.50e1=25.0; .5=0.5; \
        0.1234567890123456789012345678=0.1234567890123456789012345678";
    for (text, want) in pairs(cases) {
        assert_eq!(n(text, false), Ok(want.into()), "{text:?}");
    }
    for (text, want) in pairs("1.234,56=1234.56; 1 234,5=1234.5; 1,5=1.5; -0,5%=-0.005") {
        assert_eq!(n(text, true), Ok(want.into()), "{text:?}");
    }
}

#[test]
fn number_rejections() {
    let cases = " ; NA; N/A; null; nan; NaN; inf; -inf; -; --; 1,23,456; 12,5O0; 1,2345.6; \
        1.2.3; --5; -(5); (5; 5%%; 1e; e5; 1 2; 1,234 1; 0x10; 1_000; $; $$5; 5 XYZ; \
        1e999999999999";
    for text in cases.split("; ").chain([""]) {
        assert_eq!(n(text, false), Err(E::Number), "{text:?}");
    }
    for text in "1,5; 1,23; 1.234,56; 1 234,5 ; -1,5 %; ,123".split("; ") {
        assert_eq!(n(text, false), Err(E::LooksLikeDecimalComma), "{text:?}");
    }
    for text in ["1.5", "1,234.56", "1.23.4"] {
        assert_eq!(n(text, true), Err(E::Number), "{text:?}");
    }
    let long = "9".repeat(30);
    for text in [&long, "0.00000000000000000000000000001", "1e40", "1e-40"] {
        assert_eq!(n(text, false), Err(E::OutOfRange), "{text:?}");
    }
}

#[test]
fn numbers_from_f64() {
    let f = |v| number_from_f64(v).map(|d| d.to_string());
    for (v, want) in pairs("0.1=0.1; -1234.5=-1234.5; -0=0; 5e-324=0") {
        assert_eq!(f(v.parse().unwrap()), Ok(want.into()));
    }
    assert_eq!(f(1e21), Ok("1000000000000000000000".into()));
    assert_eq!(f(2.5e-17), Ok("0.000000000000000025".into()));
    assert_eq!(f(1e300), Err(E::OutOfRange));
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(f(v), Err(E::NotFinite));
    }
}

#[test]
fn growth() {
    for (text, want) in pairs("15%=0.15; 0.15=0.15; -5%=-0.05; 15 %=0.15; (5%)=-0.05") {
        let growth = parse_growth(text, false).map(|d| d.to_string());
        assert_eq!(growth, Ok(want.into()), "{text:?}");
    }
    assert_eq!(parse_growth("15,5%", true), Ok(Decimal::new(155, 3)));
    assert_eq!(parse_growth("15,5%", false), Err(E::LooksLikeDecimalComma));
    for text in ["", "abc", "$15", "15% CNY", "n/a"] {
        assert_eq!(parse_growth(text, false), Err(E::Growth), "{text:?}");
    }
}

#[test]
fn dates() {
    let cases = "2027-01-31; 2027-1-31; 2027/1/31; 2027.01.31; 2027年1月31日; \
        2027 年 1 月 31 日; ２０２７年１月３１日; 20270131; 31.01.2027; 31.1.2027; \
        31 Jan 2027; Jan 31, 2027; 31-Jan-2027; January 31, 2027; 31 JANUARY 2027; \
        2027-01-31T09:30; 2027-01-31 09:30:00; 2027-01-31T09:30:00.000+08:00; \
        2027/1/31 9:30 AM; 2027年1月31日 09:30; Jan 31, 2027 9:30 PM; 46418; 46418.75";
    for text in cases.split("; ") {
        assert_eq!(pd(text), Ok(DateText::Exact(date(2027, 1, 31))), "{text:?}");
    }
    assert_eq!(pd("1"), Ok(DateText::Exact(date(1900, 1, 1))));
    assert_eq!(pd("61"), Ok(DateText::Exact(date(1900, 3, 1))));
    assert_eq!(pd("2027"), Ok(DateText::Exact(date(1905, 7, 19))));
    assert_eq!(pd("2/24/2003 0:00"), Ok(dm(2, 24, 2003)));
    assert_eq!(pd("24/2/2003"), Ok(dm(24, 2, 2003)));
    assert_eq!(pd(" 01-02-2027 "), Ok(dm(1, 2, 2027)));
}

#[test]
fn date_rejections() {
    let cases = "2027-02-30=2027-02-30; 2027年2月29日=2027-02-29; 20271301=2027-13-01; \
        30.02.2027=2027-02-30; 31 Feb 2027=2027-02-31; 31/02/2027=31/02/2027; \
        13/13/2027=13/13/2027; 0/5/2027=0/5/2027; 60=1900-02-29";
    for (text, shown) in pairs(cases) {
        assert_eq!(pd(text), Err(E::ImpossibleDate(shown.into())), "{text:?}");
    }
    for text in ["1/2/27", "31.01.27", "27年1月31日", "31 Jan 27"] {
        assert_eq!(pd(text), Err(E::TwoDigitYear), "{text:?}");
    }
    for (text, y) in pairs("1899-12-31=1899; 1/1/1066=1066; 01.01.0999=999") {
        assert_eq!(
            pd(text),
            Err(E::YearOutOfRange(y.parse().unwrap())),
            "{text:?}"
        );
    }
    assert_eq!(pd("0"), Err(E::Serial));
    let cases = "NA; 2027-01; 1/2; 1/2/3/2027; 2027-01/31; 1234567; 123456789; \
        31st Jan 2027; Foo 31 2027; Jan Feb 2027; 2027-001-31; -1; 1/2/027; 46418.; \
        2027-01-31T; 2027年1月; 1.5e3";
    for text in cases.split("; ").chain([""]) {
        assert_eq!(pd(text), Err(E::Date), "{text:?}");
    }
}

#[test]
fn date_formats() {
    let cases = "03/05/2027=%d/%m/%Y; 05/03/2027=%m/%d/%Y; 03/05/2027 0:00=%d/%m/%Y; \
        03/05/2027 10:15=%d/%m/%Y %H:%M; 03-May-27=%d-%b-%y; 2027-05-03=%d/%m/%Y";
    for (text, format) in pairs(cases) {
        let may3 = Ok(DateText::Exact(date(2027, 5, 3)));
        assert_eq!(parse_date(text, Some(format)), may3, "{text:?}");
    }
    let old = parse_date("03-May-1850", Some("%d-%b-%Y"));
    assert_eq!(old, Err(E::YearOutOfRange(1850)));
    let dm = Ok(dm(5, 13, 2027));
    assert_eq!(parse_date("5/13/2027", Some("%d/%m/%Y")), dm);
}

#[test]
fn resolving() {
    use DateOrder::*;
    let dm = |first, second| dm(first, second, 2027);
    assert_eq!(dm(13, 1).evidence(), Some(DayFirst));
    assert_eq!(dm(1, 13).evidence(), Some(MonthFirst));
    assert_eq!(dm(3, 4).evidence(), None);
    assert_eq!(DateText::Exact(date(2027, 1, 13)).evidence(), None);
    assert_eq!(dm(3, 4).resolve(None), Err(E::AmbiguousDate));
    assert_eq!(dm(3, 4).resolve(Some(DayFirst)), Ok(date(2027, 4, 3)));
    assert_eq!(dm(3, 4).resolve(Some(MonthFirst)), Ok(date(2027, 3, 4)));
    assert_eq!(dm(13, 1).resolve(None), Ok(date(2027, 1, 13)));
    assert_eq!(dm(1, 13).resolve(None), Ok(date(2027, 1, 13)));
    let impossible = |s: &str| Err(E::ImpossibleDate(s.into()));
    assert_eq!(dm(1, 13).resolve(Some(DayFirst)), impossible("2027-13-01"));
    assert_eq!(dm(31, 2).resolve(Some(DayFirst)), impossible("2027-02-31"));
    let exact = DateText::Exact(date(2027, 1, 1));
    assert_eq!(exact.resolve(Some(MonthFirst)), Ok(date(2027, 1, 1)));
}

#[test]
fn serials() {
    let cases = [
        (1.0, false, date(1900, 1, 1)),
        (59.9, false, date(1900, 2, 28)),
        (61.0, false, date(1900, 3, 1)),
        (46418.5, false, date(2027, 1, 31)),
        (2958465.0, false, date(9999, 12, 31)),
        (0.0, true, date(1904, 1, 1)),
        (44956.0, true, date(2027, 1, 31)),
    ];
    for (serial, s1904, want) in cases {
        assert_eq!(date_from_serial(serial, s1904), Ok(want), "{serial}");
    }
    let leap = Err(E::ImpossibleDate("1900-02-29".into()));
    assert_eq!(date_from_serial(60.0, false), leap);
    for serial in "0.99 -1 2958466 1e300 NaN inf -inf".split(' ') {
        let serial: f64 = serial.parse().unwrap();
        let got = date_from_serial(serial, serial < 0.0);
        assert_eq!(got, Err(E::Serial), "{serial}");
    }
}

#[test]
fn periods() {
    use PeriodText::*;
    let cases = [
        ("2027", Year(2027)),
        (" ２０２７ ", Year(2027)),
        ("2027-Q2", Quarter(2027, 2)),
        ("2027-q4", Quarter(2027, 4)),
        ("2027Q1", Quarter(2027, 1)),
        ("2027 Q3", Quarter(2027, 3)),
        ("2027-05", Month(2027, 5)),
        ("2027-5", Month(2027, 5)),
        ("2027/12", Month(2027, 12)),
    ];
    for (text, want) in cases {
        assert_eq!(parse_period(text), Ok(want), "{text:?}");
    }
    let cases = "27; FY2027; 2027-Q0; 2027-Q5; 2027-Q12; 2027-00; 2027-13; 2027-005; \
        2027-05-01; 202705; 2027.0; 2027-; 2027-+5; Q2-2027; 20270";
    for text in cases.split("; ").chain([""]) {
        assert_eq!(parse_period(text), Err(E::Period), "{text:?}");
    }
    assert_eq!(parse_period("1850"), Err(E::YearOutOfRange(1850)));
}

#[test]
fn messages() {
    let shown = E::ImpossibleDate("2027-02-30".into()).to_string();
    assert_eq!(shown, "impossible date: 2027-02-30 does not exist");
    let shown = E::Period.to_string();
    assert_eq!(shown, "expected a period: 2027, 2027-Q2 or 2027-05");
}

/// `n` with `sep` between groups of three digits.
fn grouped(n: u64, sep: char) -> String {
    let s = n.to_string();
    let lead = (s.len() - 1) % 3 + 1;
    let mut out = s[..lead].to_string();
    for group in s.as_bytes()[lead..].chunks(3) {
        out.push(sep);
        out.push_str(std::str::from_utf8(group).unwrap());
    }
    out
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    let days = (date(9999, 12, 31) - date(1900, 1, 1)).num_days() as u64;
    (0..=days).prop_map(|n| date(1900, 1, 1) + Days::new(n))
}

proptest! {
    #[test]
    fn grouped_numbers_round_trip(cents in -(10i64.pow(17))..10i64.pow(17), sp in 0..4usize) {
        let want = Ok(Decimal::new(cents, 2).to_string());
        let (int, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
        let sign = if cents < 0 { "-" } else { "" };
        let body = |sep, point| format!("{}{point}{frac:02}", grouped(int, sep));
        let plain = body(',', '.');
        let texts = [
            (format!("{sign}{plain}"), false),
            (format!("{sign}{}", body(SPACES[sp], '.')), false),
            (if cents < 0 { format!("({plain})") } else { plain.clone() }, false),
            (format!("{sign}¥{plain}"), false),
            (format!("{sign}{}", body('.', ',')), true),
            (format!("{sign}{}", body(SPACES[sp], ',')), true),
        ];
        for (text, dc) in texts {
            prop_assert_eq!(n(&text, dc), want.clone(), "{}", text);
        }
    }

    #[test]
    fn dates_round_trip(d in any_date()) {
        for f in ["%Y-%m-%d", "%Y/%-m/%-d", "%Y年%-m月%-d日", "%d.%m.%Y"] {
            prop_assert_eq!(pd(&d.format(f).to_string()), Ok(DateText::Exact(d)));
        }
        let dm = pd(&d.format("%d/%m/%Y").to_string()).unwrap();
        prop_assert!(matches!(dm, DateText::DayMonth { .. }), "{:?}", dm);
        prop_assert_eq!(dm.resolve(Some(DateOrder::DayFirst)), Ok(d));
    }

    #[test]
    fn serials_round_trip(d in any_date(), time in 0.0..1.0f64) {
        let days = |base: NaiveDate| (d - base).num_days() as f64 + time;
        let serial = days(date(1899, 12, 30)) - if d < date(1900, 3, 1) { 1.0 } else { 0.0 };
        prop_assert_eq!(date_from_serial(serial, false), Ok(d));
        if d >= date(1904, 1, 1) {
            prop_assert_eq!(date_from_serial(days(date(1904, 1, 1)), true), Ok(d));
        }
    }

    #[test]
    fn never_panics(
        any in ".*",
        numeric in "[-+(),. 0-9eE%/:年月日Qq]{0,30}",
        f in "[%a-zA-Z/ -]{0,6}",
    ) {
        for text in [any, numeric] {
            let _ = (n(&text, false), n(&text, true), parse_growth(&text, false));
            let _ = (pd(&text), parse_date(&text, Some(&f)), parse_period(&text));
        }
    }
}
