//! A new count against its baseline: the verdict and the words for it.

/// Growth past which the guard fails, in percent of the baseline. Instruction counts of these
/// workloads repeat exactly from run to run and do not move with the machine's load (README,
/// "Instruction-count guard", has the measured spread); 3 % is far above that noise, so a
/// failure is a change in the code or the compiler, and far enough below the ~10 % slowdown the
/// guard must catch (its test) that a real regression of a few percent in a kernel still shows.
pub const THRESHOLD_PERCENT: f64 = 3.0;

/// Changes smaller than this (percent) are run-to-run noise, and `bless` leaves such a baseline
/// as it is: the largest spread measured over three runs was 0.013 % (`parse_iw_4mb`; README).
pub const NOISE_PERCENT: f64 = 0.1;

/// The command that rewrites baselines, printed with every failure.
pub const BLESS_COMMAND: &str = "cargo run --release -p wisp-guard -- bless";

/// How a count compares with its baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Within ± the threshold.
    Within { change_percent: f64 },
    /// Grew past the threshold: the guard fails.
    Slower { change_percent: f64 },
    /// Shrank past the threshold: passes, but the baseline should be re-blessed so the gain is
    /// kept (or else a later slow-down is measured from the old, slower count).
    Faster { change_percent: f64 },
    /// No committed baseline: the guard fails.
    NoBaseline,
}

impl Verdict {
    pub fn of(baseline: Option<u64>, count: u64) -> Verdict {
        let Some(base) = baseline else {
            return Verdict::NoBaseline;
        };
        let change_percent = change_percent(base, count);
        if change_percent > THRESHOLD_PERCENT {
            Verdict::Slower { change_percent }
        } else if change_percent < -THRESHOLD_PERCENT {
            Verdict::Faster { change_percent }
        } else {
            Verdict::Within { change_percent }
        }
    }

    pub fn fails(&self) -> bool {
        matches!(self, Verdict::Slower { .. } | Verdict::NoBaseline)
    }
}

/// The change from `base` to `count`, in percent of `base`.
pub fn change_percent(base: u64, count: u64) -> f64 {
    (count as f64 - base as f64) / (base.max(1) as f64) * 100.0
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// One line for a bench: its name, the new count, the baseline, the change and the verdict.
pub fn line(bench: &str, count: u64, baseline: Option<u64>) -> String {
    let base = baseline.map_or("none".to_string(), thousands);
    let (change, word) = match Verdict::of(baseline, count) {
        Verdict::Within { change_percent } => (format!("{change_percent:+.2} %"), "ok"),
        Verdict::Faster { change_percent } => (
            format!("{change_percent:+.2} %"),
            "ok, faster: re-bless to keep the gain",
        ),
        Verdict::Slower { change_percent } => (
            format!("{change_percent:+.2} %"),
            "FAIL: more instructions than the threshold allows",
        ),
        Verdict::NoBaseline => ("".to_string(), "FAIL: no baseline"),
    };
    format!(
        "{bench}: {} instructions, baseline {base} ({change}, threshold +{THRESHOLD_PERCENT} %): {word}",
        thousands(count)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_boundaries() {
        // Exactly +3 % passes; one instruction more fails. Hand-computed on a base of 1,000,000.
        assert!(!Verdict::of(Some(1_000_000), 1_030_000).fails());
        assert!(Verdict::of(Some(1_000_000), 1_030_001).fails());
        assert!(!Verdict::of(Some(1_000_000), 1_000_000).fails());
        assert!(matches!(
            Verdict::of(Some(1_000_000), 969_999),
            Verdict::Faster { .. }
        ));
        assert!(!Verdict::of(Some(1_000_000), 900_000).fails());
        assert!(Verdict::of(None, 5).fails());
        match Verdict::of(Some(200), 222) {
            Verdict::Slower { change_percent } => assert!((change_percent - 11.0).abs() < 1e-9),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn the_failure_line_names_bench_counts_and_change() {
        let l = line("idw_grid_2k_200x200", 1_100_000, Some(1_000_000));
        assert!(l.starts_with("idw_grid_2k_200x200: "), "{l}");
        assert!(l.contains("1,100,000 instructions"), "{l}");
        assert!(l.contains("baseline 1,000,000"), "{l}");
        assert!(l.contains("+10.00 %") && l.contains("FAIL"), "{l}");
        assert!(line("x", 5, None).contains("no baseline"));
        assert!(line("x", 1_000_001, Some(1_000_000)).ends_with("ok"));
    }

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567_890), "1,234,567,890");
    }
}
