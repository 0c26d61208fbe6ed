//! The instruction-count guard: fails CI when a hot path executes more instructions than its
//! committed baseline allows.
//!
//! Owns the measured workloads (`workloads`, one per hot path: IDW grid, layer stack, kriging,
//! planner, capture parsers), running each under valgrind's callgrind with counting switched on
//! only inside the workload (`callgrind`), the baselines in `benches/guard/` (`baseline`) and the
//! verdict (`compare`). `wisp-guard check` compares, `wisp-guard bless` rewrites the baselines.
//! Wall time stays with the criterion benches; this binary never times anything it judges, and
//! it is a development tool, not part of `wisp`.

mod baseline;
mod callgrind;
mod compare;
mod workloads;

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};
use compare::{Verdict, BLESS_COMMAND, THRESHOLD_PERCENT};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use workloads::{Workload, WORKLOADS};

/// The instruction-count guard (callgrind) for wisp's hot paths.
#[derive(Parser)]
#[command(name = "wisp-guard")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Selection {
    /// Only these benches (repeatable; default: every bench).
    #[arg(long = "only", value_name = "BENCH")]
    only: Vec<String>,
    /// Workloads counted at once (default: the number of CPUs; counts do not depend on it).
    #[arg(long)]
    jobs: Option<usize>,
    /// Folder of the baselines.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../benches/guard"))]
    baselines: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Counts every bench and fails (exit 1) if one grew past the threshold or has no baseline.
    Check(Selection),
    /// Counts the benches and rewrites the baselines whose count or toolchain changed.
    Bless(Selection),
    /// Lists the benches and what each counts.
    List,
    /// Runs one bench's workload once, natively (what callgrind runs).
    Run { bench: String },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("wisp-guard: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Ok(false) when the guard fails.
fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::List => {
            for w in WORKLOADS {
                println!("{}: {}", w.name, w.what);
            }
            Ok(true)
        }
        Command::Run { bench } => {
            workloads::run(find(&bench)?)?;
            Ok(true)
        }
        Command::Check(sel) => check(&sel),
        Command::Bless(sel) => bless(&sel),
    }
}

fn find(name: &str) -> anyhow::Result<&'static Workload> {
    workloads::by_name(name).with_context(|| {
        let known: Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
        format!("no bench '{name}' (known: {})", known.join(", "))
    })
}

fn selected(sel: &Selection) -> anyhow::Result<Vec<&'static Workload>> {
    if sel.only.is_empty() {
        return Ok(WORKLOADS.iter().collect());
    }
    sel.only.iter().map(|n| find(n)).collect()
}

/// Each selected bench's count, in selection order, `jobs` valgrind processes at a time.
fn count_all(sel: &Selection) -> anyhow::Result<Vec<(&'static Workload, u64)>> {
    let benches = selected(sel)?;
    let jobs = sel
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, benches.len().max(1));
    let exe = std::env::current_exe().context("locating the wisp-guard binary")?;
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let started = std::time::Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<u64>>>> =
        Mutex::new(benches.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(w) = benches.get(i) else { break };
                let t = std::time::Instant::now();
                let r = callgrind::count(&exe, w.name, scratch.path());
                eprintln!("counted {} in {:.0} s", w.name, t.elapsed().as_secs_f64());
                results.lock().expect("no worker panics")[i] = Some(r);
            });
        }
    });
    eprintln!(
        "counted {} bench(es) in {:.0} s, {jobs} at a time",
        benches.len(),
        started.elapsed().as_secs_f64()
    );
    let results = results.into_inner().expect("no worker panics");
    benches
        .into_iter()
        .zip(results)
        .map(|(w, r)| Ok((w, r.expect("every bench counted")?)))
        .collect()
}

fn check(sel: &Selection) -> anyhow::Result<bool> {
    let valgrind = callgrind::valgrind_version()?;
    let counts = count_all(sel)?;
    let rustc = env!("WISP_GUARD_RUSTC");
    let mut failed = vec![];
    for (w, count) in &counts {
        let base = baseline::read(&sel.baselines, w.name)?;
        let line = compare::line(w.name, *count, base.as_ref().map(|b| b.instructions));
        println!("{line}");
        if Verdict::of(base.as_ref().map(|b| b.instructions), *count).fails() {
            failed.push((w.name, line, base));
        }
    }
    if failed.is_empty() {
        return Ok(true);
    }
    eprintln!();
    for (_, line, base) in &failed {
        eprintln!("guard failed: {line}");
        if let Some(b) = base {
            if b.rustc != rustc || b.valgrind != valgrind {
                eprintln!(
                    "  (the baseline was counted with {} and {}; this run with {rustc} and \
                     {valgrind}: counts differ between compilers)",
                    b.rustc, b.valgrind
                );
            }
        }
    }
    eprintln!(
        "\nA bench grew by more than {THRESHOLD_PERCENT} % of its baseline. If the change is \
         deliberate, accept it with\n\n    {BLESS_COMMAND}{}\n\nand commit the rewritten \
         benches/guard/<bench>.json with the change, saying in the commit message why the \
         count moved.",
        failed
            .iter()
            .map(|(name, ..)| format!(" --only {name}"))
            .collect::<String>()
    );
    Ok(false)
}

fn bless(sel: &Selection) -> anyhow::Result<bool> {
    let valgrind = callgrind::valgrind_version()?;
    let rustc = env!("WISP_GUARD_RUSTC").to_string();
    if !sel.baselines.is_dir() {
        bail!("{}: no such folder", sel.baselines.display());
    }
    for (w, count) in count_all(sel)? {
        let old = baseline::read(&sel.baselines, w.name)?;
        let new = baseline::Baseline {
            bench: w.name.to_string(),
            instructions: count,
            what: w.what.split_whitespace().collect::<Vec<_>>().join(" "),
            rustc: rustc.clone(),
            valgrind: valgrind.clone(),
        };
        // A count within the run-to-run noise keeps its file, so a plain `bless` rewrites only
        // the benches that really moved.
        if old.as_ref().is_some_and(|o| {
            o.rustc == new.rustc
                && o.valgrind == new.valgrind
                && compare::change_percent(o.instructions, count).abs() < compare::NOISE_PERCENT
        }) {
            println!(
                "{}: {} instructions, unchanged (within {} % of the baseline)",
                w.name,
                compare::thousands(count),
                compare::NOISE_PERCENT
            );
            continue;
        }
        let path = baseline::write(&sel.baselines, &new)?;
        let was = old.map_or("new".to_string(), |o| {
            format!(
                "was {}, {:+.2} %",
                compare::thousands(o.instructions),
                compare::change_percent(o.instructions, count)
            )
        });
        println!(
            "{}: {} instructions ({was}): wrote {}",
            w.name,
            compare::thousands(count),
            path.display()
        );
    }
    Ok(true)
}
