//! `--ping HOST`: an active check at each point with the system `ping` (round-trip time and
//! loss), since voice badges fail on loss before they fail on signal. The command is data
//! ([`PingCommand`]), so tests run a fake `ping` the way they run a fake scanner.
//!
//! The layers the page draws from the results class each point by the thresholds here
//! ([`PingThresholds`]), each cited to its source.

use serde::Serialize;
use std::process::Command;

/// Pings sent per point by default: four, one second apart (the system `ping`'s own interval),
/// about three seconds a point. An estimate of what a surveyor will wait for; four packets tell
/// "no loss" from "some loss" but not 1 % from 2 % (that takes a hundred or more).
pub const DEFAULT_PING_COUNT: u32 = 4;

/// Most pings per point: 1000 at the default one-second interval is a quarter of an hour.
pub const MAX_PING_COUNT: u32 = 1000;

/// How to ping: the program and its arguments, and the host they ping (for the journal).
#[derive(Debug, Clone, PartialEq)]
pub struct PingCommand {
    pub host: String,
    pub program: String,
    pub args: Vec<String>,
}

impl PingCommand {
    /// The system `ping` of this platform: `count` echo requests to `host`, waiting at most one
    /// second for each reply (Linux/macOS `ping -c N -W 1`, Windows `ping -n N -w 1000`). A host
    /// that could be read as an option, or holds characters no host name or address has, is
    /// refused here, before the survey starts.
    pub fn system(host: &str, count: u32) -> Result<PingCommand, String> {
        let plausible = |c: char| c.is_ascii_alphanumeric() || ".-_:%".contains(c);
        if host.is_empty() || host.starts_with('-') || !host.chars().all(plausible) {
            return Err(format!(
                "--ping '{host}' is not a host name or address (letters, digits and . - _ : % only)"
            ));
        }
        if !(1..=MAX_PING_COUNT).contains(&count) {
            return Err(format!(
                "--ping-count {count}: expected 1 to {MAX_PING_COUNT}"
            ));
        }
        let n = count.to_string();
        let args: Vec<&str> = if cfg!(windows) {
            vec!["-n", &n, "-w", "1000", host]
        } else {
            vec!["-c", &n, "-W", "1", host]
        };
        Ok(PingCommand {
            host: host.to_string(),
            program: "ping".to_string(),
            args: args.into_iter().map(str::to_string).collect(),
        })
    }

    /// Runs the command and reads its summary. `ping` exits non-zero when packets were lost,
    /// so the exit status says nothing: a summary in the output is a result (100 % loss
    /// included); no summary (no `ping` binary, an unknown host, no route) is a failure, with
    /// what `ping` said.
    pub fn run(&self) -> Result<PingResult, String> {
        let out = Command::new(&self.program)
            .args(&self.args)
            .output()
            .map_err(|e| format!("cannot run '{}': {e}", self.program))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        parse_ping(&stdout).ok_or_else(|| {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let said = [stderr.trim(), stdout.trim()]
                .into_iter()
                .find(|s| !s.is_empty())
                .and_then(|s| s.lines().last())
                .unwrap_or("nothing");
            format!(
                "ping {}: no summary in its output ({}): {said}",
                self.host, out.status
            )
        })
    }

    /// What it runs, for people.
    pub fn describe(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An active check, as journalled: its result, or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct PingRecord {
    pub point: Option<u64>,
    pub t: f64,
    pub host: String,
    pub result: Result<PingResult, String>,
}

/// One active check with `ping`: packets sent and received, mean round trip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PingResult {
    pub sent: u32,
    pub received: u32,
    pub rtt_avg_ms: Option<f64>,
}

impl PingResult {
    /// Packets lost, in per cent of those sent (100 when none was sent).
    pub fn loss_pct(&self) -> f64 {
        if self.sent == 0 {
            return 100.0;
        }
        100.0 * f64::from(self.sent.saturating_sub(self.received)) / f64::from(self.sent)
    }
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
    let (sent, received) = (sent?, received?);
    if received > sent {
        // Duplicates ("+1 duplicates") are not counted in "received"; more received than
        // sent is not a summary wisp understands.
        return None;
    }
    Some(PingResult {
        sent,
        received,
        rtt_avg_ms: avg.filter(|_| received > 0),
    })
}

/// How a point's ping is drawn: within the good threshold, between good and the limit, past
/// the limit, no reply at all (round trip only), or the check failed to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PingClass {
    Good,
    Marginal,
    Poor,
    NoReply,
    Failed,
}

/// The thresholds the ping layers draw with, sent to the page for its legend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PingThresholds {
    /// Loss below this is good: Zebra's recommended voice environment, "packet loss under 1 %"
    /// (docs.zebra.com; shared/reference.md §7).
    pub loss_good_pct: f64,
    /// Loss above this is poor: the Vocera badge's limit, loss ≤ 2 % (Vocera Infrastructure
    /// Planning Guide; shared/reference.md §1, profile `vocera`).
    pub loss_limit_pct: f64,
    /// Round trip up to this is good: *an estimate*, half of Vocera's budget, leaving the other
    /// half for the wired side and the server a badge really talks to (ping reaches only HOST).
    pub rtt_good_ms: f64,
    /// Round trip above this is poor: the Vocera badge's limit, RTT ≤ 200 ms (Vocera
    /// Infrastructure Planning Guide; shared/reference.md §1, profile `vocera`).
    pub rtt_limit_ms: f64,
}

/// The thresholds of the ping layers (see each field's source).
pub const PING_THRESHOLDS: PingThresholds = PingThresholds {
    loss_good_pct: 1.0,
    loss_limit_pct: 2.0,
    rtt_good_ms: 100.0,
    rtt_limit_ms: 200.0,
};

impl PingThresholds {
    /// The class of a check's loss.
    pub fn loss_class(&self, r: &Result<PingResult, String>) -> PingClass {
        match r {
            Err(_) => PingClass::Failed,
            Ok(p) => {
                let loss = p.loss_pct();
                if loss < self.loss_good_pct {
                    PingClass::Good
                } else if loss <= self.loss_limit_pct {
                    PingClass::Marginal
                } else {
                    PingClass::Poor
                }
            }
        }
    }

    /// The class of a check's mean round trip.
    pub fn rtt_class(&self, r: &Result<PingResult, String>) -> PingClass {
        match r {
            Err(_) => PingClass::Failed,
            Ok(PingResult {
                rtt_avg_ms: None, ..
            }) => PingClass::NoReply,
            Ok(PingResult {
                rtt_avg_ms: Some(ms),
                ..
            }) => {
                if *ms <= self.rtt_good_ms {
                    PingClass::Good
                } else if *ms <= self.rtt_limit_ms {
                    PingClass::Marginal
                } else {
                    PingClass::Poor
                }
            }
        }
    }
}

/// The header of `pings.csv`, the export of the checks (README, "Surveying with `wisp collect`").
pub const PINGS_CSV_HEADER: &str =
    "point,x_m,y_m,time,host,sent,received,loss_pct,rtt_avg_ms,error";

/// `pings.csv`: one row per check at a live point, in plan metres, time as RFC 3339 UTC; a check
/// that failed has empty numbers and its message in `error`; no reply leaves `rtt_avg_ms` empty.
pub fn pings_csv(pings: &[(wisp_model::Point, &PingRecord)]) -> String {
    let mut out = format!("{PINGS_CSV_HEADER}\n");
    for (at, r) in pings {
        let point = r.point.map(|p| p.to_string()).unwrap_or_default();
        let time = wisp_model::time::format_rfc3339(r.t);
        let numbers = match &r.result {
            Ok(p) => format!(
                "{},{},{},{},",
                p.sent,
                p.received,
                p.loss_pct(),
                p.rtt_avg_ms.map(|v| v.to_string()).unwrap_or_default()
            ),
            Err(e) => format!(",,,,{}", csv_field(e)),
        };
        out.push_str(&format!(
            "{point},{},{},{time},{},{numbers}\n",
            at.x,
            at.y,
            csv_field(&r.host)
        ));
    }
    out
}

/// A text field of a CSV row: quoted (quotes doubled) when it holds a comma, quote or line end.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_summaries() {
        let linux = "PING gw (10.0.0.1) 56(84) bytes of data.\n64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=2.1 ms\n\n--- gw ping statistics ---\n4 packets transmitted, 3 received, 25% packet loss, time 3004ms\nrtt min/avg/max/mdev = 1.912/2.345/2.870/0.401 ms\n";
        assert_eq!(
            parse_ping(linux),
            Some(PingResult {
                sent: 4,
                received: 3,
                rtt_avg_ms: Some(2.345)
            })
        );
        let mac = "--- gw ping statistics ---\n4 packets transmitted, 4 packets received, 0.0% packet loss\nround-trip min/avg/max/stddev = 1.0/3.5/6.0/1.2 ms\n";
        let p = parse_ping(mac).unwrap();
        assert_eq!((p.sent, p.received, p.rtt_avg_ms), (4, 4, Some(3.5)));
        let windows = "Ping statistics for 10.0.0.1:\r\n    Packets: Sent = 4, Received = 2, Lost = 2 (50% loss),\r\nApproximate round trip times in milli-seconds:\r\n    Minimum = 1ms, Maximum = 9ms, Average = 5ms\r\n";
        let p = parse_ping(windows).unwrap();
        assert_eq!((p.sent, p.received, p.rtt_avg_ms), (4, 2, Some(5.0)));
        let lost = "4 packets transmitted, 0 received, 100% packet loss, time 3050ms\n";
        let p = parse_ping(lost).unwrap();
        assert_eq!((p.sent, p.received, p.rtt_avg_ms), (4, 0, None));
        // Unreachable: Linux counts the ICMP errors apart from "received".
        let unreachable = "From 10.0.0.2 icmp_seq=1 Destination Host Unreachable\n\n--- 10.0.0.9 ping statistics ---\n4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3061ms\n";
        let p = parse_ping(unreachable).unwrap();
        assert_eq!((p.sent, p.received, p.rtt_avg_ms), (4, 0, None));
        assert_eq!(parse_ping("ping: unknown host"), None);
        assert_eq!(
            parse_ping("2 packets transmitted, 3 received\n"),
            None,
            "more received than sent"
        );
    }

    /// Each class boundary, on both sides, by hand.
    #[test]
    fn classes_at_the_thresholds() {
        let t = PING_THRESHOLDS;
        let loss = |sent, received| {
            t.loss_class(&Ok(PingResult {
                sent,
                received,
                rtt_avg_ms: None,
            }))
        };
        assert_eq!(loss(4, 4), PingClass::Good);
        assert_eq!(loss(1000, 991), PingClass::Good, "0.9 %");
        assert_eq!(loss(100, 99), PingClass::Marginal, "1 %: not under 1 %");
        assert_eq!(loss(100, 98), PingClass::Marginal, "2 %: the limit");
        assert_eq!(loss(1000, 979), PingClass::Poor, "2.1 %");
        assert_eq!(loss(4, 3), PingClass::Poor, "25 %");
        assert_eq!(loss(4, 0), PingClass::Poor);
        assert_eq!(loss(0, 0), PingClass::Poor, "nothing sent counts as lost");
        let rtt = |ms: Option<f64>| {
            t.rtt_class(&Ok(PingResult {
                sent: 4,
                received: u32::from(ms.is_some()) * 4,
                rtt_avg_ms: ms,
            }))
        };
        assert_eq!(rtt(Some(3.0)), PingClass::Good);
        assert_eq!(rtt(Some(100.0)), PingClass::Good);
        assert_eq!(rtt(Some(100.5)), PingClass::Marginal);
        assert_eq!(rtt(Some(200.0)), PingClass::Marginal);
        assert_eq!(rtt(Some(200.5)), PingClass::Poor);
        assert_eq!(rtt(None), PingClass::NoReply);
        let failed = Err("cannot run 'ping'".to_string());
        assert_eq!(t.loss_class(&failed), PingClass::Failed);
        assert_eq!(t.rtt_class(&failed), PingClass::Failed);
    }

    #[test]
    fn hosts_that_could_be_options_or_shell_are_refused() {
        for bad in [
            "",
            "-f",
            "--flood",
            "gw; rm -rf /",
            "a b",
            "gw\n",
            "$(x)",
            "a,b",
        ] {
            assert!(PingCommand::system(bad, 4).is_err(), "{bad:?}");
        }
        for good in [
            "gw",
            "10.0.0.1",
            "fe80::1%wlan0",
            "voice-server.trust.nhs.uk",
        ] {
            let c = PingCommand::system(good, 4).unwrap();
            assert_eq!(c.args.last().unwrap(), good);
            assert_eq!(c.program, "ping");
        }
        assert!(PingCommand::system("gw", 0).is_err());
        assert!(PingCommand::system("gw", MAX_PING_COUNT + 1).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_missing_ping_binary_is_a_failure_not_a_panic() {
        let c = PingCommand {
            host: "gw".into(),
            program: "/nonexistent/wisp-test/ping".into(),
            args: vec![],
        };
        let e = c.run().unwrap_err();
        assert!(
            e.contains("cannot run '/nonexistent/wisp-test/ping'"),
            "{e}"
        );
        // Exit 1 with a summary (all lost) is a result; exit 2 with only stderr is a failure.
        let sh = |script: &str| PingCommand {
            host: "gw".into(),
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
        };
        let lost = sh("echo '4 packets transmitted, 0 received, 100% packet loss'; exit 1");
        assert_eq!(lost.run().unwrap().loss_pct(), 100.0);
        let e = sh("echo 'ping: gw: Name or service not known' >&2; exit 2")
            .run()
            .unwrap_err();
        assert!(e.contains("Name or service not known"), "{e}");
    }
}
