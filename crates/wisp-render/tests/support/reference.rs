//! Comparing a picture with its committed reference, with a tolerance: a change that alters what
//! a planner sees is noticed while rounding noise (a level here and there) is not. Shared by
//! the chart references here and the root package's heatmap references
//! (`tests/reference_images.rs` includes this file by path).
//!
//! References are stored downscaled by [`DOWNSCALE`] (Triangle filter), which keeps them small;
//! [`shrink`] downscales what a test renders the same way. A picture matches when the mean
//! absolute difference over the colour channels is under [`MEAN_ABS_LIMIT`] levels and fewer
//! than [`FAR_SHARE_LIMIT`] of the pixels differ by more than [`FAR_LEVELS`] in some channel.
//! `WISP_BLESS=1` rewrites the references instead; look at every rewritten picture before
//! committing it (README, "Reference pictures").

#![allow(dead_code)]

use image::imageops::FilterType;
use image::RgbaImage;
use std::path::Path;

pub const MEAN_ABS_LIMIT: f64 = 1.0;
pub const FAR_LEVELS: i32 = 24;
pub const FAR_SHARE_LIMIT: f64 = 0.005;
pub const DOWNSCALE: u32 = 3;

/// `full` downscaled as the references are.
pub fn shrink(full: &RgbaImage) -> RgbaImage {
    let (w, h) = full.dimensions();
    image::imageops::resize(full, w / DOWNSCALE, h / DOWNSCALE, FilterType::Triangle)
}

/// (mean absolute difference per channel, share of pixels off by more than `FAR_LEVELS`).
pub fn difference(a: &RgbaImage, b: &RgbaImage) -> (f64, f64) {
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

/// Asserts that `got` (already shrunk) matches the reference at `path`, or, with
/// `WISP_BLESS=1`, writes it there.
pub fn matches_reference(name: &str, got: &RgbaImage, path: &Path) {
    if std::env::var_os("WISP_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        got.save(path).unwrap();
        eprintln!("blessed {}", path.display());
        return;
    }
    let want = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e} (WISP_BLESS=1 writes it)", path.display()))
        .to_rgba8();
    let (mean, far) = difference(got, &want);
    assert!(
        mean < MEAN_ABS_LIMIT && far < FAR_SHARE_LIMIT,
        "{name}: mean |Δ| {mean:.3} levels, {:.3} % of pixels off by more than {FAR_LEVELS}",
        100.0 * far
    );
}
