//! Walls found in a plan drawing: dark, long, straight strokes, as a draft for the user to correct.
//!
//! Plan drawings vary too much for detection to be trusted, so what this finds is a starting
//! point, never used silently: `wisp walls --detect` writes it to a file the user reads, corrects
//! and pastes into the manifest.
//!
//! The method, per orientation (horizontal, then vertical on the transposed picture):
//!
//! 1. *Ink* is an opaque pixel darker than [`WallDetectOptions::ink_below`]: walls are drawn in
//!    black or dark grey; room fills, furniture and dimension lines are lighter.
//! 2. Keep the ink that lies on a run at least [`WallDetectOptions::min_length_px`] long along
//!    the orientation, bridging gaps up to [`WallDetectOptions::gap_px`] (hatching, antialiasing).
//!    Text, door swings, furniture and stair treads fall out here: their runs are short.
//! 3. Group the kept ink into 8-connected strokes (imageproc), and read each stroke column by
//!    column across its width: a column mostly filled is a *solid* wall; a column with two thin
//!    lines and paper between is a *double line* (the drawing convention for windows and glazed
//!    screens); a single-pixel line is not a wall (furniture, annotation); a column thicker than
//!    [`WallDetectOptions::max_thickness_px`] is a filled area.
//! 4. Runs of equal columns at least the minimum length become wall segments on the stroke's
//!    centre line; gaps longer than `gap_px` (doorways) split them.
//!
//! Only horizontal and vertical walls are found: hospital plans are drawn on a grid, and a
//! diagonal wall is better traced by hand than guessed.

use crate::IngestError;
use image::{GrayImage, Luma, RgbaImage};
use imageproc::region_labelling::{connected_components, Connectivity};
use std::path::Path;
use wisp_model::{Floor, Point, Segment};

/// How strokes are told from the rest of the drawing. [`WallDetectOptions::for_scale`] gives the
/// defaults for a plan's scale.
#[derive(Debug, Clone, PartialEq)]
pub struct WallDetectOptions {
    /// A pixel is ink when it is opaque and its luminance (Rec. 601, 0–255) is below this.
    pub ink_below: u8,
    /// Shortest wall kept, in pixels.
    pub min_length_px: u32,
    /// Thinnest solid stroke that is a wall, in pixels; thinner lines are furniture or
    /// annotation unless paired as a double line.
    pub min_thickness_px: u32,
    /// Thickest stroke that is a wall, in pixels; thicker ink is a filled area.
    pub max_thickness_px: u32,
    /// Longest gap bridged within one wall, in pixels; longer gaps are doorways.
    pub gap_px: u32,
}

impl WallDetectOptions {
    /// Darkness limit: 110 of 255 takes black and dark-grey wall ink and leaves the mid greys
    /// that drawings use for furniture, fixtures and curtain lines (an estimate from the plans
    /// drawn by this project, `examples/draw_floorplan.rs`, and common CAD plot styles).
    pub const DEFAULT_INK_BELOW: u8 = 110;
    /// Shortest wall: 1 m, below the width of a room and above a door leaf (0.8–0.9 m).
    pub const DEFAULT_MIN_LENGTH_M: f64 = 1.0;
    /// Thickest wall: 0.6 m, above a hospital's thickest masonry (external walls of 0.3–0.5 m).
    pub const DEFAULT_MAX_THICKNESS_M: f64 = 0.6;
    /// Longest gap bridged: 0.15 m, well under a doorway (≥ 0.6 m), above hatching gaps.
    pub const DEFAULT_GAP_M: f64 = 0.15;

    /// The defaults for a plan drawn at `metres_per_pixel`.
    pub fn for_scale(metres_per_pixel: f64) -> WallDetectOptions {
        let px = |m: f64| (m / metres_per_pixel).round().max(1.0) as u32;
        WallDetectOptions {
            ink_below: Self::DEFAULT_INK_BELOW,
            min_length_px: px(Self::DEFAULT_MIN_LENGTH_M).max(4),
            min_thickness_px: 2,
            max_thickness_px: px(Self::DEFAULT_MAX_THICKNESS_M).max(3),
            gap_px: px(Self::DEFAULT_GAP_M),
        }
    }
}

/// How a detected wall is drawn, which hints at its material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StrokeKind {
    /// A filled band: masonry or partition.
    Solid,
    /// Two thin parallel lines with paper between: a window or glazed screen.
    DoubleLine,
}

/// A wall segment found in the drawing, in plan pixels (pixel edges: a stroke covering columns
/// 10..=19 runs from x = 10 to x = 20).
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedWall {
    pub from_px: (f64, f64),
    pub to_px: (f64, f64),
    /// Median width of the stroke across its length, pixels.
    pub thickness_px: f64,
    pub kind: StrokeKind,
}

impl DetectedWall {
    pub fn length_px(&self) -> f64 {
        (self.to_px.0 - self.from_px.0).hypot(self.to_px.1 - self.from_px.1)
    }
    /// The wall in plan metres.
    pub fn segment_m(&self, cal: &wisp_model::PlanCalibration) -> Segment {
        let p = |(x, y): (f64, f64)| cal.to_metres(Point::new(x, y));
        Segment::new(p(self.from_px), p(self.to_px))
    }
    pub fn midpoint_px(&self) -> (f64, f64) {
        (
            (self.from_px.0 + self.to_px.0) / 2.0,
            (self.from_px.1 + self.to_px.1) / 2.0,
        )
    }
}

/// What detection saw and did not keep, in stretches of stroke (one per run of columns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectionStats {
    /// Single-pixel lines long enough to be walls but not paired: furniture, annotation.
    pub thin_lines: usize,
    /// Ink thicker than the thickest wall: filled areas, solid symbols.
    pub filled_areas: usize,
    /// Stretches of wall-like stroke shorter than the minimum length.
    pub short: usize,
    /// Strokes whose edges wander along their length: lettering, symbols, hatched areas.
    pub irregular: usize,
    /// Walls reaching outside the floor's outline (title blocks, scale bars, neighbouring plans).
    pub outside: usize,
}

/// How far outside the floor's outline a wall's ends may lie and the wall still belong to the
/// floor: 0.5 m, so external walls drawn centred on the outline (or just outside it) are kept.
pub const OUTLINE_MARGIN_M: f64 = 0.5;

/// The walls in `floor`'s plan image (at `plan_path`) whose ends both lie within its outline (or
/// within [`OUTLINE_MARGIN_M`] of it); `opts` default to [`WallDetectOptions::for_scale`] of the
/// plan.
pub fn detect_floor_walls(
    plan_path: &Path,
    floor: &Floor,
    opts: Option<&WallDetectOptions>,
) -> Result<(Vec<DetectedWall>, DetectionStats), IngestError> {
    let image = crate::plan::load_plan(plan_path)?;
    let cal = &floor.calibration;
    let defaults = WallDetectOptions::for_scale(cal.metres_per_pixel());
    let (walls, mut stats) = detect_walls(&image, opts.unwrap_or(&defaults));
    let outline = &floor.outline;
    let corners = outline.corners();
    let near_outline = |p: Point| {
        outline.contains(p)
            || (0..corners.len()).any(|i| {
                Segment::new(corners[i], corners[(i + 1) % corners.len()]).distance_to(p)
                    <= OUTLINE_MARGIN_M
            })
    };
    let (inside, outside): (Vec<DetectedWall>, Vec<DetectedWall>) =
        walls.into_iter().partition(|w| {
            [w.from_px, w.to_px]
                .iter()
                .all(|&(x, y)| near_outline(cal.to_metres(Point::new(x, y))))
        });
    stats.outside = outside.len();
    Ok((inside, stats))
}

/// How two sets of walls agree, as shares of length (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agreement {
    /// Share of the known walls' length within the tolerance of a found wall.
    pub found: f64,
    /// Share of the found walls' length within the tolerance of a known wall.
    pub correct: f64,
}

/// Compares found walls with known ones (same units, usually plan metres): each wall is sampled
/// every `step` along its length and a sample counts when it lies within `tolerance` of any wall
/// of the other set. Brute force, for checking detection against a manifest.
pub fn agreement(found: &[Segment], known: &[Segment], tolerance: f64, step: f64) -> Agreement {
    let covered = |of: &[Segment], by: &[Segment]| {
        let (mut total, mut near) = (0.0, 0.0);
        for s in of {
            let n = (s.length() / step).ceil().max(1.0) as usize;
            let piece = s.length() / n as f64;
            for i in 0..n {
                let t = (i as f64 + 0.5) / n as f64;
                let p = Point::new(s.a.x + t * (s.b.x - s.a.x), s.a.y + t * (s.b.y - s.a.y));
                total += piece;
                if by.iter().any(|o| o.distance_to(p) <= tolerance) {
                    near += piece;
                }
            }
        }
        if total > 0.0 {
            near / total
        } else {
            1.0
        }
    };
    Agreement {
        found: covered(known, found),
        correct: covered(found, known),
    }
}

/// Share of a wall's columns that must keep its centre line and width (see
/// `Stroke::is_regular`): 0.8 leaves room for junctions and door frames along a wall.
const REGULAR_SHARE: f64 = 0.8;

/// Share of a double line's length its edge lines must be drawn along (see
/// `Stroke::has_drawn_edges`): 0.9 allows for antialiasing and a joint or two.
const EDGE_SHARE: f64 = 0.9;

/// What one column across a stroke looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Gap,
    Solid,
    Double,
    Thin,
    Filled,
}

/// Finds the horizontal and vertical walls of `img`. Deterministic: the same picture and options
/// give the same walls in the same order (horizontal top to bottom, then vertical left to right).
pub fn detect_walls(
    img: &RgbaImage,
    opts: &WallDetectOptions,
) -> (Vec<DetectedWall>, DetectionStats) {
    let (w, h) = img.dimensions();
    let ink: Vec<bool> = img
        .pixels()
        .map(|p| {
            let [r, g, b, a] = p.0;
            let luma = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
            a >= 128 && luma < opts.ink_below as f64
        })
        .collect();
    let mut stats = DetectionStats::default();
    let mut walls = along_rows(&ink, w, h, opts, &mut stats);
    // The vertical walls are the horizontal walls of the transposed picture.
    let mut transposed = vec![false; ink.len()];
    for y in 0..h as usize {
        for x in 0..w as usize {
            transposed[x * h as usize + y] = ink[y * w as usize + x];
        }
    }
    let flip = |(a, b): (f64, f64)| (b, a);
    walls.extend(
        along_rows(&transposed, h, w, opts, &mut stats)
            .into_iter()
            .map(|wall| DetectedWall {
                from_px: flip(wall.from_px),
                to_px: flip(wall.to_px),
                ..wall
            }),
    );
    (walls, stats)
}

/// The horizontal walls of a `w`×`h` ink mask (row-major).
fn along_rows(
    ink: &[bool],
    w: u32,
    h: u32,
    opts: &WallDetectOptions,
    stats: &mut DetectionStats,
) -> Vec<DetectedWall> {
    let mut long_ink = GrayImage::new(w, h);
    for y in 0..h {
        let row = &ink[(y * w) as usize..((y + 1) * w) as usize];
        for (start, end) in runs_bridging(row, opts.gap_px) {
            if end - start + 1 >= opts.min_length_px {
                // Bridged gaps count as ink, so a hatched band stays one stroke.
                for x in start..=end {
                    long_ink.put_pixel(x, y, Luma([255]));
                }
            }
        }
    }
    let labels = connected_components(&long_ink, Connectivity::Eight, Luma([0u8]));
    // Each stroke's columns: (first row, last row, ink count), in label order for determinism.
    let mut strokes: Vec<Option<Stroke>> = Vec::new();
    for (x, y, l) in labels.enumerate_pixels() {
        let l = l.0[0] as usize;
        if l == 0 {
            continue;
        }
        if strokes.len() <= l {
            strokes.resize_with(l + 1, || None);
        }
        strokes[l].get_or_insert_with(|| Stroke::new(x)).add(x, y);
    }
    let mut walls = Vec::new();
    let mut thin = Vec::new();
    for (label, stroke) in strokes.iter().enumerate() {
        let Some(stroke) = stroke else { continue };
        let columns: Vec<Column> = (stroke.x0..=stroke.x1)
            .map(|x| stroke.classify(x, &labels, label as u32, opts))
            .collect();
        for (kind, a, b) in stretches(&columns, opts.gap_px) {
            let len = (b - a + 1) as u32;
            match kind {
                Column::Solid | Column::Double if len >= opts.min_length_px => {
                    if stroke.is_regular(a, b, ink, w)
                        && (kind == Column::Solid || stroke.has_drawn_edges(a, b, ink, w))
                    {
                        walls.push(stroke.wall(a, b, kind));
                    } else {
                        stats.irregular += 1;
                    }
                }
                Column::Solid | Column::Double => stats.short += 1,
                // Only a line drawn unbroken can be half of a window: lettering joined up by
                // the bridging is broken in the drawing itself.
                Column::Thin if len >= opts.min_length_px => {
                    if stroke.has_drawn_edges(a, b, ink, w) {
                        thin.push(stroke.line(a, b));
                    } else {
                        stats.irregular += 1;
                    }
                }
                Column::Filled => stats.filled_areas += 1,
                Column::Thin | Column::Gap => {}
            }
        }
    }
    walls.extend(pair_thin_lines(thin, opts, stats));
    // Top to bottom, then left to right: the order a reader scans the file in.
    walls.sort_by(|a, b| {
        (a.from_px.1, a.from_px.0)
            .partial_cmp(&(b.from_px.1, b.from_px.0))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    walls
}

/// Maximal runs of `true` in `row`, as inclusive (start, end), joining runs separated by at most
/// `gap` false values.
fn runs_bridging(row: &[bool], gap: u32) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (x, _) in row.iter().enumerate().filter(|(_, &v)| v) {
        let x = x as u32;
        match out.last_mut() {
            Some((_, end)) if x - *end - 1 <= gap => *end = x,
            _ => out.push((x, x)),
        }
    }
    out
}

/// One connected stroke: per column of its extent, the first and last row it covers and how many
/// of its pixels the column holds.
struct Stroke {
    x0: u32,
    x1: u32,
    /// Indexed by `x - x0`: (top, bottom, count); count 0 where the stroke has no pixel.
    columns: Vec<(u32, u32, u32)>,
}

impl Stroke {
    fn new(x: u32) -> Stroke {
        Stroke {
            x0: x,
            x1: x,
            columns: vec![(u32::MAX, 0, 0)],
        }
    }

    fn add(&mut self, x: u32, y: u32) {
        if x < self.x0 {
            let extra = (self.x0 - x) as usize;
            self.columns
                .splice(0..0, std::iter::repeat_n((u32::MAX, 0, 0), extra));
            self.x0 = x;
        }
        if x > self.x1 {
            self.columns
                .resize((x - self.x0 + 1) as usize, (u32::MAX, 0, 0));
            self.x1 = x;
        }
        let c = &mut self.columns[(x - self.x0) as usize];
        c.0 = c.0.min(y);
        c.1 = c.1.max(y);
        c.2 += 1;
    }

    fn classify(
        &self,
        x: u32,
        labels: &image::ImageBuffer<Luma<u32>, Vec<u32>>,
        label: u32,
        opts: &WallDetectOptions,
    ) -> Column {
        let (top, bottom, count) = self.columns[(x - self.x0) as usize];
        if count == 0 {
            return Column::Gap;
        }
        let span = bottom - top + 1;
        if span > opts.max_thickness_px {
            return Column::Filled;
        }
        if 2 * count > span {
            return if span >= opts.min_thickness_px {
                Column::Solid
            } else {
                Column::Thin
            };
        }
        // Sparse across: two (or more) thin lines with paper between.
        let mut lines = 0;
        let mut inside = false;
        for y in top..=bottom {
            let on = labels.get_pixel(x, y).0[0] == label;
            if on && !inside {
                lines += 1;
            }
            inside = on;
        }
        if lines >= 2 {
            Column::Double
        } else {
            Column::Thin
        }
    }

    /// Whether columns `a..=b` keep one centre line and one width, as a drawn wall does: at least
    /// [`REGULAR_SHARE`] of them within a pixel of the median of both. A run of lettering joins
    /// into a long stroke too, but its top and bottom follow the letters' shapes.
    fn is_regular(&self, a: usize, b: usize, ink: &[bool], w: u32) -> bool {
        // Bridged gaps make lettering solid, so the fill is read from the drawing's own ink.
        let cols: Vec<(f64, f64, f64)> = (a..=b)
            .filter(|&i| self.columns[i].2 > 0)
            .map(|i| {
                let (top, bottom, _) = self.columns[i];
                let x = self.x0 as usize + i;
                let drawn = (top..=bottom)
                    .filter(|&y| ink[y as usize * w as usize + x])
                    .count();
                (
                    top as f64 + bottom as f64,
                    (bottom - top) as f64,
                    drawn as f64,
                )
            })
            .collect();
        let mut centres: Vec<f64> = cols.iter().map(|c| c.0).collect();
        let mut widths: Vec<f64> = cols.iter().map(|c| c.1).collect();
        let mut inks: Vec<f64> = cols.iter().map(|c| c.2).collect();
        let (centre, width, ink) = (median(&mut centres), median(&mut widths), median(&mut inks));
        // Centres are kept doubled (top + bottom), so one pixel is 2 here. The ink count
        // matters too: lettering keeps its x-height band but not its fill (stems, bowls, gaps).
        let steady = cols
            .iter()
            .filter(|c| {
                (c.0 - centre).abs() <= 2.0
                    && (c.1 - width).abs() <= 1.0
                    && (c.2 - ink).abs() <= 1.0
            })
            .count();
        steady as f64 >= REGULAR_SHARE * cols.len() as f64
    }

    /// Whether the edge lines of a double (or single thin) line run unbroken along columns `a..=b`
    /// (at least [`EDGE_SHARE`] of them inked in the drawing, on the stretch's median top and
    /// bottom rows): a window's frame lines do, the top and bottom of a line of lettering do not.
    fn has_drawn_edges(&self, a: usize, b: usize, ink: &[bool], w: u32) -> bool {
        let used: Vec<usize> = (a..=b).filter(|&i| self.columns[i].2 > 0).collect();
        let mut tops: Vec<f64> = used.iter().map(|&i| self.columns[i].0 as f64).collect();
        let mut bottoms: Vec<f64> = used.iter().map(|&i| self.columns[i].1 as f64).collect();
        let (top, bottom) = (median(&mut tops) as usize, median(&mut bottoms) as usize);
        let inked = |y: usize| {
            (a..=b)
                .filter(|&i| ink[y * w as usize + self.x0 as usize + i])
                .count() as f64
        };
        let n = (b - a + 1) as f64;
        inked(top) >= EDGE_SHARE * n && inked(bottom) >= EDGE_SHARE * n
    }

    /// The thin line over columns `a..=b`.
    fn line(&self, a: usize, b: usize) -> ThinLine {
        let w = self.wall(a, b, Column::Solid);
        ThinLine {
            y: w.from_px.1,
            from: w.from_px.0,
            to: w.to_px.0,
        }
    }

    /// The wall over columns `a..=b` (indices into the stroke's columns) on the median centre
    /// line of those columns.
    fn wall(&self, a: usize, b: usize, kind: Column) -> DetectedWall {
        let cols: Vec<&(u32, u32, u32)> = self.columns[a..=b].iter().filter(|c| c.2 > 0).collect();
        let mut centres: Vec<f64> = cols
            .iter()
            .map(|c| (c.0 as f64 + c.1 as f64 + 1.0) / 2.0)
            .collect();
        let mut widths: Vec<f64> = cols.iter().map(|c| (c.1 - c.0 + 1) as f64).collect();
        let y = median(&mut centres);
        DetectedWall {
            from_px: ((self.x0 as usize + a) as f64, y),
            to_px: ((self.x0 as usize + b + 1) as f64, y),
            thickness_px: median(&mut widths),
            kind: if kind == Column::Double {
                StrokeKind::DoubleLine
            } else {
                StrokeKind::Solid
            },
        }
    }
}

/// A thin line: centre row, first and last column (pixel edges: `from..to`).
#[derive(Debug, Clone, Copy)]
struct ThinLine {
    y: f64,
    from: f64,
    to: f64,
}

/// Thin lines drawn close together and side by side (two or three of them, within the thickest
/// wall) are the double-line symbol of a window or glazed screen, when not joined to a wall
/// band that would have made them one stroke. More lines in a ladder (stair treads, hatching)
/// and lone lines are not walls: they are counted.
fn pair_thin_lines(
    mut lines: Vec<ThinLine>,
    opts: &WallDetectOptions,
    stats: &mut DetectionStats,
) -> Vec<DetectedWall> {
    lines.sort_by(|a, b| {
        (a.y, a.from)
            .partial_cmp(&(b.y, b.from))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let near = |a: &ThinLine, b: &ThinLine| {
        let overlap = a.to.min(b.to) - a.from.max(b.from);
        (a.y - b.y).abs() <= opts.max_thickness_px as f64
            && overlap >= 0.8 * (a.to - a.from).min(b.to - b.from)
    };
    // Clusters of lines linked by nearness (union of neighbours), in sorted order.
    let mut cluster = vec![usize::MAX; lines.len()];
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for i in 0..lines.len() {
        if cluster[i] != usize::MAX {
            continue;
        }
        cluster[i] = clusters.len();
        let mut members = vec![i];
        let mut k = 0;
        while k < members.len() {
            let m = members[k];
            for j in 0..lines.len() {
                if cluster[j] == usize::MAX && near(&lines[m], &lines[j]) {
                    cluster[j] = clusters.len();
                    members.push(j);
                }
            }
            k += 1;
        }
        clusters.push(members);
    }
    let mut walls = Vec::new();
    for members in clusters {
        let group: Vec<&ThinLine> = members.iter().map(|&i| &lines[i]).collect();
        let top = group.iter().map(|l| l.y).fold(f64::INFINITY, f64::min);
        let bottom = group.iter().map(|l| l.y).fold(f64::NEG_INFINITY, f64::max);
        let from = group
            .iter()
            .map(|l| l.from)
            .fold(f64::NEG_INFINITY, f64::max);
        let to = group.iter().map(|l| l.to).fold(f64::INFINITY, f64::min);
        let thickness = bottom - top + 1.0;
        if (2..=3).contains(&group.len())
            && thickness <= opts.max_thickness_px as f64
            && to - from >= opts.min_length_px as f64
        {
            let y = (top + bottom) / 2.0;
            walls.push(DetectedWall {
                from_px: (from, y),
                to_px: (to, y),
                thickness_px: thickness,
                kind: StrokeKind::DoubleLine,
            });
        } else {
            stats.thin_lines += group.len();
        }
    }
    walls
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs of equal columns as (kind, first, last), after smoothing: a stretch shorter than the
/// stroke is wide (a junction, a door frame) takes the kind of its longer neighbour, and gaps of
/// at most `gap` columns between two stretches of one kind are bridged.
fn stretches(columns: &[Column], gap: u32) -> Vec<(Column, usize, usize)> {
    let mut runs: Vec<(Column, usize, usize)> = Vec::new();
    let push = |runs: &mut Vec<(Column, usize, usize)>, kind: Column, a: usize, b: usize| match runs
        .last_mut()
    {
        Some((k, _, end)) if *k == kind => *end = b,
        _ => runs.push((kind, a, b)),
    };
    for (i, &c) in columns.iter().enumerate() {
        push(&mut runs, c, i, i);
    }
    // Bridge short gaps between stretches of one kind.
    let mut bridged: Vec<(Column, usize, usize)> = Vec::new();
    for i in 0..runs.len() {
        let (k, a, b) = runs[i];
        let short_gap = k == Column::Gap
            && (b - a + 1) as u32 <= gap
            && i > 0
            && i + 1 < runs.len()
            && runs[i - 1].0 == runs[i + 1].0;
        let kind = if short_gap { runs[i - 1].0 } else { k };
        push(&mut bridged, kind, a, b);
    }
    // Absorb blips (a few columns of another kind) into the longer neighbour.
    const BLIP: usize = 3;
    let mut out: Vec<(Column, usize, usize)> = Vec::new();
    for i in 0..bridged.len() {
        let (k, a, b) = bridged[i];
        let len = b - a + 1;
        let kind = if len <= BLIP && k != Column::Gap {
            let before = (i > 0).then(|| bridged[i - 1]);
            let after = bridged.get(i + 1).copied();
            let longer = match (before, after) {
                (Some(p), Some(n)) if n.2 - n.1 > p.2 - p.1 => Some(n),
                (Some(p), _) => Some(p),
                (None, n) => n,
            };
            match longer {
                Some((nk, _, _)) if nk != Column::Gap => nk,
                _ => k,
            }
        } else {
            k
        };
        push(&mut out, kind, a, b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    const PAPER: Rgba<u8> = Rgba([255, 255, 255, 255]);
    const INK: Rgba<u8> = Rgba([20, 20, 20, 255]);

    fn fill(img: &mut RgbaImage, x0: u32, y0: u32, x1: u32, y1: u32, c: Rgba<u8>) {
        for y in y0..y1 {
            for x in x0..x1 {
                img.put_pixel(x, y, c);
            }
        }
    }

    fn opts() -> WallDetectOptions {
        // 0.05 m/px: 20 px per metre.
        WallDetectOptions::for_scale(0.05)
    }

    #[test]
    fn defaults_follow_the_scale() {
        let o = opts();
        assert_eq!(o.min_length_px, 20);
        assert_eq!(o.max_thickness_px, 12);
        assert_eq!(o.gap_px, 3);
    }

    #[test]
    fn a_band_becomes_one_wall_on_its_centre_line() {
        let mut img = RgbaImage::from_pixel(300, 200, PAPER);
        fill(&mut img, 10, 50, 200, 56, INK); // 190 px long, 6 px thick
        let (walls, _) = detect_walls(&img, &opts());
        assert_eq!(walls.len(), 1, "{walls:?}");
        let w = &walls[0];
        assert_eq!(w.from_px, (10.0, 53.0));
        assert_eq!(w.to_px, (200.0, 53.0));
        assert_eq!(w.thickness_px, 6.0);
        assert_eq!(w.kind, StrokeKind::Solid);
    }

    #[test]
    fn a_vertical_band_is_found_with_its_coordinates_the_right_way_round() {
        let mut img = RgbaImage::from_pixel(200, 300, PAPER);
        fill(&mut img, 100, 20, 103, 180, INK); // 3 px thick, 160 px tall
        let (walls, _) = detect_walls(&img, &opts());
        assert_eq!(walls.len(), 1, "{walls:?}");
        assert_eq!(walls[0].from_px, (101.5, 20.0));
        assert_eq!(walls[0].to_px, (101.5, 180.0));
        assert_eq!(walls[0].thickness_px, 3.0);
    }

    #[test]
    fn a_doorway_splits_a_wall_and_hatching_gaps_do_not() {
        let mut img = RgbaImage::from_pixel(400, 100, PAPER);
        fill(&mut img, 0, 40, 100, 44, INK);
        fill(&mut img, 118, 40, 300, 44, INK); // 18 px (0.9 m) doorway
        for x in (130..290).step_by(10) {
            fill(&mut img, x, 40, x + 2, 44, PAPER); // 2 px hatch gaps
        }
        let (walls, _) = detect_walls(&img, &opts());
        let spans: Vec<(f64, f64)> = walls.iter().map(|w| (w.from_px.0, w.to_px.0)).collect();
        assert_eq!(spans, vec![(0.0, 100.0), (118.0, 300.0)]);
    }

    #[test]
    fn a_double_line_is_a_window_and_a_single_line_is_not_a_wall() {
        let mut img = RgbaImage::from_pixel(400, 200, PAPER);
        // A window: two 1 px lines 5 px apart, 80 px long.
        fill(&mut img, 50, 30, 130, 31, INK);
        fill(&mut img, 50, 35, 130, 36, INK);
        // A 1 px line (a bed's edge, a dimension line): not a wall.
        fill(&mut img, 50, 120, 200, 121, INK);
        // Stair treads: a ladder of lines 4 px apart is not a window either.
        for y in (150..190).step_by(4) {
            fill(&mut img, 250, y, 330, y + 1, INK);
        }
        let (walls, stats) = detect_walls(&img, &opts());
        assert_eq!(walls.len(), 1, "{walls:?}");
        assert_eq!(walls[0].kind, StrokeKind::DoubleLine);
        assert_eq!(walls[0].from_px, (50.0, 33.0));
        assert_eq!(walls[0].thickness_px, 6.0);
        assert_eq!(stats.thin_lines, 11); // the line and ten treads
    }

    #[test]
    fn short_marks_light_lines_and_filled_areas_are_not_walls() {
        let mut img = RgbaImage::from_pixel(400, 400, PAPER);
        fill(&mut img, 10, 10, 25, 14, INK); // 0.75 m: shorter than a wall
        fill(&mut img, 10, 100, 300, 104, Rgba([150, 150, 150, 255])); // furniture grey
        fill(&mut img, 100, 200, 200, 300, INK); // a solid 5 m square
        fill(&mut img, 10, 350, 300, 354, Rgba([20, 20, 20, 0])); // transparent ink
        let (walls, stats) = detect_walls(&img, &opts());
        assert!(walls.is_empty(), "{walls:?}");
        assert_eq!(stats.filled_areas, 2, "{stats:?}"); // the square, along and across
    }

    #[test]
    fn walls_meeting_at_a_corner_are_both_found() {
        let mut img = RgbaImage::from_pixel(300, 300, PAPER);
        fill(&mut img, 20, 20, 220, 26, INK);
        fill(&mut img, 20, 20, 26, 220, INK);
        let (walls, _) = detect_walls(&img, &opts());
        assert_eq!(walls.len(), 2, "{walls:?}");
        assert_eq!(
            (walls[0].from_px, walls[0].to_px),
            ((20.0, 23.0), (220.0, 23.0))
        );
        assert_eq!(
            (walls[1].from_px, walls[1].to_px),
            ((23.0, 20.0), (23.0, 220.0))
        );
    }

    #[test]
    fn agreement_is_the_share_of_length_near_the_other_set() {
        let seg = |ax, ay, bx, by| Segment::new(Point::new(ax, ay), Point::new(bx, by));
        let known = [seg(0.0, 0.0, 10.0, 0.0), seg(0.0, 5.0, 10.0, 5.0)];
        // Half of the first known wall found, 0.1 off; plus 5 m of wall that is not there.
        let found = [seg(0.0, 0.1, 5.0, 0.1), seg(0.0, 20.0, 5.0, 20.0)];
        let a = agreement(&found, &known, 0.3, 0.1);
        assert!((a.found - 0.25).abs() < 0.02, "{a:?}"); // 5 of 20 m
        assert!((a.correct - 0.5).abs() < 0.02, "{a:?}"); // 5 of 10 m
        let same = agreement(&known, &known, 0.3, 0.1);
        assert_eq!((same.found, same.correct), (1.0, 1.0));
    }

    #[test]
    fn noise_and_odd_sizes_give_walls_inside_the_picture() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for case in 0..60 {
            let (w, h) = (rng.random_range(0..90), rng.random_range(0..70));
            let density: f64 = rng.random_range(0.0..1.0);
            let mut img = RgbaImage::from_pixel(w, h, PAPER);
            for p in img.pixels_mut() {
                if rng.random_bool(density) {
                    *p = INK;
                }
            }
            let o = WallDetectOptions::for_scale([0.01, 0.05, 0.2][case % 3]);
            let (walls, _) = detect_walls(&img, &o);
            for wall in walls {
                for (x, y) in [wall.from_px, wall.to_px] {
                    assert!((0.0..=w as f64).contains(&x) && (0.0..=h as f64).contains(&y));
                }
                assert!(wall.length_px() >= o.min_length_px as f64, "{wall:?}");
            }
        }
    }

    #[test]
    fn runs_bridge_only_short_gaps() {
        let row = [
            true, true, false, false, true, false, false, false, false, true,
        ];
        assert_eq!(runs_bridging(&row, 2), vec![(0, 4), (9, 9)]);
        assert_eq!(runs_bridging(&row, 4), vec![(0, 9)]);
        assert_eq!(runs_bridging(&[], 2), vec![]);
    }
}
