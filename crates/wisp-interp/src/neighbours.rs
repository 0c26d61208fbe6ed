//! Exact k-nearest-neighbour search for every cell of a grid, one k-d tree query per tile.
//!
//! A per-cell k-d tree query costs about 1 µs; most of that is walking the tree to the same few
//! leaves as the cell next door (shared/reference.md §6). Instead, for a tile of T × T cells with
//! centre `c` and half-diagonal `h`, let `d_k` be the distance from `c` to its k-th nearest sample.
//! Any cell `p` of the tile has at least k samples within `d_k + h` (the triangle inequality), so
//! its k nearest all lie within `d_k + 2h` of `c`. One radius query gathers those candidates,
//! ordered by distance to `c`, and each cell keeps those within a bound on its own k-th distance
//! (from the tile's, or from the cell searched just before) and takes the k least of those few
//! (see `TileCandidates::nearest`).
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
    pub fn for_each_cell<R: Send, I, V, B>(
        &self,
        geometry: &GridGeometry,
        k: usize,
        include: &I,
        visit: &V,
        band_state: &B,
    ) -> Vec<R>
    where
        I: Fn(usize, usize) -> bool + Sync + ?Sized,
        V: Fn(usize, usize, &[Neighbour], &mut R) + Sync + ?Sized,
        B: Fn(usize, usize) -> R + Sync + ?Sized,
    {
        self.cells(geometry, k, Order::NearestFirst, include, visit, band_state)
    }

    /// As [`Self::for_each_cell`], but each cell's k nearest come in no particular order (the
    /// same set, ties at the k-th distance broken by index; the order depends only on the
    /// inputs, never on threads). Sorting a cell's k nearest costs about as much as finding
    /// them, so estimators that only sum over the set use this one.
    pub fn for_each_cell_any_order<R: Send, I, V, B>(
        &self,
        geometry: &GridGeometry,
        k: usize,
        include: &I,
        visit: &V,
        band_state: &B,
    ) -> Vec<R>
    where
        I: Fn(usize, usize) -> bool + Sync + ?Sized,
        V: Fn(usize, usize, &[Neighbour], &mut R) + Sync + ?Sized,
        B: Fn(usize, usize) -> R + Sync + ?Sized,
    {
        self.cells(geometry, k, Order::Any, include, visit, band_state)
    }

    fn cells<R: Send, I, V, B>(
        &self,
        geometry: &GridGeometry,
        k: usize,
        order: Order,
        include: &I,
        visit: &V,
        band_state: &B,
    ) -> Vec<R>
    where
        I: Fn(usize, usize) -> bool + Sync + ?Sized,
        V: Fn(usize, usize, &[Neighbour], &mut R) + Sync + ?Sized,
        B: Fn(usize, usize) -> R + Sync + ?Sized,
    {
        let k = k.clamp(1, self.points.len());
        // Held here, so the loop below does not reload it after each store into `next`.
        let points = &self.points[..];
        let bands: Vec<usize> = (0..geometry.rows().div_ceil(TILE)).collect();
        bands
            .par_iter()
            .map(|&band| {
                let r0 = band * TILE;
                let r1 = (r0 + TILE).min(geometry.rows());
                let mut state = band_state(r0, r1);
                let mut tile = TileCandidates::default();
                // The sample positions of a previous cell's k nearest (see below).
                let (mut left, mut row_first, mut next) = (Vec::new(), Vec::new(), Vec::new());
                let mut c0 = 0;
                while c0 < geometry.cols() {
                    let c1 = (c0 + TILE).min(geometry.cols());
                    if !(r0..r1).any(|r| (c0..c1).any(|c| include(r, c))) {
                        c0 = c1;
                        continue;
                    }
                    self.tile_candidates(geometry, (r0, r1), (c0, c1), k, &mut tile);
                    // A cell searched before bounds the next one's k-th distance (its k nearest
                    // are k samples, so the farthest of them from the next cell is a bound): the
                    // one to the left, or for a row's first cell the first cell of the row
                    // above (one step away, where the last of the row above is a tile's width
                    // away). Empty for the tile's first cell.
                    left.clear();
                    row_first.clear();
                    for r in r0..r1 {
                        let mut first = true;
                        for c in c0..c1 {
                            if !include(r, c) {
                                continue;
                            }
                            let p = geometry.centre(r, c);
                            let before: &[[f64; 2]] = if first { &row_first } else { &left };
                            let cell = tile.nearest(p.x, p.y, k, before, order);
                            next.clear();
                            next.extend(cell.iter().map(|n| points[n.index as usize]));
                            if first {
                                row_first.clone_from(&next);
                                first = false;
                            }
                            std::mem::swap(&mut left, &mut next);
                            visit(r, c, cell, &mut state);
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
        out.found.clear();
        out.found.extend(
            self.tree
                .query(&centre)
                .within::<SquaredEuclidean<f64>>(radius * radius)
                .unsorted()
                .execute()
                .into_iter()
                .map(|r| {
                    let q = self.points[r.item as usize];
                    // sqrt of the sum rather than hypot (5 % of a grid's time in libm's hypot):
                    // its rounding is far inside the bounds' slack.
                    ((sq(q[0] - centre[0]) + sq(q[1] - centre[1])).sqrt(), r.item)
                }),
        );
        out.found
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out.centre = centre;
        out.reach.clear();
        out.x.clear();
        out.y.clear();
        out.index.clear();
        for &(reach, index) in &out.found {
            let q = self.points[index as usize];
            out.reach.push(reach);
            out.x.push(q[0]);
            out.y.push(q[1]);
            out.index.push(index);
        }
        out.kept.clear();
        out.kept.resize(
            out.index.len(),
            Neighbour {
                index: 0,
                dist2: 0.0,
            },
        );
    }
}

/// Whether a cell's k nearest are handed over sorted.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    NearestFirst,
    Any,
}

/// One tile's candidate samples, nearest the tile's centre first, as parallel arrays so the
/// per-cell scan reads them in order, and the scratch space a cell's search uses.
#[derive(Default)]
struct TileCandidates {
    centre: [f64; 2],
    /// Distance from the tile's centre to each candidate, ascending.
    reach: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    index: Vec<u32>,
    /// The radius query's (reach, index) pairs, kept to reuse the allocation.
    found: Vec<(f64, u32)>,
    /// One slot per candidate: a cell's candidates that pass the distance filter.
    kept: Vec<Neighbour>,
}

impl TileCandidates {
    /// The exact k nearest candidates of `(x, y)` (ties by index) in `order`. `before` holds
    /// the positions of a cell searched before's k nearest, if any (else it is empty).
    ///
    /// A filter, then a selection among the few that pass. First a bound `D` on the cell's k-th
    /// distance: by the triangle inequality, the k candidates nearest the tile's centre are
    /// all within the k-th one's reach plus the cell's offset from the centre; and the cell
    /// before's k nearest are k samples, so the farthest of them from this cell bounds its k-th
    /// distance (tighter than that cell's k-th distance plus the step: fewer pass the filter).
    /// Every candidate within `D` of the cell is kept (branch-free: the slot is written always
    /// and the count advances when it passes), scanning only those whose reach is at most
    /// `D + offset`, since no farther one can be within `D`. That keeps a few more than k, so
    /// taking the k least by (distance, index) costs little, and the set is exactly the brute
    /// force's, ties included. In any order, the few beyond k are dropped by swapping the
    /// largest out; nearest first, they are sorted.
    fn nearest(
        &mut self,
        x: f64,
        y: f64,
        k: usize,
        before: &[[f64; 2]],
        order: Order,
    ) -> &[Neighbour] {
        let offset = (sq(x - self.centre[0]) + sq(y - self.centre[1])).sqrt();
        let bound = with_slack(self.reach[k - 1] + offset);
        let mut bound2 = bound * bound;
        if before.len() == k {
            // The same expression as the filter's below, so those k samples pass it exactly:
            // no slack needed.
            let farthest2 = before
                .iter()
                .map(|q| sq(q[0] - x) + sq(q[1] - y))
                .fold(0.0, |m: f64, d2| if d2 > m { d2 } else { m });
            bound2 = bound2.min(farthest2);
        }
        let reach_limit = with_slack(bound2.sqrt() + offset);
        let mut n = 0;
        for (i, (((&reach, &qx), &qy), &index)) in self
            .reach
            .iter()
            .zip(&self.x)
            .zip(&self.y)
            .zip(&self.index)
            .enumerate()
        {
            if reach > reach_limit {
                break;
            }
            let dist2 = sq(qx - x) + sq(qy - y);
            // n <= i: the slot written is never past the candidate being read.
            self.kept[n.min(i)] = Neighbour { index, dist2 };
            n += usize::from(dist2 <= bound2);
        }
        if n < k {
            // Not reached while the bound holds (the slack covers rounding). The bound only
            // decides the speed: whenever k or more pass, no sample left out can be nearer than
            // them, so the k least of those kept are the exact k nearest; fewer than k, and all
            // the tile's candidates are taken.
            n = self.index.len();
            for (i, slot) in self.kept.iter_mut().enumerate() {
                *slot = Neighbour {
                    index: self.index[i],
                    dist2: sq(self.x[i] - x) + sq(self.y[i] - y),
                };
            }
        }
        let kept = &mut self.kept[..n];
        if n > 2 * k {
            kept.select_nth_unstable_by(k - 1, cmp);
        } else {
            for len in (k + 1..=n).rev() {
                let far = farthest(&kept[..len]);
                kept.swap(far, len - 1);
            }
        }
        let kept = &mut self.kept[..k];
        if order == Order::NearestFirst {
            insertion_sort(kept);
        }
        kept
    }
}

/// Sorts by (distance, index); the few a cell keeps are sorted fastest this way.
fn insertion_sort(v: &mut [Neighbour]) {
    for i in 1..v.len() {
        let item = v[i];
        let mut j = i;
        while j > 0 && cmp(&item, &v[j - 1]).is_lt() {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = item;
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

/// The position of the greatest by (distance, index). The running maximum stays in registers
/// as one integer (a squared distance is never negative or NaN, so its bits order as it does,
/// and the index below them breaks ties), so each step is a compare and conditional moves
/// rather than a reload and a branch that mispredicts.
#[inline]
fn farthest(v: &[Neighbour]) -> usize {
    use std::hint::select_unpredictable as select;
    let key = |n: &Neighbour| (u128::from(n.dist2.to_bits()) << 32) | u128::from(n.index);
    let mut far = 0;
    let mut max = key(&v[0]);
    for (i, n) in v.iter().enumerate().skip(1) {
        let key = key(n);
        let beyond = key > max;
        far = select(beyond, i, far);
        max = select(beyond, key, max);
    }
    far
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

    /// Every included cell's neighbours from both tile searches against the brute force: nearest
    /// first exactly, and in any order the same set (and the same for every cell not included:
    /// none). Returns how many cells were checked.
    fn check_against_brute_force(
        index: &NeighbourIndex,
        g: &GridGeometry,
        k: usize,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> usize {
        type Seen = Vec<(usize, usize, Vec<Neighbour>)>;
        let collect =
            |r: usize, c: usize, n: &[Neighbour], out: &mut Seen| out.push((r, c, n.to_vec()));
        let sorted: Seen = index
            .for_each_cell(g, k, include, &collect, &|_, _| Vec::new())
            .into_iter()
            .flatten()
            .collect();
        let any: Seen = index
            .for_each_cell_any_order(g, k, include, &collect, &|_, _| Vec::new())
            .into_iter()
            .flatten()
            .collect();
        let wanted: Vec<(usize, usize)> = (0..g.rows())
            .flat_map(|r| (0..g.cols()).map(move |c| (r, c)))
            .filter(|&(r, c)| include(r, c))
            .collect();
        let cells = |s: &Seen| {
            let mut v: Vec<(usize, usize)> = s.iter().map(|e| (e.0, e.1)).collect();
            v.sort_unstable();
            v
        };
        assert_eq!(cells(&sorted), wanted, "k={k}");
        assert_eq!(cells(&any), wanted, "k={k}");
        for ((r, c, got), (_, _, set)) in sorted.iter().zip(&any) {
            let p = g.centre(*r, *c);
            let want = index.nearest_brute(p.x, p.y, k);
            assert_eq!(*got, want, "nearest first at ({r},{c}) k={k}");
            let mut set = set.clone();
            set.sort_unstable_by(cmp);
            assert_eq!(set, want, "any order at ({r},{c}) k={k}");
            assert_eq!(
                index.nearest(p.x, p.y, k),
                want,
                "per-cell tree query at ({r},{c}) k={k}"
            );
        }
        wanted.len()
    }

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
        pts.push(pts[10]);
        pts.push(ScatteredPoint { x: -20.0, y: 80.0 });
        let index = NeighbourIndex::new(&pts).unwrap();
        let g = GridGeometry::new(-25.0, -5.0, 0.7, 0.9, 113, 101).unwrap();
        for k in [1, 5, 12] {
            assert!(check_against_brute_force(&index, &g, k, &|r, c| (r + c) % 3 != 0) > 0);
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
                check_against_brute_force(&index, &g, k, &|_, _| true);
            }
        }
    }

    /// Fewer samples than k (every cell gets all of them), samples far outside the grid only,
    /// and a grid far from every sample: the bounds that prune the scan must still hold.
    #[test]
    fn tile_search_with_few_or_distant_samples() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let few: Vec<ScatteredPoint> = (0..7)
            .map(|_| ScatteredPoint {
                x: rng.random::<f64>() * 30.0,
                y: rng.random::<f64>() * 30.0,
            })
            .collect();
        let outside: Vec<ScatteredPoint> = (0..40)
            .map(|i| ScatteredPoint {
                x: if i % 2 == 0 { -50.0 } else { 90.0 } + rng.random::<f64>(),
                y: rng.random::<f64>() * 30.0,
            })
            .collect();
        let g = GridGeometry::new(0.0, 0.0, 0.6, 0.6, 50, 50).unwrap();
        let far = GridGeometry::new(1000.0, -400.0, 2.0, 2.0, 37, 21).unwrap();
        for pts in [&few, &outside] {
            let index = NeighbourIndex::new(pts).unwrap();
            for k in [1, 6, 7, 12] {
                check_against_brute_force(&index, &g, k, &|_, _| true);
                check_against_brute_force(&index, &far, k, &|r, c| r != c);
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
