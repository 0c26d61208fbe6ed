//! Heatmaps of the sample floor against reference pictures committed in `tests/reference/`,
//! with a tolerance, so a change that alters what a planner sees is noticed while rounding
//! noise (a level here and there) is not.
//!
//! The references are the maps downscaled to a third of their size (Triangle filter), which
//! keeps them small; the test downscales what it renders the same way. A map matches when the
//! mean absolute difference over all channels is under [`MEAN_ABS_LIMIT`] levels and fewer
//! than [`FAR_SHARE_LIMIT`] of the pixels differ by more than [`FAR_LEVELS`] in some channel.
//! `WISP_BLESS=1 cargo test --test reference_images` rewrites the references; look at every
//! rewritten picture before committing it (README, "Reference pictures").

use image::imageops::FilterType;
use image::RgbaImage;
use std::path::{Path, PathBuf};
use std::process::Command;

const MEAN_ABS_LIMIT: f64 = 1.0;
const FAR_LEVELS: i32 = 24;
const FAR_SHARE_LIMIT: f64 = 0.005;
const DOWNSCALE: u32 = 3;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Renders `wisp heatmap samples ARGS` and shrinks it as the references are shrunk.
fn render(args: &[&str], dir: &Path) -> RgbaImage {
    let out = dir.join("map.png");
    let o = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["heatmap", "samples"])
        .args(args)
        .args(["--out", out.to_str().unwrap()])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let full = image::open(&out).unwrap().to_rgba8();
    let (w, h) = full.dimensions();
    image::imageops::resize(&full, w / DOWNSCALE, h / DOWNSCALE, FilterType::Triangle)
}

/// (mean absolute difference per channel, share of pixels off by more than `FAR_LEVELS`).
fn difference(a: &RgbaImage, b: &RgbaImage) -> (f64, f64) {
    assert_eq!(a.dimensions(), b.dimensions(), "picture size changed");
    let (mut sum, mut far) = (0u64, 0usize);
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d: Vec<i32> = (0..3)
            .map(|k| (p.0[k] as i32 - q.0[k] as i32).abs())
            .collect();
        sum += d.iter().map(|v| *v as u64).sum::<u64>();
        far += d.iter().any(|v| *v > FAR_LEVELS) as usize;
    }
    let n = (a.width() * a.height()) as f64;
    (sum as f64 / (3.0 * n), far as f64 / n)
}

fn compare(name: &str, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let got = render(args, dir.path());
    let reference = root().join("tests/reference").join(name);
    if std::env::var_os("WISP_BLESS").is_some_and(|v| v == "1") {
        got.save(&reference).unwrap();
        eprintln!("blessed {}", reference.display());
        return;
    }
    let want = image::open(&reference)
        .unwrap_or_else(|e| panic!("{}: {e} (WISP_BLESS=1 writes it)", reference.display()))
        .to_rgba8();
    let (mean, far) = difference(&got, &want);
    assert!(
        mean < MEAN_ABS_LIMIT && far < FAR_SHARE_LIMIT,
        "{name}: mean |Δ| {mean:.3} levels, {:.3} % of pixels off by more than {FAR_LEVELS}",
        100.0 * far
    );
}

#[test]
fn sample_primary_matches_its_reference() {
    compare("sample-primary.png", &["--metric", "primary", "--path"]);
}

#[test]
fn sample_channel_matches_its_reference() {
    compare("sample-channel.png", &["--metric", "channel"]);
}

#[test]
fn sample_predicted_after_matches_its_reference() {
    compare(
        "sample-predicted-after.png",
        &[
            "--metric",
            "predicted-after",
            "--plan",
            "tests/reference/sample-plan.json",
        ],
    );
}

#[test]
fn the_comparison_notices_a_changed_map() {
    // The tolerance is not so loose that the same map in another palette passes for it.
    let dir = tempfile::tempdir().unwrap();
    let reference = root().join("tests/reference/sample-primary.png");
    let Ok(want) = image::open(&reference) else {
        return; // not blessed yet: the test above says so
    };
    let other = render(
        &["--metric", "primary", "--path", "--palette", "cividis"],
        dir.path(),
    );
    let (mean, far) = difference(&other, &want.to_rgba8());
    assert!(mean >= MEAN_ABS_LIMIT || far >= FAR_SHARE_LIMIT);
}
