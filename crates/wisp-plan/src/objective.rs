//! Scoring a set of access points against the zones' targets.
//!
//! Per demand cell the primary signal is the strongest source and the secondary the strongest
//! *other* source (each source is one AP on the design band, so "other source" is "other AP",
//! as `wisp_interp` defines secondary). A zone meets its target when the primary threshold (plus
//! the design margin) holds on at least [`Targets::primary_share`] of its cells and the secondary
//! on [`Targets::secondary_share`]. The planner minimises, in this order: the weighted number of
//! cells still missing from the targets (the *deficit*), the number of new APs, and then
//! maximises the weighted cells covered (a tie-break towards robust designs).
//!
//! Some cells cannot be covered by any allowed position (behind lead, far from any candidate):
//! targets are capped at what the best possible design reaches, cell by cell, so the deficit can
//! reach zero and unreachable cells are reported rather than chased.

use crate::demand::Demand;
use crate::matrix::SignalMatrix;
use rayon::prelude::*;
use std::cmp::Ordering;

/// Coverage targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// Share of a zone's cells that must meet the primary threshold: 0.99, Hamina's
    /// auto-planner target (shared/reference.md §1).
    pub primary_share: f64,
    /// …and the secondary threshold: 0.95 (Hamina aims at 0.85; clinical voice roaming needs
    /// a second AP nearly everywhere, so stricter here; *estimate*).
    pub secondary_share: f64,
    /// Added to every threshold: 3 dB, about 0.6 σ of indoor shadow fading (σ ≈ 5 dB, 3GPP TR
    /// 38.901; shared/reference.md §2), so a cell designed at the threshold still passes when
    /// measured (*estimate*).
    pub margin_db: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            primary_share: 0.99,
            secondary_share: 0.95,
            margin_db: 3.0,
        }
    }
}

/// Strongest and second-strongest (other source) signal per cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Top2 {
    pub best: Vec<f32>,
    pub second: Vec<f32>,
}

impl Top2 {
    pub fn empty(cells: usize) -> Top2 {
        Top2 {
            best: vec![f32::NEG_INFINITY; cells],
            second: vec![f32::NEG_INFINITY; cells],
        }
    }

    /// Adds one source's row.
    pub fn add(&mut self, row: &[f32]) {
        for ((b, s), &v) in self.best.iter_mut().zip(self.second.iter_mut()).zip(row) {
            if v > *b {
                *s = *b;
                *b = v;
            } else if v > *s {
                *s = v;
            }
        }
    }

    /// `base` plus the rows `chosen` of `m`.
    pub fn with(base: &Top2, m: &SignalMatrix, chosen: &[usize]) -> Top2 {
        let mut t = base.clone();
        for &j in chosen {
            t.add(m.row(j));
        }
        t
    }

    /// `base` plus every row of `m`, in parallel over blocks of cells (the same values as
    /// [`Top2::with`] over all rows: the top two of a set do not depend on the order).
    pub fn with_all(base: &Top2, m: &SignalMatrix) -> Top2 {
        const BLOCK: usize = 1024;
        let mut t = base.clone();
        t.best
            .par_chunks_mut(BLOCK)
            .zip(t.second.par_chunks_mut(BLOCK))
            .enumerate()
            .for_each(|(b, (best, second))| {
                let c0 = b * BLOCK;
                let mut block = Top2 {
                    best: best.to_vec(),
                    second: second.to_vec(),
                };
                for j in 0..m.rows {
                    block.add(&m.row(j)[c0..c0 + best.len()]);
                }
                best.copy_from_slice(&block.best);
                second.copy_from_slice(&block.second);
            });
        t
    }
}

/// The top two of the values `xs`, as [`Top2::add`] would leave them.
fn top2_of(xs: [f32; 5]) -> (f32, f32) {
    let (mut best, mut second) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for x in xs {
        if x > best {
            second = best;
            best = x;
        } else if x > second {
            second = x;
        }
    }
    (best, second)
}

/// Marks a slot of [`Design`] that holds no AP.
const NO_SLOT: u32 = u32::MAX;

/// A set of new APs with, per cell, the three strongest of their signals and which AP (slot in
/// `chosen`) gives each: enough to score the design with one AP removed or replaced without
/// rebuilding it (removing one of the top three leaves the other two as the top two).
#[derive(Debug, Clone)]
pub struct Design {
    pub chosen: Vec<usize>,
    top: Vec<[(f32, u32); 3]>,
}

impl Design {
    pub fn new(s: &Search, chosen: Vec<usize>) -> Design {
        let mut top = vec![[(f32::NEG_INFINITY, NO_SLOT); 3]; s.demand.len()];
        for (k, &j) in chosen.iter().enumerate() {
            for (t, &v) in top.iter_mut().zip(s.matrix.row(j)) {
                let e = (v, k as u32);
                if v > t[0].0 {
                    *t = [e, t[0], t[1]];
                } else if v > t[1].0 {
                    *t = [t[0], e, t[1]];
                } else if v > t[2].0 {
                    t[2] = e;
                }
            }
        }
        Design { chosen, top }
    }

    /// The score of this design with slot `remove` taken out and candidate `add` put in: the
    /// same as [`Search::score`] of that set.
    pub fn score_swap(&self, s: &Search, remove: Option<usize>, add: Option<usize>) -> Score {
        let gone = remove.map_or(NO_SLOT, |k| k as u32);
        let row = add.map(|j| s.matrix.row(j));
        let aps = self.chosen.len() - usize::from(remove.is_some()) + usize::from(add.is_some());
        score_by(s.demand, s.problem, aps, |i| {
            let t = &self.top[i];
            let mut kept = [f32::NEG_INFINITY; 2];
            let mut n = 0;
            for &(v, k) in t {
                if k != gone && n < 2 {
                    kept[n] = v;
                    n += 1;
                }
            }
            let v = row.map_or(f32::NEG_INFINITY, |r| r[i]);
            top2_of([s.base.best[i], s.base.second[i], kept[0], kept[1], v])
        })
    }
}

/// Per zone: cells, and how many cells must meet each threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Thresholds with margin, per cell.
    pub primary: Vec<f32>,
    pub secondary: Vec<f32>,
    /// Required counts per zone (capped at what is reachable).
    pub need_primary: Vec<usize>,
    pub need_secondary: Vec<usize>,
    /// Cells no design can bring to the thresholds, per zone.
    pub unreachable_primary: Vec<usize>,
    pub unreachable_secondary: Vec<usize>,
}

impl Problem {
    /// Targets for `demand`, capped by `reach`: the best primary and secondary any design could
    /// give each cell.
    pub fn new(demand: &Demand, targets: &Targets, reach: &Top2) -> Problem {
        let n = demand.len();
        let mut primary = vec![f32::INFINITY; n];
        let mut secondary = vec![f32::NEG_INFINITY; n];
        let (mut need_p, mut need_s, mut un_p, mut un_s) = (vec![], vec![], vec![], vec![]);
        for z in &demand.zones {
            let tp = (z.primary_dbm + targets.margin_db) as f32;
            let ts = z.secondary_dbm.map(|s| (s + targets.margin_db) as f32);
            let (mut rp, mut rs) = (0, 0);
            for i in z.cells.clone() {
                primary[i] = tp;
                secondary[i] = ts.unwrap_or(f32::NEG_INFINITY);
                rp += usize::from(reach.best[i] >= tp);
                rs += usize::from(ts.is_none_or(|t| reach.second[i] >= t));
            }
            let len = z.cells.len();
            let want = |share: f64| {
                ((share.clamp(0.0, 1.0) * len as f64) - 1e-9)
                    .ceil()
                    .max(0.0) as usize
            };
            need_p.push(want(targets.primary_share).min(rp));
            need_s.push(want(targets.secondary_share).min(rs));
            un_p.push(len - rp);
            un_s.push(len - rs);
        }
        Problem {
            primary,
            secondary,
            need_primary: need_p,
            need_secondary: need_s,
            unreachable_primary: un_p,
            unreachable_secondary: un_s,
        }
    }
}

/// How a design fares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Weighted cells still missing from the (capped) targets; 0 when every zone meets them.
    pub deficit: f64,
    /// New APs used.
    pub aps: usize,
    /// Weighted cells meeting primary plus those meeting secondary.
    pub covered: f64,
}

impl Score {
    /// Lexicographic: deficit, then APs, then more covered is better.
    pub fn compare(&self, o: &Score) -> Ordering {
        let eps = 1e-9;
        if (self.deficit - o.deficit).abs() > eps {
            return self.deficit.total_cmp(&o.deficit);
        }
        if self.aps != o.aps {
            return self.aps.cmp(&o.aps);
        }
        o.covered.total_cmp(&self.covered)
    }
    pub fn better_than(&self, o: &Score) -> bool {
        self.compare(o) == Ordering::Less
    }
}

/// Per zone: cells meeting primary and secondary (with margin).
pub fn zone_counts(demand: &Demand, problem: &Problem, t: &Top2) -> Vec<(usize, usize)> {
    demand
        .zones
        .iter()
        .map(|z| {
            let mut p = 0;
            let mut s = 0;
            for i in z.cells.clone() {
                p += usize::from(t.best[i] >= problem.primary[i]);
                s += usize::from(t.second[i] >= problem.secondary[i]);
            }
            (p, s)
        })
        .collect()
}

/// The score of the design whose per-cell top two signals are `t`, with `aps` new APs.
pub fn score(demand: &Demand, problem: &Problem, t: &Top2, aps: usize) -> Score {
    score_by(demand, problem, aps, |i| (t.best[i], t.second[i]))
}

/// The score of a design whose (primary, secondary) at cell i is `top2(i)`, with `aps` new APs.
fn score_by(
    demand: &Demand,
    problem: &Problem,
    aps: usize,
    top2: impl Fn(usize) -> (f32, f32),
) -> Score {
    let mut deficit = 0.0;
    let mut covered = 0.0;
    for (zi, z) in demand.zones.iter().enumerate() {
        let (mut p, mut s) = (0, 0);
        for i in z.cells.clone() {
            let (best, second) = top2(i);
            p += usize::from(best >= problem.primary[i]);
            s += usize::from(second >= problem.secondary[i]);
        }
        deficit += z.weight
            * (problem.need_primary[zi].saturating_sub(p)
                + problem.need_secondary[zi].saturating_sub(s)) as f64;
        covered += z.weight * (p + s) as f64;
    }
    Score {
        deficit,
        aps,
        covered,
    }
}

/// Everything a search needs: the demand and its targets, the candidates' predictions, what the
/// existing APs already give, and the placement rules.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    pub demand: &'a Demand,
    pub problem: &'a Problem,
    pub matrix: &'a SignalMatrix,
    /// Top two signals from existing APs alone.
    pub base: &'a Top2,
    /// Candidate positions, one per matrix row.
    pub positions: &'a [wisp_model::Point],
    /// New APs keep at least this far apart (existing ones were kept away when listing).
    pub min_distance_m: f64,
    /// At most this many new APs.
    pub max_new: usize,
    /// The matrix by cell, for the greedy step ([`Columns::new`] of `matrix` and `problem`).
    pub columns: &'a Columns,
}

impl Search<'_> {
    /// Whether candidate `j` may join `chosen` (ignoring `chosen[skip]`).
    pub fn allowed(&self, j: usize, chosen: &[usize], skip: Option<usize>) -> bool {
        let p = self.positions[j];
        chosen.iter().enumerate().all(|(k, &c)| {
            Some(k) == skip || (c != j && self.positions[c].distance(p) >= self.min_distance_m)
        })
    }

    pub fn top2(&self, chosen: &[usize]) -> Top2 {
        Top2::with(self.base, self.matrix, chosen)
    }

    pub fn score(&self, chosen: &[usize]) -> Score {
        score(self.demand, self.problem, &self.top2(chosen), chosen.len())
    }
}

/// Per demand cell, the candidates (matrix rows) whose signal there reaches the cell's lower
/// threshold (primary, or secondary when the zone has one), strongest first, ties by index.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    start: Vec<usize>,
    entries: Vec<(f32, u32)>,
}

impl Columns {
    pub fn new(m: &SignalMatrix, problem: &Problem) -> Columns {
        const BLOCK: usize = 512;
        let lower = |i: usize| {
            let (p, s) = (problem.primary[i], problem.secondary[i]);
            if s > f32::NEG_INFINITY {
                p.min(s)
            } else {
                p
            }
        };
        let blocks: Vec<usize> = (0..m.cols).step_by(BLOCK).collect();
        let lists: Vec<Vec<Vec<(f32, u32)>>> = blocks
            .par_iter()
            .map(|&c0| {
                let c1 = (c0 + BLOCK).min(m.cols);
                let floor: Vec<f32> = (c0..c1).map(lower).collect();
                let mut lists = vec![Vec::new(); c1 - c0];
                for j in 0..m.rows {
                    for ((list, &v), &f) in lists.iter_mut().zip(&m.row(j)[c0..c1]).zip(&floor) {
                        if v >= f && v > f32::NEG_INFINITY {
                            list.push((v, j as u32));
                        }
                    }
                }
                for l in &mut lists {
                    l.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                }
                lists
            })
            .collect();
        let mut start = Vec::with_capacity(m.cols + 1);
        let mut entries = Vec::new();
        start.push(0);
        for l in lists.into_iter().flatten() {
            entries.extend(l);
            start.push(entries.len());
        }
        Columns { start, entries }
    }

    /// The candidates reaching cell `i`, strongest first.
    pub fn cell(&self, i: usize) -> &[(f32, u32)] {
        &self.entries[self.start[i]..self.start[i + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demand::ZoneDemand;
    use wisp_model::{Point, ZoneKind};

    fn demand(cells: usize) -> Demand {
        Demand {
            cells: (0..cells).map(|i| Point::new(i as f64, 0.0)).collect(),
            zones: vec![ZoneDemand {
                name: "Z".into(),
                kind: ZoneKind::Bay,
                profile: "p".into(),
                primary_dbm: -65.0,
                secondary_dbm: Some(-75.0),
                weight: 3.0,
                cells: 0..cells,
            }],
            grid: None,
        }
    }

    #[test]
    fn top2_keeps_the_two_strongest() {
        let mut t = Top2::empty(2);
        t.add(&[-70.0, -50.0]);
        t.add(&[-60.0, -80.0]);
        t.add(&[-65.0, -55.0]);
        assert_eq!(t.best, vec![-60.0, -50.0]);
        assert_eq!(t.second, vec![-65.0, -55.0]);
    }

    #[test]
    fn deficit_by_hand() {
        // 100 cells, margin 0: need 99 primary and 95 secondary.
        let d = demand(100);
        let targets = Targets {
            margin_db: 0.0,
            ..Default::default()
        };
        let reach = Top2 {
            best: vec![0.0; 100],
            second: vec![0.0; 100],
        };
        let p = Problem::new(&d, &targets, &reach);
        assert_eq!((p.need_primary[0], p.need_secondary[0]), (99, 95));
        // 90 cells at −60/−70 (both pass), 10 at −66/−80 (both fail): missing 9 + 5 cells, ×3.
        let mut t = Top2 {
            best: vec![-60.0; 100],
            second: vec![-70.0; 100],
        };
        for i in 90..100 {
            t.best[i] = -66.0;
            t.second[i] = -80.0;
        }
        let s = score(&d, &p, &t, 2);
        assert_eq!(s.deficit, 3.0 * 14.0);
        assert_eq!(s.covered, 3.0 * 180.0);
        // Unreachable cells cap the target: if 5 cells can never reach −65, need 95.
        let mut reach2 = reach.clone();
        for i in 0..5 {
            reach2.best[i] = -90.0;
        }
        let p2 = Problem::new(&d, &targets, &reach2);
        assert_eq!((p2.need_primary[0], p2.unreachable_primary[0]), (95, 5));
        let fewer = Score { aps: 1, ..s };
        assert!(fewer.better_than(&s));
        let covered_more = Score {
            covered: s.covered + 1.0,
            ..s
        };
        assert!(covered_more.better_than(&s));
    }
}
