use crate::{CliError, ExitCode};
use std::net::SocketAddr;
use std::path::PathBuf;
use wisp_model::words::count;
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site (site.toml or its folder).
    site: PathBuf,
    /// The floor to survey (its id in the manifest).
    #[arg(long)]
    floor: Option<String>,
    /// Output folder: the journal, the raw scanner outputs and the exports. Running again on the
    /// same folder resumes the survey. Default: `collect-FLOOR` in the current folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Do not open the page in a browser (for a tablet, or a test).
    #[arg(long)]
    no_open: bool,
    /// Listen on this address instead of 127.0.0.1 on a free port (e.g. 0.0.0.0:8080 for a
    /// tablet on the surveyor's own network). The page is then reachable by anyone on that
    /// network who has the address with its token.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Run this command (through the shell) for each scan instead of the platform's scanner; it
    /// must print a format wisp reads (`wisp ingest` detects it the same way).
    #[arg(long, value_name = "COMMAND")]
    scanner_cmd: Option<String>,
    /// The wireless interface `iw` scans on (Linux; default: the first `iw dev` lists).
    #[arg(long, value_name = "IF")]
    interface: Option<String>,
    /// Scans taken at each stop-and-go point.
    #[arg(long, value_name = "N", default_value_t = wisp_collect::DEFAULT_SCANS_PER_POINT)]
    scans_per_point: u32,
    /// After each point's scans, ping this host (round-trip time and loss, journalled).
    #[arg(long, value_name = "HOST")]
    ping: Option<String>,
}

fn collect_error(e: wisp_collect::Error) -> CliError {
    match e.kind() {
        wisp_collect::ErrorKind::Input => CliError::input(e),
        wisp_collect::ErrorKind::Output | wisp_collect::ErrorKind::Server => CliError::output(e),
    }
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = pipeline::load_site(&a.site)?;
    let floor = pipeline::pick_floor(&site, a.floor.as_deref())?
        .floor
        .id
        .clone();
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from(format!("collect-{floor}")));
    let mut options = wisp_collect::Options::new(out.clone());
    options.scans_per_point = a.scans_per_point;
    options.ping = a.ping;
    let scanner: Box<dyn wisp_collect::Scanner> = match &a.scanner_cmd {
        Some(cmd) => Box::new(wisp_collect::scanner::CommandScanner::shell(cmd)),
        None => wisp_collect::scanner::platform_scanner(a.interface.as_deref()),
    };
    let collector =
        wisp_collect::Collector::open(site, &floor, options, scanner).map_err(collect_error)?;
    let r = collector.resumed().clone();
    if r.scans > 0 || r.points > 0 {
        eprintln!(
            "wisp collect: resuming {}: {}, {}",
            out.display(),
            count(r.points, "point", "points"),
            count(r.scans, "scan", "scans")
        );
    }
    if !r.skipped_lines.is_empty() {
        eprintln!(
            "wisp collect: skipped {} (a write cut short by a crash): line {}",
            count(
                r.skipped_lines.len(),
                "unreadable journal line",
                "unreadable journal lines"
            ),
            r.skipped_lines
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let listen = a
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let exposed = !listen.ip().is_loopback();
    let no_open = a.no_open;
    let exported = wisp_collect::server::serve_blocking(collector, listen, |url| {
        // The first line on stdout: the address, with the token.
        println!("{url}");
        if exposed {
            eprintln!(
                "wisp collect: WARNING: listening on {listen}, reachable from other machines on this network; anyone with the address and its token can add to this survey (on the tablet, use this machine's address on that network in place of {})",
                listen.ip()
            );
        }
        eprintln!("wisp collect: surveying floor '{floor}' into {}", out.display());
        if !no_open {
            open_browser(url);
        }
    })
    .map_err(collect_error)?;
    // The page's "Finish" exported: the manifest lines for the terminal.
    eprintln!(
        "wisp collect: wrote {} ({})",
        exported.survey.display(),
        count(exported.samples, "scan", "scans")
    );
    println!("{}", exported.manifest_lines);
    Ok(ExitCode::Ok)
}

/// Opens the page in the desktop's browser; failing that the address printed is enough.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "windows") {
        ("cmd", vec!["/C", "start", "", url])
    } else if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else {
        ("xdg-open", vec![url])
    };
    let _ = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
