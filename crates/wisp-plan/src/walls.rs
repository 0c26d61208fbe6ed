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

use std::f64::consts::PI;
use wisp_model::{Band, Material, Point, Segment, Wall};

/// Angular bins per source: 1024, so a bin spans about 0.35°; at 50 m that is 0.3 m across,
/// about as many walls per bin as a ray crosses.
pub const BINS: usize = 1024;

/// The walls of a floor with their loss at one band.
#[derive(Debug, Clone)]
pub struct WallSet {
    segments: Vec<Segment>,
    loss_db: Vec<f64>,
}

impl WallSet {
    /// Walls with each one's material loss at `band` (0 dB for a material index out of range, as
    /// `wisp_radio::path_loss::wall_loss` treats it). Walls of zero loss are dropped.
    pub fn new(walls: &[Wall], materials: &[Material], band: Band) -> WallSet {
        let mut segments = Vec::new();
        let mut loss_db = Vec::new();
        for w in walls {
            let l = materials.get(w.material).map_or(0.0, |m| m.loss(band));
            if l != 0.0 && l.is_finite() {
                segments.push(w.segment);
                loss_db.push(l);
            }
        }
        WallSet { segments, loss_db }
    }

    pub fn len(&self) -> usize {
        self.segments.len()
    }
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Brute force: the loss of every wall the line `from`–`to` crosses.
    pub fn loss_brute(&self, from: Point, to: Point) -> f64 {
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
        SourceView {
            set,
            source,
            start: count,
            entries,
            always,
        }
    }

    pub fn source(&self) -> Point {
        self.source
    }

    /// The loss of every wall the line from the source to `p` crosses, in dB.
    pub fn loss_to(&self, p: Point) -> f64 {
        let ray = Segment::new(self.source, p);
        let mut total = 0.0;
        for &i in &self.always {
            if ray.crosses(&self.set.segments[i as usize]) {
                total += self.set.loss_db[i as usize];
            }
        }
        let d = self.source.distance(p);
        if !d.is_finite() {
            return total;
        }
        let theta = (p.y - self.source.y).atan2(p.x - self.source.x);
        let b = bin_of(theta).clamp(0, BINS as i64 - 1) as usize;
        let reach = d * (1.0 + 1e-12) + 1e-12;
        for &(dist, i) in &self.entries[self.start[b] as usize..self.start[b + 1] as usize] {
            if dist > reach {
                break;
            }
            if ray.crosses(&self.set.segments[i as usize]) {
                total += self.set.loss_db[i as usize];
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn matches_brute_force_and_wisp_radio_on_random_walls() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let materials = Material::defaults();
        let pt = |rng: &mut ChaCha8Rng| {
            Point::new(rng.random::<f64>() * 60.0, rng.random::<f64>() * 30.0)
        };
        let mut walls: Vec<Wall> = (0..150)
            .map(|i| Wall {
                segment: Segment::new(pt(&mut rng), pt(&mut rng)),
                material: i % materials.len(),
            })
            .collect();
        // Axis-aligned walls on a lattice, with joints, as real plans have them.
        for k in 0..10 {
            let x = 5.0 * k as f64;
            walls.push(Wall {
                segment: Segment::new(Point::new(x, 0.0), Point::new(x, 10.0)),
                material: 0,
            });
            walls.push(Wall {
                segment: Segment::new(Point::new(x, 10.0), Point::new(x + 5.0, 10.0)),
                material: 1,
            });
        }
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
