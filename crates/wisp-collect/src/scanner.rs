//! Scanners: what runs the machine's Wi-Fi scan and hands back its raw output. wisp never parses
//! that output here: the bytes go to `wisp_ingest::parse_capture`, which detects the format from
//! content as `wisp ingest` does, so every adapter is "run this command".
//!
//! Built-in adapters by platform (shared/reference.md §4): Linux `iw dev IF scan` (root), then
//! `iw dev IF scan dump` (no root: the kernel's cached results), then `nmcli -t`; Windows
//! `netsh wlan show networks mode=bssid`; macOS `system_profiler SPAirPortDataType -json`.
//! `--scanner-cmd` runs any command through the shell instead.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs one scan and returns what the scanner printed.
pub trait Scanner: Send + Sync {
    /// The scanner's raw output, or why it failed (shown on the page and journalled).
    fn scan(&self) -> Result<Vec<u8>, String>;
    /// What it runs, for people.
    fn describe(&self) -> String;
}

/// A command line, run as given (no shell).
#[derive(Debug, Clone)]
pub struct CommandScanner {
    pub program: String,
    pub args: Vec<String>,
}

impl CommandScanner {
    pub fn new(program: &str, args: &[&str]) -> CommandScanner {
        CommandScanner {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// `--scanner-cmd "…"`: the text run by the platform's shell (`sh -c`, `cmd /C`), so pipes
    /// and quotes work as the surveyor typed them.
    pub fn shell(command_line: &str) -> CommandScanner {
        if cfg!(windows) {
            CommandScanner::new("cmd", &["/C", command_line])
        } else {
            CommandScanner::new("sh", &["-c", command_line])
        }
    }
}

impl Scanner for CommandScanner {
    fn scan(&self) -> Result<Vec<u8>, String> {
        let out = Command::new(&self.program)
            .args(&self.args)
            .output()
            .map_err(|e| format!("{}: {e}", self.describe()))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "{} failed ({}): {}",
                self.describe(),
                out.status,
                err.trim()
            ));
        }
        Ok(out.stdout)
    }
    fn describe(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Tries scanners in order and keeps the first that works: `iw … scan` needs root, `scan dump`
/// does not, and `nmcli` needs NetworkManager. Once one has worked it is the one used.
pub struct FirstWorking {
    candidates: Vec<CommandScanner>,
    chosen: Mutex<Option<usize>>,
}

impl FirstWorking {
    pub fn new(candidates: Vec<CommandScanner>) -> FirstWorking {
        FirstWorking {
            candidates,
            chosen: Mutex::new(None),
        }
    }
}

impl Scanner for FirstWorking {
    fn scan(&self) -> Result<Vec<u8>, String> {
        let chosen = *self.chosen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = chosen {
            return self.candidates[i].scan();
        }
        let mut why = Vec::new();
        for (i, c) in self.candidates.iter().enumerate() {
            match c.scan() {
                Ok(out) if !out.iter().all(u8::is_ascii_whitespace) => {
                    *self.chosen.lock().unwrap_or_else(|e| e.into_inner()) = Some(i);
                    return Ok(out);
                }
                Ok(_) => why.push(format!("{}: printed nothing", c.describe())),
                Err(e) => why.push(e),
            }
        }
        Err(format!("no scanner worked: {}", why.join("; ")))
    }
    fn describe(&self) -> String {
        let chosen = *self.chosen.lock().unwrap_or_else(|e| e.into_inner());
        match chosen {
            Some(i) => self.candidates[i].describe(),
            None => self
                .candidates
                .iter()
                .map(|c| c.describe())
                .collect::<Vec<_>>()
                .join(", or "),
        }
    }
}

/// The built-in scanner of this platform. On Linux `interface` is the wireless interface (the
/// first one `iw dev` lists when `None`).
pub fn platform_scanner(interface: Option<&str>) -> Box<dyn Scanner> {
    if cfg!(target_os = "windows") {
        Box::new(CommandScanner::new(
            "netsh",
            &["wlan", "show", "networks", "mode=bssid"],
        ))
    } else if cfg!(target_os = "macos") {
        Box::new(CommandScanner::new(
            "system_profiler",
            &["SPAirPortDataType", "-json"],
        ))
    } else {
        let iface = interface
            .map(str::to_string)
            .or_else(first_wireless_interface)
            .unwrap_or_else(|| "wlan0".to_string());
        Box::new(FirstWorking::new(vec![
            CommandScanner::new("iw", &["dev", &iface, "scan"]),
            CommandScanner::new("iw", &["dev", &iface, "scan", "dump"]),
            CommandScanner::new(
                "nmcli",
                &[
                    "-t",
                    "-f",
                    "BSSID,SSID,CHAN,FREQ,SIGNAL",
                    "dev",
                    "wifi",
                    "list",
                    "--rescan",
                    "yes",
                ],
            ),
        ]))
    }
}

/// The first interface `iw dev` lists ("\tInterface wlp2s0").
fn first_wireless_interface() -> Option<String> {
    let out = Command::new("iw").arg("dev").output().ok()?;
    interface_in(&String::from_utf8_lossy(&out.stdout))
}

fn interface_in(iw_dev: &str) -> Option<String> {
    iw_dev.lines().find_map(|l| {
        l.trim()
            .strip_prefix("Interface ")
            .map(|i| i.trim().to_string())
    })
}

/// Replays recorded outputs in turn (a failure where an entry is `Err`), round and round: the
/// tests' scanner, and a way to demonstrate the collector without a Wi-Fi card.
pub struct Replayer {
    outputs: Vec<Result<Vec<u8>, String>>,
    next: AtomicUsize,
}

impl Replayer {
    pub fn new(outputs: Vec<Result<Vec<u8>, String>>) -> Replayer {
        Replayer {
            outputs,
            next: AtomicUsize::new(0),
        }
    }
    /// How many scans it has been asked for.
    pub fn calls(&self) -> usize {
        self.next.load(Ordering::SeqCst)
    }
}

impl Scanner for Replayer {
    fn scan(&self) -> Result<Vec<u8>, String> {
        if self.outputs.is_empty() {
            return Err("the replaying scanner has no outputs".into());
        }
        let i = self.next.fetch_add(1, Ordering::SeqCst);
        self.outputs[i % self.outputs.len()].clone()
    }
    fn describe(&self) -> String {
        format!("{} recorded outputs", self.outputs.len())
    }
}

#[cfg(test)]
mod tests {
    /// Linux's fallback: `iw … scan` without root fails, `scan dump` may print nothing, `nmcli`
    /// works; the first that works is kept and the others are not run again.
    #[cfg(unix)]
    #[test]
    fn the_first_working_scanner_is_chosen_and_kept() {
        use super::{CommandScanner, FirstWorking, Scanner};
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let log = |name: &str, then: &str| {
            CommandScanner::shell(&format!("echo {name} >> '{}'; {then}", runs.display()))
        };
        let s = FirstWorking::new(vec![
            log(
                "iw-scan",
                "echo 'command failed: Operation not permitted (-1)' >&2; exit 240",
            ),
            log("iw-dump", "true"),
            log(
                "nmcli",
                r"echo 'AA\:BB\:CC\:DD\:EE\:01:Ward7:1:2412 MHz:70'",
            ),
        ]);
        assert!(s.scan().unwrap().starts_with(b"AA"));
        assert!(s.scan().unwrap().starts_with(b"AA"));
        let ran = std::fs::read_to_string(&runs).unwrap();
        assert_eq!(ran, "iw-scan\niw-dump\nnmcli\nnmcli\n");
        assert!(s.describe().contains("nmcli"), "{}", s.describe());
        let none = FirstWorking::new(vec![log("a", "exit 1"), log("b", "true")]);
        let e = none.scan().unwrap_err();
        assert!(
            e.starts_with("no scanner worked") && e.contains("printed nothing"),
            "{e}"
        );
    }

    #[test]
    fn the_first_interface_iw_lists() {
        let out = "phy#0\n\tUnnamed/non-netdev interface\n\tInterface wlp2s0\n\t\tifindex 3\n";
        assert_eq!(super::interface_in(out).as_deref(), Some("wlp2s0"));
        assert_eq!(super::interface_in("phy#0\n"), None);
    }
}
