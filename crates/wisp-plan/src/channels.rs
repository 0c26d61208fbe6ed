//! Channel planning: give each radio a channel so that radios hearing each other above −85 dBm
//! share channels as little as possible.
//!
//! 2.4 GHz uses only the non-overlapping channels 1, 6 and 11; 5 GHz prefers the non-DFS
//! channels 36–48 and 149–161 (20 MHz) and uses DFS channels (52–64, 100–144) only where they
//! reduce overlap (shared/reference.md §3). The interference weight of two APs is the number of
//! points where one serves (is strongest) and the other reaches the co-channel level, both ways
//! round: what the co-channel criterion of the voice profiles counts. Radios are coloured
//! greedily, most-interfering first, each taking the channel with the least overlap with those
//! already coloured (then non-DFS, then the listed order); then single-radio changes are made
//! while any lowers the total overlap (or, at equal overlap, the DFS count). Greedy colouring is
//! restarted from the most interfering radios in turn and the best result kept. Radios can be
//! fixed ([`assign_around`]): a neighbour's radio keeps its channel and the rest plan around it;
//! [`keep_current`] then puts our existing radios back on their channels wherever moving them
//! does not help.

use wisp_model::{Band, Channel};

/// Greedy starts tried: 16 (*estimate*; each costs O(radios² × channels)).
const RESTARTS: usize = 16;

/// Channels the first radio of each greedy start is tried on when some radios are fixed: 8
/// (all of 2.4 GHz's three; 5 GHz's non-DFS eight).
const FIRST_CHANNELS: usize = 8;

/// Co-channel level: −85 dBm, the healthcare-voice profile's (shared/reference.md §1).
pub const COCHANNEL_DBM: f64 = -85.0;

/// The channels a band's radios may take, preferred first: 2.4 GHz 1/6/11; 5 GHz the eight
/// non-DFS channels then the DFS ones (20 MHz); 6 GHz the preferred scanning channels (PSC)
/// 5, 21, 37, …, 229.
pub fn channels(band: Band) -> Vec<u16> {
    match band {
        Band::G2_4 => vec![1, 6, 11],
        Band::G5 => [36, 40, 44, 48, 149, 153, 157, 161, 52, 56, 60, 64]
            .into_iter()
            .chain((100..=144).step_by(4))
            .collect(),
        Band::G6 => (5..=229).step_by(16).collect(),
    }
}

fn is_dfs(band: Band, ch: u16) -> bool {
    Channel::new(band, ch).is_ok_and(|c| c.is_dfs())
}

/// Interference weights from each AP's signal at the same points (`signal[a][p]`, dBm):
/// `w[a][b]` = points where `a` is strongest and `b ≥ threshold`, plus the same with `a`, `b`
/// swapped. Symmetric, zero on the diagonal.
pub fn overlap_weights(signal: &[Vec<f32>], threshold_dbm: f64) -> Vec<Vec<f64>> {
    let n = signal.len();
    let mut w = vec![vec![0.0; n]; n];
    let points = signal.iter().map(Vec::len).min().unwrap_or(0);
    let th = threshold_dbm as f32;
    for p in 0..points {
        let mut best = None;
        for (a, s) in signal.iter().enumerate() {
            if s[p].is_finite() && best.is_none_or(|(_, v)| s[p] > v) {
                best = Some((a, s[p]));
            }
        }
        let Some((a, _)) = best else { continue };
        for (b, s) in signal.iter().enumerate() {
            if b != a && s[p] >= th {
                w[a][b] += 1.0;
                w[b][a] += 1.0;
            }
        }
    }
    w
}

/// Total overlap of a plan: the sum of `w[a][b]` over pairs on the same channel.
pub fn overlap(w: &[Vec<f64>], plan: &[u16]) -> f64 {
    let mut total = 0.0;
    for a in 0..plan.len() {
        for b in a + 1..plan.len() {
            if plan[a] == plan[b] {
                total += w[a][b];
            }
        }
    }
    total
}

/// A channel for each of `w.len()` radios of `band`, all free to change.
pub fn assign(w: &[Vec<f64>], band: Band) -> Vec<u16> {
    assign_around(w, band, &vec![None; w.len()])
}

/// A channel for each of `w.len()` radios of `band`, where radio `a` with `fixed[a] = Some(ch)`
/// keeps `ch` (a neighbour's radio: an interferer the plan may not touch, whatever its channel,
/// listed or not) and the others take channels from [`channels`].
pub fn assign_around(w: &[Vec<f64>], band: Band, fixed: &[Option<u16>]) -> Vec<u16> {
    let list = channels(band);
    let n = w.len();
    // (overlap with the others already coloured, DFS, position in the list) for radio a, channel k.
    let cost = |plan: &[Option<u16>], a: usize, k: usize| {
        let o: f64 = (0..n)
            .filter(|&b| b != a && plan[b] == Some(list[k]))
            .map(|b| w[a][b])
            .sum();
        (o, is_dfs(band, list[k]), k)
    };
    let better = |x: (f64, bool, usize), y: (f64, bool, usize)| {
        if (x.0 - y.0).abs() > 1e-9 {
            x.0 < y.0
        } else {
            (x.1, x.2) < (y.1, y.2)
        }
    };
    let total = |a: usize| w[a].iter().sum::<f64>();
    let free: Vec<usize> = (0..n).filter(|&a| fixed[a].is_none()).collect();
    let mut by_weight = free.clone();
    by_weight.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
    // Greedy colouring from a few different first radios (the most interfering ones), each
    // followed by local improvement; the best result wins (ties: the earlier start).
    // With fixed radios the cheapest channel for the first radio can be a trap (it may belong
    // on a fixed radio's channel), so each start is also tried on each of the first channels.
    let first_channels = if fixed.iter().any(Option::is_some) {
        list.len().min(FIRST_CHANNELS)
    } else {
        1
    };
    let starts = by_weight
        .iter()
        .take(RESTARTS)
        .flat_map(|&a| (0..first_channels).map(move |k| (a, k)));
    let mut best_plan: Option<(f64, usize, Vec<u16>)> = None;
    for (first, first_k) in starts {
        let mut order = vec![first];
        order.extend(by_weight.iter().copied().filter(|&a| a != first));
        let mut plan: Vec<Option<u16>> = fixed.to_vec();
        for &a in &order {
            let mut best = (0, cost(&plan, a, 0));
            for k in 1..list.len() {
                let c = cost(&plan, a, k);
                if better(c, best.1) {
                    best = (k, c);
                }
            }
            if a == first && first_channels > 1 {
                best.0 = first_k;
            }
            plan[a] = Some(list[best.0]);
        }
        // Local improvement: one radio at a time, while anything improves (bounded passes).
        for _ in 0..100 {
            let mut changed = false;
            for &a in &free {
                let here = list.iter().position(|&c| Some(c) == plan[a]).unwrap_or(0);
                let mut best = (here, cost(&plan, a, here));
                for k in 0..list.len() {
                    let c = cost(&plan, a, k);
                    if better(c, best.1) && (c.0 < best.1 .0 - 1e-9 || (!c.1 && best.1 .1)) {
                        best = (k, c);
                    }
                }
                if best.0 != here {
                    plan[a] = Some(list[best.0]);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let chans: Vec<u16> = plan.into_iter().map(|c| c.unwrap_or(list[0])).collect();
        let o = overlap(w, &chans);
        let dfs = free.iter().filter(|&&a| is_dfs(band, chans[a])).count();
        let improves = best_plan
            .as_ref()
            .is_none_or(|(bo, bd, _)| o < bo - 1e-9 || ((o - bo).abs() <= 1e-9 && dfs < *bd));
        if improves {
            best_plan = Some((o, dfs, chans));
        }
    }
    best_plan
        .map(|(_, _, p)| p)
        .unwrap_or_else(|| fixed.iter().map(|c| c.unwrap_or(list[0])).collect())
}

/// `plan` with each radio that has a `current` channel put back on it wherever that does not
/// raise the total overlap: an existing radio is re-channelled only where that helps, so the
/// plan lists no change for nothing. Radios are tried in order.
pub fn keep_current(w: &[Vec<f64>], plan: &[u16], current: &[Option<u16>]) -> Vec<u16> {
    let mut out = plan.to_vec();
    for (a, cur) in current.iter().enumerate() {
        let Some(cur) = *cur else { continue };
        if out[a] == cur {
            continue;
        }
        let before = overlap(w, &out);
        let was = out[a];
        out[a] = cur;
        if overlap(w, &out) > before + 1e-9 {
            out[a] = was;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_force(w: &[Vec<f64>], band: Band) -> f64 {
        let list = channels(band);
        let n = w.len();
        let mut best = f64::INFINITY;
        let mut idx = vec![0usize; n];
        loop {
            let plan: Vec<u16> = idx.iter().map(|&k| list[k]).collect();
            best = best.min(overlap(w, &plan));
            let mut i = 0;
            while i < n {
                idx[i] += 1;
                if idx[i] < list.len() {
                    break;
                }
                idx[i] = 0;
                i += 1;
            }
            if i == n {
                return best;
            }
        }
    }

    fn sym(n: usize, edges: &[(usize, usize, f64)]) -> Vec<Vec<f64>> {
        let mut w = vec![vec![0.0; n]; n];
        for &(a, b, v) in edges {
            w[a][b] = v;
            w[b][a] = v;
        }
        w
    }

    #[test]
    fn three_mutual_neighbours_get_1_6_11() {
        let w = sym(3, &[(0, 1, 5.0), (1, 2, 5.0), (0, 2, 5.0)]);
        let mut p = assign(&w, Band::G2_4);
        p.sort();
        assert_eq!(p, vec![1, 6, 11]);
    }

    #[test]
    fn four_on_three_channels_share_the_weakest_pair() {
        // A 4-clique on 3 channels: someone must share; the optimum shares the weakest edge (2-3).
        let w = sym(
            4,
            &[
                (0, 1, 9.0),
                (0, 2, 8.0),
                (0, 3, 7.0),
                (1, 2, 6.0),
                (1, 3, 5.0),
                (2, 3, 1.0),
            ],
        );
        let p = assign(&w, Band::G2_4);
        assert_eq!(overlap(&w, &p), brute_force(&w, Band::G2_4));
        assert_eq!(p[2], p[3]);
    }

    /// `n` radios, each pair overlapping with probability 0.7 by 1..20.
    fn random_overlaps(rng: &mut rand_chacha::ChaCha8Rng, n: usize) -> Vec<Vec<f64>> {
        use rand::Rng;
        let mut edges = vec![];
        for a in 0..n {
            for b in a + 1..n {
                if rng.random::<f64>() < 0.7 {
                    edges.push((a, b, rng.random_range(1..20) as f64));
                }
            }
        }
        sym(n, &edges)
    }

    #[test]
    fn matches_brute_force_on_small_random_instances() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut worse = 0;
        for _ in 0..200 {
            let n = rng.random_range(2..7);
            let w = random_overlaps(&mut rng, n);
            let p = assign(&w, Band::G2_4);
            let opt = brute_force(&w, Band::G2_4);
            let got = overlap(&w, &p);
            assert!(got <= 1.5 * opt + 1e-9, "{got} vs optimum {opt} for {w:?}");
            worse += usize::from(got > opt + 1e-9);
        }
        // Greedy colouring with 1-opt is a heuristic; it must find the optimum nearly always.
        assert!(worse <= 5, "{worse} of 200 instances above the optimum");
    }

    #[test]
    fn five_ghz_prefers_non_dfs_and_uses_dfs_only_when_it_helps() {
        let clique = |n: usize| {
            let mut e = vec![];
            for a in 0..n {
                for b in a + 1..n {
                    e.push((a, b, 1.0));
                }
            }
            sym(n, &e)
        };
        let p = assign(&clique(8), Band::G5);
        assert!(p.iter().all(|&c| !is_dfs(Band::G5, c)), "{p:?}");
        assert_eq!(overlap(&clique(8), &p), 0.0);
        let p = assign(&clique(10), Band::G5);
        assert_eq!(overlap(&clique(10), &p), 0.0);
        assert_eq!(p.iter().filter(|&&c| is_dfs(Band::G5, c)).count(), 2);
    }

    #[test]
    fn weights_by_hand() {
        // Point 0: A −50 serves, B −80 and C −90 heard; only B counts (≥ −85).
        // Point 1: C −60 serves, A −84 counts, B −86 does not.
        let s = vec![vec![-50.0, -84.0], vec![-80.0, -86.0], vec![-90.0, -60.0]];
        let w = overlap_weights(&s, -85.0);
        assert_eq!(w[0][1], 1.0);
        assert_eq!(w[0][2], 1.0);
        assert_eq!(w[1][2], 0.0);
        assert_eq!(w[1][0], w[0][1]);
    }

    #[test]
    fn fixed_radios_keep_their_channels_and_the_rest_plan_around_them() {
        // Radios 0 and 1 are a neighbour's on 6 and 3 (3 is not one of ours); 2 and 3 are free
        // and hear everyone: the optimum puts them on 1 and 11, away from 6 and each other.
        let w = sym(
            4,
            &[
                (0, 2, 5.0),
                (0, 3, 5.0),
                (1, 2, 1.0),
                (2, 3, 5.0),
                (1, 3, 1.0),
            ],
        );
        let fixed = [Some(6), Some(3), None, None];
        let p = assign_around(&w, Band::G2_4, &fixed);
        assert_eq!((p[0], p[1]), (6, 3));
        let mut free = vec![p[2], p[3]];
        free.sort();
        assert_eq!(free, vec![1, 11]);
        assert_eq!(overlap(&w, &p), 0.0);
        // Brute force over the free radios agrees on random instances.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut worse = 0;
        for _ in 0..100 {
            let n = rng.random_range(3..7);
            let w = random_overlaps(&mut rng, n);
            let fixed: Vec<Option<u16>> = (0..n)
                .map(|_| (rng.random::<f64>() < 0.4).then(|| [1, 6, 11][rng.random_range(0..3)]))
                .collect();
            let p = assign_around(&w, Band::G2_4, &fixed);
            for a in 0..n {
                if let Some(c) = fixed[a] {
                    assert_eq!(p[a], c);
                }
            }
            let mut best = f64::INFINITY;
            let free: Vec<usize> = (0..n).filter(|&a| fixed[a].is_none()).collect();
            for code in 0..3usize.pow(free.len() as u32) {
                let mut q: Vec<u16> = fixed.iter().map(|c| c.unwrap_or(0)).collect();
                let mut x = code;
                for &a in &free {
                    q[a] = [1, 6, 11][x % 3];
                    x /= 3;
                }
                best = best.min(overlap(&w, &q));
            }
            let got = overlap(&w, &p);
            assert!(
                got <= 1.5 * best + 2.0,
                "{got} vs optimum {best}: {w:?} {fixed:?}"
            );
            worse += usize::from(got > best + 1e-9);
        }
        // A heuristic, as for free radios: the optimum nearly always.
        assert!(worse <= 5, "{worse} of 100 instances above the optimum");
    }

    #[test]
    fn current_channels_are_kept_where_changing_them_does_not_help() {
        // Two radios that do not hear each other: whatever assign says, both stay where they were.
        let w = sym(3, &[(1, 2, 4.0)]);
        let kept = keep_current(&w, &[1, 1, 6], &[Some(11), Some(6), None]);
        assert_eq!(kept, vec![11, 1, 6]);
        // Radio 1 back on 6 would share with radio 2: it keeps the plan's 1.
    }
}
