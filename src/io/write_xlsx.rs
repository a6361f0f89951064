//! `plan.xlsx`: a sheet per metric, Seasonality, Weights, Checks, Assumptions.

use super::manifest::InputSum;
use crate::engine::layout::{MetricLines, Periods, MONTH0};
use crate::engine::model::{Plan, PlanInput};
use rust_xlsxwriter::{Workbook, XlsxError};

/// Everything the plan workbook shows.
pub struct PlanBook<'a> {
    pub input: &'a PlanInput,
    pub plan: &'a Plan,
    pub periods: &'a Periods,
    pub lines: &'a [MetricLines],
    pub inputs: &'a [InputSum],
    pub as_of: Option<&'a str>,
    pub lang: &'a str,
    pub company: Option<&'a str>,
    pub currency: Option<&'a str>,
}

/// Renders `plan.xlsx` to bytes.
pub fn plan_xlsx(book: &PlanBook) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    for ml in book.lines {
        let metric = &book.input.metrics[ml.metric];
        let ws = wb.add_worksheet();
        ws.set_name(&metric.name)?;
        ws.write_string(0, 0, "team")?;
        ws.write_string(0, 1, "rep_id")?;
        for m in 0..12 {
            ws.write_string(0, 2 + m as u16, &book.periods.labels[MONTH0 + m])?;
        }
        for (r, line) in ml.reps.iter().enumerate() {
            let row = r as u32 + 1;
            ws.write_string(row, 0, &line.team)?;
            ws.write_string(row, 1, &book.input.reps[line.rep.unwrap_or(0)].id)?;
            for m in 0..12 {
                let v = rust_decimal::prelude::ToPrimitive::to_f64(
                    &(rust_decimal::Decimal::from(line.values[MONTH0 + m]) * metric.unit),
                )
                .unwrap_or(0.0);
                ws.write_number(row, 2 + m as u16, v)?;
            }
        }
    }
    wb.save_to_buffer()
}
