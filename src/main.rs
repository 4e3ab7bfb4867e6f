//! The `arrears` binary: parse the command line, run it, exit with its code.

mod cli;

/// jemalloc, as ruff and uv use on Linux: with glibc's allocator two workers spend a quarter
/// more CPU than one on the same book, and a 10M-loan run on two workers takes 9 to 20 % longer
/// (ARCHITECTURE.md, Performance).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use clap::FromArgMatches as _;

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = cli::command(cli::help_lang(&args))
        .try_get_matches_from(&args)
        .and_then(|matches| cli::Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout (exit 0) and mistakes to stderr (exit 2).
            let _ = error.print();
            return std::process::ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    // Checking and evaluating recurse over expressions; the checker bounds how deep (see
    // ARCHITECTURE.md, Limits), and this stack leaves ample room above that bound, also in
    // unoptimised builds. Only the pages touched are ever allocated.
    let worker = std::thread::Builder::new()
        .name("arrears".into())
        .stack_size(STACK_BYTES)
        .spawn(move || cli::main(cli) as u8);
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => std::process::ExitCode::from(code),
        // A panic has already been reported on standard error.
        _ => std::process::ExitCode::from(101),
    }
}

/// The stack of the thread that runs the command, and of the worker threads.
const STACK_BYTES: usize = arrears::STACK_BYTES;
