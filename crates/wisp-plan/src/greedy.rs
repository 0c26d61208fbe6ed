//! Greedy maximum coverage: add, one at a time, the candidate that closes the most of the
//! remaining deficit.
//!
//! The gain of a candidate is counted over the cells still failing in zones still short of their
//! target, and capped per zone at what the zone still needs (a zone at 99 % gains nothing from
//! more primary coverage). Gains are counted cell by cell over [`Columns`](crate::objective::Columns), the candidates that
//! reach each cell's thresholds, so a step costs in proportion to the failing cells rather than
//! candidates × cells; zones are counted in parallel with integer counts and ties go to the
//! lowest index, so the result does not depend on the number of threads.

use crate::objective::{zone_counts, Search, Top2};
use rayon::prelude::*;

/// Cells a zone still needs, and its failing cells, for one criterion.
struct Shortfall {
    weight: f64,
    need: usize,
    cells: Vec<usize>,
}

fn shortfalls(s: &Search, t: &Top2) -> (Vec<Shortfall>, Vec<Shortfall>) {
    let counts = zone_counts(s.demand, s.problem, t);
    let mut prim = Vec::new();
    let mut sec = Vec::new();
    for (zi, (z, (p, q))) in s.demand.zones.iter().zip(counts).enumerate() {
        let need_p = s.problem.need_primary[zi].saturating_sub(p);
        if need_p > 0 {
            prim.push(Shortfall {
                weight: z.weight,
                need: need_p,
                cells: z
                    .cells
                    .clone()
                    .filter(|&i| t.best[i] < s.problem.primary[i])
                    .collect(),
            });
        }
        let need_s = s.problem.need_secondary[zi].saturating_sub(q);
        if need_s > 0 {
            sec.push(Shortfall {
                weight: z.weight,
                need: need_s,
                cells: z
                    .cells
                    .clone()
                    .filter(|&i| t.second[i] < s.problem.secondary[i])
                    .collect(),
            });
        }
    }
    (prim, sec)
}

/// The allowed candidate (not in `chosen`, far enough from it) that most reduces the deficit of
/// the design `t`, with its gain; `None` when no candidate helps.
///
/// A candidate with signal v at a cell failing secondary (second < threshold) lifts it there
/// exactly when min(v, best) reaches the threshold: if v beats the best, the old best becomes
/// second; otherwise v itself does. So both criteria count cells where v ≥ a fixed threshold.
pub fn best_addition(s: &Search, t: &Top2, chosen: &[usize]) -> Option<(usize, f64)> {
    let (prim, sec) = shortfalls(s, t);
    if prim.is_empty() && sec.is_empty() {
        return None;
    }
    let n = s.matrix.rows;
    // (zone weight, cells it still needs, cells per candidate), primary zones then secondary.
    let count = |z: &Shortfall, threshold: &[f32], secondary: bool| {
        let mut counts = vec![0u32; n];
        for &i in &z.cells {
            let th = threshold[i];
            if secondary && t.best[i] < th {
                continue;
            }
            for &(v, j) in s.columns.cell(i) {
                if v < th {
                    break;
                }
                counts[j as usize] += 1;
            }
        }
        (z.weight, z.need, counts)
    };
    let tallies: Vec<(f64, usize, Vec<u32>)> = prim
        .par_iter()
        .map(|z| count(z, &s.problem.primary, false))
        .chain(sec.par_iter().map(|z| count(z, &s.problem.secondary, true)))
        .collect();
    let mut best: Option<(usize, f64)> = None;
    for j in 0..n {
        let gain: f64 = tallies
            .iter()
            .map(|(w, need, c)| w * (c[j] as usize).min(*need) as f64)
            .sum();
        if gain > 0.0 && best.is_none_or(|b| gain > b.1) && s.allowed(j, chosen, None) {
            best = Some((j, gain));
        }
    }
    best
}

/// Adds candidates to `start` greedily until every zone meets its (capped) target, no candidate
/// helps, or `max_new` is reached.
pub fn greedy(s: &Search, start: &[usize]) -> Vec<usize> {
    let mut chosen = start.to_vec();
    let mut t = s.top2(&chosen);
    while chosen.len() < s.max_new {
        let Some((j, _)) = best_addition(s, &t, &chosen) else {
            break;
        };
        chosen.push(j);
        t.add(s.matrix.row(j));
    }
    chosen
}
