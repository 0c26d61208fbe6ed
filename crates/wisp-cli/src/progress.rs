//! What the command line shows while a site runs: indicatif progress bars on stderr (when it is
//! a terminal and `--quiet` is off), a line per floor at the end with how long it took, and what
//! ingest did per capture file.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use wisp_ingest::FileReport;
use wisp_model::words::count;
use wisp_site::pipeline::{FloorOutcome, Progress};

/// Progress bars: one for the run, a spinner per floor in flight. It also times each floor (the
/// library reads no clock), for [`Bars::print_floor_summary`].
pub struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    spinner: ProgressStyle,
    floors: Mutex<HashMap<String, FloorBar>>,
}

/// A floor's spinner, when it started, and how many seconds it took once done.
struct FloorBar {
    bar: ProgressBar,
    started: Instant,
    seconds: Option<f64>,
}

impl Bars {
    /// Bars on stderr, hidden when `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool) -> Bars {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let multi = MultiProgress::with_draw_target(target);
        let total = multi.add(ProgressBar::new(0));
        total.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:32}] {pos}/{len} floors, {elapsed} (about {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Bars {
            multi,
            total,
            spinner: ProgressStyle::with_template("  {spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            floors: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds floor `id` took, once it is done.
    fn seconds(&self, id: &str) -> f64 {
        self.floors
            .lock()
            .ok()
            .and_then(|m| m.get(id).and_then(|f| f.seconds))
            .unwrap_or(0.0)
    }

    /// Prints to stderr one line per floor (unless `quiet`) and every failure (always), then
    /// the count.
    pub fn print_floor_summary<T>(
        &self,
        outcomes: &[FloorOutcome<T>],
        quiet: bool,
        describe: impl Fn(&T) -> String,
    ) {
        let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
        if !quiet {
            eprintln!();
        }
        for o in outcomes {
            match &o.result {
                Ok(t) if !quiet => eprintln!(
                    "  {:<12} ok      {:>12}  {:>6.1} s  {}",
                    o.id,
                    count(o.scans, "scan", "scans"),
                    self.seconds(&o.id),
                    describe(t)
                ),
                Ok(_) => {}
                Err(e) => eprintln!("  {:<12} FAILED  {e}", o.id),
            }
        }
        if !quiet || failed > 0 {
            eprintln!(
                "{}: {} processed, {failed} failed",
                count(outcomes.len(), "floor", "floors"),
                outcomes.len() - failed
            );
        }
    }
}

impl Progress for Bars {
    fn start(&self, label: &str, floors: usize) {
        self.total.set_length(floors as u64);
        self.total.set_prefix(label.to_string());
    }

    fn step(&self, id: &str, what: &str) {
        let Ok(mut floors) = self.floors.lock() else {
            return;
        };
        let entry = floors.entry(id.to_string()).or_insert_with(|| {
            let bar = self
                .multi
                .insert_before(&self.total, ProgressBar::new_spinner());
            bar.set_style(self.spinner.clone());
            bar.enable_steady_tick(Duration::from_millis(200));
            FloorBar {
                bar,
                started: Instant::now(),
                seconds: None,
            }
        });
        entry.bar.set_message(format!("{id}: {what}"));
    }

    fn floor_done(&self, id: &str) {
        if let Ok(mut floors) = self.floors.lock() {
            if let Some(f) = floors.get_mut(id) {
                f.bar.finish_and_clear();
                self.multi.remove(&f.bar);
                f.seconds = Some(f.started.elapsed().as_secs_f64());
            }
        }
        self.total.inc(1);
    }

    fn finish(&self) {
        self.total.finish_and_clear();
    }
}

/// Prints what ingest did per file to stderr: format, counts, skips by reason with locations.
pub fn print_reports(reports: &[FileReport]) {
    for r in reports {
        eprintln!("{}", r.summary());
        if r.unidentified > 0 {
            eprintln!(
                "    {}: no usable BSSID (redacted or masked), keyed by SSID, band and channel; secondary and tertiary signal are approximate",
                count(r.unidentified, "unidentified radio", "unidentified radios")
            );
        }
        if !r.time_kinds.is_empty() {
            let kinds: Vec<&str> = r.time_kinds.iter().map(|k| k.name()).collect();
            eprintln!("    times read as {}", kinds.join(" and "));
        }
        for (reason, n, locs) in r.skipped.iter() {
            eprintln!("    skipped {n} × {reason} (first at {})", locs.join(", "));
        }
    }
}

/// Says once on stderr, when the manifest names neither a network nor access points, that every
/// SSID heard counts as coverage (the report's Data section says so too).
pub fn note_if_every_ssid_counts(site: &wisp_ingest::Site, quiet: bool) {
    if site.network.counts_everything() && !quiet {
        eprintln!("note: {}", site.network.describe());
    }
}
