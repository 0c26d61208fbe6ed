//! Heatmap pixels against the documented palettes, computed here from the published colour
//! stops (ColorBrewer RdYlGn 9, cividis at six points, Okabe–Ito), not from wisp-render's code.
//!
//! The layer is built by hand: blocks of 4 × 4 one-metre cells holding one known value each, on
//! a white plan. Inside a block, away from its edges, every cell centre around a pixel holds
//! the block's value, so the picture must show exactly the palette's colour for that value,
//! laid at the default opacity (0.6) over the plan's lightened grey (white stays white).

mod support;

use image::{Rgba, RgbaImage};
use support::{centre_m, floor, METRES_PER_PIXEL, PLAN_H, PLAN_W};
use wisp_model::{Floor, Grid, GridGeometry, Point, Polygon};
use wisp_render::{heatmap_image, ColourScale, HeatmapRequest, Palette};

/// ColorBrewer RdYlGn, 9 classes, red to green (colorbrewer2.org).
const RDYLGN: [&str; 9] = [
    "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b", "#a6d96a", "#66bd63",
    "#1a9850",
];
/// Cividis sampled at 0, 0.2 … 1 (Nuñez, Anderton & Renslow 2018).
const CIVIDIS: [[f64; 3]; 6] = [
    [0.0, 34.0, 78.0],
    [53.0, 69.0, 108.0],
    [102.0, 105.0, 112.0],
    [148.0, 142.0, 119.0],
    [200.0, 184.0, 102.0],
    [254.0, 232.0, 56.0],
];
/// Okabe & Ito's palette without black, in its published order.
const OKABE_ITO: [&str; 7] = [
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
];
const OPACITY: f64 = 0.6;
/// Largest difference allowed per channel: two roundings (ramp, then blend) of at most ½ each.
const TOLERANCE: i32 = 2;

fn hex(s: &str) -> [f64; 3] {
    let v = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).unwrap() as f64;
    [v(1), v(3), v(5)]
}

/// Piecewise-linear ramp through evenly spaced stops, t in 0…1.
fn ramp(stops: &[[f64; 3]], t: f64) -> [f64; 3] {
    let t = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
    let i = (t.floor() as usize).min(stops.len() - 2);
    let f = t - i as f64;
    [0, 1, 2].map(|k| stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f)
}

/// The colour expected on a white plan: the ramp colour at 60 % over white.
fn over_white(c: [f64; 3]) -> [i32; 3] {
    c.map(|v| (OPACITY * v + (1.0 - OPACITY) * 255.0).round() as i32)
}

/// A 20 × 10 m floor (the support floor's plan size) whose outline is the whole plan.
fn whole_floor() -> Floor {
    Floor {
        outline: Polygon::rectangle(Point::new(0.0, 0.0), Point::new(20.0, 10.0)).unwrap(),
        ..floor()
    }
}

/// 1 m cells; block (bx, by) of 4 × 4 cells holds `values[by][bx]`.
fn block_layer(values: [[f32; 5]; 2]) -> Grid<f32> {
    let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 20, 8).unwrap();
    Grid::from_fn(g, |r, c| values[r / 4][c / 4])
}

/// Pixels well inside block (bx, by): between the centres of its outer cells, 0.2 m in.
fn inside_block(bx: u32, by: u32) -> impl Iterator<Item = (u32, u32)> {
    let px = |m: f64| (m / METRES_PER_PIXEL).round() as u32;
    let (x0, x1) = (px(bx as f64 * 4.0 + 0.7), px(bx as f64 * 4.0 + 3.3));
    let (y0, y1) = (px(by as f64 * 4.0 + 0.7), px(by as f64 * 4.0 + 3.3));
    (y0..y1).flat_map(move |y| (x0..x1).map(move |x| (x, y)))
}

fn white_plan() -> RgbaImage {
    RgbaImage::from_pixel(PLAN_W, PLAN_H, Rgba([255, 255, 255, 255]))
}

fn check_blocks(
    scale: &ColourScale,
    values: [[f32; 5]; 2],
    expected: impl Fn(f32) -> Option<[i32; 3]>,
) {
    let floor = whole_floor();
    let plan = white_plan();
    let layer = block_layer(values);
    let picture = heatmap_image(&HeatmapRequest::new(&floor, &plan, &layer, scale, "")).unwrap();
    let mut checked = 0;
    for by in 0..2u32 {
        for bx in 0..5u32 {
            let value = values[by as usize][bx as usize];
            let want = expected(value);
            for (x, y) in inside_block(bx, by) {
                assert!(floor.outline.contains(centre_m(x, y)));
                let p = picture.get_pixel(x, y).0;
                let got = [p[0] as i32, p[1] as i32, p[2] as i32];
                match want {
                    Some(want) => {
                        let off = (0..3).map(|k| (got[k] - want[k]).abs()).max().unwrap();
                        assert!(
                            off <= TOLERANCE,
                            "{value} at ({x},{y}): {got:?}, palette says {want:?}"
                        );
                    }
                    // No value: the plan's lightened grey, white here.
                    None => assert_eq!(got, [255, 255, 255], "({x},{y})"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 5_000, "{checked} pixels checked");
}

#[test]
fn signal_pixels_match_rdylgn() {
    let stops: Vec<[f64; 3]> = RDYLGN.iter().map(|s| hex(s)).collect();
    // Both ends, stops, values between stops, beyond the range, and a hole.
    let values = [
        [-90.0, -82.5, -71.0, -65.0, -52.3],
        [-30.0, -120.0, -10.0, -47.5, f32::NAN],
    ];
    let scale = ColourScale::signal(Palette::Survey);
    check_blocks(&scale, values, |v| {
        v.is_finite()
            .then(|| over_white(ramp(&stops, (v as f64 + 90.0) / 60.0)))
    });
}

#[test]
fn snr_pixels_match_cividis() {
    let values = [[0.0, 7.0, 19.5, 25.0, 33.3], [50.0, 44.0, -5.0, 12.0, 61.0]];
    let scale = ColourScale::snr(Palette::Cividis);
    check_blocks(&scale, values, |v| {
        v.is_finite()
            .then(|| over_white(ramp(&CIVIDIS, v as f64 / 50.0)))
    });
}

#[test]
fn channel_pixels_match_okabe_ito() {
    let labels: Vec<String> = (0..7).map(|i| format!("ch {i}")).collect();
    let scale = ColourScale::categorical("Channel", "", labels);
    let values = [[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 2.0, 0.0, f32::NAN]];
    check_blocks(&scale, values, |v| {
        v.is_finite()
            .then(|| over_white(hex(OKABE_ITO[v as usize])))
    });
}

#[test]
fn categories_are_never_blended_across_cells() {
    // Two categories side by side, 0 then 1: every pixel is one colour or the other, even at
    // the boundary where a continuous scale would blend.
    let labels = vec!["a".to_string(), "b".to_string()];
    let scale = ColourScale::categorical("Channel", "", labels);
    let floor = whole_floor();
    let plan = white_plan();
    let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 20, 10).unwrap();
    let layer = Grid::from_fn(g, |_, c| if c < 10 { 0.0 } else { 1.0 });
    let picture = heatmap_image(&HeatmapRequest::new(&floor, &plan, &layer, &scale, "")).unwrap();
    let (a, b) = (over_white(hex(OKABE_ITO[0])), over_white(hex(OKABE_ITO[1])));
    for y in 0..PLAN_H {
        for x in 0..PLAN_W {
            let p = picture.get_pixel(x, y).0;
            let got = [p[0] as i32, p[1] as i32, p[2] as i32];
            let want = if x < 100 { a } else { b };
            assert!(
                (0..3).all(|k| (got[k] - want[k]).abs() <= TOLERANCE),
                "({x},{y}): {got:?} vs {want:?}"
            );
        }
    }
}
