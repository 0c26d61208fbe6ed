//! Local search: improve a design by moving, swapping and removing access points.
//!
//! Moves, drawn with a seeded generator (`ChaCha8Rng`): move one new AP to a nearby candidate;
//! swap one for any candidate; merge two into the single best candidate for what they leave
//! uncovered. After every accepted move, APs whose removal does not worsen the deficit are
//! removed. A move is accepted only if it improves the [`crate::objective::Score`] (deficit,
//! then number of APs, then coverage), so the search never makes a design worse.

use crate::greedy::best_addition;
use crate::objective::{Score, Search};
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

/// Removes APs, last added first, while that does not make the design worse.
fn prune(s: &Search, cur: &mut Vec<usize>, score: &mut Score) {
    let mut k = cur.len();
    while k > 0 {
        k -= 1;
        let mut trial = cur.clone();
        trial.remove(k);
        let sc = s.score(&trial);
        if sc.better_than(score) {
            *cur = trial;
            *score = sc;
            k = k.min(cur.len());
        }
    }
}

/// Improves `start` (new APs as candidate indices) and returns the better design.
pub fn improve(s: &Search, start: Vec<usize>, opts: &LocalSearchOptions) -> Vec<usize> {
    let mut cur = start;
    let mut score = s.score(&cur);
    prune(s, &mut cur, &mut score);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let n = s.matrix.rows;
    if n == 0 {
        return cur;
    }
    for _ in 0..opts.iterations {
        if cur.is_empty() || score.deficit <= 0.0 && cur.len() <= 1 {
            break;
        }
        let k = rng.random_range(0..cur.len());
        let kind = rng.random_range(0..10u32);
        let trial: Option<Vec<usize>> = match kind {
            0..=5 => {
                let here = s.positions[cur[k]];
                let near: Vec<usize> = (0..n)
                    .filter(|&j| {
                        s.positions[j].distance(here) <= opts.neighbour_radius_m
                            && s.allowed(j, &cur, Some(k))
                    })
                    .collect();
                (!near.is_empty()).then(|| {
                    let mut t = cur.clone();
                    t[k] = near[rng.random_range(0..near.len())];
                    t
                })
            }
            6..=8 => {
                let j = rng.random_range(0..n);
                s.allowed(j, &cur, Some(k)).then(|| {
                    let mut t = cur.clone();
                    t[k] = j;
                    t
                })
            }
            _ => {
                if cur.len() < 2 {
                    None
                } else {
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
                    best_addition(s, &t, &rest).map(|(j, _)| {
                        let mut r = rest.clone();
                        r.push(j);
                        r
                    })
                }
            }
        };
        let Some(trial) = trial else { continue };
        let sc = s.score(&trial);
        if sc.better_than(&score) {
            cur = trial;
            score = sc;
            prune(s, &mut cur, &mut score);
        }
    }
    cur
}
