#!/usr/bin/env python3
"""Speed and agreement of `wisp grid` against gdal_grid (invdistnn) and a scipy cKDTree IDW.

Runs on request, not in CI:  python3 benches/compare/compare.py [--runs 3] [--points 10000] [--size 1000]
    [--gdal-threads 1,ALL_CPUS]
Needs: a release build (`cargo build --release`), gdal-bin (Debian), and numpy + scipy (PyPI).
Prints gdal_grid's smallest exact search radius (computed here), a Markdown table of median wall
times and user+sys CPU times over --runs runs (wisp writing ESRI ASCII and GeoTIFF; gdal_grid
writes GeoTIFF), the ratios of both, the load average before and after, and the largest
difference between the grids (all three are the same estimator: k nearest, weights 1/d²).
"""
import argparse, os, resource, shutil, subprocess, sys, tempfile, time
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WISP = os.path.join(ROOT, "target", "release", "wisp")


def median_time(fn, runs, children=True):
    """Median wall seconds over `runs`, and the median user+sys CPU seconds over the same runs:
    of the child processes (getrusage RUSAGE_CHILDREN deltas: every subprocess waited for) or,
    for in-process work (scipy), of this process (RUSAGE_SELF, all its threads). On a loaded
    machine the wall clock is each tool's share of the cores; the CPU time is its own work."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    times, cpus = [], []
    for _ in range(runs):
        r = resource.getrusage(who)
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        r2 = resource.getrusage(who)
        cpus.append((r2.ru_utime - r.ru_utime) + (r2.ru_stime - r.ru_stime))
    return float(np.median(times)), float(np.median(cpus))


def read_asc(path):
    with open(path) as f:
        header = {}
        for _ in range(6):
            k, v = f.readline().split()
            header[k.lower()] = v
        data = np.loadtxt(f, dtype=np.float64)
    return header, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--k", type=int, default=12)
    ap.add_argument("--gdal-threads", default="1,ALL_CPUS",
                    help="GDAL_NUM_THREADS values to time, comma-separated")
    a = ap.parse_args()
    if not os.path.exists(WISP):
        sys.exit("build first: cargo build --release")
    n, size, k = a.points, a.size, a.k
    rng = np.random.default_rng(1)
    pts = rng.uniform(0, size, (n, 2))
    vals = rng.uniform(-90, -30, n)
    tmp = tempfile.mkdtemp(prefix="wisp-compare-")
    csv = os.path.join(tmp, "points.csv")
    np.savetxt(csv, np.column_stack([pts, vals]), delimiter=",", header="x,y,value", comments="", fmt="%.6f")
    with open(os.path.join(tmp, "points.vrt"), "w") as f:
        f.write(f"""<OGRVRTDataSource><OGRVRTLayer name="points"><SrcDataSource>{csv}</SrcDataSource>
<GeometryType>wkbPoint</GeometryType><GeometryField encoding="PointFromColumns" x="x" y="y" z="value"/>
</OGRVRTLayer></OGRVRTDataSource>""")
    extent = f"0,0,{size},{size}"
    rows = []

    from scipy.spatial import cKDTree
    xs = (np.arange(size) + 0.5)
    gx, gy = np.meshgrid(xs, size - xs)
    q = np.column_stack([gx.ravel(), gy.ravel()])

    def scipy_query():
        return cKDTree(pts).query(q, k=k, workers=-1)

    def scipy_idw():
        d, i = scipy_query()
        d = np.maximum(d, 1e-12)
        w = 1.0 / d ** 2
        return (w * vals[i]).sum(1) / w.sum(1)

    # gdal_grid invdistnn keeps the nearest max_points among the points within `radius` of a
    # cell, and its search cost grows with the radius; the smallest radius that still holds
    # every cell's k nearest is the largest k-th neighbour distance over the cells (a hair more,
    # so rounding never drops the k-th). That is gdal's fastest setting with the exact output.
    radius = float(scipy_query()[0][:, -1].max()) * (1 + 1e-6) + 1e-6

    def run_wisp(out):
        subprocess.run([WISP, "grid", csv, "--extent", extent, "--size", f"{size}x{size}",
                        "--k", str(k), "--power", "2", "--out", out], check=True, stdout=subprocess.DEVNULL)

    wisp_out = os.path.join(tmp, "wisp.asc")
    load_before = os.getloadavg()
    t_wisp = median_time(lambda: run_wisp(wisp_out), a.runs)
    _, wisp_grid = read_asc(wisp_out)
    rows.append(("wisp grid --out grid.asc (idw, k=12, 2 threads)", t_wisp))
    wisp_tif = os.path.join(tmp, "wisp.tif")
    t_wisp_tif = median_time(lambda: run_wisp(wisp_tif), a.runs)
    rows.append(("wisp grid --out grid.tif (idw, k=12, 2 threads)", t_wisp_tif))

    gdal_grid = None
    wisp_tif_grid = None
    if shutil.which("gdal_grid"):
        gdal_tif = os.path.join(tmp, "gdal.tif")
        gdal_out = os.path.join(tmp, "gdal.asc")
        for threads in a.gdal_threads.split(","):
            cmd = ["gdal_grid", "--config", "GDAL_NUM_THREADS", threads, "-q",
                   "-a", f"invdistnn:power=2.0:smoothing=0.0:radius={radius:.6f}:max_points={k}:min_points=1:nodata=-9999",
                   "-txe", "0", str(size), "-tye", "0", str(size), "-outsize", str(size), str(size),
                   "-of", "GTiff", "-ot", "Float64", "-l", "points", os.path.join(tmp, "points.vrt"), gdal_tif]
            t = median_time(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL), a.runs)
            rows.append((f"gdal_grid invdistnn -of GTiff ({'1 thread' if threads == '1' else '2 threads'})", t))
        # AAIGrid cannot be created directly; gdal_grid writes GeoTIFF (timed) and we convert once.
        subprocess.run(["gdal_translate", "-q", "-of", "AAIGrid", gdal_tif, gdal_out], check=True)
        _, gdal_grid = read_asc(gdal_out)
        # gdal_grid writes -tye ymin ymax with row 0 at ymin; wisp puts row 0 at the top (ymax).
        if np.nanmax(np.abs(gdal_grid[::-1] - wisp_grid)) < np.nanmax(np.abs(gdal_grid - wisp_grid)):
            gdal_grid = gdal_grid[::-1]
        wisp_tif_asc = os.path.join(tmp, "wisp-tif.asc")
        subprocess.run(["gdal_translate", "-q", "-of", "AAIGrid", wisp_tif, wisp_tif_asc], check=True)
        _, wisp_tif_grid = read_asc(wisp_tif_asc)

    t_scipy = median_time(scipy_idw, a.runs, children=False)
    scipy_grid = scipy_idw().reshape(size, size)
    rows.append(("scipy cKDTree query (workers=-1) + weights", t_scipy))

    load_after = os.getloadavg()
    print(f"{n} points onto {size} x {size} cells, k = {k}, median of {a.runs} runs on {os.cpu_count()} cores")
    print(f"load average (1 min) {load_before[0]:.2f} before the first run, {load_after[0]:.2f} after the last\n")
    print(f"gdal_grid radius: {radius:.4f} (the largest {k}th-neighbour distance of any cell)\n")
    print("| tool | median wall s | median CPU s (user+sys) | wisp (.asc) is faster by (wall / CPU) "
          "| wisp (.tif) is faster by (wall / CPU) |")
    print("|---|---|---|---|---|")
    (w_asc, c_asc), (w_tif, c_tif) = t_wisp, t_wisp_tif
    for name, (t, c) in rows:
        print(f"| {name} | {t:.3f} | {c:.3f} | {t / w_asc:.1f}x / {c / c_asc:.1f}x "
              f"| {t / w_tif:.1f}x / {c / c_tif:.1f}x |")
    print()
    if wisp_tif_grid is not None:
        print(f"largest |wisp .tif - wisp .asc| = {np.nanmax(np.abs(wisp_tif_grid - wisp_grid)):.2e} dB")
    if gdal_grid is not None:
        print(f"largest |wisp - gdal_grid| = {np.nanmax(np.abs(gdal_grid - wisp_grid)):.2e} dB")
    print(f"largest |wisp - scipy|     = {np.nanmax(np.abs(scipy_grid - wisp_grid)):.2e} dB")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
