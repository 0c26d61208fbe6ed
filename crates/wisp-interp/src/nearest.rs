//! Nearest sample: every place takes the value of the sample closest to it.
//!
//! The surface is a Voronoi mosaic: exact at the samples, a step at every cell boundary. It is the
//! baseline the smoother methods must beat in cross-validation, and the estimator of `gdal_grid
//! -a nearest` with an unlimited radius. Equally near samples are decided by sample index (the
//! earlier one wins), the tie rule of [`NeighbourIndex`], so results never depend on threads.

use crate::method::{
    check_fields, grid_cells, neighbour_estimates, Estimates, Interpolator, Prepared, Surface,
};
use crate::neighbours::{Neighbour, NeighbourIndex};
use crate::{InterpError, ScatteredPoint};
use wisp_model::GridGeometry;

/// Nearest-sample interpolation. It has no parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nearest;

impl Nearest {
    /// The value of the first (nearest, lowest index on a tie) neighbour.
    #[inline]
    fn estimate(neighbours: &[Neighbour], values: &[f32]) -> f32 {
        neighbours
            .first()
            .map_or(f32::NAN, |n| values[n.index as usize])
    }
}

impl Interpolator for Nearest {
    fn method(&self) -> wisp_model::Method {
        wisp_model::Method::Nearest
    }

    fn prepare(&self, points: &[ScatteredPoint]) -> Result<Box<dyn Prepared>, InterpError> {
        Ok(Box::new(PreparedNearest {
            index: NeighbourIndex::new(points)?,
        }))
    }
}

struct PreparedNearest {
    index: NeighbourIndex,
}

impl Prepared for PreparedNearest {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn at(
        &self,
        fields: &[&[f32]],
        queries: &[ScatteredPoint],
    ) -> Result<Vec<Estimates>, InterpError> {
        check_fields(fields, self.len())?;
        Ok(neighbour_estimates(
            &self.index,
            1,
            fields,
            queries,
            &Nearest::estimate,
        ))
    }

    fn grid_many(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Surface>, InterpError> {
        check_fields(fields, self.len())?;
        Ok(grid_cells(
            &self.index,
            1,
            geometry,
            include,
            fields.len(),
            false,
            &|| (),
            &|_, _, n, _, out, _| {
                for (o, f) in out.iter_mut().zip(fields) {
                    *o = Nearest::estimate(n, f);
                }
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: scan every sample, keep the first strictly nearer one.
    fn brute(points: &[ScatteredPoint], values: &[f32], x: f64, y: f64) -> f32 {
        let mut best = (f64::INFINITY, f32::NAN);
        for (p, v) in points.iter().zip(values) {
            let d = (p.x - x).powi(2) + (p.y - y).powi(2);
            if d < best.0 {
                best = (d, *v);
            }
        }
        best.1
    }

    #[test]
    fn equals_brute_force_including_ties() {
        // A lattice with spacing 2 and cells of 1: many cell centres are equidistant from two or
        // four samples, so the tie rule is exercised.
        let pts: Vec<ScatteredPoint> = (0..30)
            .map(|i| ScatteredPoint {
                x: (i % 6) as f64 * 2.0,
                y: (i / 6) as f64 * 2.0,
            })
            .collect();
        let vals: Vec<f32> = (0..30).map(|i| -40.0 - i as f32).collect();
        let g = GridGeometry::new(-1.5, -1.5, 1.0, 1.0, 14, 12).unwrap();
        let p = Nearest.prepare(&pts).unwrap();
        let s = p.grid_many(&[&vals], &g, &|_, _| true).unwrap();
        for ((r, c), v) in s[0].value.indexed_iter() {
            let q = g.centre(r, c);
            assert_eq!(*v, brute(&pts, &vals, q.x, q.y), "({r},{c})");
        }
        // Hand-checked: (1, 1) is 1.414 from samples 0, 1, 6 and 7; index 0 wins.
        let e = p
            .at(&[&vals], &[ScatteredPoint { x: 1.0, y: 1.0 }])
            .unwrap();
        assert_eq!(e[0].value, vec![-40.0]);
    }

    #[test]
    fn refuses_bad_fields() {
        let p = Nearest
            .prepare(&[ScatteredPoint { x: 0.0, y: 0.0 }])
            .unwrap();
        assert!(p.at(&[&[1.0, 2.0]], &[]).is_err());
        assert_eq!(
            p.at(&[&[f32::NAN]], &[]).err(),
            Some(InterpError::NotFinite { index: 0 })
        );
    }
}
