/// Faster than the system allocator for the render's many threads (Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // A failed write of a large sheet's temporary file is reported as an
    // output error (exit 4) by the command, without a panic message.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !plan::render::xlsx::style::is_write_panic(info.payload()) {
            report(info);
        }
    }));
    // SPEC §5: an internal error exits 1 (the panic message is printed first).
    std::panic::catch_unwind(plan::cli::main).unwrap_or_else(|_| {
        eprintln!("error: internal error; please report it with the command and its inputs");
        std::process::ExitCode::from(1)
    })
}
