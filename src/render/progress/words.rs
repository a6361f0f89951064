//! The words of `progress.xlsx` and of the alert lines, in English and Chinese.

use super::ProgressBook;
use crate::engine::calendar::ym_label;
use crate::engine::track::{AlertKind, Status};
use chrono::NaiveDate;

/// The words of `lang`.
pub(super) fn words(lang: &str) -> &'static Words {
    if lang == "zh" {
        &ZH
    } else {
        &EN
    }
}

/// The words of `progress.xlsx`.
pub(super) struct Words {
    pub(super) title: &'static str,
    pub(super) summary: &'static str,
    pub(super) reps: &'static str,
    pub(super) alerts: &'static str,
    pub(super) target_year: &'static str,
    pub(super) target_to_date: &'static str,
    pub(super) actual_to_date: &'static str,
    pub(super) attainment: &'static str,
    pub(super) pace: &'static str,
    pub(super) projection: &'static str,
    pub(super) gap: &'static str,
    pub(super) needed: &'static str,
    pub(super) rank: &'static str,
    pub(super) alert: &'static str,
    pub(super) actual: &'static str,
    /// The last column of the Reps sheet: the year's target, the actual to date.
    pub(super) year_to_date: &'static str,
    pub(super) statuses: [&'static str; 3],
    pub(super) zh: bool,
}

static EN: Words = Words {
    title: "Progress",
    summary: "Summary",
    reps: "Reps",
    alerts: "Alerts",
    target_year: "Year target",
    target_to_date: "Target to date",
    actual_to_date: "Actual to date",
    attainment: "Attainment",
    pace: "Pace",
    projection: "Projection",
    gap: "Gap",
    needed: "Needed per working day",
    rank: "Rank",
    alert: "Alert",
    actual: "Actual",
    year_to_date: "Year / to date",
    statuses: ["green", "amber", "red"],
    zh: false,
};

static ZH: Words = Words {
    title: "进度",
    summary: "汇总",
    reps: "个人",
    alerts: "提醒",
    target_year: "年度目标",
    target_to_date: "应完成",
    actual_to_date: "已完成",
    attainment: "达成率",
    pace: "进度比",
    projection: "预计全年",
    gap: "差额",
    needed: "每工作日需完成",
    rank: "排名",
    alert: "提醒",
    actual: "实际",
    year_to_date: "全年 / 累计",
    statuses: ["绿", "黄", "红"],
    zh: true,
};

impl Words {
    pub(super) fn status(&self, s: Status) -> &'static str {
        let [green, amber, red] = self.statuses;
        match s {
            Status::Green => green,
            Status::Amber => amber,
            Status::Red => red,
        }
    }

    pub(super) fn alert_text(&self, kind: AlertKind) -> String {
        match (kind, self.zh) {
            (AlertKind::Reached(p), false) => format!("reached {p} % of the year target"),
            (AlertKind::Reached(p), true) => format!("达成年度目标的 {p}%"),
            (AlertKind::BehindPace, false) => {
                "behind pace: below 90 % of the target to date".into()
            }
            (AlertKind::BehindPace, true) => "落后进度：低于应完成的 90%".into(),
        }
    }

    pub(super) fn heading(&self, year: i32, as_of: NaiveDate) -> String {
        if self.zh {
            format!("{} {year} 财年，截至 {as_of}", self.title)
        } else {
            format!("{} FY{year} as of {as_of}", self.title)
        }
    }

    pub(super) fn days_line(&self, book: &ProgressBook) -> String {
        let d = &book.tracked.days;
        let month = ym_label(crate::engine::calendar::ym_of(book.as_of));
        match (d.month, self.zh) {
            (Some((all, done)), false) => format!(
                "{done} of {all} working days of {month} elapsed; {} working days left in the year",
                d.remaining
            ),
            (Some((all, done)), true) => format!(
                "{month} 共 {all} 个工作日，已过 {done} 个；本年度剩余 {} 个工作日",
                d.remaining
            ),
            (None, false) => format!(
                "the as-of date is outside the plan year; {} working days left in the year",
                d.remaining
            ),
            (None, true) => format!(
                "截至日期不在计划年度内；本年度剩余 {} 个工作日",
                d.remaining
            ),
        }
    }
}
