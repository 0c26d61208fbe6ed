#!/usr/bin/env python3
"""Accuracy of wisp's interpolation methods against scipy and pykrige on the same walk-out folds.

Runs on request, not in CI:  python3 benches/compare/accuracy.py [--seeds 7 11 23]
                       or:  python3 benches/compare/accuracy.py --site DIR/site.toml
Needs: a release build (`cargo build --release`) and numpy, scipy, pykrige (PyPI).

With --site it scores a real survey instead of simulated walks: every capture the manifest lists
for its first floor, ingested by `wisp ingest --site` (the floor's own walks, as `wisp validate`
reads them).

For each seed it simulates a walk of the sample floor (`wisp simulate`), ingests it, and asks
`wisp validate --json` for wisp's per-method RMSE and the method `auto` picks. It then rebuilds the
same per-radio fields (strongest BSSID of each radio per scan; a scan that heard other radios
but not this one holds -95 dBm, or the level of a reading it reported too old to score; readings
below -95 are floored there) and the same folds (walk
cut into 20 m stretches, stretch b in fold b mod 5), predicts every left-out scan with each
Python method, and scores only the readings where the radio was heard, as wisp does.
"""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WISP = os.path.join(ROOT, "target", "release", "wisp")
SITE = os.path.join(ROOT, "samples", "site.toml")
NOT_HEARD, BLOCK_M, FOLDS, K = -95.0, 20.0, 5, 12


def fields(survey):
    samples = [s for s in survey["floors"][0]["samples"] if s["observations"]]
    keys = sorted({(o["bssid"][:14], o["band"], o["channel"]) for s in samples for o in s["observations"]})
    idx = {k: i for i, k in enumerate(keys)}
    vals = np.full((len(keys), len(samples)), NOT_HEARD)
    heard = np.zeros((len(keys), len(samples)), bool)
    for j, s in enumerate(samples):
        for o in s["observations"]:
            r = idx[(o["bssid"][:14], o["band"], o["channel"])]
            vals[r, j] = max(vals[r, j], max(o["rssi_dbm"], NOT_HEARD))
            heard[r, j] = True
    # A radio the scan heard only lately (`stale`: readings older than max_age_s) takes that
    # reading's level instead of not heard, and is not scored there, as wisp's fields do.
    for j, s in enumerate(samples):
        for o in s.get("stale", []):
            r = idx.get((o["bssid"][:14], o["band"], o["channel"]))
            if r is not None and not heard[r, j]:
                vals[r, j] = max(vals[r, j], max(o["rssi_dbm"], NOT_HEARD))
    pts = np.array([[s["x_m"], s["y_m"]] for s in samples])
    return pts, vals, heard


def folds(pts):
    walked, start, b, block = 0.0, 0.0, 0, [0]
    for i in range(1, len(pts)):
        walked += float(np.hypot(*(pts[i] - pts[i - 1])))
        if walked - start >= BLOCK_M:
            b, start = b + 1, walked
        block.append(b)
    return np.array(block) % FOLDS


def dedupe(p, v):
    uniq, inv = np.unique(p, axis=0, return_inverse=True)
    inv = inv.ravel()
    out = np.zeros(len(uniq))
    np.add.at(out, inv, v)
    return uniq, out / np.bincount(inv)


def idw(p, v, q):
    from scipy.spatial import cKDTree
    d, i = cKDTree(p).query(q, k=min(K, len(p)))
    d = np.maximum(d, 1e-12)
    w = 1 / d ** 2
    return (w * v[i]).sum(1) / w.sum(1)


def linear(p, v, q):
    from scipy.interpolate import griddata
    out = griddata(p, v, q, method="linear")
    # Outside the convex hull griddata has no value: fall back to the nearest sample.
    miss = np.isnan(out)
    if miss.any():
        out[miss] = griddata(p, v, q[miss], method="nearest")
    return out


def thin_plate(p, v, q):
    from scipy.interpolate import RBFInterpolator
    p, v = dedupe(p, v)
    return RBFInterpolator(p, v, kernel="thin_plate_spline")(q)


def thin_plate_local(p, v, q):
    # The setting that scored best on a real office floor (issue 14): 50 neighbours, smoothing 1.
    from scipy.interpolate import RBFInterpolator
    p, v = dedupe(p, v)
    return RBFInterpolator(p, v, kernel="thin_plate_spline", neighbors=min(50, len(p)),
                           smoothing=1.0)(q)


def kriging(p, v, q):
    from pykrige.ok import OrdinaryKriging
    p, v = dedupe(p, v)
    if np.ptp(v) == 0:
        # A radio the training scans all missed (or all heard alike): pykrige's variogram fit
        # refuses a field without variance; every method predicts the constant.
        return np.full(len(q), v[0])
    ok = OrdinaryKriging(p[:, 0], p[:, 1], v, variogram_model="exponential")
    z, _ = ok.execute("points", q[:, 0], q[:, 1])
    return np.asarray(z)


METHODS = {"scipy linear griddata": linear, "scipy cKDTree IDW (k=12)": idw,
           "scipy thin-plate RBF": thin_plate,
           "scipy thin-plate RBF (50 neighbours, smoothing 1)": thin_plate_local,
           "pykrige ordinary kriging": kriging}


def score(pts, vals, heard, fold, fn):
    err = []
    for f in range(FOLDS):
        test, train = fold == f, fold != f
        if not test.any() or train.sum() < 3:
            continue
        for r in range(vals.shape[0]):
            pred = fn(pts[train], vals[r, train], pts[test])
            ok = heard[r, test]
            err.extend((pred[ok] - vals[r, test][ok]).tolist())
    e = np.array(err)
    return float(np.sqrt(np.mean(e ** 2))), float(np.mean(e)), len(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 23])
    ap.add_argument("--site", help="score this site's own captures (its first floor) instead of simulated walks")
    ap.add_argument("--only", help="run only the Python methods whose name contains this")
    a = ap.parse_args()
    if not os.path.exists(WISP):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="wisp-accuracy-")
    print("| seed | method | RMSE dB | bias dB | n |\n|---|---|---|---|---|")
    verdicts = []
    run = lambda *args: subprocess.run([WISP, *args], check=True, capture_output=True, text=True).stdout
    for seed in ["site"] if a.site else a.seeds:
        site, survey = a.site or SITE, os.path.join(tmp, f"s{seed}.json")
        if a.site:
            run("ingest", "--site", site, "--out", survey)
        else:
            walk = os.path.join(tmp, f"walk{seed}.csv")
            run("simulate", site, "--floor", "L1", "--seed", str(seed), "--out", walk)
            run("ingest", walk, "--site", site, "--floor", "L1", "--out", survey)
        v = json.loads(run("validate", site, "--survey", survey, "--json"))
        for m in v["methods"]:
            print(f"| {seed} | wisp {m['method']} | {m['rmse_db']:.2f} | {m['bias_db']:+.2f} | {m['n']} |")
        pts, vals, heard = fields(json.load(open(survey)))
        fold = folds(pts)
        best = None
        for name, fn in METHODS.items():
            if a.only and a.only not in name:
                continue
            rmse, bias, n = score(pts, vals, heard, fold, fn)
            print(f"| {seed} | {name} | {rmse:.2f} | {bias:+.2f} | {n} |")
            best = min(best or (rmse, name), (rmse, name))
        auto = v["auto"]
        verdicts.append((seed, auto["method"], auto["rmse_db"], best[1], best[0]))
    print()
    for seed, m, r, bn, br in verdicts:
        print(f"{'site' if seed == 'site' else f'seed {seed}'}: wisp auto = {m} at {r:.2f} dB; best Python = {bn} at {br:.2f} dB; "
              f"difference {r - br:+.2f} dB ({'within' if r - br <= 0.1 else 'NOT within'} 0.1 dB)")


if __name__ == "__main__":
    main()
