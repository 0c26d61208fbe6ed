//! Running one workload under callgrind and reading its instruction count.

use anyhow::{bail, Context as _};
use std::path::Path;
use std::process::Command;

/// The function whose instructions are counted (see `workloads::wisp_guard_measured`).
pub const TOGGLE: &str = "wisp_guard_measured";

/// `valgrind --version`, or an error saying how to install it.
pub fn valgrind_version() -> anyhow::Result<String> {
    let out = Command::new("valgrind").arg("--version").output();
    match out {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        Ok(o) => bail!(
            "`valgrind --version` failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "valgrind is not installed: the guard counts instructions with callgrind \
             (`apt-get install valgrind`; .ci/run installs it)"
        ),
        Err(e) => Err(e).context("running valgrind"),
    }
}

/// Instructions `exe run <bench>` executes inside the toggled function, under callgrind.
/// `scratch` holds callgrind's output file.
pub fn count(exe: &Path, bench: &str, scratch: &Path) -> anyhow::Result<u64> {
    let out_file = scratch.join(format!("callgrind.{bench}.out"));
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg("--collect-atstart=no")
        .arg(format!("--toggle-collect={TOGGLE}"))
        .arg(exe)
        .args(["run", bench])
        .output()
        .context("running valgrind")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(20).collect();
        bail!(
            "{bench}: the workload failed under callgrind ({}):\n{}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let text = std::fs::read_to_string(&out_file)
        .with_context(|| format!("{bench}: reading {}", out_file.display()))?;
    let n = totals(&text).with_context(|| format!("{bench}: {}", out_file.display()))?;
    if n == 0 {
        bail!("{bench}: callgrind counted nothing: is `{TOGGLE}` still called, unmangled and not inlined?");
    }
    Ok(n)
}

/// The first event count (`Ir`, instructions) of a callgrind output file's `totals:` line, or of
/// its `summary:` line when it has no totals.
pub fn totals(callgrind_out: &str) -> anyhow::Result<u64> {
    let field = |key: &str| {
        callgrind_out
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|rest| rest.split_whitespace().next().unwrap_or(""))
    };
    let Some(value) = field("totals:").or_else(|| field("summary:")) else {
        bail!("no `totals:` or `summary:` line: not a callgrind output file");
    };
    value
        .parse()
        .with_context(|| format!("expected an instruction count after `totals:`, found '{value}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_totals_then_summary() {
        let file = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 7\n\
                    cmd: wisp-guard run x\npart: 1\n\nevents: Ir\n\nfn=(1) main\n5 10\n\n\
                    totals: 1234567\n";
        assert_eq!(totals(file).unwrap(), 1_234_567);
        assert_eq!(totals("events: Ir\nsummary: 42\n").unwrap(), 42);
        // Several events: the first (Ir) is the count.
        assert_eq!(totals("events: Ir Dr\ntotals: 9 3\n").unwrap(), 9);
    }

    #[test]
    fn refuses_what_is_not_a_callgrind_file() {
        assert!(format!("{:#}", totals("hello\n").unwrap_err()).contains("totals:"));
        assert!(format!("{:#}", totals("totals: many\n").unwrap_err()).contains("'many'"));
    }
}
