//! Exact k-nearest-neighbour search for every cell of a grid, one k-d tree query per tile.
//!
//! A per-cell k-d tree query costs about 1 µs; most of that is walking the tree to the same few
//! leaves as the cell next door (shared/reference.md §6). Instead, for a tile of T × T cells with
//! centre `c` and half-diagonal `h`, let `d_k` be the distance from `c` to its k-th nearest sample.
//! Any cell `p` of the tile has at least k samples within `d_k + h` (the triangle inequality), so
//! its k nearest all lie within `d_k + 2h` of `c`. One radius query gathers those candidates,
//! ordered by distance to `c`, and each cell picks its exact top k from them by bounded insertion,
//! stopping at the first candidate that cannot beat its k-th (see `TileCandidates::nearest`).
//! Ties in distance are broken by sample index, so the result is the same set a sorted per-cell
//! query returns, on any number of threads.

use crate::{InterpError, InterpErrorKind, ScatteredPoint};
use kiddo::{ImmutableKdTree, SquaredEuclidean};
use rayon::prelude::*;
use std::num::NonZeroUsize;
use wisp_model::{Grid, GridGeometry};

/// Cells per tile side. 16 × 16 keeps the candidate set small against the tile's cells.
const TILE: usize = 16;

/// What [`NeighbourIndex::for_each_cell`] calls for each cell: row, column, the cell's
/// neighbours nearest first, and the state of the band of rows the cell is in.
pub type CellVisitor<'a, R> = dyn Fn(usize, usize, &[Neighbour], &mut R) + Sync + 'a;

/// Samples indexed for nearest-neighbour search.
pub struct NeighbourIndex {
    points: Vec<[f64; 2]>,
    tree: ImmutableKdTree<f64, 2>,
}

/// One neighbour of a cell: the sample's index and the squared distance to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    pub index: u32,
    pub dist2: f64,
}

impl NeighbourIndex {
    pub fn new(points: &[ScatteredPoint]) -> Result<Self, InterpError> {
        if points.is_empty() {
            return Err(InterpErrorKind::NoSamples.into());
        }
        if let Some(index) = points
            .iter()
            .position(|p| !p.x.is_finite() || !p.y.is_finite())
        {
            return Err(InterpErrorKind::NotFinite { index }.into());
        }
        let points: Vec<[f64; 2]> = points.iter().map(|p| [p.x, p.y]).collect();
        let tree =
            ImmutableKdTree::new_from_slice(&points).map_err(|_| InterpErrorKind::NoSamples)?;
        Ok(NeighbourIndex { points, tree })
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The k nearest samples of `(x, y)`, nearest first, ties by index; a brute-force scan. Used
    /// for scattered queries (`wisp grid --at`) and as the tests' reference.
    pub fn nearest_brute(&self, x: f64, y: f64, k: usize) -> Vec<Neighbour> {
        let mut all: Vec<Neighbour> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| Neighbour {
                index: i as u32,
                dist2: sq(p[0] - x) + sq(p[1] - y),
            })
            .collect();
        let k = k.min(all.len());
        if k < all.len() {
            all.select_nth_unstable_by(k - 1, cmp);
            all.truncate(k);
        }
        all.sort_unstable_by(cmp);
        all
    }

    /// The k nearest samples of `(x, y)` by k-d tree query, nearest first, ties by index.
    pub fn nearest(&self, x: f64, y: f64, k: usize) -> Vec<Neighbour> {
        let k = k.clamp(1, self.points.len());
        let first = self
            .tree
            .query(&[x, y])
            .nearest_n::<SquaredEuclidean<f64>>(nz(k))
            .execute();
        // The tree may cut a tie at the k-th distance arbitrarily; gather everything at that
        // distance and let the index decide, as the tile path does.
        let Some(kth) = first.last().map(|r| r.distance) else {
            return Vec::new();
        };
        let mut all: Vec<Neighbour> = self
            .tree
            .query(&[x, y])
            .within::<SquaredEuclidean<f64>>(kth)
            .unsorted()
            .execute()
            .into_iter()
            .map(|r| Neighbour {
                index: r.item,
                dist2: sq(self.points[r.item as usize][0] - x)
                    + sq(self.points[r.item as usize][1] - y),
            })
            .collect();
        top_k(&mut all, k);
        all
    }

    /// Calls `visit(row, col, neighbours)` for every cell of `geometry` where `include` is true,
    /// with the cell's exact k nearest samples (nearest first). Work is split across rayon
    /// threads by bands of rows; each band's results are returned in order, so `visit`'s outputs
    /// can be assembled deterministically.
    pub fn for_each_cell<R: Send>(
        &self,
        geometry: &GridGeometry,
        k: usize,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
        visit: &CellVisitor<'_, R>,
        band_state: &(dyn Fn(usize, usize) -> R + Sync),
    ) -> Vec<R> {
        let k = k.clamp(1, self.points.len());
        let bands: Vec<usize> = (0..geometry.rows().div_ceil(TILE)).collect();
        bands
            .par_iter()
            .map(|&band| {
                let r0 = band * TILE;
                let r1 = (r0 + TILE).min(geometry.rows());
                let mut state = band_state(r0, r1);
                let mut tile = TileCandidates::default();
                let mut cell: Vec<Neighbour> = Vec::with_capacity(k + 1);
                let mut c0 = 0;
                while c0 < geometry.cols() {
                    let c1 = (c0 + TILE).min(geometry.cols());
                    if !(r0..r1).any(|r| (c0..c1).any(|c| include(r, c))) {
                        c0 = c1;
                        continue;
                    }
                    self.tile_candidates(geometry, (r0, r1), (c0, c1), k, &mut tile);
                    for r in r0..r1 {
                        for c in c0..c1 {
                            if !include(r, c) {
                                continue;
                            }
                            let p = geometry.centre(r, c);
                            tile.nearest(p.x, p.y, k, &mut cell);
                            visit(r, c, &cell, &mut state);
                        }
                    }
                    c0 = c1;
                }
                state
            })
            .collect()
    }

    /// Every sample that can be among the k nearest of some cell in the tile, ordered by
    /// distance to the tile's centre.
    fn tile_candidates(
        &self,
        g: &GridGeometry,
        (r0, r1): (usize, usize),
        (c0, c1): (usize, usize),
        k: usize,
        out: &mut TileCandidates,
    ) {
        let a = g.centre(r0, c0);
        let b = g.centre(r1 - 1, c1 - 1);
        let centre = [(a.x + b.x) / 2.0, (a.y + b.y) / 2.0];
        let half_diagonal = ((b.x - a.x).hypot(b.y - a.y)) / 2.0;
        let kth = self
            .tree
            .query(&centre)
            .nearest_n::<SquaredEuclidean<f64>>(nz(k))
            .execute();
        let dk = kth.last().map(|r| r.distance.sqrt()).unwrap_or(0.0);
        // A hair of slack so rounding in the tree's distances never drops a boundary sample.
        let radius = with_slack(dk + 2.0 * half_diagonal);
        let mut found: Vec<(f64, u32)> = self
            .tree
            .query(&centre)
            .within::<SquaredEuclidean<f64>>(radius * radius)
            .unsorted()
            .execute()
            .into_iter()
            .map(|r| {
                let q = self.points[r.item as usize];
                ((q[0] - centre[0]).hypot(q[1] - centre[1]), r.item)
            })
            .collect();
        found.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out.centre = centre;
        out.reach.clear();
        out.position.clear();
        out.index.clear();
        for (reach, index) in found {
            out.reach.push(reach);
            out.position.push(self.points[index as usize]);
            out.index.push(index);
        }
    }
}

/// One tile's candidate samples, nearest the tile's centre first, as parallel arrays so the
/// per-cell scan reads them in order.
#[derive(Default)]
struct TileCandidates {
    centre: [f64; 2],
    /// Distance from the tile's centre to each candidate, ascending.
    reach: Vec<f64>,
    position: Vec<[f64; 2]>,
    index: Vec<u32>,
}

impl TileCandidates {
    /// The exact k nearest candidates of `(x, y)` into `out`, nearest first, ties by index.
    ///
    /// A bounded insertion: `out` holds the best k so far, and a candidate that does not beat
    /// the k-th is rejected with one comparison. Candidates come nearest the tile's centre first,
    /// so the k found early are already close, and the scan stops at the first candidate whose
    /// distance to the centre exceeds the k-th distance plus the cell's own distance to the
    /// centre: by the triangle inequality neither it nor any later candidate can be nearer.
    fn nearest(&self, x: f64, y: f64, k: usize, out: &mut Vec<Neighbour>) {
        out.clear();
        let offset = (x - self.centre[0]).hypot(y - self.centre[1]);
        let mut stop_beyond = f64::INFINITY;
        for ((&reach, &q), &index) in self.reach.iter().zip(&self.position).zip(&self.index) {
            if reach > stop_beyond {
                break;
            }
            let candidate = Neighbour {
                index,
                dist2: sq(q[0] - x) + sq(q[1] - y),
            };
            if out.len() == k {
                if cmp(&candidate, &out[k - 1]).is_ge() {
                    continue;
                }
                out.pop();
            }
            let at = out
                .iter()
                .rposition(|n| cmp(n, &candidate).is_lt())
                .map_or(0, |i| i + 1);
            out.insert(at, candidate);
            if out.len() == k {
                stop_beyond = with_slack(out[k - 1].dist2.sqrt() + offset);
            }
        }
    }
}

/// `d` widened by a relative and an absolute hair, so floating-point rounding in a bound never
/// excludes a sample that is exactly on it.
fn with_slack(d: f64) -> f64 {
    d * (1.0 + 1e-9) + 1e-9
}

/// Keeps the k smallest by (distance, index), sorted.
fn top_k(v: &mut Vec<Neighbour>, k: usize) {
    if v.len() > k {
        v.select_nth_unstable_by(k - 1, cmp);
        v.truncate(k);
    }
    v.sort_unstable_by(cmp);
}

fn cmp(a: &Neighbour, b: &Neighbour) -> std::cmp::Ordering {
    a.dist2.total_cmp(&b.dist2).then(a.index.cmp(&b.index))
}

fn sq(v: f64) -> f64 {
    v * v
}

fn nz(k: usize) -> NonZeroUsize {
    NonZeroUsize::new(k.max(1)).unwrap_or(NonZeroUsize::MIN)
}

/// Distance in metres from every cell centre to its nearest sample (NaN where `include` is false).
pub fn distance_to_nearest(
    index: &NeighbourIndex,
    geometry: &GridGeometry,
    include: &(dyn Fn(usize, usize) -> bool + Sync),
) -> Grid<f32> {
    let cols = geometry.cols();
    let bands = index.for_each_cell(
        geometry,
        1,
        include,
        &|r, c, n, out: &mut (usize, Vec<f32>)| {
            out.1[(r - out.0) * cols + c] = n[0].dist2.sqrt() as f32;
        },
        &|r0, r1| (r0, vec![f32::NAN; (r1 - r0) * cols]),
    );
    Grid::from_vec(*geometry, bands.into_iter().flat_map(|b| b.1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn tile_search_equals_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // Clustered points (a walk is a line, not a cloud) plus a few outliers and duplicates.
        let mut pts: Vec<ScatteredPoint> = (0..300)
            .map(|i| {
                let t = i as f64 / 300.0;
                ScatteredPoint {
                    x: 50.0 * t + rng.random::<f64>(),
                    y: 10.0 + 5.0 * (t * 9.0).sin(),
                }
            })
            .collect();
        pts.push(pts[10]);
        pts.push(ScatteredPoint { x: -20.0, y: 80.0 });
        let index = NeighbourIndex::new(&pts).unwrap();
        let g = GridGeometry::new(-25.0, -5.0, 0.7, 0.9, 113, 101).unwrap();
        for k in [1, 5, 12] {
            let bands = index.for_each_cell(
                &g,
                k,
                &|r, c| (r + c) % 3 != 0,
                &|r, c, n, out: &mut Vec<(usize, usize, Vec<u32>)>| {
                    out.push((r, c, n.iter().map(|n| n.index).collect()))
                },
                &|_, _| Vec::new(),
            );
            let mut seen = 0;
            for (r, c, got) in bands.into_iter().flatten() {
                let p = g.centre(r, c);
                let want: Vec<u32> = index
                    .nearest_brute(p.x, p.y, k)
                    .iter()
                    .map(|n| n.index)
                    .collect();
                assert_eq!(got, want, "cell ({r},{c}) k={k}");
                let tree: Vec<u32> = index.nearest(p.x, p.y, k).iter().map(|n| n.index).collect();
                assert_eq!(tree, want, "per-cell tree query at ({r},{c}) k={k}");
                seen += 1;
            }
            assert_eq!(
                seen,
                (0..g.rows())
                    .flat_map(|r| (0..g.cols()).map(move |c| (r, c)))
                    .filter(|(r, c)| (r + c) % 3 != 0)
                    .count()
            );
        }
    }

    /// Samples on a lattice with cell centres on the lattice and between its points: many
    /// candidates tie at the k-th distance, so only the index can decide, as in the brute force.
    #[test]
    fn tile_search_breaks_ties_by_index_like_brute_force() {
        let pts: Vec<ScatteredPoint> = (0..24 * 24)
            .map(|i| ScatteredPoint {
                x: (i % 24) as f64,
                y: (i / 24) as f64,
            })
            .rev()
            .collect();
        let index = NeighbourIndex::new(&pts).unwrap();
        for g in [
            GridGeometry::new(-3.0, 27.0, 0.5, -0.5, 60, 60).unwrap(),
            GridGeometry::new(0.0, 0.0, 1.0, 1.0, 24, 24).unwrap(),
        ] {
            for k in [1, 4, 12, 13, 30] {
                let bands = index.for_each_cell(
                    &g,
                    k,
                    &|_, _| true,
                    &|r, c, n, out: &mut Vec<(usize, usize, Vec<Neighbour>)>| {
                        out.push((r, c, n.to_vec()))
                    },
                    &|_, _| Vec::new(),
                );
                for (r, c, got) in bands.into_iter().flatten() {
                    let p = g.centre(r, c);
                    assert_eq!(got, index.nearest_brute(p.x, p.y, k), "({r},{c}) k={k}");
                }
            }
        }
    }

    #[test]
    fn distance_to_nearest_is_exact() {
        let pts = [
            ScatteredPoint { x: 0.0, y: 0.0 },
            ScatteredPoint { x: 10.0, y: 0.0 },
        ];
        let index = NeighbourIndex::new(&pts).unwrap();
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 10, 1).unwrap();
        let d = distance_to_nearest(&index, &g, &|_, _| true);
        // Cell 2's centre (2.5, 0.5) is nearest to the origin.
        assert!((d.get(0, 2).copied().unwrap() as f64 - 2.5f64.hypot(0.5)).abs() < 1e-6);
        assert!((d.get(0, 9).copied().unwrap() as f64 - 0.5f64.hypot(0.5)).abs() < 1e-6);
    }

    #[test]
    fn refuses_empty_and_nan() {
        assert!(NeighbourIndex::new(&[]).is_err());
        assert_eq!(
            NeighbourIndex::new(&[ScatteredPoint {
                x: f64::NAN,
                y: 0.0
            }])
            .err(),
            Some(InterpErrorKind::NotFinite { index: 0 }.into())
        );
    }
}
