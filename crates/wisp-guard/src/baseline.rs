//! The committed baseline of one bench: `benches/guard/<bench>.json`, the one file format of the
//! guard.

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One bench's accepted instruction count and what it was measured with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The workload's name (the file's stem).
    pub bench: String,
    /// Instructions executed by the workload (callgrind's `Ir`), setup excluded.
    pub instructions: u64,
    /// What the workload does, so the file is readable on its own.
    pub what: String,
    /// The compiler that built the measured binary: counts belong to one compiler.
    pub rustc: String,
    /// The valgrind that counted.
    pub valgrind: String,
}

/// Where `bench`'s baseline lives under `dir`.
pub fn path(dir: &Path, bench: &str) -> PathBuf {
    dir.join(format!("{bench}.json"))
}

/// The baseline of `bench` under `dir`, or `None` when there is no file.
pub fn read(dir: &Path, bench: &str) -> anyhow::Result<Option<Baseline>> {
    let path = path(dir, bench);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let b: Baseline = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: expected a guard baseline (bench, instructions, what, rustc, valgrind)",
            path.display()
        )
    })?;
    anyhow::ensure!(
        b.bench == bench,
        "{}: names bench '{}', expected '{bench}'",
        path.display(),
        b.bench
    );
    Ok(Some(b))
}

/// Writes `b` to its file under `dir`, atomically (pretty JSON, one trailing newline).
pub fn write(dir: &Path, b: &Baseline) -> anyhow::Result<PathBuf> {
    let path = path(dir, &b.bench);
    let mut text = serde_json::to_string_pretty(b)?;
    text.push('\n');
    wisp_render::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Baseline {
        Baseline {
            bench: "idw_grid_2k_200x200".into(),
            instructions: 123_456_789,
            what: "w".into(),
            rustc: "rustc 1.95.0".into(),
            valgrind: "valgrind-3.19.0".into(),
        }
    }

    #[test]
    fn round_trips_and_missing_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path(), "idw_grid_2k_200x200").unwrap(), None);
        let p = write(dir.path(), &sample()).unwrap();
        assert!(p.ends_with("idw_grid_2k_200x200.json"));
        assert_eq!(
            read(dir.path(), "idw_grid_2k_200x200").unwrap(),
            Some(sample())
        );
    }

    #[test]
    fn a_bad_file_names_itself_and_what_was_expected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.json"), "{\"bench\": \"x\"}").unwrap();
        let e = format!("{:#}", read(dir.path(), "x").unwrap_err());
        assert!(e.contains("x.json") && e.contains("instructions"), "{e}");
        // A file under another bench's name is refused, not silently used.
        let mut other = sample();
        other.bench = "y".into();
        std::fs::write(
            dir.path().join("x.json"),
            serde_json::to_string(&other).unwrap(),
        )
        .unwrap();
        let e = format!("{:#}", read(dir.path(), "x").unwrap_err());
        assert!(e.contains("names bench 'y'"), "{e}");
    }
}
