//! The `plan` binary: its allocator, internal errors as exit 1, and the command line.

mod cli;

/// Faster than the system allocator for the render's many threads (Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // SPEC §5: an internal error exits 1 (the panic message is printed first).
    std::panic::catch_unwind(cli::main).unwrap_or_else(|_| {
        eprintln!("error: internal error; please report it with the command and its inputs");
        std::process::ExitCode::from(1)
    })
}
