//! Every text parser of `plan::input::parse` on arbitrary text: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plan::input::parse::{
    date_from_serial, parse_date, parse_growth, parse_number, parse_period, DateOrder, DateText,
};

fn resolve_all(d: &DateText) {
    let _ = d.evidence();
    let _ = d.resolve(None);
    let _ = d.resolve(Some(DateOrder::DayFirst));
    let _ = d.resolve(Some(DateOrder::MonthFirst));
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s: &str = &s;

    let _ = parse_number(s, false);
    let _ = parse_number(s, true);
    let _ = parse_growth(s, false);
    let _ = parse_growth(s, true);
    for format in [None, Some("%d/%m/%Y")] {
        if let Ok(d) = parse_date(s, format) {
            resolve_all(&d);
        }
    }
    let _ = parse_period(s);

    // The first 8 bytes as an f64 serial, the 9th byte's low bit as the date system.
    if data.len() >= 8 {
        let serial = f64::from_le_bytes(data[..8].try_into().unwrap());
        let system_1904 = data.get(8).is_some_and(|b| b & 1 == 1);
        let _ = date_from_serial(serial, system_1904);
        let _ = date_from_serial(serial, !system_1904);
    }
    // Also the text read as a number, which reaches the interesting ranges far more often.
    if let Ok(v) = s.trim().parse::<f64>() {
        let _ = date_from_serial(v, false);
        let _ = date_from_serial(v, true);
    }
});
