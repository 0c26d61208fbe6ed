//! Georeferencing a floor plan: latitude/longitude ↔ plan metres, from two or more control points.
//!
//! A floor may name plan points whose latitude and longitude are known (manifest key `georef`).
//! Captures that carry GPS positions (WiGLE, Kismet netxml and .kismet: [`GPS_FORMATS`]) are placed through
//! the fitted transform, and outputs can be turned back into WGS 84 with [`Georef::to_wgs84`].
//!
//! Two steps:
//! 1. latitude/longitude → a local east/south frame in metres, by the equirectangular projection
//!    about the control points' mean latitude and longitude: `x_east = R·cos(lat0)·Δlon`,
//!    `y_south = −R·Δlat` (angles in radians, R = [`EARTH_RADIUS_M`]). South rather than north so
//!    that the frame has the plan's handedness (x right, y down): a plan is never a mirror image
//!    of the ground, so the fit below needs no reflection. A sphere is not the WGS 84 ellipsoid:
//!    at 51.5° N the ellipsoid's east and north radii differ from R by +0.3 % and +0.06 %, a
//!    difference of scale between the axes that the affine fit (three points or more) absorbs
//!    and the similarity (two points) leaves as up to ~0.3 % of the distance from the points;
//!    the rest of the projection's distortion over a few hundred metres is centimetres. Both are
//!    far under GPS error (metres).
//! 2. local metres → plan metres: with two points, the similarity (rotation, uniform scale,
//!    translation) through both, exactly; with three or more, the least-squares affine transform
//!    (which also absorbs a plan scanned with different x and y scales). Three or more points on
//!    one line cannot fix an affine transform; they get the least-squares similarity instead.
//!
//! Both steps invert in closed form, so `to_wgs84(from_wgs84(lat, lon))` returns the input to
//! rounding.

use wisp_model::Point;

/// Mean Earth radius R₁ = (2a + b)/3 of the GRS 80 ellipsoid, 6,371,008.8 m (H. Moritz, "Geodetic
/// Reference System 1980", Bulletin Géodésique 54, 1980; the IUGG mean radius).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Capture formats whose scan positions are GPS (`Scan::at = Point::new(lon, lat)`), not plan
/// positions.
pub const GPS_FORMATS: &[&str] = &["wigle", "kismet-netxml", "kismetdb"];

/// Whether scans of capture format `format` carry GPS positions.
pub fn is_gps_format(format: &str) -> bool {
    GPS_FORMATS.contains(&format)
}

/// Control points farther than this from their mean are refused (metres): no hospital floor plan
/// spans 20 km, and a point that far is a typo (a swapped sign, latitude for longitude).
pub const MAX_SPREAD_M: f64 = 20_000.0;

/// One control point: a plan position (plan metres) and where it is on the Earth (degrees, WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlPoint {
    pub at_m: Point,
    pub lat: f64,
    pub lon: f64,
}

/// Which transform was fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeorefFit {
    /// Rotation, uniform scale and translation (two points, or three or more on one line).
    Similarity,
    /// Least-squares affine transform (three or more points not on one line).
    Affine,
}

/// A fitted georeference of one floor plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Georef {
    /// Origin of the local frame, degrees.
    lat0: f64,
    lon0: f64,
    /// R·cos(lat0): metres per radian of longitude at lat0.
    east_scale: f64,
    /// Local (east, south) metres → plan metres: `plan = m · local + t`, m row-major.
    m: [f64; 4],
    t: [f64; 2],
    /// Inverse of `m`.
    inv: [f64; 4],
    fit: GeorefFit,
    rms_m: f64,
}

impl Georef {
    /// Fits the transform through `points`. Errors (as text, for the caller to place) when there
    /// are fewer than two points, a number is not finite or out of range, two points coincide
    /// (in the plan or on the ground), the points spread over more than [`MAX_SPREAD_M`], or the
    /// plan points are on one line where the ground points are not.
    pub fn fit(points: &[ControlPoint]) -> Result<Georef, String> {
        if points.len() < 2 {
            return Err(format!(
                "georef needs at least two points, not {}",
                points.len()
            ));
        }
        for (i, p) in points.iter().enumerate() {
            let n = i + 1;
            if ![p.at_m.x, p.at_m.y, p.lat, p.lon]
                .iter()
                .all(|v| v.is_finite())
            {
                return Err(format!("georef point {n}: a number is not finite"));
            }
            if !(-89.0..=89.0).contains(&p.lat) {
                return Err(format!(
                    "georef point {n}: latitude {} is outside -89..89 degrees",
                    p.lat
                ));
            }
            if !(-180.0..=180.0).contains(&p.lon) {
                return Err(format!(
                    "georef point {n}: longitude {} is outside -180..180 degrees",
                    p.lon
                ));
            }
        }
        let lat0 = points.iter().map(|p| p.lat).sum::<f64>() / points.len() as f64;
        // Mean longitude taken relative to the first point, so a site across ±180° works.
        let lon_ref = points[0].lon;
        let lon0 = wrap_deg(
            lon_ref
                + points
                    .iter()
                    .map(|p| wrap_deg(p.lon - lon_ref))
                    .sum::<f64>()
                    / points.len() as f64,
        );
        let east_scale = EARTH_RADIUS_M * lat0.to_radians().cos();
        let local = |lat: f64, lon: f64| {
            [
                east_scale * wrap_deg(lon - lon0).to_radians(),
                -EARTH_RADIUS_M * (lat - lat0).to_radians(),
            ]
        };
        let src: Vec<[f64; 2]> = points.iter().map(|p| local(p.lat, p.lon)).collect();
        let dst: Vec<[f64; 2]> = points.iter().map(|p| [p.at_m.x, p.at_m.y]).collect();
        for (i, s) in src.iter().enumerate() {
            if s[0].hypot(s[1]) > MAX_SPREAD_M {
                return Err(format!(
                    "georef point {}: {:.0} m from the points' mean: georef points must lie within {} km of each other (a swapped sign or latitude for longitude?)",
                    i + 1,
                    s[0].hypot(s[1]),
                    MAX_SPREAD_M / 1000.0
                ));
            }
        }
        for i in 0..points.len() {
            for j in 0..i {
                if dst[i] == dst[j] {
                    return Err(format!(
                        "georef points {} and {} are at the same plan position",
                        j + 1,
                        i + 1
                    ));
                }
                if (src[i][0] - src[j][0]).hypot(src[i][1] - src[j][1]) < 1e-3 {
                    return Err(format!(
                        "georef points {} and {} are at the same latitude and longitude",
                        j + 1,
                        i + 1
                    ));
                }
            }
        }

        let n = points.len() as f64;
        let mean = |v: &[[f64; 2]]| {
            [
                v.iter().map(|p| p[0]).sum::<f64>() / n,
                v.iter().map(|p| p[1]).sum::<f64>() / n,
            ]
        };
        let (ms, md) = (mean(&src), mean(&dst));
        let cs: Vec<[f64; 2]> = src.iter().map(|p| [p[0] - ms[0], p[1] - ms[1]]).collect();
        let cd: Vec<[f64; 2]> = dst.iter().map(|p| [p[0] - md[0], p[1] - md[1]]).collect();
        let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
        for p in &cs {
            sxx += p[0] * p[0];
            syy += p[1] * p[1];
            sxy += p[0] * p[1];
        }
        let det_s = sxx * syy - sxy * sxy;
        let collinear = points.len() == 2 || det_s <= 1e-12 * (sxx + syy) * (sxx + syy);
        let (m, fit) = if collinear {
            // Least-squares similarity w = a·z + b in complex numbers, centred: a = Σ conj(z)w / Σ|z|².
            // Through two points it is exact.
            let (mut re, mut im) = (0.0, 0.0);
            for (z, w) in cs.iter().zip(&cd) {
                re += z[0] * w[0] + z[1] * w[1];
                im += z[0] * w[1] - z[1] * w[0];
            }
            let (ar, ai) = (re / (sxx + syy), im / (sxx + syy));
            ([ar, -ai, ai, ar], GeorefFit::Similarity)
        } else {
            // Normal equations of the centred affine fit, one per plan axis:
            // [sxx sxy; sxy syy]·[m0 m1] = [Σ x·u, Σ y·u].
            let (mut xu, mut yu, mut xv, mut yv) = (0.0, 0.0, 0.0, 0.0);
            for (z, w) in cs.iter().zip(&cd) {
                xu += z[0] * w[0];
                yu += z[1] * w[0];
                xv += z[0] * w[1];
                yv += z[1] * w[1];
            }
            let solve =
                |bx: f64, by: f64| [(syy * bx - sxy * by) / det_s, (sxx * by - sxy * bx) / det_s];
            let r0 = solve(xu, yu);
            let r1 = solve(xv, yv);
            ([r0[0], r0[1], r1[0], r1[1]], GeorefFit::Affine)
        };
        let det = m[0] * m[3] - m[1] * m[2];
        let scale2 = m.iter().map(|v| v * v).sum::<f64>();
        if !det.is_finite() || det.abs() <= 1e-9 * scale2 {
            return Err(
                "georef plan points lie on one line but their latitudes and longitudes do not: the transform cannot be inverted"
                    .into(),
            );
        }
        let inv = [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
        let t = [
            md[0] - (m[0] * ms[0] + m[1] * ms[1]),
            md[1] - (m[2] * ms[0] + m[3] * ms[1]),
        ];
        let mut g = Georef {
            lat0,
            lon0,
            east_scale,
            m,
            t,
            inv,
            fit,
            rms_m: 0.0,
        };
        let sq: f64 = points
            .iter()
            .map(|p| {
                let q = g.from_wgs84(p.lat, p.lon);
                (q.x - p.at_m.x).powi(2) + (q.y - p.at_m.y).powi(2)
            })
            .sum();
        g.rms_m = (sq / n).sqrt();
        Ok(g)
    }

    /// Plan metres of a WGS 84 latitude and longitude (degrees).
    pub fn from_wgs84(&self, lat: f64, lon: f64) -> Point {
        let [e, s] = self.local(lat, lon);
        Point::new(
            self.m[0] * e + self.m[1] * s + self.t[0],
            self.m[2] * e + self.m[3] * s + self.t[1],
        )
    }

    /// WGS 84 `(latitude, longitude)` in degrees of a plan position (plan metres).
    pub fn to_wgs84(&self, p: Point) -> (f64, f64) {
        let (u, v) = (p.x - self.t[0], p.y - self.t[1]);
        let e = self.inv[0] * u + self.inv[1] * v;
        let s = self.inv[2] * u + self.inv[3] * v;
        let lat = self.lat0 - (s / EARTH_RADIUS_M).to_degrees();
        let lon = wrap_deg(self.lon0 + (e / self.east_scale).to_degrees());
        (lat, lon)
    }

    /// Local east/south metres of a latitude and longitude (the frame's origin is the control
    /// points' mean).
    pub fn local(&self, lat: f64, lon: f64) -> [f64; 2] {
        [
            self.east_scale * wrap_deg(lon - self.lon0).to_radians(),
            -EARTH_RADIUS_M * (lat - self.lat0).to_radians(),
        ]
    }

    /// The linear part (row-major 2×2, local east/south metres → plan metres) and the offset.
    pub fn matrix(&self) -> ([f64; 4], [f64; 2]) {
        (self.m, self.t)
    }

    /// The local frame's origin, `(lat0, lon0)` in degrees.
    pub fn origin(&self) -> (f64, f64) {
        (self.lat0, self.lon0)
    }

    pub fn fit_kind(&self) -> GeorefFit {
        self.fit
    }

    /// Root-mean-square distance (plan metres) between the control points' plan positions and
    /// where the transform puts them: 0 for two points, a check on the others.
    pub fn rms_residual_m(&self) -> f64 {
        self.rms_m
    }
}

/// An angle in degrees brought into −180..180.
pub(crate) fn wrap_deg(d: f64) -> f64 {
    if (-180.0..=180.0).contains(&d) {
        return d; // untouched: wrapping arithmetic would cost precision
    }
    let w = (d + 180.0).rem_euclid(360.0) - 180.0;
    if w == -180.0 && d > 0.0 {
        180.0
    } else {
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_longitudes() {
        assert_eq!(wrap_deg(190.0), -170.0);
        assert_eq!(wrap_deg(-190.0), 170.0);
        assert_eq!(wrap_deg(180.0), 180.0);
        assert_eq!(wrap_deg(-0.12), -0.12);
    }

    #[test]
    fn refuses_bad_control_points() {
        let p = |x: f64, y: f64, lat: f64, lon: f64| ControlPoint {
            at_m: Point::new(x, y),
            lat,
            lon,
        };
        let one = [p(0.0, 0.0, 51.5, -0.12)];
        assert!(Georef::fit(&one).unwrap_err().contains("at least two"));
        let same_plan = [p(0.0, 0.0, 51.5, -0.12), p(0.0, 0.0, 51.5001, -0.12)];
        assert!(Georef::fit(&same_plan)
            .unwrap_err()
            .contains("same plan position"));
        let same_geo = [p(0.0, 0.0, 51.5, -0.12), p(10.0, 0.0, 51.5, -0.12)];
        assert!(Georef::fit(&same_geo)
            .unwrap_err()
            .contains("same latitude"));
        let far = [p(0.0, 0.0, 51.5, -0.12), p(10.0, 0.0, 52.5, -0.12)];
        assert!(Georef::fit(&far).unwrap_err().contains("within 20 km"));
        let nan = [p(0.0, f64::NAN, 51.5, -0.12), p(10.0, 0.0, 51.5, -0.11)];
        assert!(Georef::fit(&nan).unwrap_err().contains("not finite"));
        // Plan points on a line, ground points not: no invertible transform.
        let flat = [
            p(0.0, 0.0, 51.5, -0.12),
            p(10.0, 0.0, 51.5, -0.1199),
            p(20.0, 0.0, 51.5001, -0.1199),
        ];
        assert!(Georef::fit(&flat).unwrap_err().contains("one line"));
    }
}
