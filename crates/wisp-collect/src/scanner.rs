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

/// One active check with the system `ping`: packets sent and received, mean round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct PingResult {
    pub sent: u32,
    pub received: u32,
    pub rtt_avg_ms: Option<f64>,
}

/// Pings `host` four times (one second's wait each) with the system `ping`.
pub fn ping(host: &str) -> Result<PingResult, String> {
    if host.starts_with('-') || host.chars().any(char::is_whitespace) {
        return Err(format!("'{host}' is not a host name"));
    }
    let mut cmd = Command::new("ping");
    if cfg!(windows) {
        cmd.args(["-n", "4", "-w", "1000", host]);
    } else {
        cmd.args(["-c", "4", "-W", "1", host]);
    }
    let out = cmd.output().map_err(|e| format!("ping: {e}"))?;
    parse_ping(&String::from_utf8_lossy(&out.stdout)).ok_or_else(|| {
        format!(
            "ping {host}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })
}

/// Reads the summary of `ping`'s output: Linux/macOS "4 packets transmitted, 3 received" and
/// "rtt min/avg/max/mdev = 1.1/2.2/3.3/0.4 ms" (macOS: "round-trip … = …"); Windows "Sent = 4,
/// Received = 3" and "Average = 2ms".
pub fn parse_ping(text: &str) -> Option<PingResult> {
    let number_before = |line: &str, word: &str| -> Option<u32> {
        let at = line.find(word)?;
        line[..at].split_whitespace().last()?.parse().ok()
    };
    let number_after = |line: &str, word: &str| -> Option<f64> {
        let at = line.find(word)? + word.len();
        let rest = line[at..].trim_start_matches([' ', '=']);
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        rest[..end].parse().ok()
    };
    let mut sent = None;
    let mut received = None;
    let mut avg = None;
    for line in text.lines() {
        if line.contains("transmitted") {
            sent = number_before(line, "packets transmitted");
            received = number_before(line, "received").or(number_before(line, "packets received"));
        } else if line.contains("Sent =") {
            sent = number_after(line, "Sent").map(|v| v as u32);
            received = number_after(line, "Received").map(|v| v as u32);
        }
        if let Some((_, values)) = line.split_once(" = ").filter(|_| line.contains("min/avg")) {
            avg = values.split('/').nth(1).and_then(|v| v.trim().parse().ok());
        } else if line.contains("Average") {
            avg = number_after(line, "Average");
        }
    }
    Some(PingResult {
        sent: sent?,
        received: received?,
        rtt_avg_ms: avg,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn ping_summaries() {
        let linux = "PING gw (10.0.0.1) 56(84) bytes of data.\n64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=2.1 ms\n\n--- gw ping statistics ---\n4 packets transmitted, 3 received, 25% packet loss, time 3004ms\nrtt min/avg/max/mdev = 1.912/2.345/2.870/0.401 ms\n";
        assert_eq!(
            super::parse_ping(linux),
            Some(super::PingResult {
                sent: 4,
                received: 3,
                rtt_avg_ms: Some(2.345)
            })
        );
        let mac = "--- gw ping statistics ---\n4 packets transmitted, 4 packets received, 0.0% packet loss\nround-trip min/avg/max/stddev = 1.0/3.5/6.0/1.2 ms\n";
        let p = super::parse_ping(mac).unwrap();
        assert_eq!((p.sent, p.received, p.rtt_avg_ms), (4, 4, Some(3.5)));
        let windows = "Ping statistics for 10.0.0.1:\r\n    Packets: Sent = 4, Received = 2, Lost = 2 (50% loss),\r\nApproximate round trip times in milli-seconds:\r\n    Minimum = 1ms, Maximum = 9ms, Average = 5ms\r\n";
        let p = super::parse_ping(windows).unwrap();
        assert_eq!((p.sent, p.received, p.rtt_avg_ms), (4, 2, Some(5.0)));
        let lost = "4 packets transmitted, 0 received, 100% packet loss, time 3050ms\n";
        let p = super::parse_ping(lost).unwrap();
        assert_eq!((p.sent, p.received, p.rtt_avg_ms), (4, 0, None));
        assert_eq!(super::parse_ping("ping: unknown host"), None);
    }

    #[test]
    fn the_first_interface_iw_lists() {
        let out = "phy#0\n\tUnnamed/non-netdev interface\n\tInterface wlp2s0\n\t\tifindex 3\n";
        assert_eq!(super::interface_in(out).as_deref(), Some("wlp2s0"));
        assert_eq!(super::interface_in("phy#0\n"), None);
    }
}
