//! Label placement on a map: a greedy placer that tries candidate positions around (or inside)
//! each thing named and keeps the first that fits.
//!
//! Everything here is in picture pixels. A placed label never overlaps another placed label,
//! never covers a point symbol (any access point's marker), never covers the area it names
//! unless the caller asks for the name inside the area (zones), and never leaves the bounds
//! given (the plan region of the picture). A label that fits nowhere is left out and reported
//! as `None`, never drawn over something. Labels are placed in the order given, so callers list
//! the most important first. Greedy placement is not optimal (a later label can lose a spot an
//! earlier one did not need), but it is predictable, fast (candidates × placed labels) and
//! deterministic: no randomness, ties broken by candidate order.

use wisp_model::{Point, Segment};

/// An axis-aligned rectangle in pixels; `left <= right`, `top <= bottom`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Smallest x.
    pub left: f64,
    /// Smallest y.
    pub top: f64,
    /// Largest x.
    pub right: f64,
    /// Largest y.
    pub bottom: f64,
}

impl Rect {
    /// The rectangle of size `w` × `h` centred on `c`.
    pub fn centred(c: Point, w: f64, h: f64) -> Rect {
        Rect {
            left: c.x - w / 2.0,
            top: c.y - h / 2.0,
            right: c.x + w / 2.0,
            bottom: c.y + h / 2.0,
        }
    }

    /// The smallest rectangle holding every point; `None` for no (finite) points.
    pub fn bounding(points: &[Point]) -> Option<Rect> {
        let mut finite = points.iter().filter(|p| p.x.is_finite() && p.y.is_finite());
        let first = finite.next()?;
        let mut r = Rect {
            left: first.x,
            top: first.y,
            right: first.x,
            bottom: first.y,
        };
        for p in finite {
            r.left = r.left.min(p.x);
            r.top = r.top.min(p.y);
            r.right = r.right.max(p.x);
            r.bottom = r.bottom.max(p.y);
        }
        Some(r)
    }

    /// Width.
    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    /// Height.
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }

    /// Centre.
    pub fn centre(&self) -> Point {
        Point::new(
            (self.left + self.right) / 2.0,
            (self.top + self.bottom) / 2.0,
        )
    }

    /// Whether the interiors overlap (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.left < o.right && o.left < self.right && self.top < o.bottom && o.top < self.bottom
    }

    /// Whether `self` lies wholly inside `outer` (edges may touch).
    pub fn within(&self, outer: &Rect) -> bool {
        self.left >= outer.left
            && self.right <= outer.right
            && self.top >= outer.top
            && self.bottom <= outer.bottom
    }

    /// The rectangle grown by `by` on every side.
    pub fn grown(&self, by: f64) -> Rect {
        Rect {
            left: self.left - by,
            top: self.top - by,
            right: self.right + by,
            bottom: self.bottom + by,
        }
    }

    fn corners(&self) -> [Point; 4] {
        [
            Point::new(self.left, self.top),
            Point::new(self.right, self.top),
            Point::new(self.right, self.bottom),
            Point::new(self.left, self.bottom),
        ]
    }

    fn edges(&self) -> [Segment; 4] {
        let c = self.corners();
        [0, 1, 2, 3].map(|i| Segment::new(c[i], c[(i + 1) % 4]))
    }

    fn contains_point(&self, p: Point) -> bool {
        p.x > self.left && p.x < self.right && p.y > self.top && p.y < self.bottom
    }

    /// Whether the segment passes through the rectangle's interior.
    pub fn meets_segment(&self, s: &Segment) -> bool {
        if self.contains_point(s.a) || self.contains_point(s.b) {
            return true;
        }
        let mid = Point::new((s.a.x + s.b.x) / 2.0, (s.a.y + s.b.y) / 2.0);
        self.contains_point(mid) || self.edges().iter().any(|e| e.crosses(s))
    }
}

/// What a label names, in picture pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    /// A point symbol occupying `symbol`: the label goes beside it, never over it, and no other
    /// label covers it either.
    Symbol {
        /// The symbol's box.
        symbol: Rect,
    },
    /// An area bounded by `ring` (closed implicitly). With `inside`, the label goes inside the
    /// area where it fits (a zone's name), else outside with a leader line; without, always
    /// outside, never covering the area (a dead zone's label must not hide the dead zone).
    Area {
        /// Corners in pixels.
        ring: Vec<Point>,
        /// Whether the label may (and should) sit inside the area.
        inside: bool,
    },
}

/// One label to place: what it names and the sizes it can take, preferred first (e.g. one line,
/// then wrapped onto two, then shortened).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelWish {
    /// What the label names.
    pub anchor: Anchor,
    /// Candidate sizes (width, height) in pixels, preferred first.
    pub sizes: Vec<(f64, f64)>,
}

/// Where a label went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The label's box.
    pub rect: Rect,
    /// Which of the wish's sizes was used.
    pub size: usize,
    /// A line from the thing named to the label, when the label is away from it.
    pub leader: Option<Segment>,
}

/// Places every wish in order; `None` where no candidate fits. `gap` is the space kept between
/// a label and what it names (and added around every placed label).
pub fn place_labels(wishes: &[LabelWish], bounds: Rect, gap: f64) -> Vec<Option<Placement>> {
    let symbols: Vec<Rect> = wishes
        .iter()
        .filter_map(|w| match &w.anchor {
            Anchor::Symbol { symbol } => Some(*symbol),
            Anchor::Area { .. } => None,
        })
        .collect();
    let mut placed: Vec<Rect> = Vec::new();
    let mut leaders: Vec<Segment> = Vec::new();
    let mut out = Vec::with_capacity(wishes.len());
    for wish in wishes {
        // Inside the area at any size before outside it at any size: a shortened name in its
        // room reads better than a full one on a leader across other rooms.
        let found = [Phase::Inside, Phase::Outside]
            .into_iter()
            .find_map(|phase| {
                wish.sizes.iter().enumerate().find_map(|(i, &(w, h))| {
                    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
                        return None;
                    }
                    candidates(&wish.anchor, phase, w, h, gap)
                        .into_iter()
                        .find(|c| fits(c, &wish.anchor, bounds, &symbols, &placed, &leaders, gap))
                        .map(|c| Placement {
                            rect: c.rect,
                            size: i,
                            leader: c.leader,
                        })
                })
            });
        if let Some(p) = &found {
            placed.push(p.rect);
            leaders.extend(p.leader);
        }
        out.push(found);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Inside,
    Outside,
}

struct Candidate {
    rect: Rect,
    leader: Option<Segment>,
}

fn fits(
    c: &Candidate,
    anchor: &Anchor,
    bounds: Rect,
    symbols: &[Rect],
    placed: &[Rect],
    leaders: &[Segment],
    gap: f64,
) -> bool {
    if !c.rect.within(&bounds) {
        return false;
    }
    // Half the gap around each label keeps neighbours a readable distance apart.
    let padded = c.rect.grown(gap / 2.0);
    if placed.iter().any(|p| p.grown(gap / 2.0).overlaps(&padded)) {
        return false;
    }
    if symbols.iter().any(|s| s.overlaps(&c.rect)) {
        return false;
    }
    if leaders.iter().any(|l| c.rect.meets_segment(l)) {
        return false;
    }
    if let Some(leader) = &c.leader {
        if placed.iter().any(|p| p.meets_segment(leader)) {
            return false;
        }
    }
    match anchor {
        Anchor::Symbol { .. } => true,
        Anchor::Area { ring, inside } => {
            let in_area = rect_inside_ring(&c.rect, ring);
            if *inside && c.leader.is_none() {
                in_area
            } else {
                !rect_meets_ring(&c.rect, ring)
            }
        }
    }
}

/// Candidate boxes for a label of `w` × `h` in one phase, best first: only areas that take
/// their label inside have inside candidates.
fn candidates(anchor: &Anchor, phase: Phase, w: f64, h: f64, gap: f64) -> Vec<Candidate> {
    match (anchor, phase) {
        (Anchor::Area { inside: true, ring }, Phase::Inside) => {
            let Some(bbox) = Rect::bounding(ring) else {
                return Vec::new();
            };
            let target = interior_point(ring).unwrap_or(bbox.centre());
            inside_grid(&bbox, target, w, h)
                .into_iter()
                .map(|rect| Candidate { rect, leader: None })
                .collect()
        }
        (_, Phase::Inside) => Vec::new(),
        (Anchor::Symbol { symbol }, Phase::Outside) => {
            let mut out = around(symbol, w, h, gap, None);
            // Farther away, with a leader back to the symbol, when every close spot is taken.
            for step in 1..=8 {
                let reach = gap + step as f64 * (h + gap);
                out.extend(around(
                    &symbol.grown(reach),
                    w,
                    h,
                    gap,
                    Some(symbol.centre()),
                ));
            }
            out
        }
        (Anchor::Area { ring, inside }, Phase::Outside) => {
            let Some(bbox) = Rect::bounding(ring) else {
                return Vec::new();
            };
            let target = interior_point(ring).unwrap_or(bbox.centre());
            let mut out = Vec::new();
            // Outside: next to the area first, then farther out, always with a leader when the
            // label is not beside the area it names.
            out.extend(around(&bbox, w, h, gap, (*inside).then_some(target)));
            for step in 1..=6 {
                let reach = step as f64 * (h + gap);
                out.extend(around(&bbox.grown(reach), w, h, gap, Some(target)));
            }
            out
        }
    }
}

/// Eight positions around `r` (right, left, above, below, then the corners), `gap` away, each
/// with a leader to `leader_to` when given.
fn around(r: &Rect, w: f64, h: f64, gap: f64, leader_to: Option<Point>) -> Vec<Candidate> {
    let c = r.centre();
    let centres = [
        Point::new(r.right + gap + w / 2.0, c.y),
        Point::new(r.left - gap - w / 2.0, c.y),
        Point::new(c.x, r.top - gap - h / 2.0),
        Point::new(c.x, r.bottom + gap + h / 2.0),
        Point::new(r.right + gap + w / 2.0, r.top - gap - h / 2.0),
        Point::new(r.right + gap + w / 2.0, r.bottom + gap + h / 2.0),
        Point::new(r.left - gap - w / 2.0, r.top - gap - h / 2.0),
        Point::new(r.left - gap - w / 2.0, r.bottom + gap + h / 2.0),
    ];
    centres
        .into_iter()
        .map(|centre| {
            let rect = Rect::centred(centre, w, h);
            let leader = leader_to.map(|to| Segment::new(to, nearest_on_rect(&rect, to)));
            Candidate { rect, leader }
        })
        .collect()
}

/// Label boxes centred on a grid of points over `bbox`, nearest `target` first; at most about
/// 24 × 24 of them, so large areas cost no more than small ones.
fn inside_grid(bbox: &Rect, target: Point, w: f64, h: f64) -> Vec<Rect> {
    if w > bbox.width() || h > bbox.height() {
        return Vec::new();
    }
    let step_x = (bbox.width() / 24.0).max(2.0);
    let step_y = (bbox.height() / 24.0).max(2.0);
    let mut points = Vec::new();
    let mut y = bbox.top + h / 2.0;
    while y <= bbox.bottom - h / 2.0 {
        let mut x = bbox.left + w / 2.0;
        while x <= bbox.right - w / 2.0 {
            points.push(Point::new(x, y));
            x += step_x;
        }
        y += step_y;
    }
    points.sort_by(|a, b| a.distance(target).total_cmp(&b.distance(target)));
    // The target itself first: a name centred on its room reads best.
    points.insert(0, target);
    points.into_iter().map(|p| Rect::centred(p, w, h)).collect()
}

/// The point of `r` nearest `p`.
fn nearest_on_rect(r: &Rect, p: Point) -> Point {
    Point::new(p.x.clamp(r.left, r.right), p.y.clamp(r.top, r.bottom))
}

/// Even-odd test; points on an edge may fall either side.
pub fn ring_contains(ring: &[Point], p: Point) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn ring_edges(ring: &[Point]) -> impl Iterator<Item = Segment> + '_ {
    let n = ring.len();
    (0..n).map(move |i| Segment::new(ring[i], ring[(i + 1) % n]))
}

/// Whether the whole box lies inside the ring: every corner inside and no edge of the ring
/// entering the box.
pub fn rect_inside_ring(r: &Rect, ring: &[Point]) -> bool {
    r.corners().iter().all(|c| ring_contains(ring, *c))
        && !ring_edges(ring).any(|e| r.meets_segment(&e))
}

/// Whether the box and the ring's area share any point: a corner of one inside the other or
/// an edge of the ring through the box.
pub fn rect_meets_ring(r: &Rect, ring: &[Point]) -> bool {
    r.corners().iter().any(|c| ring_contains(ring, *c))
        || ring.iter().any(|p| r.contains_point(*p))
        || ring_edges(ring).any(|e| r.meets_segment(&e))
}

/// A point well inside the ring for a leader to start from: the centroid when it is inside
/// (convex and most room shapes), else the middle of the widest inside run across the row
/// through the centroid's height, else any corner's neighbourhood; `None` for an empty ring.
pub fn interior_point(ring: &[Point]) -> Option<Point> {
    let bbox = Rect::bounding(ring)?;
    let centroid = crate::map::ring_centroid(ring)?;
    if ring_contains(ring, centroid) {
        return Some(centroid);
    }
    // Scan rows across the box; the longest inside run's middle is well inside.
    let mut best: Option<(f64, Point)> = None;
    for k in 1..16 {
        let y = bbox.top + bbox.height() * k as f64 / 16.0;
        let mut xs: Vec<f64> = ring_edges(ring)
            .filter(|e| (e.a.y > y) != (e.b.y > y))
            .map(|e| e.a.x + (y - e.a.y) * (e.b.x - e.a.x) / (e.b.y - e.a.y))
            .collect();
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let run = pair[1] - pair[0];
            if best.is_none_or(|(b, _)| run > b) {
                best = Some((run, Point::new((pair[0] + pair[1]) / 2.0, y)));
            }
        }
    }
    Some(best.map_or(bbox.centre(), |(_, p)| p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn square(x: f64, y: f64, side: f64) -> Vec<Point> {
        vec![
            Point::new(x, y),
            Point::new(x + side, y),
            Point::new(x + side, y + side),
            Point::new(x, y + side),
        ]
    }

    /// Brute force over every pair and every rule the placer promises.
    fn check(wishes: &[LabelWish], placed: &[Option<Placement>], bounds: Rect) {
        let symbols: Vec<Rect> = wishes
            .iter()
            .filter_map(|w| match &w.anchor {
                Anchor::Symbol { symbol } => Some(*symbol),
                _ => None,
            })
            .collect();
        for (i, (wish, p)) in wishes.iter().zip(placed).enumerate() {
            let Some(p) = p else { continue };
            assert!(p.rect.within(&bounds), "label {i} leaves the picture");
            for (j, q) in placed.iter().enumerate() {
                if let Some(q) = q.filter(|_| j != i) {
                    assert!(!p.rect.overlaps(&q.rect), "labels {i} and {j} overlap");
                    if let Some(l) = q.leader {
                        assert!(!p.rect.meets_segment(&l), "label {i} on leader {j}");
                    }
                }
            }
            for s in &symbols {
                assert!(!p.rect.overlaps(s), "label {i} covers a symbol");
            }
            if let Anchor::Area { ring, inside } = &wish.anchor {
                if *inside && p.leader.is_none() {
                    assert!(rect_inside_ring(&p.rect, ring), "zone name {i} outside");
                } else {
                    assert!(!rect_meets_ring(&p.rect, ring), "label {i} covers its area");
                }
            }
        }
    }

    #[test]
    fn rect_and_ring_tests_agree_with_hand_cases() {
        let ring = square(0.0, 0.0, 10.0);
        let r = |l, t, rr, b| Rect {
            left: l,
            top: t,
            right: rr,
            bottom: b,
        };
        assert!(rect_inside_ring(&r(1.0, 1.0, 9.0, 9.0), &ring));
        assert!(!rect_inside_ring(&r(5.0, 5.0, 11.0, 9.0), &ring));
        assert!(rect_meets_ring(&r(5.0, 5.0, 11.0, 9.0), &ring));
        assert!(!rect_meets_ring(&r(11.0, 0.0, 20.0, 5.0), &ring));
        // A box holding the whole ring meets it, though no corner of the box is inside.
        assert!(rect_meets_ring(&r(-5.0, -5.0, 15.0, 15.0), &ring));
        // An L: the centroid (in the notch) is outside, the interior point is not.
        let l = vec![
            Point::new(0.0, 0.0),
            Point::new(10.0, 0.0),
            Point::new(10.0, 2.0),
            Point::new(2.0, 2.0),
            Point::new(2.0, 10.0),
            Point::new(0.0, 10.0),
        ];
        let c = crate::map::ring_centroid(&l).unwrap();
        assert!(!ring_contains(&l, c));
        assert!(ring_contains(&l, interior_point(&l).unwrap()));
    }

    #[test]
    fn a_label_goes_beside_its_symbol_and_inside_the_picture() {
        let bounds = Rect {
            left: 0.0,
            top: 0.0,
            right: 100.0,
            bottom: 100.0,
        };
        // A symbol at the right edge: the preferred spot (right of it) is off the picture.
        let symbol = Rect::centred(Point::new(95.0, 50.0), 6.0, 6.0);
        let wishes = [LabelWish {
            anchor: Anchor::Symbol { symbol },
            sizes: vec![(30.0, 10.0)],
        }];
        let placed = place_labels(&wishes, bounds, 2.0);
        let p = placed[0].unwrap();
        assert_eq!(
            p.rect,
            Rect::centred(Point::new(92.0 - 2.0 - 15.0, 50.0), 30.0, 10.0)
        );
        assert!(p.leader.is_none());
        check(&wishes, &placed, bounds);
    }

    #[test]
    fn a_name_that_does_not_fit_inside_gets_a_leader() {
        let bounds = Rect {
            left: 0.0,
            top: 0.0,
            right: 200.0,
            bottom: 200.0,
        };
        let wishes = [
            LabelWish {
                anchor: Anchor::Area {
                    ring: square(50.0, 50.0, 100.0),
                    inside: true,
                },
                sizes: vec![(60.0, 12.0)],
            },
            LabelWish {
                anchor: Anchor::Area {
                    ring: square(20.0, 20.0, 10.0),
                    inside: true,
                },
                sizes: vec![(60.0, 12.0)],
            },
        ];
        let placed = place_labels(&wishes, bounds, 2.0);
        let (big, small) = (placed[0].unwrap(), placed[1].unwrap());
        // The big room holds its name at its centre; the small one's goes outside on a leader.
        assert_eq!(big.rect.centre(), Point::new(100.0, 100.0));
        assert!(big.leader.is_none());
        assert!(small.leader.is_some());
        check(&wishes, &placed, bounds);
    }

    #[test]
    fn crowded_layouts_never_overlap_or_leave_the_picture() {
        let mut rng = ChaCha8Rng::seed_from_u64(17);
        for round in 0..20 {
            let bounds = Rect {
                left: 0.0,
                top: 0.0,
                right: 400.0 + round as f64 * 20.0,
                bottom: 300.0,
            };
            let mut wishes = Vec::new();
            // Clusters of APs on almost one spot (NEW-F4-05/06/07), dead zones and zones of
            // every size, many near the edges.
            for _ in 0..40 {
                let c = Point::new(
                    rng.random_range(0.0..bounds.right),
                    rng.random_range(0.0..bounds.bottom),
                );
                for k in 0..rng.random_range(1..4) {
                    let at = Point::new(c.x + k as f64 * 2.0, c.y + k as f64);
                    wishes.push(LabelWish {
                        anchor: Anchor::Symbol {
                            symbol: Rect::centred(at, 6.0, 6.0),
                        },
                        sizes: vec![(rng.random_range(20.0..70.0), 11.0)],
                    });
                }
            }
            for k in 0..60 {
                let side = rng.random_range(8.0..120.0);
                let ring = square(
                    rng.random_range(-10.0..bounds.right - 10.0),
                    rng.random_range(-10.0..bounds.bottom - 10.0),
                    side,
                );
                wishes.push(LabelWish {
                    anchor: Anchor::Area {
                        ring,
                        inside: k % 3 != 0,
                    },
                    sizes: vec![(rng.random_range(30.0..200.0), 11.0), (40.0, 22.0)],
                });
            }
            let placed = place_labels(&wishes, bounds, 2.0);
            check(&wishes, &placed, bounds);
            // Crowded, but most labels find a place.
            let n = placed.iter().filter(|p| p.is_some()).count();
            assert!(n * 2 > wishes.len(), "round {round}: only {n} placed");
        }
    }

    #[test]
    fn nothing_fits_means_nothing_drawn() {
        let bounds = Rect {
            left: 0.0,
            top: 0.0,
            right: 20.0,
            bottom: 20.0,
        };
        let wishes = [LabelWish {
            anchor: Anchor::Symbol {
                symbol: Rect::centred(Point::new(10.0, 10.0), 4.0, 4.0),
            },
            sizes: vec![(50.0, 10.0), (f64::NAN, 1.0)],
        }];
        assert_eq!(place_labels(&wishes, bounds, 2.0), vec![None]);
    }
}
