fn main() -> std::process::ExitCode {
    plan::cli::main()
}
