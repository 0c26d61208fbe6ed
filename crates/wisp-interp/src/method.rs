//! The interpolation methods behind one trait (picking one by name is [`crate::methods`]).
//!
//! A method is a small parameter struct ([`Idw`], [`crate::Nearest`],
//! [`crate::NaturalNeighbour`], [`crate::OrdinaryKriging`]) implementing [`Interpolator`], in the manner of georust/geo's `Distance`
//! trait with its metric-space unit structs. Interpolating is split in two steps because a survey
//! interpolates many fields (one per radio) over the *same* positions:
//!
//! 1. [`Interpolator::prepare`] does the position-only work once: the k-d tree, the Delaunay
//!    triangulation, the pairs the semivariogram is binned from.
//! 2. [`Prepared::grid_many`] and [`Prepared::at`] estimate any number of fields from it; the
//!    neighbour search per cell runs once for all fields.
//!
//! This file also holds the plumbing the methods share: walking a grid or a list of query points
//! in parallel with per-thread scratch state, and merging samples that share a position.

use crate::idw::BandDone;
use crate::neighbours::{Neighbour, NeighbourIndex};
use crate::{Idw, InterpError, InterpErrorKind, ScatteredPoint};
use rayon::prelude::*;
use wisp_model::{Grid, GridGeometry, Method};

/// An interpolation method: a set of parameters that can be bound to sample positions.
pub trait Interpolator: Sync + Send {
    /// Which method this is (its name is [`Method::name`]).
    fn method(&self) -> Method;

    /// Does the position-only work once, so that many fields over `points` are cheap.
    ///
    /// Fails on no points, on a non-finite position, or on parameters that make no sense (k = 0).
    fn prepare(&self, points: &[ScatteredPoint]) -> Result<Box<dyn Prepared>, InterpError>;
}

/// A method bound to a set of sample positions.
pub trait Prepared: Sync + Send {
    /// Number of samples (before any merging of shared positions).
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every field (one value per sample each) estimated at every query point, in field order.
    /// A query with a non-finite coordinate gets NaN.
    fn at(
        &self,
        fields: &[&[f32]],
        queries: &[ScatteredPoint],
    ) -> Result<Vec<Estimates>, InterpError>;

    /// [`Prepared::at`] where only some estimates are needed: those where `wanted(field,
    /// query)` holds; the others may be NaN. Cross-validation scores a radio only at the scans
    /// that heard it, so it asks for those alone. Each wanted estimate equals `at`'s, bit for
    /// bit. By default every estimate is computed.
    fn at_wanted(
        &self,
        fields: &[&[f32]],
        queries: &[ScatteredPoint],
        wanted: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Estimates>, InterpError> {
        let _ = wanted;
        self.at(fields, queries)
    }

    /// Every field estimated on the cells of `geometry` where `include` is true (others NaN).
    fn grid_many(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Surface>, InterpError>;

    /// [`Prepared::grid_many`], handing each band of finished rows to `band_done` as it is done
    /// (see [`BandDone`]), so a caller can write them out while the rest is computed. By default
    /// the whole grid is one band, handed over at the end; IDW hands over its bands of rows.
    fn grid_many_banded(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
        band_done: &BandDone<'_>,
    ) -> Result<Vec<Surface>, InterpError> {
        let surfaces = self.grid_many(fields, geometry, include)?;
        let rows: Vec<Vec<f32>> = surfaces
            .iter()
            .map(|s| s.value.values().iter().copied().collect())
            .collect();
        let rows: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
        band_done(0, &rows);
        Ok(surfaces)
    }
}

/// One field's estimates at query points.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimates {
    pub value: Vec<f32>,
    /// The method's own standard deviation of each estimate, where it has one (kriging).
    pub std_dev: Option<Vec<f32>>,
}

/// One field estimated on a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Surface {
    pub value: Grid<f32>,
    /// The method's own standard deviation per cell, where it has one (kriging): an uncertainty
    /// layer in the field's unit.
    pub std_dev: Option<Grid<f32>>,
}

/// IDW is defined in `idw.rs` with its own grid path, which `SignalLayers` uses directly; this
/// binds it to the trait without changing it.
impl Interpolator for Idw {
    fn method(&self) -> Method {
        Method::Idw
    }

    fn prepare(&self, points: &[ScatteredPoint]) -> Result<Box<dyn Prepared>, InterpError> {
        if self.k == 0 {
            return Err(InterpErrorKind::ZeroK.into());
        }
        Ok(Box::new(PreparedIdw {
            idw: *self,
            index: NeighbourIndex::new(points)?,
        }))
    }
}

struct PreparedIdw {
    idw: Idw,
    index: NeighbourIndex,
}

impl Prepared for PreparedIdw {
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
            self.idw.k,
            fields,
            queries,
            &|n, f| self.idw.estimate(n, f),
        ))
    }

    fn grid_many(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Surface>, InterpError> {
        check_fields(fields, self.len())?;
        Ok(self
            .idw
            .grid_many(&self.index, fields, geometry, include)?
            .into_iter()
            .map(|value| Surface {
                value,
                std_dev: None,
            })
            .collect())
    }

    fn grid_many_banded(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
        band_done: &BandDone<'_>,
    ) -> Result<Vec<Surface>, InterpError> {
        check_fields(fields, self.len())?;
        Ok(self
            .idw
            .grid_many_banded(&self.index, fields, geometry, include, band_done)?
            .into_iter()
            .map(|value| Surface {
                value,
                std_dev: None,
            })
            .collect())
    }
}

/// Every field must have one finite value per sample: a NaN would spread silently into every
/// estimate that uses it.
pub(crate) fn check_fields(fields: &[&[f32]], samples: usize) -> Result<(), InterpError> {
    if fields.iter().any(|f| f.len() != samples) {
        return Err(InterpErrorKind::FieldLength {
            fields: fields.len(),
            samples,
        }
        .into());
    }
    for f in fields {
        if let Some(index) = f.iter().position(|v| !v.is_finite()) {
            return Err(InterpErrorKind::NotFinite { index }.into());
        }
    }
    Ok(())
}

/// What a method computes at one place: `(x, y, its neighbours nearest first, the thread's
/// scratch state, one value per field out, one standard deviation per field out)`. The
/// standard-deviation slice is empty when the method has none.
pub(crate) type CellFn<'a, S> =
    dyn Fn(f64, f64, &[Neighbour], &mut S, &mut [f32], &mut [f32]) + Sync + 'a;

/// Fills `nf` grids (and their standard deviations if `with_sd`) by calling `cell` at every
/// included cell with its k nearest samples in `index`. Bands of rows run on rayon threads, each
/// with its own `state()`, and are reassembled in order, so the thread count never shows.
#[allow(clippy::too_many_arguments)] // the plumbing of four methods; a struct would only rename them
pub(crate) fn grid_cells<S: Send>(
    index: &NeighbourIndex,
    k: usize,
    geometry: &GridGeometry,
    include: &(dyn Fn(usize, usize) -> bool + Sync),
    nf: usize,
    with_sd: bool,
    state: &(dyn Fn() -> S + Sync),
    cell: &CellFn<'_, S>,
) -> Vec<Surface> {
    struct Band<S> {
        r0: usize,
        rows: usize,
        value: Vec<f32>,
        sd: Vec<f32>,
        scratch: (Vec<f32>, Vec<f32>),
        state: S,
    }
    let cols = geometry.cols();
    let nsd = if with_sd { nf } else { 0 };
    let bands = index.for_each_cell(
        geometry,
        k,
        include,
        &|r, c, n, band: &mut Band<S>| {
            let p = geometry.centre(r, c);
            let (v, s) = &mut band.scratch;
            cell(p.x, p.y, n, &mut band.state, v, s);
            // Layout per band: [field][row in band][col].
            let at = |f: usize| (f * band.rows + (r - band.r0)) * cols + c;
            for (f, x) in v.iter().enumerate() {
                let i = at(f);
                band.value[i] = *x;
            }
            for (f, x) in s.iter().enumerate() {
                let i = at(f);
                band.sd[i] = *x;
            }
        },
        &|r0, r1| Band {
            r0,
            rows: r1 - r0,
            value: vec![f32::NAN; nf * (r1 - r0) * cols],
            sd: vec![f32::NAN; nsd * (r1 - r0) * cols],
            scratch: (vec![f32::NAN; nf], vec![f32::NAN; nsd]),
            state: state(),
        },
    );
    let gather = |f: usize, sd: bool| -> Grid<f32> {
        let mut out = Vec::with_capacity(geometry.len());
        for b in &bands {
            let buf = if sd { &b.sd } else { &b.value };
            out.extend_from_slice(&buf[f * b.rows * cols..(f + 1) * b.rows * cols]);
        }
        Grid::from_vec(*geometry, out)
    };
    (0..nf)
        .map(|f| Surface {
            value: gather(f, false),
            std_dev: with_sd.then(|| gather(f, true)),
        })
        .collect()
}

/// What a method computes at one query point: [`CellFn`]'s arguments after the query's index.
pub(crate) type QueryFn<'a, S> =
    dyn Fn(usize, f64, f64, &[Neighbour], &mut S, &mut [f32], &mut [f32]) + Sync + 'a;

/// Queries per parallel chunk in [`at_points`]: enough to amortise the scratch state (a few
/// small buffers), few enough that a fold's few hundred left-out scans (cross-validation) still
/// split evenly over the threads; with 256, 400 queries made one thread do 256 and the other 144.
const QUERY_CHUNK: usize = 32;

/// Like [`grid_cells`] for scattered query points; each query's k nearest come from a k-d tree
/// query. Chunks of queries run on rayon threads and are reassembled in order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn at_points<S: Send>(
    index: &NeighbourIndex,
    k: usize,
    queries: &[ScatteredPoint],
    nf: usize,
    with_sd: bool,
    state: &(dyn Fn() -> S + Sync),
    cell: &QueryFn<'_, S>,
) -> Vec<Estimates> {
    let nsd = if with_sd { nf } else { 0 };
    // Each chunk returns [query][field] for values and standard deviations.
    let chunks: Vec<(Vec<f32>, Vec<f32>)> = queries
        .par_chunks(QUERY_CHUNK)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut st = state();
            let mut v = vec![f32::NAN; nf];
            let mut s = vec![f32::NAN; nsd];
            let mut value = Vec::with_capacity(chunk.len() * nf);
            let mut sd = Vec::with_capacity(chunk.len() * nsd);
            for (qi, q) in chunk.iter().enumerate() {
                if q.x.is_finite() && q.y.is_finite() {
                    let n = index.nearest(q.x, q.y, k);
                    cell(ci * QUERY_CHUNK + qi, q.x, q.y, &n, &mut st, &mut v, &mut s);
                    value.extend_from_slice(&v);
                    sd.extend_from_slice(&s);
                } else {
                    value.extend(std::iter::repeat_n(f32::NAN, nf));
                    sd.extend(std::iter::repeat_n(f32::NAN, nsd));
                }
            }
            (value, sd)
        })
        .collect();
    (0..nf)
        .map(|f| Estimates {
            value: chunks
                .iter()
                .flat_map(|(v, _)| v.iter().skip(f).step_by(nf.max(1)).copied())
                .collect(),
            std_dev: with_sd.then(|| {
                chunks
                    .iter()
                    .flat_map(|(_, s)| s.iter().skip(f).step_by(nf.max(1)).copied())
                    .collect()
            }),
        })
        .collect()
}

/// `at_points` for an estimator that needs only each query's `k` nearest neighbours and the
/// field's values (IDW, nearest): the same estimate for every field, no standard deviation.
pub(crate) fn neighbour_estimates(
    index: &NeighbourIndex,
    k: usize,
    fields: &[&[f32]],
    queries: &[ScatteredPoint],
    estimate: &(dyn Fn(&[Neighbour], &[f32]) -> f32 + Sync),
) -> Vec<Estimates> {
    at_points(
        index,
        k,
        queries,
        fields.len(),
        false,
        &|| (),
        &|_, _, _, n, _, out, _| {
            for (o, f) in out.iter_mut().zip(fields) {
                *o = estimate(n, f);
            }
        },
    )
}

/// Samples that share a position merged into one, for the methods that cannot take two values
/// at one place (a triangulation has one vertex there; a kriging system would be singular).
/// Their values are averaged, as `gdal_grid` and gstat users are told to do beforehand.
#[derive(Debug, Clone)]
pub(crate) struct Merged {
    /// Distinct positions, in order of first occurrence.
    pub points: Vec<ScatteredPoint>,
    /// For each input sample, the index of its distinct position.
    pub group: Vec<u32>,
    /// Samples per distinct position.
    pub count: Vec<u32>,
}

impl Merged {
    pub fn new(points: &[ScatteredPoint]) -> Merged {
        // Exact equality only (−0 and +0 are one place); near-duplicates stay apart and the
        // methods cope with them on their own terms.
        let key = |p: &ScatteredPoint| ((p.x + 0.0).to_bits(), (p.y + 0.0).to_bits());
        let mut order: Vec<usize> = (0..points.len()).collect();
        order.sort_by_key(|&i| (key(&points[i]), i));
        // First occurrence of each key, so distinct positions keep the input's order.
        let mut first = vec![0usize; points.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j < order.len() && key(&points[order[j]]) == key(&points[order[i]]) {
                first[order[j]] = order[i];
                j += 1;
            }
            i = j;
        }
        let mut slot = vec![u32::MAX; points.len()];
        let mut out = Merged {
            points: Vec::new(),
            group: Vec::with_capacity(points.len()),
            count: Vec::new(),
        };
        for (i, p) in points.iter().enumerate() {
            let f = first[i];
            if slot[f] == u32::MAX {
                slot[f] = out.points.len() as u32;
                out.points.push(*p);
                out.count.push(0);
            }
            out.group.push(slot[f]);
            out.count[slot[f] as usize] += 1;
        }
        out
    }

    /// The samples merged, with a neighbour index over their distinct positions. Fails on no
    /// points or a non-finite position, as [`NeighbourIndex::new`] on the samples would.
    pub fn indexed(points: &[ScatteredPoint]) -> Result<(Merged, NeighbourIndex), InterpError> {
        // Checked on the samples themselves, so the error names the sample, not a merged place.
        NeighbourIndex::new(points)?;
        let merged = Merged::new(points);
        let index = NeighbourIndex::new(&merged.points)?;
        Ok((merged, index))
    }

    /// The mean value of each distinct position.
    pub fn average(&self, field: &[f32]) -> Vec<f64> {
        let mut sum = vec![0.0f64; self.points.len()];
        for (g, v) in self.group.iter().zip(field) {
            sum[*g as usize] += *v as f64;
        }
        for (s, n) in sum.iter_mut().zip(&self.count) {
            *s /= *n as f64;
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{all_methods, interpolator};

    #[test]
    fn every_point_method_has_an_interpolator_and_model_has_none() {
        for m in Method::POINT {
            assert_eq!(interpolator(m).unwrap().method(), m);
        }
        let all: Vec<Method> = all_methods().iter().map(|m| m.method()).collect();
        assert_eq!(all, Method::POINT);
        assert!(interpolator(Method::Model).is_err());
    }

    #[test]
    fn merged_averages_shared_positions_in_first_occurrence_order() {
        let p = |x, y| ScatteredPoint { x, y };
        let pts = [
            p(1.0, 1.0),
            p(0.0, 0.0),
            p(1.0, 1.0),
            p(-0.0, 0.0),
            p(2.0, 0.0),
        ];
        let m = Merged::new(&pts);
        assert_eq!(m.points, vec![p(1.0, 1.0), p(0.0, 0.0), p(2.0, 0.0)]);
        assert_eq!(m.group, vec![0, 1, 0, 1, 2]);
        assert_eq!(m.count, vec![2, 2, 1]);
        assert_eq!(
            m.average(&[-60.0, -70.0, -64.0, -80.0, -50.0]),
            vec![-62.0, -75.0, -50.0]
        );
    }

    #[test]
    fn every_method_reproduces_a_constant_field_on_grid_and_at_points() {
        // Any sensible interpolator returns c everywhere when every sample is c: IDW, Sibson and
        // kriging weights sum to one, nearest copies a sample.
        let pts: Vec<ScatteredPoint> = (0..40)
            .map(|i| ScatteredPoint {
                x: (i % 8) as f64 * 1.7 + (i / 8) as f64 * 0.3,
                y: (i / 8) as f64 * 2.1,
            })
            .collect();
        let vals = vec![-63.5f32; pts.len()];
        let g = GridGeometry::new(-3.0, -3.0, 0.8, 0.8, 25, 20).unwrap();
        let q = [
            ScatteredPoint { x: 3.3, y: 4.4 },
            ScatteredPoint { x: -10.0, y: 30.0 },
            ScatteredPoint {
                x: f64::NAN,
                y: 0.0,
            },
        ];
        for name in Method::POINT {
            let p = interpolator(name).unwrap().prepare(&pts).unwrap();
            let s = p.grid_many(&[&vals], &g, &|_, _| true).unwrap();
            assert!(
                s[0].value.values().iter().all(|v| (v + 63.5).abs() < 1e-4),
                "{name} grid"
            );
            let e = p.at(&[&vals], &q).unwrap();
            assert!((e[0].value[0] + 63.5).abs() < 1e-4, "{name} at");
            assert!((e[0].value[1] + 63.5).abs() < 1e-4, "{name} far away");
            assert!(e[0].value[2].is_nan(), "{name}: NaN query gives NaN");
        }
    }

    #[test]
    fn thread_count_does_not_change_any_method() {
        let pts: Vec<ScatteredPoint> = (0..300)
            .map(|i| {
                let t = i as f64 * 0.2;
                ScatteredPoint {
                    x: t,
                    y: 6.0 + 5.0 * (t * 0.4).sin(),
                }
            })
            .collect();
        let v: Vec<f32> = pts
            .iter()
            .map(|p| (-55.0 - 0.5 * p.x + (p.y * 1.7).sin() * 4.0) as f32)
            .collect();
        let g = GridGeometry::new(-2.0, -2.0, 0.5, 0.5, 130, 30).unwrap();
        for name in Method::POINT {
            let run = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| {
                        let p = interpolator(name).unwrap().prepare(&pts).unwrap();
                        p.grid_many(&[&v], &g, &|_, _| true).unwrap()
                    })
            };
            assert_eq!(run(1), run(2), "{name}");
        }
    }

    #[test]
    fn grid_and_points_agree_for_every_method() {
        // The grid path (tiled neighbour search) and the point path (per-query search) must give
        // the same estimates at the cell centres.
        let pts: Vec<ScatteredPoint> = (0..60)
            .map(|i| {
                let t = i as f64;
                ScatteredPoint {
                    x: (t * 0.37).sin() * 9.0 + t * 0.2,
                    y: (t * 0.23).cos() * 6.0,
                }
            })
            .collect();
        let a: Vec<f32> = pts.iter().map(|p| (-60.0 - p.x * 1.5) as f32).collect();
        let b: Vec<f32> = pts
            .iter()
            .enumerate()
            .map(|(i, p)| (-70.0 + p.y * 2.0 + (i % 3) as f64) as f32)
            .collect();
        let g = GridGeometry::new(-10.0, -8.0, 1.3, 1.1, 20, 15).unwrap();
        let centres: Vec<ScatteredPoint> = (0..g.rows())
            .flat_map(|r| (0..g.cols()).map(move |c| (r, c)))
            .map(|(r, c)| {
                let p = g.centre(r, c);
                ScatteredPoint { x: p.x, y: p.y }
            })
            .collect();
        for name in Method::POINT {
            let p = interpolator(name).unwrap().prepare(&pts).unwrap();
            let s = p.grid_many(&[&a, &b], &g, &|_, _| true).unwrap();
            let e = p.at(&[&a, &b], &centres).unwrap();
            for f in 0..2 {
                for (i, v) in s[f].value.values().iter().enumerate() {
                    assert!(
                        (v - e[f].value[i]).abs() < 1e-4,
                        "{name} field {f} cell {i}: {v} vs {}",
                        e[f].value[i]
                    );
                }
                assert_eq!(s[f].std_dev.is_some(), name == Method::Kriging);
            }
        }
    }
}
