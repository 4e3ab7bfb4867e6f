//! The `arrears` binary: parse the command line, run it, exit with its code.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = match arrears::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout (exit 0) and mistakes to stderr (exit 2).
            let _ = error.print();
            return std::process::ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    std::process::ExitCode::from(arrears::cli::main(cli) as u8)
}
