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
        self.cells(
            geometry,
            k,
            Order::NearestFirst,
            has_avx2(),
            (include, visit, band_state),
        )
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
        self.cells(
            geometry,
            k,
            Order::Any,
            has_avx2(),
            (include, visit, band_state),
        )
    }

    /// As [`Self::for_each_cell_any_order`], with each band's state made by
    /// `band_state(first row, end row, seed)` on the thread that searches the band, from
    /// `seeds`, one per band in order ([`Self::bands`] of the grid): a caller can hand each
    /// band its rows of the output grid (see [`split_bands`]), so no band is copied after.
    /// `band_done` sees each band's state once its cells are all visited, on the same thread
    /// (a caller can pass finished rows on while other bands are still searched).
    pub fn for_each_cell_any_order_seeded<R: Send, S: Send, I, V, B, D>(
        &self,
        geometry: &GridGeometry,
        k: usize,
        include: &I,
        visit: &V,
        (seeds, band_state, band_done): (Vec<S>, &B, &D),
    ) -> Vec<R>
    where
        I: Fn(usize, usize) -> bool + Sync + ?Sized,
        V: Fn(usize, usize, &[Neighbour], &mut R) + Sync + ?Sized,
        B: Fn(usize, usize, S) -> R + Sync + ?Sized,
        D: Fn(&mut R) + Sync + ?Sized,
    {
        self.cells_seeded(
            geometry,
            k,
            Order::Any,
            has_avx2(),
            (include, visit, band_state, band_done),
            seeds,
        )
    }

    /// How many bands of rows the cell traversals split `geometry` into.
    pub fn bands(geometry: &GridGeometry) -> usize {
        geometry.rows().div_ceil(TILE)
    }

    /// The tile search behind both; `avx2` lets the per-cell filter and selection run compiled
    /// for AVX2 (only ever true on a CPU that has it; the tests turn it off to compare).
    fn cells<R: Send, I, V, B>(
        &self,
        geometry: &GridGeometry,
        k: usize,
        order: Order,
        avx2: bool,
        (include, visit, band_state): (&I, &V, &B),
    ) -> Vec<R>
    where
        I: Fn(usize, usize) -> bool + Sync + ?Sized,
        V: Fn(usize, usize, &[Neighbour], &mut R) + Sync + ?Sized,
        B: Fn(usize, usize) -> R + Sync + ?Sized,
    {
        let seeds = vec![(); Self::bands(geometry)];
        let band_state = |r0, r1, ()| band_state(r0, r1);
        self.cells_seeded(
            geometry,
            k,
            order,
            avx2,
            (include, visit, &band_state, &|_: &mut R| {}),
            seeds,
        )
    }

    /// [`Self::cells`] with each band's state made from its seed.
    fn cells_seeded<R: Send, S: Send, I, V, B, D>(
        &self,
        geometry: &GridGeometry,
        k: usize,
        order: Order,
        avx2: bool,
        (include, visit, band_state, band_done): (&I, &V, &B, &D),
        seeds: Vec<S>,
    ) -> Vec<R>
    where
        I: Fn(usize, usize) -> bool + Sync + ?Sized,
        V: Fn(usize, usize, &[Neighbour], &mut R) + Sync + ?Sized,
        B: Fn(usize, usize, S) -> R + Sync + ?Sized,
        D: Fn(&mut R) + Sync + ?Sized,
    {
        let k = k.clamp(1, self.points.len());
        assert_eq!(seeds.len(), Self::bands(geometry), "one seed per band");
        seeds
            .into_par_iter()
            .enumerate()
            .map(|(band, seed)| {
                let r0 = band * TILE;
                let r1 = (r0 + TILE).min(geometry.rows());
                let mut state = band_state(r0, r1, seed);
                let mut tile = TileCandidates::new(avx2);
                let mut c0 = 0;
                while c0 < geometry.cols() {
                    let c1 = (c0 + TILE).min(geometry.cols());
                    if !(r0..r1).any(|r| (c0..c1).any(|c| include(r, c))) {
                        c0 = c1;
                        continue;
                    }
                    self.tile_candidates(geometry, (r0, r1), (c0, c1), k, &mut tile);
                    for r in r0..r1 {
                        let mut first = true;
                        for c in c0..c1 {
                            if !include(r, c) {
                                continue;
                            }
                            let p = geometry.centre(r, c);
                            let cell = tile.nearest(p.x, p.y, k, first, order);
                            first = false;
                            visit(r, c, cell, &mut state);
                        }
                    }
                    c0 = c1;
                }
                band_done(&mut state);
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
        out.len = out.index.len();
        out.left.clear();
        out.row_first.clear();
        // Padding to whole vectors of four for the AVX2 scan: an infinite reach is beyond
        // every reach limit, so the scan stops there (and no padding candidate passes).
        while !out.reach.len().is_multiple_of(LANES) {
            out.reach.push(f64::INFINITY);
            out.x.push(f64::INFINITY);
            out.y.push(f64::INFINITY);
            out.index.push(u32::MAX);
        }
        // Room for a whole vector stored past the last kept candidate.
        out.kept_dist2.resize(out.reach.len() + LANES, 0.0);
        out.kept_slot.resize(out.reach.len() + LANES, 0);
        out.kept.clear();
        out.kept.resize(
            out.len,
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

/// Candidates per AVX2 vector of f64.
const LANES: usize = 4;

/// One tile's candidate samples, nearest the tile's centre first, as parallel arrays so the
/// per-cell scan reads them in order, and the scratch space a cell's search uses.
#[derive(Default)]
struct TileCandidates {
    centre: [f64; 2],
    /// Distance from the tile's centre to each candidate, ascending; then padding (infinite)
    /// to a whole number of vectors.
    reach: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    index: Vec<u32>,
    /// Candidates before the padding.
    len: usize,
    /// The radius query's (reach, index) pairs, kept to reuse the allocation.
    found: Vec<(f64, u32)>,
    /// A cell's candidates that pass the distance filter, in scan order, as their squared
    /// distances and positions in the arrays above ("slots"): one per candidate, and a
    /// vector's room beyond.
    kept_dist2: Vec<f64>,
    kept_slot: Vec<u32>,
    /// The slots of the k nearest of the cell searched last, and of the first cell searched
    /// in the row (see [`Self::nearest`]); empty when unknown.
    left: Vec<u32>,
    row_first: Vec<u32>,
    /// A cell's k nearest, handed to the caller.
    kept: Vec<Neighbour>,
    /// Whether the filter and the selection run compiled for AVX2 (checked once per band).
    avx2: bool,
}

impl TileCandidates {
    /// `avx2` must be false on a CPU without AVX2.
    fn new(avx2: bool) -> Self {
        TileCandidates {
            avx2: avx2 && has_avx2(),
            ..TileCandidates::default()
        }
    }

    /// The exact k nearest candidates of `(x, y)` (ties by index) in `order`, for the cells of
    /// a tile searched row by row, left to right: `first_in_row` says whether the cell is its
    /// row's first searched.
    ///
    /// A filter, then a selection among the few that pass. First a bound `D` on the cell's k-th
    /// distance: by the triangle inequality, the k candidates nearest the tile's centre are
    /// all within the k-th one's reach plus the cell's offset from the centre. A cell searched
    /// before bounds it too: its k nearest are k samples, so the farthest of them from this
    /// cell bounds this cell's k-th distance (tighter than that cell's k-th distance plus the
    /// step: fewer pass the filter). That cell is the one to the left, or for a row's first
    /// cell the first cell of the row above (one step away, where the last of the row above
    /// is a tile's width away); none for the tile's first cell.
    /// Every candidate within `D` of the cell is kept (see [`Self::scan`]), scanning only those
    /// whose reach (distance from the tile's centre) is at most about `D + offset`, since no
    /// farther one can be within `D`. That keeps
    /// a few more than k, so taking the k least by (distance, index) costs little, and the set
    /// is exactly the brute force's, ties included. In any order, the few beyond k are dropped
    /// by swapping the largest out; nearest first, they are sorted.
    fn nearest(
        &mut self,
        x: f64,
        y: f64,
        k: usize,
        first_in_row: bool,
        order: Order,
    ) -> &[Neighbour] {
        let offset = (sq(x - self.centre[0]) + sq(y - self.centre[1])).sqrt();
        let bound = with_slack(self.reach[k - 1] + offset);
        let mut bound2 = bound * bound;
        let before = if first_in_row {
            &self.row_first
        } else {
            &self.left
        };
        if before.len() == k {
            // The same expression as the filter's below, so those k samples pass it exactly:
            // no slack needed. Four running maxima, not one: the maximum is exact, so the
            // same value, and this sits on the chain from one cell to the next.
            let (xs, ys) = (&self.x, &self.y);
            let at = |s: u32| {
                debug_assert!((s as usize) < xs.len() && (s as usize) < ys.len());
                // SAFETY: slots are positions in the candidate arrays (see `kept_slot`), all
                // shorter than `x` and `y`, which are as long as `reach`.
                unsafe {
                    sq(xs.get_unchecked(s as usize) - x) + sq(ys.get_unchecked(s as usize) - y)
                }
            };
            let mut m = [0.0f64; LANES];
            let mut groups = before.chunks_exact(LANES);
            for group in &mut groups {
                for (m, &s) in m.iter_mut().zip(group) {
                    *m = max_of(*m, at(s));
                }
            }
            for &s in groups.remainder() {
                m[0] = max_of(m[0], at(s));
            }
            let farthest2 = max_of(max_of(m[0], m[1]), max_of(m[2], m[3]));
            bound2 = bound2.min(farthest2);
        }
        let mut n = self.scan(x, y, bound2, reach_limit(bound2, offset));
        if n < k {
            // Not reached while the bound holds (the slack covers rounding). The bound only
            // decides the speed: whenever k or more pass, no sample left out can be nearer than
            // them, so the k least of those kept are the exact k nearest; fewer than k, and all
            // the tile's candidates are taken.
            n = self.len;
            for i in 0..n {
                self.kept_dist2[i] = sq(self.x[i] - x) + sq(self.y[i] - y);
                self.kept_slot[i] = i as u32;
            }
        }
        self.left.clear();
        if n > 2 * k {
            for (slot, (&dist2, &s)) in self.kept[..n]
                .iter_mut()
                .zip(self.kept_dist2.iter().zip(&self.kept_slot))
            {
                *slot = Neighbour {
                    index: self.index[s as usize],
                    dist2,
                };
            }
            self.kept[..n].select_nth_unstable_by(k - 1, cmp);
            // The selection moved the neighbours, not their slots: each is found again by its
            // index (rare, mostly a tile's first cell), so the next cell keeps its bound.
            for nb in &self.kept[..k] {
                let s = self.kept_slot[..n]
                    .iter()
                    .find(|&&s| self.index[s as usize] == nb.index);
                self.left.extend(s);
            }
        } else {
            self.drop_farthest(n, k);
            let (dist2, slots) = (&self.kept_dist2[..k], &self.kept_slot[..k]);
            let index = &self.index;
            for (slot, (&dist2, &s)) in self.kept[..k].iter_mut().zip(dist2.iter().zip(slots)) {
                debug_assert!((s as usize) < index.len());
                *slot = Neighbour {
                    // SAFETY: a slot is a position in the candidate arrays (see `kept_slot`).
                    index: unsafe { *index.get_unchecked(s as usize) },
                    dist2,
                };
            }
            self.left.extend_from_slice(slots);
        }
        if first_in_row {
            self.row_first.clone_from(&self.left);
        }
        let kept = &mut self.kept[..k];
        if order == Order::NearestFirst {
            insertion_sort(kept);
        }
        kept
    }

    /// Drops the `n - k` farthest of the `n` kept (by distance, then index) by swapping each
    /// in turn, the farthest of those left, to the end.
    fn drop_farthest(&mut self, n: usize, k: usize) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 && n <= 64 {
            // SAFETY: `avx2` is true only when the CPU has AVX2 (`has_avx2`).
            return unsafe { self.drop_farthest_avx2(n, k) };
        }
        let (dist2, slots) = (&mut self.kept_dist2[..n], &mut self.kept_slot[..n]);
        for len in (k + 1..=n).rev() {
            let far = farthest(&dist2[..len], &slots[..len], &self.index);
            dist2.swap(far, len - 1);
            slots.swap(far, len - 1);
        }
    }

    /// [`Self::drop_farthest`], the greatest distance four at a time: a vector maximum, then a
    /// bit mask of the kept at it. One bit (a tie is rare) is the farthest; else the largest
    /// index among them, as [`farthest`] takes. The slots past the kept hold -1, below every
    /// distance, so whole vectors are read; the one dropped is set to -1 too. The same
    /// positions as [`farthest`] finds, so the same order. Call only on a CPU with AVX2, and
    /// with at most 64 kept (one bit each).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn drop_farthest_avx2(&mut self, n: usize, k: usize) {
        use std::arch::x86_64::*;
        if n == k {
            return;
        }
        // n + LANES fits: `kept_dist2` has a vector's room past every candidate, and n is at
        // most the candidates' count.
        let padded = n.next_multiple_of(LANES);
        self.kept_dist2[n..padded].fill(-1.0);
        let (dist2, slots) = (&mut self.kept_dist2[..padded], &mut self.kept_slot[..n]);
        for len in (k + 1..=n).rev() {
            let groups = len.div_ceil(LANES);
            let ptr = dist2.as_ptr();
            // SAFETY: groups * LANES <= padded = dist2.len(): every load is in bounds.
            let at = |g: usize| unsafe { _mm256_loadu_pd(ptr.add(g * LANES)) };
            let mut max = at(0);
            for g in 1..groups {
                max = _mm256_max_pd(max, at(g));
            }
            // The greatest of the four lanes, in every lane.
            max = _mm256_max_pd(max, _mm256_permute2f128_pd::<0x01>(max, max));
            max = _mm256_max_pd(max, _mm256_permute_pd::<0b0101>(max));
            let mut at_max = 0u64;
            for g in 0..groups {
                let eq = _mm256_cmp_pd::<_CMP_EQ_OQ>(at(g), max);
                at_max |= (_mm256_movemask_pd(eq) as u64) << (g * LANES);
            }
            let far = if at_max.is_power_of_two() {
                at_max.trailing_zeros() as usize
            } else {
                let mut far = at_max.trailing_zeros() as usize;
                let mut rest = at_max & (at_max - 1);
                while rest != 0 {
                    let i = rest.trailing_zeros() as usize;
                    if self.index[slots[i] as usize] > self.index[slots[far] as usize] {
                        far = i;
                    }
                    rest &= rest - 1;
                }
                far
            };
            dist2.swap(far, len - 1);
            slots.swap(far, len - 1);
            dist2[len - 1] = -1.0;
        }
    }

    /// The filter: the candidates, nearest the tile's centre first, in groups of [`LANES`] up
    /// to the group that holds the first whose reach is over `limit` ([`reach_limit`] of the
    /// bound), are kept in `kept_dist2`/`kept_slot` (in scan order) when their squared
    /// distance from `(x, y)` is at most `bound2`. Returns how many are kept. The limit only
    /// saves work: no candidate beyond it can be within the bound (scanning a few more, to the
    /// end of the group, keeps no more), so the kept are the same wherever the scan stops.
    fn scan(&mut self, x: f64, y: f64, bound2: f64, limit: f64) -> usize {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is true only when the CPU has AVX2 (`has_avx2`).
            return unsafe { self.scan_avx2(x, y, bound2, limit) };
        }
        self.scan_scalar(x, y, bound2, limit)
    }

    /// [`Self::scan`], one candidate at a time (the same groups), branch-free: the slot is
    /// written always and the count advances when the candidate passes.
    fn scan_scalar(&mut self, x: f64, y: f64, bound2: f64, limit: f64) -> usize {
        let mut n = 0;
        for i in 0..self.reach.len() {
            // The vector scan's steps: a whole group of LANES, up to the group that holds the
            // first candidate beyond the limit.
            if i % LANES == 0 && i > 0 && self.reach[i - 1] > limit {
                break;
            }
            let dist2 = sq(self.x[i] - x) + sq(self.y[i] - y);
            // n <= i, and the kept arrays are longer than the candidates'.
            self.kept_dist2[n] = dist2;
            self.kept_slot[n] = i as u32;
            n += usize::from(dist2 <= bound2);
        }
        n
    }

    /// [`Self::scan`], four candidates per step: their squared distances (the same operations
    /// as the scalar scan's, no fused multiply-add, so the same bits), a mask of those that
    /// pass, and the passing ones moved to the front of the vector by a permutation looked up
    /// from the mask, stored whole at the count (the lanes beyond are overwritten by the next
    /// step, or ignored). The count advances by the mask's population, so no step waits on a
    /// comparison, and the reach only ends the loop (a branch, not a data dependency). Call only on a CPU with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn scan_avx2(&mut self, x: f64, y: f64, bound2: f64, limit: f64) -> usize {
        use std::arch::x86_64::*;
        let steps = self.reach.len() / LANES;
        debug_assert!(self.kept_dist2.len() >= self.reach.len() + LANES);
        debug_assert!(self.kept_slot.len() >= self.reach.len() + LANES);
        let (vx, vy) = (_mm256_set1_pd(x), _mm256_set1_pd(y));
        let vbound2 = _mm256_set1_pd(bound2);
        let first_slots = _mm_setr_epi32(0, 1, 2, 3);
        let mut n = 0;
        for step in 0..steps {
            let i = step * LANES;
            // SAFETY: `reach`, `x`, `y` and `index` hold `steps * LANES` elements (padded in
            // `tile_candidates`), and `kept_dist2`/`kept_index` a vector more than that, with
            // n <= i: every load and store is in bounds. Unaligned loads and stores.
            unsafe {
                let dx = _mm256_sub_pd(_mm256_loadu_pd(self.x.as_ptr().add(i)), vx);
                let dy = _mm256_sub_pd(_mm256_loadu_pd(self.y.as_ptr().add(i)), vy);
                let dist2 = _mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy));
                let mask = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(dist2, vbound2)) as usize;
                let lanes = &COMPACT[mask];
                let perm = _mm256_loadu_si256(lanes.dist2.as_ptr().cast());
                let packed = _mm256_permutevar8x32_ps(_mm256_castpd_ps(dist2), perm);
                _mm256_storeu_ps(self.kept_dist2.as_mut_ptr().add(n).cast(), packed);
                let slots = _mm_add_epi32(first_slots, _mm_set1_epi32(i as i32));
                let shuffle = _mm_loadu_si128(lanes.slot.as_ptr().cast());
                let slots = _mm_shuffle_epi8(slots, shuffle);
                _mm_storeu_si128(self.kept_slot.as_mut_ptr().add(n).cast(), slots);
                n += mask.count_ones() as usize;
                // Reaches ascend, so the group's last is its greatest.
                if *self.reach.get_unchecked(i + LANES - 1) > limit {
                    break;
                }
            }
        }
        n
    }
}

/// For each 4-bit mask of passing lanes, the permutations that move those lanes, in order, to
/// the front: of a vector of four f64 as eight 32-bit halves, and of four u32 (slots) as 16
/// bytes.
#[cfg(target_arch = "x86_64")]
struct Compact {
    dist2: [u32; 8],
    slot: [u8; 16],
}

#[cfg(target_arch = "x86_64")]
static COMPACT: [Compact; 16] = {
    let mut table = [const {
        Compact {
            dist2: [0; 8],
            slot: [0; 16],
        }
    }; 16];
    let mut mask = 0;
    while mask < 16 {
        let (mut out, mut lane) = (0, 0);
        while lane < LANES {
            if mask & (1 << lane) != 0 {
                table[mask].dist2[2 * out] = 2 * lane as u32;
                table[mask].dist2[2 * out + 1] = 2 * lane as u32 + 1;
                let mut b = 0;
                while b < 4 {
                    table[mask].slot[4 * out + b] = (4 * lane + b) as u8;
                    b += 1;
                }
                out += 1;
            }
            lane += 1;
        }
        mask += 1;
    }
    table
};

/// Whether this CPU has AVX2 (std caches the answer).
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
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

/// A reach (distance from the tile's centre) beyond which no candidate is within `bound2`
/// (squared) of a cell `offset` from the centre: by the triangle inequality a candidate's
/// distance from the cell is at least `reach - offset`, so none past `sqrt(bound2) + offset`
/// passes. Widened by a relative and an absolute hair, four times [`with_slack`]'s (the reach,
/// offset and square root each carry a rounding of about 1e-16 relative), so rounding never
/// ends the scan before a candidate that passes. One square root per cell, so each step of the
/// scan compares one number (it was a few operations per step before).
#[inline]
fn reach_limit(bound2: f64, offset: f64) -> f64 {
    (bound2.sqrt() + offset) * (1.0 + 4e-9) + 4e-9
}

/// The greater of two distances (neither is NaN: the coordinates are finite).
#[inline]
fn max_of(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
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

/// The position of the greatest by (distance, index) among kept candidates (squared
/// distances, and slots into `index`): the greatest distance, then the largest index among
/// those at it. A candidate's
/// (distance, index) is unique (indices are), so this is the position a comparison by
/// (distance, index) finds.
#[inline]
fn farthest(dist2: &[f64], slots: &[u32], index: &[u32]) -> usize {
    let max = dist2
        .iter()
        .fold(0.0, |m: f64, &d| if d > m { d } else { m });
    let (mut far, mut best) = (0, 0);
    for (i, (&d, &s)) in dist2.iter().zip(slots).enumerate() {
        let ix = index[s as usize];
        let hit = d == max && ix >= best;
        far = std::hint::select_unpredictable(hit, i, far);
        best = std::hint::select_unpredictable(hit, ix, best);
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

/// A grid's values (row-major, `geometry.len()` of them) split into the bands of rows the cell
/// traversals search, in order: seeds for [`NeighbourIndex::for_each_cell_any_order_seeded`].
pub fn split_bands<'a, T>(geometry: &GridGeometry, values: &'a mut [T]) -> Vec<&'a mut [T]> {
    values.chunks_mut(TILE * geometry.cols().max(1)).collect()
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

    /// The AVX2 filter and selection give the scalar ones' neighbours bit for bit, in the same
    /// order (IDW's sum follows it): on clustered samples with duplicates, on a lattice where
    /// many tie, and with k large enough that more than 64 are kept (the scalar selection).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_and_scalar_tile_searches_agree_bit_for_bit() {
        if !has_avx2() {
            eprintln!("no AVX2 on this CPU: only the scalar tile search runs");
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut clustered: Vec<ScatteredPoint> = (0..2000)
            .map(|_| {
                let c = rng.random_range(0..6) as f64;
                ScatteredPoint {
                    x: 13.0 * c + 4.0 * rng.random::<f64>(),
                    y: 40.0 * rng.random::<f64>().powi(3),
                }
            })
            .collect();
        clustered.extend_from_within(100..130);
        let lattice: Vec<ScatteredPoint> = (0..30 * 30)
            .map(|i| ScatteredPoint {
                x: (i % 30) as f64,
                y: (i / 30) as f64,
            })
            .collect();
        let g = GridGeometry::new(-5.0, 45.0, 0.5, -0.5, 180, 110).unwrap();
        type Seen = Vec<(usize, usize, Vec<(u32, u64)>)>;
        let collect = |r: usize, c: usize, n: &[Neighbour], out: &mut Seen| {
            out.push((
                r,
                c,
                n.iter().map(|n| (n.index, n.dist2.to_bits())).collect(),
            ))
        };
        let mut cells = 0;
        for pts in [&clustered, &lattice] {
            let index = NeighbourIndex::new(pts).unwrap();
            for k in [1, 4, 12, 13, 40] {
                for order in [Order::Any, Order::NearestFirst] {
                    let run = |avx2: bool| -> Seen {
                        let include = |r: usize, c: usize| !(r * 7 + c).is_multiple_of(11);
                        let state = |_, _| Vec::new();
                        index
                            .cells(&g, k, order, avx2, (&include, &collect, &state))
                            .into_iter()
                            .flatten()
                            .collect()
                    };
                    let (scalar, avx2) = (run(false), run(true));
                    assert_eq!(scalar, avx2, "k={k}");
                    cells += scalar.len();
                }
            }
        }
        assert!(cells > 100_000);
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
