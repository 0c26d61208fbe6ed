//! Draws a site manifest's floor as an architect-style floor plan PNG.
//!
//! ```text
//! cargo run --release --example draw_floorplan -- samples/site.toml floorplans/ward-block-l1.png 1520 680
//! ```
//!
//! The manifest is read with `wisp_ingest::manifest::parse_site`, told that the plan image is
//! `WIDTH`×`HEIGHT` px, so every wall, zone and the outline are validated exactly as `wisp` will
//! validate them and the drawing can never disagree with the manifest. What is drawn comes only
//! from the manifest's geometry:
//!
//! * walls by material: external brick and concrete cores 6 px near-black, partitions 3 px dark
//!   grey, lead-lined walls dark red and hatched, glass as window symbols, fire doors across a
//!   corridor as a thin double line;
//! * doorways, found as gaps 0.6–2.0 m wide between collinear wall ends: quarter-circle door
//!   swings (two leaves for gaps over 1.45 m) opening away from corridors, sliding doors at lift
//!   shafts; a short wall spanning a gap between two walls of its own material is a closed door;
//! * furniture implied by zones: beds along the side walls of bays (the count from "(N beds)" in
//!   the name) with curtain tracks, a bed in each single room, treads in stairs, an X in lift
//!   shafts;
//! * zone names centred in each room at the largest size that fits, "LEAD-LINED" under a room
//!   mostly enclosed by lead, and a title block (site name, 10 m scale bar, north arrow).
//!
//! The output is deterministic: the same manifest gives the same bytes. Only the first floor is
//! drawn.

use ab_glyph::{FontRef, PxScale};
use anyhow::{bail, Context};
use image::{Rgb, RgbImage};
use imageproc::drawing::{
    draw_antialiased_line_segment_mut, draw_polygon_mut, draw_text_mut, text_size,
};
use imageproc::pixelops::interpolate;
use std::path::Path;
use wisp_model::{Floor, Point, Zone, ZoneKind};

const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
const INK: Rgb<u8> = Rgb([28, 28, 28]);
const CORE: Rgb<u8> = Rgb([10, 10, 10]);
const PARTITION: Rgb<u8> = Rgb([72, 72, 72]);
const LEAD: Rgb<u8> = Rgb([128, 22, 22]);
const LEAD_HATCH: Rgb<u8> = Rgb([232, 176, 176]);
const GLASS: Rgb<u8> = Rgb([70, 100, 130]);
const FURNITURE: Rgb<u8> = Rgb([120, 120, 120]);
const CURTAIN: Rgb<u8> = Rgb([165, 165, 165]);
const DOOR: Rgb<u8> = Rgb([90, 90, 90]);
const CORRIDOR_FILL: Rgb<u8> = Rgb([243, 243, 241]);
const LABEL: Rgb<u8> = Rgb([30, 30, 30]);

/// Tolerance for "the same point" and "on the same line", metres.
const EPS_M: f64 = 0.02;

fn main() {
    if let Err(e) = run() {
        eprintln!("draw_floorplan: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 4 {
        bail!("usage: draw_floorplan SITE.toml OUT.png WIDTH HEIGHT");
    }
    let manifest = Path::new(&args[0]);
    let width: u32 = args[2].parse().context("WIDTH")?;
    let height: u32 = args[3].parse().context("HEIGHT")?;
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let names: Vec<String> = wisp_coverage::profiles::builtin()
        .into_iter()
        .map(|p| p.name)
        .collect();
    let site =
        wisp_ingest::manifest::parse_site(&text, manifest, &names, &move |_| Ok((width, height)))?;
    let floor = &site.floors[0].floor;
    let font = FontRef::try_from_slice(dejavu::sans::regular()).context("DejaVu Sans")?;
    let bold = FontRef::try_from_slice(dejavu::sans::bold()).context("DejaVu Sans Bold")?;
    let img = Plan::new(floor, &font, &bold).draw(&site.name);
    img.save(&args[1])
        .with_context(|| format!("writing {}", args[1]))?;
    eprintln!(
        "drew {} walls, {} zones of floor {} into {} ({}×{} px)",
        floor.walls.len(),
        floor.zones.len(),
        floor.id,
        args[1],
        width,
        height
    );
    Ok(())
}

/// How a wall material is drawn.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// A solid band of this width (px) and colour.
    Solid(f64, Rgb<u8>),
    /// Dark red hatched band.
    Lead,
    /// Window / glazed screen symbol.
    Glass,
    /// Thin double line (cross-corridor fire doors).
    FireDoor,
}

fn style(material: &str) -> Style {
    match material {
        "brick" => Style::Solid(6.0, INK),
        "concrete" | "lift-shaft" => Style::Solid(6.0, CORE),
        "block" => Style::Solid(4.0, Rgb([50, 50, 50])),
        "metal" => Style::Solid(4.0, Rgb([60, 70, 85])),
        "wood-door" => Style::Solid(2.0, PARTITION),
        "lead" => Style::Lead,
        "glass" => Style::Glass,
        "fire-door" => Style::FireDoor,
        // plasterboard, drywall, custom materials
        _ => Style::Solid(3.0, PARTITION),
    }
}

#[derive(Clone, Copy)]
struct Seg {
    a: Point,
    b: Point,
    style: Style,
    material: usize,
}

impl Seg {
    fn len(&self) -> f64 {
        self.a.distance(self.b)
    }
    fn dir(&self) -> (f64, f64) {
        let l = self.len();
        ((self.b.x - self.a.x) / l, (self.b.y - self.a.y) / l)
    }
}

/// A doorway: the gap from `p` to `q` in a wall line.
struct Doorway {
    p: Point,
    q: Point,
    colour: Rgb<u8>,
    sliding: bool,
}

struct Plan<'a> {
    floor: &'a Floor,
    font: &'a FontRef<'a>,
    bold: &'a FontRef<'a>,
    img: RgbImage,
    /// Pixels per metre.
    scale: f64,
    segs: Vec<Seg>,
}

fn same(a: Point, b: Point) -> bool {
    a.distance(b) < EPS_M
}

fn dist_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let l2 = dx * dx + dy * dy;
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / l2).clamp(0.0, 1.0);
    p.distance(Point::new(a.x + t * dx, a.y + t * dy))
}

fn bounds(z: &Zone) -> (Point, Point) {
    z.polygon.bounds()
}

impl<'a> Plan<'a> {
    fn new(floor: &'a Floor, font: &'a FontRef<'a>, bold: &'a FontRef<'a>) -> Plan<'a> {
        let (w, h) = floor.plan_size_px;
        let segs = floor
            .walls
            .iter()
            .map(|w| Seg {
                a: w.segment.a,
                b: w.segment.b,
                style: style(&floor.materials[w.material].name),
                material: w.material,
            })
            .collect();
        Plan {
            floor,
            font,
            bold,
            img: RgbImage::from_pixel(w, h, WHITE),
            scale: 1.0 / floor.calibration.metres_per_pixel(),
            segs,
        }
    }

    fn px(&self, p: Point) -> (f32, f32) {
        let q = self.floor.calibration.to_pixels(p);
        (q.x as f32, q.y as f32)
    }

    fn draw(mut self, title: &str) -> RgbImage {
        for z in &self.floor.zones {
            if circulation(z) == 2 {
                self.fill_polygon(z.polygon.corners(), CORRIDOR_FILL);
            }
        }
        for z in &self.floor.zones {
            self.furniture(z);
        }
        let leaves = self.closed_leaves();
        let doorways = self.doorways(&leaves);
        for (i, s) in self.segs.clone().iter().enumerate() {
            if leaves.contains(&i) {
                continue;
            }
            match s.style {
                Style::Solid(w, c) => self.band(s.a, s.b, w, c, true),
                Style::Lead => {
                    self.band(s.a, s.b, 7.0, LEAD, true);
                    self.hatch(s);
                }
                _ => {}
            }
        }
        for s in self.segs.clone() {
            match s.style {
                Style::Glass => self.window(&s),
                Style::FireDoor => self.fire_door(&s),
                _ => {}
            }
        }
        for d in &doorways {
            self.door(d);
        }
        for z in &self.floor.zones {
            self.label(z);
        }
        self.title_block(title);
        self.img
    }

    // ---------------------------------------------------------------- primitives

    fn fill_polygon(&mut self, pts: &[Point], c: Rgb<u8>) {
        let mut ps: Vec<imageproc::point::Point<i32>> = pts
            .iter()
            .map(|&p| {
                let (x, y) = self.px(p);
                imageproc::point::Point::new(x.round() as i32, y.round() as i32)
            })
            .collect();
        ps.dedup();
        if ps.len() > 2 && ps.first() == ps.last() {
            ps.pop();
        }
        if ps.len() > 2 {
            draw_polygon_mut(&mut self.img, &ps, c);
        }
    }

    /// Fills the pixel rectangle [x0, x1) × [y0, y1).
    fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, c: Rgb<u8>) {
        let (w, h) = (self.img.width() as i64, self.img.height() as i64);
        let xa = (x0.round() as i64).clamp(0, w);
        let xb = (x1.round() as i64).clamp(0, w);
        let ya = (y0.round() as i64).clamp(0, h);
        let yb = (y1.round() as i64).clamp(0, h);
        for y in ya..yb {
            for x in xa..xb {
                self.img.put_pixel(x as u32, y as u32, c);
            }
        }
    }

    /// A straight band `width` px wide along a→b (metres), its ends extended by half the width
    /// when `caps` so that walls meeting at a corner join.
    fn band(&mut self, a: Point, b: Point, width: f64, c: Rgb<u8>, caps: bool) {
        let (ax, ay) = self.px(a);
        let (bx, by) = self.px(b);
        let (ax, ay, bx, by) = (ax as f64, ay as f64, bx as f64, by as f64);
        let half = width / 2.0;
        let cap = if caps { half } else { 0.0 };
        if (ay - by).abs() < 1e-6 {
            let (x0, x1) = (ax.min(bx) - cap, ax.max(bx) + cap);
            self.rect(x0, ay - half, x1, ay + half, c);
        } else if (ax - bx).abs() < 1e-6 {
            let (y0, y1) = (ay.min(by) - cap, ay.max(by) + cap);
            self.rect(ax - half, y0, ax + half, y1, c);
        } else {
            let l = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
            let (ux, uy) = ((bx - ax) / l, (by - ay) / l);
            let (nx, ny) = (-uy * half, ux * half);
            let (sx, sy) = (ax - ux * cap, ay - uy * cap);
            let (ex, ey) = (bx + ux * cap, by + uy * cap);
            let pts = [
                (sx + nx, sy + ny),
                (ex + nx, ey + ny),
                (ex - nx, ey - ny),
                (sx - nx, sy - ny),
            ]
            .map(|(x, y)| imageproc::point::Point::new(x.round() as i32, y.round() as i32));
            draw_polygon_mut(&mut self.img, &pts, c);
        }
    }

    /// A thin anti-aliased line between two pixel positions.
    fn line_px(&mut self, a: (f32, f32), b: (f32, f32), c: Rgb<u8>) {
        draw_antialiased_line_segment_mut(
            &mut self.img,
            (a.0.round() as i32, a.1.round() as i32),
            (b.0.round() as i32, b.1.round() as i32),
            c,
            interpolate,
        );
    }

    fn line(&mut self, a: Point, b: Point, c: Rgb<u8>) {
        let (pa, pb) = (self.px(a), self.px(b));
        self.line_px(pa, pb, c);
    }

    /// A thin line in pixel space with sub-pixel accuracy, drawn as short anti-aliased steps.
    fn polyline(&mut self, pts: &[Point], c: Rgb<u8>) {
        for w in pts.windows(2) {
            self.line(w[0], w[1], c);
        }
    }

    fn dashed(&mut self, a: Point, b: Point, c: Rgb<u8>) {
        let l = a.distance(b);
        let dash = 0.25;
        let n = (l / dash).floor() as usize;
        for i in (0..n).step_by(2) {
            let t0 = i as f64 * dash / l;
            let t1 = ((i + 1) as f64 * dash / l).min(1.0);
            let p0 = Point::new(a.x + (b.x - a.x) * t0, a.y + (b.y - a.y) * t0);
            let p1 = Point::new(a.x + (b.x - a.x) * t1, a.y + (b.y - a.y) * t1);
            self.line(p0, p1, c);
        }
    }

    // ---------------------------------------------------------------- walls

    fn hatch(&mut self, s: &Seg) {
        let (ax, ay) = self.px(s.a);
        let (bx, by) = self.px(s.b);
        let l = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let (ux, uy) = ((bx - ax) / l, (by - ay) / l);
        let (nx, ny) = (-uy, ux);
        let mut t = 4.0;
        while t < l - 2.0 {
            let (cx, cy) = (ax + ux * t, ay + uy * t);
            let p0 = (cx - ux * 2.0 - nx * 2.0, cy - uy * 2.0 - ny * 2.0);
            let p1 = (cx + ux * 2.0 + nx * 2.0, cy + uy * 2.0 + ny * 2.0);
            self.line_px(p0, p1, LEAD_HATCH);
            t += 6.0;
        }
    }

    fn on_outline(&self, s: &Seg) -> bool {
        let c = self.floor.outline.corners();
        (0..c.len()).any(|i| {
            let (p, q) = (c[i], c[(i + 1) % c.len()]);
            dist_to_segment(s.a, p, q) < EPS_M && dist_to_segment(s.b, p, q) < EPS_M
        })
    }

    /// Window (in an external wall) or glazed screen: a white band edged by thin lines with a
    /// centre line for the glass.
    fn window(&mut self, s: &Seg) {
        let w = if self.on_outline(s) { 6.0 } else { 4.0 };
        self.band(s.a, s.b, w, WHITE, false);
        let (ax, ay) = self.px(s.a);
        let (bx, by) = self.px(s.b);
        let l = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let (nx, ny) = (-(by - ay) / l, (bx - ax) / l);
        let h = (w / 2.0) as f32;
        for off in [-h, 0.0, h] {
            self.line_px(
                (ax + nx * off, ay + ny * off),
                (bx + nx * off, by + ny * off),
                GLASS,
            );
        }
        // jambs
        for (x, y) in [(ax, ay), (bx, by)] {
            self.line_px((x - nx * h, y - ny * h), (x + nx * h, y + ny * h), INK);
        }
    }

    fn fire_door(&mut self, s: &Seg) {
        let (ax, ay) = self.px(s.a);
        let (bx, by) = self.px(s.b);
        let l = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let (nx, ny) = (-(by - ay) / l, (bx - ax) / l);
        for off in [-2.0f32, 2.0] {
            self.line_px(
                (ax + nx * off, ay + ny * off),
                (bx + nx * off, by + ny * off),
                INK,
            );
        }
        // the meeting stiles of the pair of leaves
        let (mx, my) = ((ax + bx) / 2.0, (ay + by) / 2.0);
        self.line_px(
            (mx - nx * 2.0, my - ny * 2.0),
            (mx + nx * 2.0, my + ny * 2.0),
            INK,
        );
    }

    /// Ends of segments not touching any other segment.
    fn is_free_end(&self, i: usize, p: Point) -> bool {
        !self
            .segs
            .iter()
            .enumerate()
            .any(|(j, s)| j != i && dist_to_segment(p, s.a, s.b) < EPS_M)
    }

    /// Direction pointing out of segment `i` at its end `p`.
    fn outward(&self, i: usize, p: Point) -> (f64, f64) {
        let s = &self.segs[i];
        let (dx, dy) = s.dir();
        if same(p, s.b) {
            (dx, dy)
        } else {
            (-dx, -dy)
        }
    }

    /// Short walls that close a gap between two collinear walls of their own material (a closed,
    /// lined door such as an X-ray room's), by index.
    fn closed_leaves(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, s) in self.segs.iter().enumerate() {
            let l = s.len();
            if !(0.6..=2.0).contains(&l) || matches!(s.style, Style::Glass | Style::FireDoor) {
                continue;
            }
            let (dx, dy) = s.dir();
            let continues = |p: Point| {
                self.segs.iter().enumerate().any(|(j, o)| {
                    if j == i || o.material != s.material {
                        return false;
                    }
                    let (ex, ey) = o.dir();
                    let parallel = (dx * ey - dy * ex).abs() < 1e-6;
                    parallel && (same(p, o.a) || same(p, o.b))
                })
            };
            if continues(s.a) && continues(s.b) {
                out.push(i);
            }
        }
        out
    }

    fn doorways(&self, leaves: &[usize]) -> Vec<Doorway> {
        let mut out = Vec::new();
        for &i in leaves {
            let s = &self.segs[i];
            out.push(Doorway {
                p: s.a,
                q: s.b,
                colour: LEAD,
                sliding: false,
            });
        }
        let mut ends = Vec::new();
        for (i, s) in self.segs.iter().enumerate() {
            if leaves.contains(&i) || s.style == Style::FireDoor {
                continue;
            }
            for p in [s.a, s.b] {
                if self.is_free_end(i, p) {
                    ends.push((i, p));
                }
            }
        }
        let mut used = vec![false; ends.len()];
        for k in 0..ends.len() {
            if used[k] {
                continue;
            }
            let (i, p) = ends[k];
            let (ux, uy) = self.outward(i, p);
            let mut best: Option<(usize, f64)> = None;
            for (m, &(j, q)) in ends.iter().enumerate() {
                if m == k || used[m] || j == i {
                    continue;
                }
                let (vx, vy) = (q.x - p.x, q.y - p.y);
                let along = vx * ux + vy * uy;
                let across = (vx * uy - vy * ux).abs();
                let (ox, oy) = self.outward(j, q);
                let facing = ox * ux + oy * uy < -0.999;
                if facing
                    && across < EPS_M
                    && (0.6..=2.0).contains(&along)
                    && best.is_none_or(|(_, d)| along < d)
                {
                    best = Some((m, along));
                }
            }
            if let Some((m, _)) = best {
                used[k] = true;
                used[m] = true;
                let j = ends[m].0;
                let lift =
                    |n: usize| self.floor.materials[self.segs[n].material].name == "lift-shaft";
                out.push(Doorway {
                    p,
                    q: ends[m].1,
                    colour: DOOR,
                    sliding: lift(i) || lift(j),
                });
            }
        }
        out
    }

    /// Which side of the doorway p→q the door opens to: +1 for the left-hand normal, −1 for the
    /// right. Doors open away from corridors, into rooms; between two rooms, into the smaller.
    fn swing_side(&self, p: Point, q: Point) -> f64 {
        let (mx, my) = ((p.x + q.x) / 2.0, (p.y + q.y) / 2.0);
        let l = p.distance(q);
        let (nx, ny) = (-(q.y - p.y) / l, (q.x - p.x) / l);
        let side = |sgn: f64| {
            let at = Point::new(mx + sgn * nx * 0.5, my + sgn * ny * 0.5);
            self.floor
                .zones
                .iter()
                .find(|z| z.polygon.contains(at))
                .map(|z| (circulation(z), z.polygon.area()))
        };
        match (side(1.0), side(-1.0)) {
            (Some(a), Some(b)) => {
                if (a.0, a.1) <= (b.0, b.1) {
                    1.0
                } else {
                    -1.0
                }
            }
            (Some(_), None) => 1.0,
            (None, Some(_)) => -1.0,
            (None, None) => 1.0,
        }
    }

    fn door(&mut self, d: &Doorway) {
        let (p, q) = if (d.p.x, d.p.y) <= (d.q.x, d.q.y) {
            (d.p, d.q)
        } else {
            (d.q, d.p)
        };
        let l = p.distance(q);
        let (ux, uy) = ((q.x - p.x) / l, (q.y - p.y) / l);
        if d.sliding {
            let (nx, ny) = (-uy, ux);
            let side = -self.swing_side(p, q);
            let off = 0.12 * side;
            let a = Point::new(p.x + nx * off - ux * 0.1, p.y + ny * off - uy * 0.1);
            let b = Point::new(q.x + nx * off + ux * 0.1, q.y + ny * off + uy * 0.1);
            self.band(a, b, 2.0, DOOR, false);
            return;
        }
        let side = self.swing_side(p, q);
        let (nx, ny) = (-uy * side, ux * side);
        // leaves: (hinge, direction towards the closed position, leaf length)
        let leaves: Vec<(Point, (f64, f64), f64)> = if l > 1.45 {
            vec![(p, (ux, uy), l / 2.0), (q, (-ux, -uy), l / 2.0)]
        } else {
            vec![(p, (ux, uy), l)]
        };
        for (h, (cx, cy), r) in leaves {
            let open = Point::new(h.x + nx * r, h.y + ny * r);
            self.band(h, open, 2.0, d.colour, false);
            let steps = 24;
            let arc: Vec<Point> = (0..=steps)
                .map(|k| {
                    let t = std::f64::consts::FRAC_PI_2 * k as f64 / steps as f64;
                    let (c, s) = (t.cos(), t.sin());
                    Point::new(h.x + r * (cx * c + nx * s), h.y + r * (cy * c + ny * s))
                })
                .collect();
            self.polyline(&arc, d.colour);
        }
    }

    // ---------------------------------------------------------------- furniture

    fn furniture(&mut self, z: &Zone) {
        let (lo, hi) = bounds(z);
        match z.kind {
            ZoneKind::Bay => {
                let n = beds_in(&z.name).unwrap_or(4);
                self.beds(lo, hi, n, true);
            }
            ZoneKind::SingleRoom => self.beds(lo, hi, 1, true),
            ZoneKind::StairsLift if z.name.starts_with("Stair") => self.stairs(lo, hi),
            ZoneKind::StairsLift if is_lift_shaft(z) => {
                let i = 0.25;
                self.line(
                    Point::new(lo.x + i, lo.y + i),
                    Point::new(hi.x - i, hi.y - i),
                    FURNITURE,
                );
                self.line(
                    Point::new(hi.x - i, lo.y + i),
                    Point::new(lo.x + i, hi.y - i),
                    FURNITURE,
                );
            }
            _ => {}
        }
    }

    /// `n` beds with their heads against the two long side walls of the box lo..hi (one bed: the
    /// first side, a third of the way along).
    fn beds(&mut self, lo: Point, hi: Point, n: usize, curtains: bool) {
        let vertical = (hi.y - lo.y) >= (hi.x - lo.x);
        // work in (u along the long walls, v across) coordinates
        let (u0, u1, v0, v1) = if vertical {
            (lo.y, hi.y, lo.x, hi.x)
        } else {
            (lo.x, hi.x, lo.y, hi.y)
        };
        let to = |u: f64, v: f64| {
            if vertical {
                Point::new(v, u)
            } else {
                Point::new(u, v)
            }
        };
        let (bed_l, bed_w, gap) = (2.1, 0.95, 0.15);
        let left = n.div_ceil(2);
        let right = n - left;
        for (count, at_v0) in [(left, true), (right, false)] {
            for k in 0..count {
                let uc = if n == 1 {
                    u0 + (u1 - u0) / 3.0
                } else {
                    u0 + (u1 - u0) * (k as f64 + 0.5) / count as f64
                };
                let (va, vb) = if at_v0 {
                    (v0 + gap, v0 + gap + bed_l)
                } else {
                    (v1 - gap - bed_l, v1 - gap)
                };
                let (ua, ub) = (uc - bed_w / 2.0, uc + bed_w / 2.0);
                let corners = |a: f64, b: f64, c: f64, d: f64| {
                    [to(a, c), to(b, c), to(b, d), to(a, d), to(a, c)]
                };
                self.polyline(&corners(ua, ub, va, vb), FURNITURE);
                // pillow at the head
                let (pa, pb) = if at_v0 {
                    (va + 0.1, va + 0.45)
                } else {
                    (vb - 0.45, vb - 0.1)
                };
                self.polyline(&corners(ua + 0.12, ub - 0.12, pa, pb), FURNITURE);
                // fold of the sheet
                let fold = if at_v0 { va + 0.75 } else { vb - 0.75 };
                self.line(to(ua, fold), to(ub, fold), FURNITURE);
                if curtains && n > 1 {
                    let space = ((u1 - u0) / count as f64).min(3.2) - 0.3;
                    let (ca, cb) = (uc - space / 2.0, uc + space / 2.0);
                    let (da, db) = if at_v0 {
                        (v0 + 0.05, v0 + 2.7)
                    } else {
                        (v1 - 2.7, v1 - 0.05)
                    };
                    let inner = if at_v0 { db } else { da };
                    self.dashed(to(ca, inner), to(cb, inner), CURTAIN);
                    self.dashed(to(ca, da), to(ca, db), CURTAIN);
                    self.dashed(to(cb, da), to(cb, db), CURTAIN);
                }
            }
        }
    }

    /// A dog-leg stair: two flights side by side along the long axis, landings at both ends.
    fn stairs(&mut self, lo: Point, hi: Point) {
        let vertical = (hi.y - lo.y) >= (hi.x - lo.x);
        let (u0, u1, v0, v1) = if vertical {
            (lo.y, hi.y, lo.x, hi.x)
        } else {
            (lo.x, hi.x, lo.y, hi.y)
        };
        let to = |u: f64, v: f64| {
            if vertical {
                Point::new(v, u)
            } else {
                Point::new(u, v)
            }
        };
        let landing = ((u1 - u0) * 0.18).clamp(1.2, 2.0);
        let (fa, fb) = (u0 + landing, u1 - landing);
        let vm = (v0 + v1) / 2.0;
        let well = 0.1;
        // treads
        let tread = 0.28;
        let n = ((fb - fa) / tread).floor() as usize;
        for k in 0..=n {
            let u = fa + k as f64 * tread;
            self.line(to(u, v0 + 0.1), to(u, vm - well), FURNITURE);
            self.line(to(u, vm + well), to(u, v1 - 0.1), FURNITURE);
        }
        let end = fa + n as f64 * tread;
        // the well between the flights
        self.polyline(
            &[
                to(fa, vm - well),
                to(end, vm - well),
                to(end, vm + well),
                to(fa, vm + well),
                to(fa, vm - well),
            ],
            PARTITION,
        );
        // walking line with an arrow: up the first flight, across, down the second
        let (va, vb) = ((v0 + vm) / 2.0, (vm + v1) / 2.0);
        let path = [
            to(end, va),
            to(fa - 0.5, va),
            to(fa - 0.5, vb),
            to(end - 0.2, vb),
        ];
        self.polyline(&path, PARTITION);
        let tip = to(end, vb);
        let (s1, s2) = (to(end - 0.35, vb - 0.2), to(end - 0.35, vb + 0.2));
        self.polyline(&[s1, tip, s2], PARTITION);
        self.line(to(end - 0.2, vb), tip, PARTITION);
    }

    // ---------------------------------------------------------------- text

    fn label(&mut self, z: &Zone) {
        let (lo, hi) = bounds(z);
        // the part of the room a label may use: clear of beds and stair flights
        let (mut bx0, mut by0, mut bx1, mut by1) = (lo.x, lo.y, hi.x, hi.y);
        let vertical = (hi.y - lo.y) >= (hi.x - lo.x);
        match z.kind {
            ZoneKind::Bay => {
                if vertical {
                    bx0 += 2.5;
                    bx1 -= 2.5;
                } else {
                    by0 += 2.5;
                    by1 -= 2.5;
                }
            }
            ZoneKind::SingleRoom => {
                if vertical {
                    let h = hi.y - lo.y;
                    by0 = lo.y + h / 3.0 + 0.8;
                    by1 = lo.y + h * 0.78;
                } else {
                    let w = hi.x - lo.x;
                    bx0 = lo.x + w / 3.0 + 0.8;
                    bx1 = lo.x + w * 0.78;
                }
            }
            _ => {}
        }
        let s = self.scale;
        let (bw, bh) = (
            ((bx1 - bx0) * s - 8.0) as f32,
            ((by1 - by0) * s - 4.0) as f32,
        );
        let note = self.lead_lined(z).then_some("LEAD-LINED");
        let max = if z.kind == ZoneKind::Corridor {
            15.0
        } else {
            17.0
        };
        let mut chosen = None;
        let mut size = max;
        while size >= 8.0 {
            let lines = wrap(self.font, size, bw, &z.name);
            let note_h = if note.is_some() { size * 0.9 } else { 0.0 };
            let total = lines.len() as f32 * size * 1.15 + note_h;
            let widest = lines
                .iter()
                .map(|l| text_size(PxScale::from(size), self.font, l).0 as f32)
                .fold(0.0f32, f32::max);
            if lines.len() <= 3 && total <= bh && widest <= bw {
                chosen = Some((size, lines));
                break;
            }
            size -= 1.0;
        }
        let Some((size, lines)) = chosen else {
            eprintln!("warning: the name of zone '{}' does not fit", z.name);
            return;
        };
        let line_h = size * 1.15;
        let note_size = (size * 0.75).max(8.0);
        let note_h = if note.is_some() { note_size * 1.2 } else { 0.0 };
        let total = lines.len() as f32 * line_h + note_h;
        let cx = ((bx0 + bx1) / 2.0 * s) as f32;
        let cy = ((by0 + by1) / 2.0 * s) as f32;
        let mut y = cy - total / 2.0;
        let fill = if circulation(z) == 2 {
            CORRIDOR_FILL
        } else {
            WHITE
        };
        let widest = lines
            .iter()
            .map(|l| text_size(PxScale::from(size), self.font, l).0 as f32)
            .fold(0.0f32, f32::max);
        self.rect(
            (cx - widest / 2.0 - 2.0) as f64,
            (y - 1.0) as f64,
            (cx + widest / 2.0 + 2.0) as f64,
            (y + total + 2.0) as f64,
            fill,
        );
        for l in &lines {
            self.text_centred(cx, y, size, l, LABEL, false);
            y += line_h;
        }
        if let Some(n) = note {
            self.text_centred(cx, y + 1.0, note_size, n, LEAD, true);
        }
    }

    fn text_centred(&mut self, cx: f32, top: f32, size: f32, text: &str, c: Rgb<u8>, bold: bool) {
        let font = if bold { self.bold } else { self.font };
        let (w, _) = text_size(PxScale::from(size), font, text);
        let x = (cx - w as f32 / 2.0).round() as i32;
        draw_text_mut(
            &mut self.img,
            c,
            x,
            top.round() as i32,
            PxScale::from(size),
            font,
            text,
        );
    }

    fn text_at(&mut self, x: f32, top: f32, size: f32, text: &str, c: Rgb<u8>, bold: bool) -> u32 {
        let font = if bold { self.bold } else { self.font };
        draw_text_mut(
            &mut self.img,
            c,
            x.round() as i32,
            top.round() as i32,
            PxScale::from(size),
            font,
            text,
        );
        text_size(PxScale::from(size), font, text).0
    }

    /// Whether lead walls make up most of the room's perimeter.
    fn lead_lined(&self, z: &Zone) -> bool {
        let c = z.polygon.corners();
        let mut total = 0.0;
        let mut lead = 0.0;
        for i in 0..c.len() {
            let (a, b) = (c[i], c[(i + 1) % c.len()]);
            let l = a.distance(b);
            total += l;
            let steps = (l / 0.1).ceil().max(1.0) as usize;
            for k in 0..steps {
                let t = (k as f64 + 0.5) / steps as f64;
                let p = Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
                if self
                    .segs
                    .iter()
                    .any(|s| s.style == Style::Lead && dist_to_segment(p, s.a, s.b) < EPS_M)
                {
                    lead += l / steps as f64;
                }
            }
        }
        total > 0.0 && lead / total > 0.5
    }

    /// Title, scale bar and north arrow, right-aligned under the building.
    fn title_block(&mut self, title: &str) {
        let (_, hi) = self.floor.outline.bounds();
        let (w, h) = (self.img.width() as f32, self.img.height() as f32);
        let right = ((hi.x * self.scale) as f32).min(w - 4.0);
        let top = (hi.y * self.scale) as f32 + 6.0;
        let bottom = h - 3.0;
        if bottom - top < 24.0 {
            return;
        }
        let size = ((bottom - top) * 0.42).min(15.0);
        let sub = (size * 0.78).max(9.0);
        let subtitle = format!(
            "{} · {} m/px · drawn by wisp from the site manifest",
            self.floor.name,
            self.floor.calibration.metres_per_pixel()
        );
        let tw = text_size(PxScale::from(size), self.bold, title)
            .0
            .max(text_size(PxScale::from(sub), self.font, &subtitle).0) as f32;
        let bar = (10.0 * self.scale) as f32;
        let arrow_w = 22.0;
        let pad = 10.0;
        let width = pad + arrow_w + pad + bar + 24.0 + pad + tw + pad;
        let left = right - width;
        self.outline_rect_px(left, top, right, bottom);
        // north arrow
        let ax = left + pad + arrow_w / 2.0;
        let (at, ab) = (top + 3.0, bottom - 3.0);
        let n_size = 10.0;
        let tip = (ax, at + n_size + 1.0);
        let base = ab;
        let half = arrow_w / 2.0 - 3.0;
        let tri = [
            imageproc::point::Point::new(tip.0.round() as i32, tip.1.round() as i32),
            imageproc::point::Point::new((ax + half).round() as i32, base.round() as i32),
            imageproc::point::Point::new(ax.round() as i32, (base - 5.0).round() as i32),
        ];
        draw_polygon_mut(&mut self.img, &tri, INK);
        let tri2 = [
            imageproc::point::Point::new(tip.0.round() as i32, tip.1.round() as i32),
            imageproc::point::Point::new((ax - half).round() as i32, base.round() as i32),
            imageproc::point::Point::new(ax.round() as i32, (base - 5.0).round() as i32),
        ];
        for wd in [(0, 1), (1, 2), (2, 0)] {
            let (a, b) = (tri2[wd.0], tri2[wd.1]);
            self.line_px((a.x as f32, a.y as f32), (b.x as f32, b.y as f32), INK);
        }
        self.text_centred(ax, at - 2.0, n_size, "N", INK, true);
        // scale bar: 10 m in 2.5 m blocks
        let bx = left + pad + arrow_w + pad;
        let by = top + (bottom - top) * 0.55;
        let bh = 5.0;
        for k in 0..4 {
            let x0 = (bx + bar * k as f32 / 4.0) as f64;
            let x1 = (bx + bar * (k + 1) as f32 / 4.0) as f64;
            let fill = if k % 2 == 0 { INK } else { WHITE };
            self.rect(x0, by as f64, x1, (by + bh) as f64, fill);
        }
        self.outline_rect_px(bx, by, bx + bar, by + bh);
        let ls = 9.0;
        let ly = by - ls - 2.0;
        self.text_centred(bx, ly, ls, "0", INK, false);
        self.text_centred(bx + bar / 2.0, ly, ls, "5", INK, false);
        self.text_at(bx + bar - 3.0, ly, ls, "10 m", INK, false);
        // title
        let tx = bx + bar + 24.0 + pad;
        let t_top = top + ((bottom - top) - size * 1.2 - sub * 1.2) / 2.0;
        self.text_at(tx, t_top, size, title, INK, true);
        self.text_at(tx, t_top + size * 1.2, sub, &subtitle, PARTITION, false);
    }

    fn outline_rect_px(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        let c = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)];
        for w in c.windows(2) {
            self.line_px(w[0], w[1], INK);
        }
    }
}

/// 2 for corridors and lobbies, 1 for open areas off them (stations, waiting, stairs), 0 rooms.
fn circulation(z: &Zone) -> u8 {
    match z.kind {
        ZoneKind::Corridor => 2,
        ZoneKind::StairsLift if z.name.to_lowercase().contains("lobby") => 2,
        ZoneKind::NursesStation | ZoneKind::Waiting | ZoneKind::StairsLift => 1,
        _ => 0,
    }
}

fn is_lift_shaft(z: &Zone) -> bool {
    let n = z.name.to_lowercase();
    n.starts_with("lift") && !n.contains("lobby") && !n.contains("core")
}

/// "Bay A (6 beds)" → 6.
fn beds_in(name: &str) -> Option<usize> {
    let open = name.find('(')?;
    let rest = &name[open + 1..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n: usize = digits.parse().ok()?;
    rest[digits.len()..]
        .trim_start()
        .starts_with("bed")
        .then_some(n.min(12))
}

/// Greedy word wrap at `size` px into lines no wider than `max` px (a word wider than the line
/// stays whole; the caller then tries a smaller size).
fn wrap(font: &FontRef<'_>, size: f32, max: f32, text: &str) -> Vec<String> {
    // "(6 beds)" stays on one line
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for w in text.split_whitespace() {
        match words.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(w);
            }
            _ => words.push(w.to_string()),
        }
        open = (open || w.starts_with('(')) && !w.ends_with(')');
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in &words {
        let candidate = if line.is_empty() {
            word.clone()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || text_size(PxScale::from(size), font, &candidate).0 as f32 <= max {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.clone()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
