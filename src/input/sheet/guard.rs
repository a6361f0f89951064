//! Panic containment for the spreadsheet reader: calamine's panics on a
//! damaged file are kept off stderr and reported as a problem.

use crate::engine::diag::{Code, Origin, Problem};

thread_local!(static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });

/// Runs `f` with its panics kept off stderr: for the spreadsheet reader and
/// the threads it starts, whose panics (calamine's, on a damaged file) are
/// caught by [`guarded`] and reported as a problem. Panics anywhere else
/// still print.
pub(crate) fn quietly<R>(f: impl FnOnce() -> R) -> R {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}

/// Runs the spreadsheet reader so that a damaged file that makes calamine
/// panic (found by fuzzing) becomes a problem naming the file, not a crash.
pub(crate) fn guarded(
    read: impl FnOnce() -> Result<(), Problem>,
    origin: &Origin,
) -> Result<(), Problem> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| quietly(read)));
    result.unwrap_or_else(|_| {
        Err(Problem::error(
            Code::Damaged,
            Some(origin.clone()),
            "the workbook is damaged and cannot be read",
        )
        .with_hint("open it in Excel or LibreOffice and save it again"))
    })
}
