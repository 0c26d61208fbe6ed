//! Points, segments and polygons in plan metres.

use crate::{ModelError, ModelErrorKind};
use serde::{Deserialize, Serialize};

/// A point in plan metres (origin top-left of the plan, x right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
    pub fn distance(self, o: Point) -> f64 {
        (self.x - o.x).hypot(self.y - o.y)
    }
}

/// A straight line segment between two points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub a: Point,
    pub b: Point,
}

impl Segment {
    pub fn new(a: Point, b: Point) -> Segment {
        Segment { a, b }
    }

    pub fn length(&self) -> f64 {
        self.a.distance(self.b)
    }

    /// Whether this segment and `o` cross at a single interior point of both.
    ///
    /// Touching at an end point counts as crossing only on one side of the touch (half-open
    /// test), so a path that passes exactly through the joint of two wall segments is charged
    /// for one wall, not two.
    pub fn crosses(&self, o: &Segment) -> bool {
        let d1 = orient(o.a, o.b, self.a);
        let d2 = orient(o.a, o.b, self.b);
        let d3 = orient(self.a, self.b, o.a);
        let d4 = orient(self.a, self.b, o.b);
        ((d1 > 0.0) != (d2 > 0.0)) && ((d3 > 0.0) != (d4 > 0.0)) && d1 != d2 && d3 != d4
    }

    /// Distance from `p` to the closest point of the segment.
    pub fn distance_to(&self, p: Point) -> f64 {
        let (dx, dy) = (self.b.x - self.a.x, self.b.y - self.a.y);
        let len2 = dx * dx + dy * dy;
        if len2 == 0.0 {
            return p.distance(self.a);
        }
        let t = (((p.x - self.a.x) * dx + (p.y - self.a.y) * dy) / len2).clamp(0.0, 1.0);
        p.distance(Point::new(self.a.x + t * dx, self.a.y + t * dy))
    }
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// A simple polygon (closed implicitly), with at least three corners and a non-zero area. A
/// closed ring (the first corner repeated at the end, as GeoJSON writes polygons) is accepted
/// and stored without the repeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Point>", into = "Vec<Point>")]
pub struct Polygon {
    corners: Vec<Point>,
}

impl Polygon {
    /// Validates the corners: all finite, at least three distinct, and a non-zero area; edges
    /// that cross are named by index (edge i runs from corner i to corner i + 1).
    pub fn new(mut corners: Vec<Point>) -> Result<Polygon, ModelError> {
        if corners.iter().any(|p| !p.x.is_finite() || !p.y.is_finite()) {
            return Err(ModelErrorKind::NotFinite("polygon corner").into());
        }
        if corners.len() > 3 && corners.first() == corners.last() {
            corners.pop();
        }
        let p = Polygon { corners };
        if p.corners.len() < 3 || p.area() <= 1e-12 {
            return Err(ModelErrorKind::DegeneratePolygon.into());
        }
        if let Some((first, second)) = p.crossing_edges() {
            return Err(ModelErrorKind::SelfIntersecting { first, second }.into());
        }
        Ok(p)
    }

    /// An axis-aligned rectangle.
    pub fn rectangle(min: Point, max: Point) -> Result<Polygon, ModelError> {
        Polygon::new(vec![
            min,
            Point::new(max.x, min.y),
            max,
            Point::new(min.x, max.y),
        ])
    }

    pub fn corners(&self) -> &[Point] {
        &self.corners
    }

    /// Area by the shoelace formula (absolute, whatever the winding).
    pub fn area(&self) -> f64 {
        self.signed_area().abs()
    }

    fn signed_area(&self) -> f64 {
        let n = self.corners.len();
        (0..n)
            .map(|i| {
                let (a, b) = (self.corners[i], self.corners[(i + 1) % n]);
                a.x * b.y - b.x * a.y
            })
            .sum::<f64>()
            / 2.0
    }

    /// The area centroid.
    pub fn centroid(&self) -> Point {
        let n = self.corners.len();
        let a = self.signed_area();
        let (mut cx, mut cy) = (0.0, 0.0);
        for i in 0..n {
            let (p, q) = (self.corners[i], self.corners[(i + 1) % n]);
            let cross = p.x * q.y - q.x * p.y;
            cx += (p.x + q.x) * cross;
            cy += (p.y + q.y) * cross;
        }
        Point::new(cx / (6.0 * a), cy / (6.0 * a))
    }

    /// Even-odd point-in-polygon test. Points exactly on an edge may fall either side.
    pub fn contains(&self, p: Point) -> bool {
        let mut inside = false;
        let n = self.corners.len();
        let mut j = n - 1;
        for i in 0..n {
            let (a, b) = (self.corners[i], self.corners[j]);
            if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
                inside = !inside;
            }
            j = i;
        }
        inside
    }

    /// (min, max) corners of the bounding box.
    pub fn bounds(&self) -> (Point, Point) {
        let mut min = Point::new(f64::INFINITY, f64::INFINITY);
        let mut max = Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY);
        for p in &self.corners {
            min.x = min.x.min(p.x);
            min.y = min.y.min(p.y);
            max.x = max.x.max(p.x);
            max.y = max.y.max(p.y);
        }
        (min, max)
    }

    /// Whether two non-adjacent edges cross: such a polygon has no well-defined inside.
    pub fn self_intersects(&self) -> bool {
        self.crossing_edges().is_some()
    }

    /// The first pair (i < j, in order) of non-adjacent edges that cross; edge i runs from
    /// corner i to corner i + 1 (the last edge back to corner 0).
    pub fn crossing_edges(&self) -> Option<(usize, usize)> {
        let n = self.corners.len();
        let edge = |i: usize| Segment::new(self.corners[i], self.corners[(i + 1) % n]);
        (0..n).find_map(|i| {
            ((i + 2)..n)
                .find(|&j| !(i == 0 && j == n - 1) && edge(i).crosses(&edge(j)))
                .map(|j| (i, j))
        })
    }
}

impl TryFrom<Vec<Point>> for Polygon {
    type Error = ModelError;
    fn try_from(v: Vec<Point>) -> Result<Self, Self::Error> {
        Polygon::new(v)
    }
}

impl From<Polygon> for Vec<Point> {
    fn from(p: Polygon) -> Self {
        p.corners
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Polygon {
        Polygon::rectangle(Point::new(0.0, 0.0), Point::new(4.0, 2.0)).unwrap()
    }

    #[test]
    fn area_centroid_contains() {
        let s = square();
        assert_eq!(s.area(), 8.0);
        assert_eq!(s.centroid(), Point::new(2.0, 1.0));
        assert!(s.contains(Point::new(1.0, 1.0)));
        assert!(!s.contains(Point::new(5.0, 1.0)));
        // L-shape: 3×3 minus the 2×2 top-right corner = 5.
        let l = Polygon::new(
            [(0., 0.), (1., 0.), (1., 1.), (3., 1.), (3., 3.), (0., 3.)]
                .iter()
                .map(|&(x, y)| Point::new(x, y))
                .collect(),
        )
        .unwrap();
        assert_eq!(l.area(), 7.0);
        assert!(!l.contains(Point::new(2.0, 0.5)));
        assert!(l.contains(Point::new(0.5, 0.5)));
    }

    #[test]
    fn degenerate_polygons_are_refused() {
        assert!(Polygon::new(vec![Point::new(0., 0.), Point::new(1., 1.)]).is_err());
        assert!(Polygon::new(vec![
            Point::new(0., 0.),
            Point::new(1., 1.),
            Point::new(2., 2.)
        ])
        .is_err());
        assert!(Polygon::new(vec![
            Point::new(f64::NAN, 0.),
            Point::new(1., 0.),
            Point::new(0., 1.)
        ])
        .is_err());
    }

    #[test]
    fn bow_tie_self_intersects() {
        // Asymmetric, so its signed area is not zero and only the crossing test refuses it.
        let bow = Polygon::new(
            [(0., 0.), (3., 2.), (3., 0.), (0., 1.)]
                .iter()
                .map(|&(x, y)| Point::new(x, y))
                .collect(),
        );
        // Edge 0 (0,0)–(3,2) is y = 2x/3, edge 2 (3,0)–(0,1) is y = 1 − x/3: they meet at
        // (1, 2/3), inside both; edges 1 and 3 (x = 3 and x = 0) never meet.
        assert_eq!(
            bow.unwrap_err().kind(),
            &ModelErrorKind::SelfIntersecting {
                first: 0,
                second: 2
            }
        );
        assert!(!square().self_intersects());
    }

    #[test]
    fn a_closed_ring_is_the_same_polygon() {
        let ring: Vec<Point> = [(0., 0.), (2., 0.), (2., 1.), (0., 1.), (0., 0.)]
            .iter()
            .map(|&(x, y)| Point::new(x, y))
            .collect();
        let p = Polygon::new(ring.clone()).unwrap();
        assert_eq!(p.corners(), &ring[..4]);
        assert_eq!(p.area(), 2.0);
        // A triangle written as a closed ring of four points is still a triangle.
        let tri = Polygon::new(vec![ring[0], ring[1], ring[2], ring[0]]).unwrap();
        assert_eq!(tri.area(), 1.0);
    }

    #[test]
    fn crossing_segments() {
        let h = Segment::new(Point::new(0., 1.), Point::new(2., 1.));
        let v = Segment::new(Point::new(1., 0.), Point::new(1., 2.));
        assert!(h.crosses(&v));
        let far = Segment::new(Point::new(3., 0.), Point::new(3., 2.));
        assert!(!h.crosses(&far));
        let parallel = Segment::new(Point::new(0., 2.), Point::new(2., 2.));
        assert!(!h.crosses(&parallel));
        assert!((v.distance_to(Point::new(3.0, 1.0)) - 2.0).abs() < 1e-12);
    }
}
