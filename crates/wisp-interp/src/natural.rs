//! Natural-neighbour interpolation (Sibson 1981), on a Delaunay triangulation from `spade`.
//!
//! A place's natural neighbours are the samples whose Voronoi cells would shrink if the place
//! were added as a sample; each weighs by the share of the new cell it would give up (Sibson's
//! "stolen area" coordinates). The surface passes through every sample, stays within the range of
//! the neighbours' values, and has no bull's-eyes around isolated samples as IDW does. It picks
//! neighbours by geometry rather than by a count k, so a sample behind a closer one still counts
//! when it lies in another direction.
//!
//! Sibson coordinates exist only inside the convex hull of the samples. Outside it (beyond the
//! ends of a walk, or everywhere if the walk is a straight line) the estimate falls back to
//! [`Idw`] over the k nearest samples, so every place still gets a value.
//!
//! Samples that share a position are averaged first: a triangulation has one vertex per place.

use crate::method::{
    at_points, check_fields, grid_cells, Estimates, Interpolator, Merged, Prepared, Surface,
};
use crate::neighbours::{Neighbour, NeighbourIndex};
use crate::{Idw, InterpError, InterpErrorKind, ScatteredPoint};
use spade::handles::FixedVertexHandle;
use spade::{
    DelaunayTriangulation, HasPosition, HierarchyHintGenerator, Point2, Triangulation as _,
};
use wisp_model::GridGeometry;

/// Natural-neighbour (Sibson) interpolation with an IDW fallback outside the samples' hull.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NaturalNeighbour {
    /// Used outside the convex hull of the samples, where Sibson coordinates do not exist.
    /// Defaults to [`Idw::default`] (k = 12, power 2), the method the layers use.
    pub fallback: Idw,
}

/// A vertex: its position and the index of its distinct sample position in [`Merged`].
#[derive(Debug, Clone, Copy)]
struct Vertex {
    at: Point2<f64>,
    id: u32,
}

impl HasPosition for Vertex {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.at
    }
}

/// The hierarchy hint generator locates without mutating shared state (the default "last used
/// vertex" hint is an atomic shared by all threads), so a location never depends on which thread
/// looked up what before.
type Tri = DelaunayTriangulation<Vertex, (), (), (), HierarchyHintGenerator<f64>>;

/// Coordinates this close to zero are zero: `spade` refuses magnitudes below 2⁻¹⁴² (its robust
/// predicates would underflow), and nothing measured in metres is that small.
const TINY: f64 = 1e-30;
/// And `spade` refuses magnitudes above 2²⁰¹ ≈ 3·10⁶⁰.
const HUGE: f64 = 1e60;

impl Interpolator for NaturalNeighbour {
    fn method(&self) -> wisp_model::Method {
        wisp_model::Method::Natural
    }

    fn prepare(&self, points: &[ScatteredPoint]) -> Result<Box<dyn Prepared>, InterpError> {
        if self.fallback.k == 0 {
            return Err(InterpErrorKind::ZeroK.into());
        }
        let index = NeighbourIndex::new(points)?;
        if let Some(i) = points
            .iter()
            .position(|p| p.x.abs() > HUGE || p.y.abs() > HUGE)
        {
            return Err(InterpErrorKind::OutOfRange { index: i }.into());
        }
        let merged = Merged::new(points);
        let clean = |v: f64| if v.abs() < TINY { 0.0 } else { v };
        let vertices: Vec<Vertex> = merged
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| Vertex {
                at: Point2::new(clean(p.x), clean(p.y)),
                id: i as u32,
            })
            .collect();
        // The coordinates were checked above, so this cannot fail; map it anyway rather than panic.
        let tri = Tri::bulk_load(vertices).map_err(|_| InterpErrorKind::OutOfRange { index: 0 })?;
        Ok(Box::new(PreparedNatural {
            fallback: self.fallback,
            index,
            merged,
            tri,
        }))
    }
}

struct PreparedNatural {
    fallback: Idw,
    /// Over the samples as given, for the fallback.
    index: NeighbourIndex,
    merged: Merged,
    tri: Tri,
}

/// Per-thread scratch: `spade`'s interpolator (it keeps buffers in `RefCell`s, so one per
/// thread) and the weights of one place.
struct Scratch<'a> {
    nn: spade::NaturalNeighbor<'a, Tri>,
    raw: Vec<(FixedVertexHandle, f64)>,
    weights: Vec<(u32, f64)>,
}

impl PreparedNatural {
    fn scratch(&self) -> Scratch<'_> {
        Scratch {
            nn: self.tri.natural_neighbor(),
            raw: Vec::new(),
            weights: Vec::new(),
        }
    }

    /// Writes each field's estimate at (x, y) into `out`. `averaged[f]` holds field f per
    /// distinct position, `fields[f]` per sample (for the fallback).
    fn estimate(
        &self,
        (x, y): (f64, f64),
        n: &[Neighbour],
        s: &mut Scratch<'_>,
        fields: &[&[f32]],
        averaged: &[Vec<f64>],
        out: &mut [f32],
    ) {
        s.nn.get_weights(Point2::new(x, y), &mut s.raw);
        if s.raw.is_empty() {
            for (o, f) in out.iter_mut().zip(fields) {
                *o = self.fallback.estimate(n, f);
            }
            return;
        }
        s.weights.clear();
        s.weights.extend(
            s.raw
                .iter()
                .map(|(h, w)| (self.tri.vertex(*h).data().id, *w)),
        );
        // Sum in a fixed order: the order spade lists neighbours in can depend on which edge a
        // point on an edge was located on.
        s.weights.sort_by_key(|e| e.0);
        for (o, a) in out.iter_mut().zip(averaged) {
            *o = s
                .weights
                .iter()
                .map(|(i, w)| w * a[*i as usize])
                .sum::<f64>() as f32;
        }
    }
}

impl Prepared for PreparedNatural {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn at(
        &self,
        fields: &[&[f32]],
        queries: &[ScatteredPoint],
    ) -> Result<Vec<Estimates>, InterpError> {
        check_fields(fields, self.len())?;
        let averaged: Vec<Vec<f64>> = fields.iter().map(|f| self.merged.average(f)).collect();
        Ok(at_points(
            &self.index,
            self.fallback.k,
            queries,
            fields.len(),
            false,
            &|| self.scratch(),
            &|_, x, y, n, s, out, _| self.estimate((x, y), n, s, fields, &averaged, out),
        ))
    }

    fn grid_many(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Surface>, InterpError> {
        check_fields(fields, self.len())?;
        let averaged: Vec<Vec<f64>> = fields.iter().map(|f| self.merged.average(f)).collect();
        Ok(grid_cells(
            &self.index,
            self.fallback.k,
            geometry,
            include,
            fields.len(),
            false,
            &|| self.scratch(),
            &|x, y, n, s, out, _| self.estimate((x, y), n, s, fields, &averaged, out),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> ScatteredPoint {
        ScatteredPoint { x, y }
    }

    fn at1(prep: &dyn Prepared, vals: &[f32], x: f64, y: f64) -> f32 {
        prep.at(&[vals], &[p(x, y)]).unwrap()[0].value[0]
    }

    #[test]
    fn square_centre_weighs_the_four_corners_equally() {
        // The Voronoi cell of the centre of a unit square takes a quarter from each corner's cell.
        let pts = [p(0.0, 0.0), p(2.0, 0.0), p(2.0, 2.0), p(0.0, 2.0)];
        let vals = [-40.0f32, -60.0, -80.0, -100.0];
        let prep = NaturalNeighbour::default().prepare(&pts).unwrap();
        assert!((at1(&*prep, &vals, 1.0, 1.0) + 70.0).abs() < 1e-4);
    }

    #[test]
    fn reproduces_a_linear_field_inside_the_hull() {
        // Sibson coordinates reproduce linear functions exactly (Sibson 1981): a plane in, the
        // same plane out, anywhere inside the convex hull.
        let pts: Vec<ScatteredPoint> = (0..50)
            .map(|i| {
                let t = i as f64;
                p((t * 1.618).fract() * 20.0, (t * 0.754).fract() * 10.0)
            })
            .chain([p(0.0, 0.0), p(20.0, 0.0), p(20.0, 10.0), p(0.0, 10.0)])
            .collect();
        let plane = |x: f64, y: f64| -50.0 - 1.5 * x + 0.75 * y;
        let vals: Vec<f32> = pts.iter().map(|q| plane(q.x, q.y) as f32).collect();
        let prep = NaturalNeighbour::default().prepare(&pts).unwrap();
        let g = GridGeometry::new(0.0, 0.0, 0.5, 0.5, 40, 20).unwrap();
        let s = prep.grid_many(&[&vals], &g, &|_, _| true).unwrap();
        for ((r, c), v) in s[0].value.indexed_iter() {
            let q = g.centre(r, c);
            assert!((*v as f64 - plane(q.x, q.y)).abs() < 1e-3, "({r},{c}) {v}");
        }
    }

    #[test]
    fn exact_at_samples_and_duplicates_are_averaged() {
        let pts = [
            p(0.0, 0.0),
            p(4.0, 0.0),
            p(0.0, 4.0),
            p(4.0, 4.0),
            p(4.0, 4.0),
        ];
        let vals = [-50.0f32, -60.0, -70.0, -80.0, -90.0];
        let prep = NaturalNeighbour::default().prepare(&pts).unwrap();
        assert_eq!(at1(&*prep, &vals, 4.0, 0.0), -60.0);
        assert_eq!(at1(&*prep, &vals, 4.0, 4.0), -85.0);
    }

    #[test]
    fn outside_the_hull_is_idw() {
        let pts = [p(0.0, 0.0), p(4.0, 0.0), p(0.0, 4.0), p(1.0, 1.0)];
        let vals = [-50.0f32, -60.0, -70.0, -55.0];
        let prep = NaturalNeighbour::default().prepare(&pts).unwrap();
        let idw = Idw::default().prepare(&pts).unwrap();
        for (x, y) in [(5.0, 5.0), (-3.0, 1.0), (2.0, -0.5)] {
            assert_eq!(
                at1(&*prep, &vals, x, y),
                at1(&*idw, &vals, x, y),
                "({x},{y})"
            );
        }
    }

    #[test]
    fn a_straight_walk_interpolates_along_the_line_and_falls_back_off_it() {
        // Collinear samples have no triangles: on the line the weights are linear between the
        // two enclosing samples, off it the fallback answers.
        let pts = [p(0.0, 0.0), p(2.0, 0.0), p(6.0, 0.0)];
        let vals = [-40.0f32, -60.0, -80.0];
        let prep = NaturalNeighbour::default().prepare(&pts).unwrap();
        assert!((at1(&*prep, &vals, 3.0, 0.0) + 65.0).abs() < 1e-4);
        let idw = Idw::default().prepare(&pts).unwrap();
        assert_eq!(at1(&*prep, &vals, 3.0, 1.0), at1(&*idw, &vals, 3.0, 1.0));
    }
}
