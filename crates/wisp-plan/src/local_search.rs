//! Local search: improve a design by moving, swapping and removing access points.
//!
//! Moves, drawn with a seeded generator (`ChaCha8Rng`): move one new AP to a nearby candidate;
//! swap one for any candidate; merge two into the single best candidate for what they leave
//! uncovered. After every accepted move, APs whose removal lowers the cost (they close less
//! deficit than an AP costs) are removed. A move is accepted only if it improves the
//! [`crate::objective::Score`] (cost, then deficit, then number of APs, then coverage), so the
//! search never makes a design worse.

use crate::greedy::best_addition;
use crate::objective::{Design, Score, Search};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Options of the local search.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalSearchOptions {
    /// Moves tried (300, *estimate*: the search stalls well before on hospital floors).
    pub iterations: usize,
    /// A "move" goes to a candidate within this distance: 3 m, a few lattice steps.
    pub neighbour_radius_m: f64,
    pub seed: u64,
}

impl Default for LocalSearchOptions {
    fn default() -> Self {
        LocalSearchOptions {
            iterations: 300,
            neighbour_radius_m: 3.0,
            seed: 1,
        }
    }
}

/// Removes APs, last added first, while that makes the design better (cheaper).
fn prune(s: &Search, design: &mut Design, score: &mut Score) {
    let mut k = design.chosen.len();
    while k > 0 {
        k -= 1;
        let sc = design.score_swap(s, Some(k), None);
        if sc.better_than(score) {
            let mut rest = std::mem::take(&mut design.chosen);
            rest.remove(k);
            *design = Design::new(s, rest);
            *score = sc;
            k = k.min(design.chosen.len());
        }
    }
}

/// Improves `start` (new APs as candidate indices) and returns the better design.
///
/// Trials that replace one AP are scored incrementally ([`Design::score_swap`]); the design is
/// rebuilt only when a move is accepted.
pub fn improve(s: &Search, start: Vec<usize>, opts: &LocalSearchOptions) -> Vec<usize> {
    let mut score = s.score(&start);
    let mut design = Design::new(s, start);
    prune(s, &mut design, &mut score);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let n = s.matrix.rows;
    if n == 0 {
        return design.chosen;
    }
    // Candidates within the move radius of each candidate, in index order (filled when needed).
    let mut neighbours: Vec<Option<Vec<usize>>> = vec![None; n];
    for _ in 0..opts.iterations {
        let cur = &design.chosen;
        if cur.is_empty() || score.deficit <= 0.0 && cur.len() <= 1 {
            break;
        }
        let k = rng.random_range(0..cur.len());
        let kind = rng.random_range(0..10u32);
        // Either one AP replaced (slot, candidate) or a whole new set.
        let (trial, sc): (Vec<usize>, Score) = match kind {
            0..=5 => {
                let from = cur[k];
                let near = neighbours[from].get_or_insert_with(|| {
                    let here = s.positions[from];
                    (0..n)
                        .filter(|&j| s.positions[j].distance(here) <= opts.neighbour_radius_m)
                        .collect()
                });
                let near: Vec<usize> = near
                    .iter()
                    .copied()
                    .filter(|&j| s.allowed(j, cur, Some(k)))
                    .collect();
                if near.is_empty() {
                    continue;
                }
                let j = near[rng.random_range(0..near.len())];
                let sc = design.score_swap(s, Some(k), Some(j));
                let mut t = cur.clone();
                t[k] = j;
                (t, sc)
            }
            6..=8 => {
                let j = rng.random_range(0..n);
                if !s.allowed(j, cur, Some(k)) {
                    continue;
                }
                let sc = design.score_swap(s, Some(k), Some(j));
                let mut t = cur.clone();
                t[k] = j;
                (t, sc)
            }
            _ => {
                if cur.len() < 2 {
                    continue;
                }
                let mut k2 = rng.random_range(0..cur.len() - 1);
                if k2 >= k {
                    k2 += 1;
                }
                let rest: Vec<usize> = cur
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != k && *i != k2)
                    .map(|(_, &c)| c)
                    .collect();
                let t = s.top2(&rest);
                let Some((j, _)) = best_addition(s, &t, &rest) else {
                    continue;
                };
                let mut r = rest;
                r.push(j);
                let sc = s.score(&r);
                (r, sc)
            }
        };
        if sc.better_than(&score) {
            score = sc;
            design = Design::new(s, trial);
            prune(s, &mut design, &mut score);
        }
    }
    design.chosen
}
