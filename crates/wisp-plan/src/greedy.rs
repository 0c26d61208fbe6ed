//! Greedy maximum coverage: add, one at a time, the candidate that closes the most of the
//! remaining deficit.
//!
//! The gain of a candidate is counted over the cells still failing in zones still short of their
//! target, and capped per zone at what the zone still needs (a zone at 99 % gains nothing from
//! more primary coverage). Candidates are scored in parallel; ties go to the lowest index, so the
//! result does not depend on the number of threads.

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
pub fn best_addition(s: &Search, t: &Top2, chosen: &[usize]) -> Option<(usize, f64)> {
    let (prim, sec) = shortfalls(s, t);
    if prim.is_empty() && sec.is_empty() {
        return None;
    }
    (0..s.matrix.rows)
        .into_par_iter()
        .filter(|&j| s.allowed(j, chosen, None))
        .map(|j| {
            let row = s.matrix.row(j);
            let mut gain = 0.0;
            for z in &prim {
                let n = z
                    .cells
                    .iter()
                    .filter(|&&i| row[i] >= s.problem.primary[i])
                    .count();
                gain += z.weight * n.min(z.need) as f64;
            }
            for z in &sec {
                let n = z
                    .cells
                    .iter()
                    .filter(|&&i| {
                        let v = row[i];
                        let second = if v > t.best[i] {
                            t.best[i]
                        } else {
                            t.second[i].max(v)
                        };
                        second >= s.problem.secondary[i]
                    })
                    .count();
                gain += z.weight * n.min(z.need) as f64;
            }
            (j, gain)
        })
        .filter(|&(_, g)| g > 0.0)
        .reduce_with(|a, b| {
            if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) {
                b
            } else {
                a
            }
        })
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
