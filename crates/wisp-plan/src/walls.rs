//! Wall losses from one source to many points, fast and exactly as `wisp_radio` counts them.
//!
//! Counting the walls a straight line crosses is the expensive part of predicting a signal: a
//! planner asks it for every (candidate position × demand cell) pair. Seen from a fixed source,
//! every wall that does not pass through the source covers an arc of directions smaller than a
//! half turn, and a line from the source to `p` can only cross walls whose arc contains the
//! direction of `p` and whose nearest point is no farther than `p`. [`SourceView`] sorts the
//! walls into [`BINS`] angular bins (each wall in every bin its arc touches, plus one bin either
//! side against rounding), nearest first, so a query tests only the few walls in its direction
//! and stops at the first one beyond `p`. The crossing test itself is
//! [`wisp_model::Segment::crosses`] with the ray from the source to the point, as
//! [`wisp_radio::path_loss::wall_loss`] does, so the sum is the same.
//!
//! For the cells of a regular grid there is a faster way, [`WallSet::loss_window`]: a wall's
//! *shadow* seen from the source (the points whose line to the source crosses it) is convex (the
//! wedge the wall spans, beyond the wall's line), so on each grid row it is one run of columns.
//! The runs are added with a difference array; only cells within a rounding tolerance of a
//! shadow's edge get the exact crossing test, so the result is again the same sum.

use std::f64::consts::PI;
use std::ops::Range;
use wisp_model::{Band, GridGeometry, Material, Point, Segment, Wall};

/// Angular bins per source: 1024, so a bin spans about 0.35°; at 50 m that is 0.3 m across,
/// about as many walls per bin as a ray crosses.
pub const BINS: usize = 1024;

/// The walls of a floor with their loss at one band ([`WallSet::new`]), or at several
/// ([`WallSet::for_bands`], for [`SourceView::losses_to`]).
#[derive(Debug, Clone)]
pub struct WallSet {
    segments: Vec<Segment>,
    /// Per wall, its loss at each band: `loss_db[i * bands + b]`.
    loss_db: Vec<f64>,
    bands: usize,
    /// Largest absolute coordinate of any wall end: sets the rounding tolerance of the shadows.
    extent: f64,
}

impl WallSet {
    /// Walls with each one's material loss at `band` (0 dB for a material index out of range, as
    /// `wisp_radio::path_loss::wall_loss` treats it). Walls of zero loss or length are dropped.
    pub fn new(walls: &[Wall], materials: &[Material], band: Band) -> WallSet {
        WallSet::for_bands(walls, materials, &[band])
    }

    /// Walls with each one's loss at every band of `bands`, in that order, for
    /// [`SourceView::losses_to`]: a wall is kept when it has a loss at some band, and counts 0 dB
    /// at a band where [`WallSet::new`] would drop it. Walls of no length are dropped.
    pub fn for_bands(walls: &[Wall], materials: &[Material], bands: &[Band]) -> WallSet {
        let mut segments = Vec::new();
        let mut loss_db = Vec::new();
        for w in walls {
            let l = bands.iter().map(|&band| {
                let l = materials.get(w.material).map_or(0.0, |m| m.loss(band));
                if l.is_finite() {
                    l
                } else {
                    0.0
                }
            });
            // A wall of no length is never crossed (`Segment::crosses`).
            if l.clone().any(|l| l != 0.0) && w.segment.a != w.segment.b {
                segments.push(w.segment);
                loss_db.extend(l);
            }
        }
        let extent = segments
            .iter()
            .flat_map(|s: &Segment| [s.a.x, s.a.y, s.b.x, s.b.y])
            .filter(|v| v.is_finite())
            .fold(0.0, |m: f64, v| m.max(v.abs()));
        WallSet {
            segments,
            loss_db,
            bands: bands.len(),
            extent,
        }
    }

    pub fn len(&self) -> usize {
        self.segments.len()
    }
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Brute force: the loss of every wall the line `from`–`to` crosses (a set of one band).
    pub fn loss_brute(&self, from: Point, to: Point) -> f64 {
        assert_eq!(self.bands, 1, "loss_brute needs a set of one band");
        let ray = Segment::new(from, to);
        self.segments
            .iter()
            .zip(&self.loss_db)
            .filter(|(s, _)| ray.crosses(s))
            .map(|(_, l)| *l)
            .sum()
    }

    /// The walls as seen from `source`, ready for many queries.
    pub fn view(&self, source: Point) -> SourceView<'_> {
        SourceView::new(self, source)
    }

    /// The loss from `source` to the centre of every cell (r, c) of `grid` with r in `rows` and
    /// c in `cols`, row-major into `out` (resized to `rows.len() × cols.len()`): at each centre
    /// the value [`WallSet::loss_brute`] gives, up to the order of summation. `rows` and `cols`
    /// must lie within the grid. A source with a non-finite coordinate sees no wall, as
    /// [`SourceView::loss_to`] has it.
    pub fn loss_window(
        &self,
        source: Point,
        grid: &GridGeometry,
        rows: Range<usize>,
        cols: Range<usize>,
        out: &mut Vec<f64>,
    ) {
        assert_eq!(self.bands, 1, "loss_window needs a set of one band");
        let (h, w) = (rows.len(), cols.len());
        out.clear();
        if h == 0 || w == 0 {
            return;
        }
        // One extra slot per row for the difference array; compacted at the end.
        let stride = w + 1;
        out.resize(h * stride, 0.0);
        let centre = |r: usize, c: usize| grid.centre(r, c);
        let finite = source.x.is_finite() && source.y.is_finite();
        let corner_a = centre(rows.start, cols.start);
        let corner_b = centre(rows.end - 1, cols.end - 1);
        let scale = 1.0
            + [
                self.extent,
                source.x.abs(),
                source.y.abs(),
                corner_a.x.abs(),
                corner_a.y.abs(),
                corner_b.x.abs(),
                corner_b.y.abs(),
            ]
            .into_iter()
            .fold(0.0, f64::max);
        // Orientation values are products of two coordinate differences, so their rounding error
        // is a few ulp of scale²: 1e-9·scale² is far above it and far below any real margin.
        let tol = 1e-9 * scale * scale;
        let (x0, dx) = (grid.origin().x, grid.dx());
        // Slack for turning an x bound into a column, far above its rounding error.
        let slack = 1e-9 * scale;
        let (c_lo, c_hi) = (cols.start as f64, cols.end as f64);
        for (seg, &loss) in self.segments.iter().zip(&self.loss_db) {
            if !finite {
                continue;
            }
            let (a, b) = (seg.a, seg.b);
            let side = orient(a, b, source);
            let exact = |r: usize, c: usize, out: &mut Vec<f64>| {
                if Segment::new(source, centre(r, c)).crosses(seg) {
                    let i = (r - rows.start) * stride + (c - cols.start);
                    out[i] += loss;
                    out[i + 1] -= loss;
                }
            };
            let ends_finite = [a.x, a.y, b.x, b.y].iter().all(|v| v.is_finite());
            if !ends_finite || side.abs() <= tol {
                // The source is on (or within rounding of) the wall's line: test every cell.
                for r in rows.clone() {
                    for c in cols.clone() {
                        exact(r, c, out);
                    }
                }
                continue;
            }
            let s = side.signum();
            // Rows the shadow can reach: it extends away from the source past both ends.
            let margin = 1e-6 * scale;
            let (ya, yb) = (a.y - source.y, b.y - source.y);
            let y_lo = if ya < 0.0 || yb < 0.0 {
                f64::NEG_INFINITY
            } else {
                a.y.min(b.y) - margin
            };
            let y_hi = if ya > 0.0 || yb > 0.0 {
                f64::INFINITY
            } else {
                a.y.max(b.y) + margin
            };
            // The shadow: g > 0 for the three g(P) = sign·orient(U, V, P) below. On a row y,
            // g = β·(x − U.x) + sign·(V.x − U.x)·(y − U.y) with β = −sign·(V.y − U.y), so g = t
            // at x = U.x + k·(y − U.y) + t/β with k = (V.x − U.x)/(V.y − U.y): a lower bound on
            // x when β > 0, an upper bound when β < 0, and a whole row or none when β = 0.
            // "Sure" cells have g > tol, "maybe" cells g > −tol; cells between get the exact test.
            let planes = [(source, a, s), (source, b, -s), (a, b, -s)].map(|(u, v, sign)| {
                let beta = -sign * (v.y - u.y);
                Plane {
                    u,
                    sign,
                    dxv: v.x - u.x,
                    k: (v.x - u.x) / (v.y - u.y),
                    beta,
                    tx: tol / beta.abs() + slack,
                }
            });
            for r in rows.clone() {
                let y = centre(r, cols.start).y;
                if !(y >= y_lo && y <= y_hi) {
                    continue;
                }
                let (mut sure_lo, mut sure_hi) = (f64::NEG_INFINITY, f64::INFINITY);
                let (mut maybe_lo, mut maybe_hi) = (f64::NEG_INFINITY, f64::INFINITY);
                let mut none = false;
                for pl in &planes {
                    if pl.beta == 0.0 {
                        let g = pl.sign * pl.dxv * (y - pl.u.y);
                        if g <= -tol {
                            none = true;
                            break;
                        }
                        if g <= tol {
                            sure_hi = f64::NEG_INFINITY;
                        }
                        continue;
                    }
                    let x_line = pl.u.x + pl.k * (y - pl.u.y);
                    if x_line.is_nan() {
                        // Overflow in a degenerate wall: no bound, every cell tested.
                        sure_hi = f64::NEG_INFINITY;
                        continue;
                    }
                    if pl.beta > 0.0 {
                        sure_lo = sure_lo.max(x_line + pl.tx);
                        maybe_lo = maybe_lo.max(x_line - pl.tx);
                    } else {
                        sure_hi = sure_hi.min(x_line - pl.tx);
                        maybe_hi = maybe_hi.min(x_line + pl.tx);
                    }
                }
                if none {
                    continue;
                }
                // Fractional column of x, clamped to [lo − 1, hi + 1]: floor and ceil by
                // truncation of a non-negative number (libm's floor/ceil cost more here).
                let col = |x: f64| {
                    let c = ((x - x0) / dx - 0.5).clamp(c_lo - 1.0, c_hi + 1.0);
                    let f = (c + 1.0) as i64 - 1;
                    (f, f + i64::from((f as f64) < c))
                };
                // Maybe: x_c ≥ maybe_lo and x_c ≤ maybe_hi; sure: strictly inside its bounds.
                let m_from = col(maybe_lo).1.max(cols.start as i64);
                let m_to = (col(maybe_hi).0 + 1).min(cols.end as i64);
                if m_from >= m_to {
                    continue;
                }
                let s_from = (col(sure_lo).0 + 1).max(m_from);
                let s_to = col(sure_hi).1.min(m_to);
                let (m_from, m_to) = (m_from as usize, m_to as usize);
                let row = (r - rows.start) * stride;
                if s_from < s_to {
                    let (s_from, s_to) = (s_from as usize, s_to as usize);
                    out[row + s_from - cols.start] += loss;
                    out[row + s_to - cols.start] -= loss;
                    for c in (m_from..s_from).chain(s_to..m_to) {
                        exact(r, c, out);
                    }
                } else {
                    for c in m_from..m_to {
                        exact(r, c, out);
                    }
                }
            }
        }
        for r in 0..h {
            let mut run = 0.0;
            for c in 0..w {
                run += out[r * stride + c];
                // r·w + c ≤ r·stride + c: the write never passes an unread entry.
                out[r * w + c] = run;
            }
        }
        out.truncate(h * w);
    }
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// One side of a wall's shadow, seen along grid rows (see [`WallSet::loss_window`]).
struct Plane {
    u: Point,
    sign: f64,
    /// V.x − U.x.
    dxv: f64,
    /// dx/dy of the line U–V.
    k: f64,
    beta: f64,
    /// Distance in x beyond the line that keeps |g| above the tolerance, plus slack.
    tx: f64,
}

/// The walls sorted by direction and distance from one source.
#[derive(Debug, Clone)]
pub struct SourceView<'a> {
    set: &'a WallSet,
    source: Point,
    /// Bin b holds `entries[start[b]..start[b + 1]]`, nearest wall first.
    start: Vec<u32>,
    entries: Vec<(f64, u32)>,
    /// Walls through (or within rounding of) the source: tested on every query.
    always: Vec<u32>,
    /// Per wall, the terms of its crossing test that depend only on the source.
    near: Vec<Near>,
}

/// One wall's terms of `Segment::crosses` (the ray from the source to a point against the
/// wall) that do not depend on the point: the orientation of the source against the wall, and
/// the wall's ends relative to the source.
#[derive(Debug, Clone, Copy)]
struct Near {
    d1: f64,
    a: (f64, f64),
    b: (f64, f64),
}

fn bin_of(theta: f64) -> i64 {
    (((theta + PI) / (2.0 * PI)) * BINS as f64).floor() as i64
}

impl<'a> SourceView<'a> {
    fn new(set: &'a WallSet, source: Point) -> SourceView<'a> {
        let mut order: Vec<(f64, u32)> = set
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (s.distance_to(source), i as u32))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        // (first bin, bins spanned) per wall, or None for walls through the source.
        let mut always = Vec::new();
        let mut ranges = Vec::with_capacity(order.len());
        for &(dist, i) in &order {
            let s = set.segments[i as usize];
            let scale = 1.0 + s.length() + s.a.distance(source);
            if dist.is_nan() || dist <= 1e-9 * scale {
                always.push(i);
                ranges.push(None);
                continue;
            }
            let ta = (s.a.y - source.y).atan2(s.a.x - source.x);
            let tb = (s.b.y - source.y).atan2(s.b.x - source.x);
            let mut delta = tb - ta;
            if delta > PI {
                delta -= 2.0 * PI;
            } else if delta < -PI {
                delta += 2.0 * PI;
            }
            let from = if delta >= 0.0 { ta } else { tb };
            let first = bin_of(from) - 1;
            let last = bin_of(from + delta.abs()) + 1;
            let span = ((last - first + 1) as usize).min(BINS);
            ranges.push(Some((first.rem_euclid(BINS as i64) as usize, span)));
        }
        let mut count = vec![0u32; BINS + 1];
        for (first, span) in ranges.iter().flatten() {
            for k in 0..*span {
                count[(first + k) % BINS + 1] += 1;
            }
        }
        for b in 0..BINS {
            count[b + 1] += count[b];
        }
        let mut fill = count.clone();
        let mut entries = vec![(0.0, 0u32); count[BINS] as usize];
        for (&(dist, i), range) in order.iter().zip(&ranges) {
            let Some((first, span)) = *range else {
                continue;
            };
            for k in 0..span {
                let b = (first + k) % BINS;
                entries[fill[b] as usize] = (dist, i);
                fill[b] += 1;
            }
        }
        let near = set
            .segments
            .iter()
            .map(|s| Near {
                d1: orient(s.a, s.b, source),
                a: (s.a.x - source.x, s.a.y - source.y),
                b: (s.b.x - source.x, s.b.y - source.y),
            })
            .collect();
        SourceView {
            set,
            source,
            start: count,
            entries,
            always,
            near,
        }
    }

    pub fn source(&self) -> Point {
        self.source
    }

    /// The loss of every wall the line from the source to `p` crosses, in dB (a set of one
    /// band).
    pub fn loss_to(&self, p: Point) -> f64 {
        debug_assert_eq!(self.set.bands, 1);
        let mut total = 0.0;
        self.crossed(p, |i| total += self.set.loss_db[i]);
        total
    }

    /// [`SourceView::loss_to`] at every band of a [`WallSet::for_bands`] set at once, into `out`
    /// (one per band, overwritten): each wall's crossing is tested once for all bands, and each
    /// band's sum is the one its own set's `loss_to` gives, bit for bit (the walls are met in
    /// the same order, and a wall the band's own set drops adds 0 to it).
    pub fn losses_to(&self, p: Point, out: &mut [f64]) {
        let nb = self.set.bands;
        assert_eq!(out.len(), nb);
        out.fill(0.0);
        self.crossed(p, |i| {
            for (o, l) in out.iter_mut().zip(&self.set.loss_db[i * nb..(i + 1) * nb]) {
                *o += l;
            }
        });
    }

    /// Calls `f` with every wall the line from the source to `p` crosses, the walls through
    /// the source first, then the rest nearest first.
    #[inline]
    fn crossed(&self, p: Point, mut f: impl FnMut(usize)) {
        let q = (p.x - self.source.x, p.y - self.source.y);
        for &i in &self.always {
            if self.crosses(i as usize, p, q) {
                f(i as usize);
            }
        }
        // The distance only bounds the walls tested (a wall farther than `p` is not crossed):
        // `sqrt` where the squares do not overflow, a few ulp from `hypot`, far inside the
        // margin of `reach`.
        let d2 = q.0 * q.0 + q.1 * q.1;
        let d = if d2.is_finite() {
            d2.sqrt()
        } else {
            self.source.distance(p)
        };
        if !d.is_finite() {
            return;
        }
        let theta = q.1.atan2(q.0);
        let b = bin_of(theta).clamp(0, BINS as i64 - 1) as usize;
        let reach = d * (1.0 + 1e-12) + 1e-12;
        for &(dist, i) in &self.entries[self.start[b] as usize..self.start[b + 1] as usize] {
            if dist > reach {
                break;
            }
            if self.crosses(i as usize, p, q) {
                f(i as usize);
            }
        }
    }

    /// `Segment::new(source, p).crosses(wall i)`, the same operations on the same operands,
    /// with the source's terms ([`Near`]) computed once per view; `q` is `p − source`.
    #[inline]
    fn crosses(&self, i: usize, p: Point, q: (f64, f64)) -> bool {
        let s = &self.set.segments[i];
        let n = &self.near[i];
        let d2 = orient(s.a, s.b, p);
        if (n.d1 > 0.0) == (d2 > 0.0) || n.d1 == d2 {
            return false;
        }
        // orient(source, p, a) = (p − source) × (a − source).
        let d3 = q.0 * n.a.1 - q.1 * n.a.0;
        let d4 = q.0 * n.b.1 - q.1 * n.b.0;
        (d3 > 0.0) != (d4 > 0.0) && d3 != d4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `random` walls between random points of a `width` × `height` m floor (materials in
    /// turn), then axis-aligned walls on a 5 m lattice with joints, as real plans have them:
    /// `lattice` vertical ones (material 0) each met at its top by a horizontal one of
    /// `joined_material`.
    fn random_and_lattice_walls(
        rng: &mut ChaCha8Rng,
        (width, height): (f64, f64),
        random: usize,
        lattice: usize,
        joined_material: usize,
    ) -> Vec<Wall> {
        let n = Material::defaults().len();
        let mut pt = || Point::new(rng.random::<f64>() * width, rng.random::<f64>() * height);
        let mut walls: Vec<Wall> = (0..random)
            .map(|i| Wall {
                segment: Segment::new(pt(), pt()),
                material: i % n,
            })
            .collect();
        for k in 0..lattice {
            let x = 5.0 * k as f64;
            walls.push(Wall {
                segment: Segment::new(Point::new(x, 0.0), Point::new(x, 10.0)),
                material: 0,
            });
            walls.push(Wall {
                segment: Segment::new(Point::new(x, 10.0), Point::new(x + 5.0, 10.0)),
                material: joined_material,
            });
        }
        walls
    }

    #[test]
    fn matches_brute_force_and_wisp_radio_on_random_walls() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let materials = Material::defaults();
        let pt = |rng: &mut ChaCha8Rng| {
            Point::new(rng.random::<f64>() * 60.0, rng.random::<f64>() * 30.0)
        };
        let walls = random_and_lattice_walls(&mut rng, (60.0, 30.0), 150, 10, 1);
        let set = WallSet::new(&walls, &materials, Band::G5);
        for s in 0..30 {
            // Some sources on lattice points and wall joints, the rest at random.
            let source = if s < 5 {
                Point::new(5.0 * s as f64, 10.0)
            } else {
                pt(&mut rng)
            };
            let view = set.view(source);
            for _ in 0..300 {
                let p = if rng.random::<f64>() < 0.1 {
                    Point::new(
                        (rng.random::<f64>() * 12.0).round() * 5.0,
                        rng.random::<f64>() * 30.0,
                    )
                } else {
                    pt(&mut rng)
                };
                let want =
                    wisp_radio::path_loss::wall_loss(Band::G5, source, p, &walls, &materials);
                assert!((view.loss_to(p) - want).abs() < 1e-9, "{source:?} → {p:?}");
                assert!((set.loss_brute(source, p) - want).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn all_bands_at_once_equal_each_bands_own_view_bit_for_bit() {
        // Random and lattice walls, with fractional losses (whose sums depend on their order)
        // and a material of no loss at 2.4 GHz and one of no finite loss at 5 GHz, which those
        // bands' own sets drop.
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let mut materials = Material::defaults();
        for (k, m) in materials.iter_mut().enumerate() {
            for (b, v) in m.loss_db.iter_mut() {
                *v += 0.1 * (k + 1) as f64 + 0.37 * *b as u8 as f64;
            }
        }
        materials[1].loss_db.insert(Band::G2_4, 0.0);
        materials[2].loss_db.insert(Band::G5, f64::INFINITY);
        let walls = random_and_lattice_walls(&mut rng, (60.0, 30.0), 150, 10, 2);
        let all = WallSet::for_bands(&walls, &materials, &Band::ALL);
        let own: Vec<WallSet> = Band::ALL
            .iter()
            .map(|&b| WallSet::new(&walls, &materials, b))
            .collect();
        assert!(own[0].len() < all.len() && own[1].len() < all.len());
        let pt = |rng: &mut ChaCha8Rng| {
            Point::new(rng.random::<f64>() * 60.0, rng.random::<f64>() * 30.0)
        };
        let mut out = [0.0; 3];
        let mut crossings = 0;
        for s in 0..30 {
            // Some sources on wall joints, the rest at random.
            let source = if s < 5 {
                Point::new(5.0 * s as f64, 10.0)
            } else {
                pt(&mut rng)
            };
            let view = all.view(source);
            let views: Vec<SourceView> = own.iter().map(|w| w.view(source)).collect();
            for _ in 0..300 {
                let p = pt(&mut rng);
                view.losses_to(p, &mut out);
                for (b, v) in views.iter().enumerate() {
                    assert_eq!(
                        out[b].to_bits(),
                        v.loss_to(p).to_bits(),
                        "{source:?} → {p:?}"
                    );
                }
                crossings += usize::from(out[2] > 0.0);
            }
        }
        assert!(crossings > 1000, "{crossings}");
    }

    #[test]
    fn loss_window_equals_brute_force_at_every_cell() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let materials = Material::defaults();
        let pt = |rng: &mut ChaCha8Rng| {
            Point::new(rng.random::<f64>() * 30.0, rng.random::<f64>() * 15.0)
        };
        // Lattice walls with joints, a wall of no length, a horizontal and a vertical one
        // through cell centres (the shadow edges then pass exactly through centres).
        let mut walls = random_and_lattice_walls(&mut rng, (30.0, 15.0), 40, 6, 6);
        walls.push(Wall {
            segment: Segment::new(Point::new(3.0, 3.0), Point::new(3.0, 3.0)),
            material: 6,
        });
        walls.push(Wall {
            segment: Segment::new(Point::new(2.25, 6.25), Point::new(9.75, 6.25)),
            material: 4,
        });
        walls.push(Wall {
            segment: Segment::new(Point::new(12.25, 1.25), Point::new(12.25, 7.75)),
            material: 2,
        });
        let set = WallSet::new(&walls, &materials, Band::G5);
        // Cell centres on the half-metre lattice (x.25, x.75) and, second grid, on whole and
        // half metres, where they meet wall ends and joints exactly.
        let grids = [
            GridGeometry::new(0.0, 0.0, 0.5, 0.5, 60, 30).unwrap(),
            GridGeometry::new(-0.25, -0.25, 0.5, 0.5, 61, 31).unwrap(),
        ];
        let mut sources: Vec<Point> = (0..25).map(|_| pt(&mut rng)).collect();
        sources.extend([
            Point::new(5.0, 10.0),  // a joint
            Point::new(5.0, 4.0),   // on a wall
            Point::new(5.0, 12.0),  // on a wall's line, past its end
            Point::new(7.0, 6.25),  // on the horizontal wall
            Point::new(12.25, 9.0), // in line with the vertical one
            Point::new(0.25, 0.25), // a cell centre
            Point::new(f64::NAN, 1.0),
        ]);
        let mut out = Vec::new();
        for g in &grids {
            for &source in &sources {
                let (rows, cols) = (3..g.rows() - 2, 1..g.cols());
                set.loss_window(source, g, rows.clone(), cols.clone(), &mut out);
                assert_eq!(out.len(), rows.len() * cols.len());
                let view = set.view(source);
                for r in rows.clone() {
                    for c in cols.clone() {
                        let p = g.centre(r, c);
                        let got = out[(r - rows.start) * cols.len() + (c - cols.start)];
                        let want = if source.x.is_nan() {
                            view.loss_to(p)
                        } else {
                            set.loss_brute(source, p)
                        };
                        assert!(
                            (got - want).abs() < 1e-9,
                            "{source:?} → {p:?}: {got} vs {want}"
                        );
                    }
                }
            }
        }
        set.loss_window(sources[0], &grids[0], 4..4, 0..10, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn hand_computed_losses() {
        let materials = Material::defaults();
        let concrete = materials.iter().position(|m| m.name == "concrete").unwrap();
        let glass = materials.iter().position(|m| m.name == "glass").unwrap();
        let walls = [
            Wall {
                segment: Segment::new(Point::new(5.0, -5.0), Point::new(5.0, 5.0)),
                material: concrete,
            },
            Wall {
                segment: Segment::new(Point::new(-5.0, 3.0), Point::new(5.0, 3.0)),
                material: glass,
            },
        ];
        let set = WallSet::new(&walls, &materials, Band::G2_4);
        let v = set.view(Point::new(0.0, 0.0));
        assert_eq!(v.loss_to(Point::new(10.0, 0.0)), 12.0);
        assert_eq!(v.loss_to(Point::new(-10.0, 0.0)), 0.0);
        assert_eq!(v.loss_to(Point::new(0.0, 10.0)), 1.0);
        // Short of both walls; then through the glass at (2, 3) only.
        assert_eq!(v.loss_to(Point::new(2.0, 2.0)), 0.0);
        assert_eq!(v.loss_to(Point::new(4.0, 6.0)), 1.0);
        assert_eq!(v.loss_to(Point::new(f64::NAN, 1.0)), 0.0);
    }
}
