//! Column matching: headers are matched to canonical names, trimmed and
//! case-insensitively, against the aliases of SPEC §1.2 and the plan file's
//! explicit `columns = {…}` mapping.

use crate::engine::diag::{Code, Origin, Problem};
use std::collections::BTreeMap;

/// The input tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    Targets,
    Reps,
    History,
    Holidays,
}

impl TableKind {
    /// The table's name as used in the plan file.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Targets => "targets",
            TableKind::Reps => "reps",
            TableKind::History => "history",
            TableKind::Holidays => "holidays",
        }
    }

    /// Canonical column names and their aliases.
    pub fn aliases(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            TableKind::Targets => &[
                (
                    "scope",
                    &[
                        "team",
                        "region",
                        "territory",
                        "团队",
                        "部门",
                        "区域",
                        "地区",
                        "大区",
                    ],
                ),
                ("metric", &["kpi", "指标"]),
                ("period", &["期间", "年度"]),
                (
                    "amount",
                    &["target", "quota", "goal", "目标", "目标值", "金额"],
                ),
                ("growth", &["增长率"]),
            ],
            TableKind::Reps => &[
                ("rep_id", &["id", "rep", "employee_id", "工号", "员工编号"]),
                ("name", &["rep_name", "姓名", "销售员"]),
                ("email", &["邮箱"]),
                (
                    "team",
                    &[
                        "region",
                        "territory",
                        "团队",
                        "部门",
                        "区域",
                        "地区",
                        "大区",
                    ],
                ),
                ("manager", &["经理", "主管"]),
                ("capability", &["能力系数"]),
                ("level", &["grade", "级别", "职级"]),
                ("role", &["角色"]),
                ("start_date", &["hire_date", "入职日期"]),
                ("end_date", &["leave_date", "离职日期"]),
                ("fte", &["工时比例"]),
            ],
            TableKind::History => &[
                (
                    "date",
                    &["order_date", "close_date", "日期", "订单日期", "成交日期"],
                ),
                ("month", &["月份"]),
                ("rep_id", &["rep", "owner", "sales_rep", "工号", "销售员"]),
                ("amount", &["sales", "revenue", "销售额", "金额"]),
                ("new_customers", &["新客户数"]),
                ("visits", &["拜访次数"]),
                (
                    "team",
                    &["region", "territory", "团队", "区域", "地区", "大区"],
                ),
                ("customer", &["客户"]),
            ],
            TableKind::Holidays => &[("date", &["日期"]), ("kind", &["type", "类型"])],
        }
    }
}

/// Normalises a header or value for matching: trimmed, lowercase.
pub fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Which file column holds each canonical name.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// canonical name → column index.
    pub index: BTreeMap<String, usize>,
    /// Header texts as written.
    pub headers: Vec<String>,
}

impl ColumnMap {
    /// The column index of a canonical name.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// A column by its header text (trimmed, case-insensitive).
    pub fn find_header(&self, header: &str) -> Option<usize> {
        let h = norm(header);
        self.headers.iter().position(|x| norm(x) == h)
    }
}

/// Matches `headers` for a table. `extra` adds canonical names (with no
/// aliases, e.g. a metric's history column); `mapping` is the plan file's
/// `columns = {canonical = "Header"}`.
pub fn map_columns(
    kind: TableKind,
    headers: &[String],
    extra: &[String],
    mapping: &BTreeMap<String, String>,
    origin: &Origin,
) -> Result<ColumnMap, Problem> {
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut names: Vec<(String, Vec<String>)> = kind
        .aliases()
        .iter()
        .map(|(c, a)| (c.to_string(), a.iter().map(|s| s.to_string()).collect()))
        .collect();
    for e in extra {
        if !names.iter().any(|(c, _)| c == e) {
            names.push((e.clone(), Vec::new()));
        }
    }
    for (canonical, header) in mapping {
        let h = norm(header);
        match headers.iter().position(|x| norm(x) == h) {
            Some(i) => {
                index.insert(norm(canonical), i);
            }
            None => {
                return Err(Problem::error(Code::MappedColumn,
                    Some(origin.clone()),
                    format!("the plan file maps {canonical} to a column {header:?} that the header row does not have"),
                )
                .with_hint(format!("the headers are: {}", headers.iter().filter(|h| !h.is_empty()).cloned().collect::<Vec<_>>().join(", "))));
            }
        }
    }
    let mapped: Vec<usize> = index.values().copied().collect();
    for (canonical, aliases) in &names {
        if index.contains_key(canonical) {
            continue;
        }
        let hits: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(i, h)| {
                let h = norm(h);
                !mapped.contains(i) && (h == *canonical || aliases.iter().any(|a| norm(a) == h))
            })
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [] => {}
            [one] => {
                index.insert(canonical.clone(), *one);
            }
            [a, b, ..] => {
                return Err(Problem::error(
                    Code::AmbiguousColumn,
                    Some(origin.clone()),
                    format!(
                        "two columns match {canonical}: {} (column {}) and {} (column {})",
                        headers[*a],
                        crate::engine::diag::column_letter(*a as u32),
                        headers[*b],
                        crate::engine::diag::column_letter(*b as u32)
                    ),
                )
                .with_hint(format!(
                    "name the one to use with columns = {{ {canonical} = \"…\" }} under [{}]",
                    kind.name()
                )));
            }
        }
    }
    Ok(ColumnMap {
        index,
        headers: headers.to_vec(),
    })
}

/// Whether a header row holds the columns of `required` (each entry: any of its names).
pub fn holds(
    kind: TableKind,
    headers: &[String],
    required: &[&[&str]],
    mapping: &BTreeMap<String, String>,
) -> bool {
    let normed: Vec<String> = headers.iter().map(|h| norm(h)).collect();
    let has = |canonical: &str| {
        if let Some(h) = mapping.get(canonical) {
            return normed.contains(&norm(h));
        }
        let aliases = kind
            .aliases()
            .iter()
            .find(|(c, _)| *c == canonical)
            .map(|(_, a)| *a)
            .unwrap_or(&[]);
        normed
            .iter()
            .any(|h| h == canonical || aliases.iter().any(|a| norm(a) == *h))
    };
    required.iter().all(|any| any.iter().any(|c| has(c)))
}

/// How much header `h` (normalised) looks like the name `a`: their
/// Jaro-Winkler similarity, or 0.85 when `h` holds `a` as a word of four or
/// more characters (`net sales` for `sales`, `new customers` for `customers`).
fn likeness(h: &str, a: &str) -> f64 {
    let a = norm(a);
    let word = a.chars().count() >= 4
        && h.split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == a);
    let jw = strsim::jaro_winkler(h, &a);
    if word {
        jw.max(0.85)
    } else {
        jw
    }
}

/// Headers that no column was matched to but that look like a column the
/// table lacks (as [`missing_hint`] judges it), with that column's name:
/// their values would be left out without a word. A history's rep, date,
/// amount and metric columns are left to the errors for missing columns
/// (raised when the rules use them); its `customer` changes no plan, nor
/// does `month` next to a date.
pub fn unread_near_misses(kind: TableKind, map: &ColumnMap) -> Vec<(usize, &'static str)> {
    let used: Vec<usize> = map.index.values().copied().collect();
    let lacking: Vec<&'static str> = kind
        .aliases()
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !map.index.contains_key(*c))
        .filter(|c| match kind {
            TableKind::History => {
                *c == "team" || (*c == "month" && !map.index.contains_key("date"))
            }
            _ => true,
        })
        .collect();
    let mut out = Vec::new();
    for (i, h) in map.headers.iter().enumerate() {
        if h.trim().is_empty() || used.contains(&i) {
            continue;
        }
        let best = lacking
            .iter()
            .map(|c| {
                (
                    names_of(kind, c)
                        .map(|a| likeness(&norm(h), a))
                        .fold(0.0, f64::max),
                    *c,
                )
            })
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, c)) = best {
            out.push((i, c));
        }
    }
    out
}

/// A column's canonical name and its aliases.
fn names_of(kind: TableKind, canonical: &str) -> impl Iterator<Item = &'static str> {
    let aliases = kind
        .aliases()
        .iter()
        .find(|(c, _)| *c == canonical)
        .map(|(c, a)| (*c, *a));
    aliases
        .into_iter()
        .flat_map(|(c, a)| std::iter::once(c).chain(a.iter().copied()))
}

/// The column names a header lacks, with the nearest header as a hint.
pub fn missing_hint(kind: TableKind, headers: &[String], wanted: &str) -> Option<String> {
    let aliases = kind
        .aliases()
        .iter()
        .find(|(c, _)| *c == wanted)
        .map(|(_, a)| *a)
        .unwrap_or(&[]);
    headers
        .iter()
        .filter(|h| !h.is_empty())
        .flat_map(|h| std::iter::once(wanted).chain(aliases.iter().copied()).map(move |a| (likeness(&norm(h), a), h)))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| format!("is {h:?} the {wanted} column? map it with columns = {{ {wanted} = {h:?} }} under [{}]", kind.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn aliases_in_english_and_chinese() {
        let m = map_columns(
            TableKind::Reps,
            &h(&[" 工号 ", "姓名", "Region"]),
            &[],
            &BTreeMap::new(),
            &Origin::file("r.csv"),
        )
        .unwrap();
        assert_eq!(m.get("rep_id"), Some(0));
        assert_eq!(m.get("name"), Some(1));
        assert_eq!(m.get("team"), Some(2));
    }

    #[test]
    fn two_matching_columns_are_an_error() {
        let e = map_columns(
            TableKind::History,
            &h(&["date", "sales", "revenue"]),
            &[],
            &BTreeMap::new(),
            &Origin::file("h.csv"),
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("sales (column B) and revenue (column C)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn near_misses_by_spelling_or_by_word() {
        let hint = |headers: &[&str], wanted| missing_hint(TableKind::History, &h(headers), wanted);
        assert!(hint(&["date", "Net Sales"], "amount")
            .unwrap()
            .starts_with("is \"Net Sales\" the amount column?"));
        assert!(hint(&["New Customers"], "new_customers")
            .unwrap()
            .starts_with("is \"New Customers\" the new_customers column?"));
        assert!(hint(&["Salesperson"], "rep_id").is_some());
        assert_eq!(hint(&["date", "Region"], "amount"), None);
    }

    #[test]
    fn explicit_mapping_wins() {
        let mapping = BTreeMap::from([("rep_id".to_string(), "Deal Owner".to_string())]);
        let m = map_columns(
            TableKind::History,
            &h(&["Close Date", "Deal Owner", "Amount"]),
            &[],
            &mapping,
            &Origin::file("h.csv"),
        )
        .unwrap();
        assert_eq!(m.get("rep_id"), Some(1));
        assert!(holds(
            TableKind::History,
            &h(&["Close Date", "Deal Owner"]),
            &[&["rep_id"]],
            &mapping
        ));
    }
}
