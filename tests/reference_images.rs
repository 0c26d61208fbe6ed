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

use image::RgbaImage;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../crates/wisp-render/tests/support/reference.rs"]
mod reference_picture;
use reference_picture::{difference, matches_reference, shrink, FAR_SHARE_LIMIT, MEAN_ABS_LIMIT};

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
    shrink(&image::open(&out).unwrap().to_rgba8())
}

fn compare(name: &str, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let got = render(args, dir.path());
    matches_reference(name, &got, &root().join("tests/reference").join(name));
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
