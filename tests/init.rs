//! `plan init DIR`: templates that `plan split` runs on at once, with dropdowns.

mod support;

use std::io::Read;
use support::{plan_csv, Fixture};

/// The XML of the first worksheet of a workbook.
fn sheet_xml(path: &std::path::Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn init_then_split_works_and_templates_have_dropdowns() {
    let f = Fixture::new();
    let o = f.run(&["init", "x"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("plan split"));
    let o = f.run(&["split", "x/plan.toml", "--out", "x/out"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let rows = plan_csv(&f.path("x/out/plan.csv"));
    assert_eq!(
        rows[&("North".into(), "".into(), "revenue".into(), "2027".into())],
        "1500000.00"
    );
    assert_eq!(
        rows[&(
            "North".into(),
            "".into(),
            "new_customers".into(),
            "2027".into()
        )],
        "60"
    );
    for (file, lists) in [
        ("targets.xlsx", vec!["\"revenue,new_customers\""]),
        (
            "reps.xlsx",
            vec!["\"senior,mid,junior\"", "\"hunter,farmer\""],
        ),
        ("holidays.xlsx", vec!["\"holiday,workday\""]),
    ] {
        let xml = sheet_xml(&f.path(&format!("x/{file}")));
        for list in lists {
            assert!(
                xml.contains(&format!("<formula1>{list}</formula1>")),
                "{file} lacks the dropdown {list}"
            );
        }
    }
    assert!(
        sheet_xml(&f.path("x/reps.xlsx")).contains("type=\"date\""),
        "start and end dates are validated"
    );
    assert!(
        sheet_xml(&f.path("x/reps.xlsx")).contains("type=\"decimal\""),
        "fte is validated"
    );
    f.run(&["init", "x"])
        .fails_with(4, &["already exists", "--force"]);
    assert_eq!(f.run(&["init", "x", "--force"]).code, 0);
}

#[test]
fn init_in_chinese_gives_chinese_headers_and_the_same_kind_of_plan() {
    let f = Fixture::new();
    assert_eq!(f.run(&["init", "x", "--lang", "zh"]).code, 0);
    let xml = sheet_xml(&f.path("x/reps.xlsx"));
    assert!(f.read("x/plan.toml").contains("lang = \"zh\""));
    let o = f.run(&["split", "x/plan.toml", "--out", "x/out"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let rows = plan_csv(&f.path("x/out/plan.csv"));
    assert_eq!(
        rows[&("华东".into(), "".into(), "revenue".into(), "2027".into())],
        "1500000.00"
    );
    // Shared strings hold the headers; the sheet refers to them.
    assert!(xml.contains("<c r=\"A1\""));
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(f.path("x/reps.xlsx")).unwrap()).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    for header in ["工号", "姓名", "团队", "入职日期", "工时比例"] {
        assert!(strings.contains(header), "reps.xlsx lacks {header}");
    }
}
