//! wisp's command line: argument parsing, what is printed, progress bars and exit codes.
//!
//! Each subcommand is a thin shell over the application layer (`wisp-site`: load a site,
//! analyse its floors, check, plan, report, bundles) and, for the commands that work on one file
//! (`ingest`, `import`, `grid`, `simulate`, `walls`), over the library that owns that file. It
//! never decides a verdict, lays out a report or reads a file format itself. Only this crate
//! knows argv, stdout, stderr and the process exit code; only here is the clock read (for a
//! report's date, unless `SOURCE_DATE_EPOCH` is set, and for the per-floor timings).
//!
//! Exit codes: 0 success; 1 `wisp check` found a failing zone; 2 bad input or usage; 3 `wisp
//! check` had not enough data to judge a zone.

mod args;
mod commands;
mod progress;

pub use wisp_site::{Error as CliError, ExitCode};

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "wisp",
    version,
    about = "Wi-Fi site surveys for hospitals: captures in, dead zones and reports out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read capture files and write one survey JSON (docs/survey-format.md).
    Ingest(commands::ingest::Args),
    /// Turn an Ekahau project (.esx) into a site folder: site.toml, plan images, track CSVs.
    Import(commands::import::Args),
    /// Predict what a scanner would record walking a floor with the given access points.
    Simulate(commands::simulate::Args),
    /// Draw a layer (primary signal by default) over the floor plan.
    Heatmap(commands::heatmap::Args),
    /// Judge every zone against its requirement profile; exit 0 all pass, 1 a zone fails, 3 not enough data.
    Check(commands::check::Args),
    /// Interpolate scattered x,y,value points onto a grid (ESRI ASCII) or at query points.
    Grid(commands::grid::Args),
    /// Compare two surveys of one site: per-zone change, dead zones that appeared or went, worse cells.
    Diff(commands::diff::Args),
    /// Write the PDF survey report (or, with --shard I/N, one shard's bundle for `wisp merge`).
    Report(commands::report::Args),
    /// Combine shard bundles into one report and check JSON; exit codes as `wisp check`.
    Merge(commands::merge::Args),
    /// Run the whole pipeline on the sample hospital floor shipped with wisp.
    Demo(commands::demo::Args),
    /// List the requirement profiles with their thresholds.
    Profiles(commands::profiles::Args),
    /// Cross-validate the interpolation methods on the survey (leaving out stretches of the walk).
    Validate(commands::validate::Args),
    /// Fit the radio model to the survey: path-loss exponent, radio powers, unplaced AP positions.
    Calibrate(commands::calibrate::Args),
    /// Write each floor's charts as SVG: signal distribution per zone with its thresholds, per zone kind.
    Chart(commands::chart::Args),
    /// Propose new access points (fewest that close the dead zones), channels and a bill of materials.
    Plan(commands::plan::Args),
    /// Survey a floor on its plan, live: click where you stand, wisp scans and the map fills in.
    Collect(commands::collect::Args),
    /// List a floor's walls by material, or find walls in the plan image (--detect) as a draft.
    Walls(commands::walls::Args),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    quiet_on_closed_pipe();
    run_from(std::env::args_os())
}

/// Rust ignores SIGPIPE, so writing to a closed pipe (`wisp check --json | head`) makes
/// `println!` panic. Like any Unix tool, end quietly instead: the reader has what it wanted.
fn quiet_on_closed_pipe() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info)
    }));
}

/// Runs wisp with these arguments (the first is the program name, as in argv) and returns the
/// exit code: what `main` does, callable in-process by benchmarks and examples.
pub fn run_from<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::BadInput as i32
            } else {
                0
            };
        }
    };
    let result = match cli.command {
        Command::Ingest(a) => commands::ingest::run(a),
        Command::Import(a) => commands::import::run(a),
        Command::Simulate(a) => commands::simulate::run(a),
        Command::Heatmap(a) => commands::heatmap::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Grid(a) => commands::grid::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Merge(a) => commands::merge::run(a),
        Command::Diff(a) => commands::diff::run(a),
        Command::Demo(a) => commands::demo::run(a),
        Command::Profiles(a) => commands::profiles::run(a),
        Command::Validate(a) => commands::validate::run(a),
        Command::Calibrate(a) => commands::calibrate::run(a),
        Command::Chart(a) => commands::chart::run(a),
        Command::Plan(a) => commands::plan::run(a),
        Command::Walls(a) => commands::walls::run(a),
        Command::Collect(a) => commands::collect::run(a),
    };
    match result {
        Ok(code) => code as i32,
        Err(e) => {
            eprintln!("wisp: {e}");
            e.exit_code() as i32
        }
    }
}
