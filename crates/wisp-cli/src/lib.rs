//! wisp's command line: argument parsing, paths, exit codes and output.

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    eprintln!("wisp: under construction");
    2
}
