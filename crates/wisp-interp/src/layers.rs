//! From a floor's samples to the layers people read.
//!
//! Each radio's signal is interpolated on its own, then every layer is derived per cell from the
//! set of radios: primary, secondary and tertiary signal (each from a different access point —
//! the other band or the guest SSID of the serving AP is no backup when that AP fails), SNR,
//! the number of radios above a level, co-channel radios, and the serving radio.
//!
//! **Not heard is evidence.** A scan that heard other radios but not radio R says R is weak
//! there: R's field takes [`LayerOptions::not_heard_dbm`] at that scan instead of letting the
//! values from where R *was* heard spread across the floor. So every radio is interpolated over
//! the same set of scans (those that heard anything), and one neighbour search serves all radios.
//! A scan that heard nothing at all is treated as a failed scan and left out.
//!
//! **Coverage is ours, interference is everyone's.** Primary, secondary, tertiary, SNR, radio
//! count and serving radio come from our network's radios only ([`LayerOptions::network`]); the
//! co-channel count takes every radio heard on the serving channel at or above the threshold,
//! ours or a neighbour's. A cell where none of our radios is estimated has no primary value, so
//! a neighbour's signal never fills our dead zone.

use crate::fields::{radio_fields, LayerOptions, RadioFields, RadioInfo, WallAware};
use crate::idw::Idw;
use crate::neighbours::{distance_to_nearest, NeighbourIndex};
use crate::{InterpError, InterpErrorKind};
use wisp_model::{Band, Grid, GridGeometry, Method, Sample};

/// Sentinel for "no radio" in [`SignalLayers::serving`].
pub const NO_RADIO: u32 = u32::MAX;

/// Every layer of one floor. Cells outside the floor are NaN (0 for counts, [`NO_RADIO`]).
#[derive(Debug, Clone)]
pub struct SignalLayers {
    pub radios: Vec<RadioInfo>,
    pub primary: Grid<f32>,
    pub secondary: Grid<f32>,
    pub tertiary: Grid<f32>,
    pub snr: Grid<f32>,
    /// Radios at or above `count_dbm`.
    pub radio_count: Grid<u16>,
    /// Other radios on the serving radio's band and channel at or above `cochannel_dbm`.
    pub cochannel: Grid<u16>,
    /// Index into `radios` of the strongest radio.
    pub serving: Grid<u32>,
    /// Distance to the nearest sample, metres: the confidence layer.
    pub distance_m: Grid<f32>,
    /// Within `survey_range_m` of a sample and inside the floor.
    pub surveyed: Grid<bool>,
    /// The primary signal's standard deviation per cell, dB (the serving radio's, see
    /// [`serving_std_dev`]), when the method gives one (kriging, `model`); NaN where it has none.
    /// `wisp_coverage` turns it into each cell's probability of failing.
    pub primary_std_dev: Option<Grid<f32>>,
}

impl SignalLayers {
    /// Whether secondary and tertiary signal are approximate: the survey has unidentified
    /// radios, and two of them (or one and an identified radio) may be one access point, so
    /// the "other AP" behind a secondary or tertiary value may be the serving AP itself.
    pub fn ranks_approximate(&self) -> bool {
        self.radios.iter().any(|r| r.unidentified)
    }

    /// Builds every layer over the cells of `geometry` where `inside` is true.
    ///
    /// Method `model` needs a trend: use [`SignalLayers::build_with`].
    pub fn build(
        samples: &[Sample],
        geometry: &GridGeometry,
        inside: &(dyn Fn(usize, usize) -> bool + Sync),
        opts: &LayerOptions,
    ) -> Result<SignalLayers, InterpError> {
        Self::build_with(samples, geometry, inside, opts, None).map(|(l, _)| l)
    }

    /// [`SignalLayers::build`], with the per-radio `trend` that method `model` (regression
    /// kriging, [`crate::regression`]) needs; also returns each radio's surface (value and
    /// standard deviation) for the methods that grid every radio first (all but IDW), in the
    /// order of `radios`, so the caller can read the map's uncertainty
    /// ([`serving_std_dev`]).
    pub fn build_with(
        samples: &[Sample],
        geometry: &GridGeometry,
        inside: &(dyn Fn(usize, usize) -> bool + Sync),
        opts: &LayerOptions,
        trend: Option<&dyn crate::regression::Trend>,
    ) -> Result<(SignalLayers, Option<Vec<crate::Surface>>), InterpError> {
        let fields = radio_fields(samples, opts)?;
        let index = NeighbourIndex::new(&fields.points)?;
        let distance_m = distance_to_nearest(&index, geometry, inside);
        let estimator = CellEstimator::new(&fields, geometry, inside, opts, trend)?;
        let cols = geometry.cols();
        // Coverage from our radios only; every radio still counts as interference.
        let covers: Vec<bool> = fields.radios.iter().map(|r| r.is_ours).collect();
        let derivation = Derivation::new(&fields.radios, &covers, opts);
        let bands = index.for_each_cell(
            geometry,
            estimator.k(),
            inside,
            &|r, c, n, band: &mut Band_| {
                let mut scratch = std::mem::take(&mut band.scratch);
                estimator.estimates(r, c, n, &mut scratch);
                band.derive((r - band.r0) * cols + c, &scratch.estimates, &derivation);
                band.scratch = scratch;
            },
            &|r0, r1| Band_::new(r0, (r1 - r0) * cols),
        );
        let surfaces = estimator.surfaces;
        let mut layers = Band_::assemble(bands, fields.radios, geometry, distance_m, opts);
        if let Some(s) = surfaces.as_deref() {
            if s.iter().any(|surface| surface.std_dev.is_some()) {
                layers.primary_std_dev = Some(serving_std_dev(&layers, s));
            }
        }
        Ok((layers, surfaces))
    }

    /// The layers of a radio map, where only the radios with `covers[r]` count as coverage
    /// (primary, secondary, tertiary, SNR, radio count, serving radio) and every radio counts as
    /// co-channel interference on the serving radio's channel: our network's coverage with
    /// everyone's interference. With every radio covering, and `map` from [`RadioMap::build`] on
    /// the same samples and options, this equals [`SignalLayers::build`] cell for cell.
    pub fn from_map(map: &RadioMap, covers: &[bool], opts: &LayerOptions) -> SignalLayers {
        let geometry = *map.distance_m.geometry();
        let cols = geometry.cols();
        let mut band = Band_::new(0, geometry.len());
        let derivation = Derivation::new(&map.radios, covers, opts);
        let mut est = Vec::with_capacity(map.grids.len());
        for ((r, c), d) in map.distance_m.indexed_iter() {
            if d.is_nan() {
                continue;
            }
            est.clear();
            est.extend(
                map.grids
                    .iter()
                    .map(|g| g.get(r, c).copied().unwrap_or(f32::NAN)),
            );
            band.derive(r * cols + c, &est, &derivation);
        }
        Band_::assemble(
            vec![band],
            map.radios.clone(),
            &geometry,
            map.distance_m.clone(),
            opts,
        )
    }
}

/// Every radio's own signal grid: the radio map the layers are derived from, kept whole so that
/// radios can be added (a plan's new APs), re-channelled or told apart (ours, neighbours) before
/// deriving layers with [`SignalLayers::from_map`]. Memory: one grid per radio, so build it for
/// one floor at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct RadioMap {
    pub radios: Vec<RadioInfo>,
    /// `grids[r]`: radio r's estimate per cell, dBm (NaN outside the floor).
    pub grids: Vec<Grid<f32>>,
    /// Distance to the nearest sample, metres (NaN outside the floor).
    pub distance_m: Grid<f32>,
}

impl RadioMap {
    /// Interpolates every radio of `samples` over the cells of `geometry` where `inside` is
    /// true, with the same estimates as [`SignalLayers::build_with`] (`trend`: what method
    /// `model` needs).
    pub fn build(
        samples: &[Sample],
        geometry: &GridGeometry,
        inside: &(dyn Fn(usize, usize) -> bool + Sync),
        opts: &LayerOptions,
        trend: Option<&dyn crate::regression::Trend>,
    ) -> Result<RadioMap, InterpError> {
        let fields = radio_fields(samples, opts)?;
        let index = NeighbourIndex::new(&fields.points)?;
        let distance_m = distance_to_nearest(&index, geometry, inside);
        let estimator = CellEstimator::new(&fields, geometry, inside, opts, trend)?;
        let cols = geometry.cols();
        let n = fields.radios.len();
        let bands = index.for_each_cell(
            geometry,
            estimator.k(),
            inside,
            &|r, c, nb, out: &mut (usize, Vec<Vec<f32>>, Scratch)| {
                let at = (r - out.0) * cols + c;
                estimator.estimates(r, c, nb, &mut out.2);
                for (grid, v) in out.1.iter_mut().zip(&out.2.estimates) {
                    grid[at] = *v;
                }
            },
            &|r0, r1| {
                (
                    r0,
                    vec![vec![f32::NAN; (r1 - r0) * cols]; n],
                    Scratch::default(),
                )
            },
        );
        let grids = (0..n)
            .map(|ri| {
                Grid::from_vec(
                    *geometry,
                    bands.iter().flat_map(|b| b.1[ri].iter().copied()).collect(),
                )
            })
            .collect();
        Ok(RadioMap {
            radios: fields.radios,
            grids,
            distance_m,
        })
    }
}

/// Each radio's estimate at a cell: from the method's whole-grid surfaces, or IDW over the
/// cell's neighbours (walls-aware when asked). The one place both [`SignalLayers::build`] and
/// [`RadioMap::build`] get a cell's values from.
struct CellEstimator<'a> {
    fields: &'a RadioFields,
    geometry: &'a GridGeometry,
    opts: &'a LayerOptions,
    surfaces: Option<Vec<crate::method::Surface>>,
    /// Every radio's value at scan s in one row (`by_scan[s * radios + r]`, the transpose of
    /// `fields.values`): a cell's neighbours are a dozen scans, each read as one contiguous row
    /// for all radios instead of one scattered read per radio.
    by_scan: Vec<f32>,
    /// Index into `Band::ALL` of each radio's band (walls-aware IDW weighs per band).
    band_of: Vec<usize>,
}

/// Scratch space of one thread's per-cell estimates, reused from cell to cell.
#[derive(Default)]
struct Scratch {
    /// Every radio's estimate at the current cell, by radio index.
    estimates: Vec<f32>,
    /// Per-radio IDW numerators.
    sums: Vec<f64>,
}

impl<'a> CellEstimator<'a> {
    fn new(
        fields: &'a RadioFields,
        geometry: &'a GridGeometry,
        inside: &(dyn Fn(usize, usize) -> bool + Sync),
        opts: &'a LayerOptions,
        trend: Option<&dyn crate::regression::Trend>,
    ) -> Result<Self, InterpError> {
        // Methods other than IDW interpolate every radio's grid up front; the per-cell pass then
        // only reads them (one neighbour suffices to drive it).
        let surfaces = if opts.method == Method::Idw {
            None
        } else if opts.method == Method::Model {
            let trend = trend.ok_or(InterpErrorKind::Parameter {
                name: "method",
                reason: "'model' needs the calibrated model's trend",
            })?;
            Some(crate::regression::RegressionKriging::default().grid(
                fields,
                trend,
                opts.not_heard_dbm,
                geometry,
                inside,
            )?)
        } else {
            let prepared = crate::methods::interpolator(opts.method)?.prepare(&fields.points)?;
            let refs: Vec<&[f32]> = fields.values.iter().map(|f| f.as_slice()).collect();
            Some(prepared.grid_many(&refs, geometry, inside)?)
        };
        let radios = fields.radios.len();
        let mut by_scan = vec![0.0f32; fields.points.len() * radios];
        if surfaces.is_none() {
            for (ri, field) in fields.values.iter().enumerate() {
                for (si, v) in field.iter().enumerate() {
                    by_scan[si * radios + ri] = *v;
                }
            }
        }
        let band_of = fields
            .radios
            .iter()
            .map(|r| Band::ALL.iter().position(|b| *b == r.key.band).unwrap_or(0))
            .collect();
        Ok(CellEstimator {
            fields,
            geometry,
            opts,
            surfaces,
            by_scan,
            band_of,
        })
    }

    /// Neighbours each cell needs.
    fn k(&self) -> usize {
        if self.surfaces.is_some() {
            1
        } else {
            self.opts.idw.k
        }
    }

    /// Every radio's estimate at cell (r, c) with neighbours `n`, into `scratch.estimates`
    /// (by radio index).
    ///
    /// IDW's weights depend on the neighbour (and, walls-aware, the band), not on the radio, so
    /// they are computed once per cell and every radio's sum runs over the scan-major rows:
    /// the same terms added in the same order as [`Idw::estimate`] and [`walls_aware_estimate`]
    /// per radio (tested: `one_pass_estimates_equal_the_per_radio_kernels`).
    fn estimates(
        &self,
        r: usize,
        c: usize,
        n: &[crate::neighbours::Neighbour],
        scratch: &mut Scratch,
    ) {
        let (fields, opts) = (&self.fields.values, self.opts);
        let radios = fields.len();
        let out = &mut scratch.estimates;
        out.clear();
        match (&self.surfaces, &opts.walls) {
            (Some(s), _) => out.extend(
                s.iter()
                    .map(|g| g.value.get(r, c).copied().unwrap_or(f32::NAN)),
            ),
            _ if n.first().is_some_and(|nb| nb.dist2 == 0.0) => {
                // The cell centre is on a scan (rare): each radio the plain way.
                out.extend((0..radios).map(|ri| self.estimate_one(r, c, n, ri)));
            }
            (None, None) => {
                let sums = &mut scratch.sums;
                sums.clear();
                sums.resize(radios, 0.0);
                let mut den = 0.0f64;
                for nb in n {
                    let w = opts.idw.weight(nb.dist2);
                    den += w;
                    let row = &self.by_scan[nb.index as usize * radios..][..radios];
                    for (sum, v) in sums.iter_mut().zip(row) {
                        *sum += w * *v as f64;
                    }
                }
                out.extend(sums.iter().map(|num| (num / den) as f32));
            }
            (None, Some(w)) => {
                let losses = self.wall_losses(r, c, n, w);
                // Weight per neighbour and band, and each band's sum of weights.
                let weights: Vec<[f64; 3]> = n
                    .iter()
                    .zip(&losses)
                    .map(|(nb, l)| {
                        let spread = nb.dist2.powf(-opts.idw.power / 2.0);
                        l.map(|loss| spread * 10f64.powf(-loss / 10.0))
                    })
                    .collect();
                let mut den = [0.0f64; 3];
                for wj in &weights {
                    for (d, w) in den.iter_mut().zip(wj) {
                        *d += w;
                    }
                }
                let floor = opts.not_heard_dbm;
                let sums = &mut scratch.sums;
                sums.clear();
                sums.resize(radios, 0.0);
                for (j, nb) in n.iter().enumerate() {
                    let row = &self.by_scan[nb.index as usize * radios..][..radios];
                    let (wj, lj) = (&weights[j], &losses[j]);
                    for ((sum, v), &b) in sums.iter_mut().zip(row).zip(&self.band_of) {
                        *sum += wj[b] * (*v as f64 - lj[b]).max(floor);
                    }
                }
                out.extend(
                    sums.iter()
                        .zip(&self.band_of)
                        .map(|(num, &b)| (num / den[b]) as f32),
                );
            }
        }
    }

    /// Radio `ri`'s estimate at cell (r, c), alone: the reference the one-pass
    /// [`CellEstimator::estimates`] must equal.
    fn estimate_one(
        &self,
        r: usize,
        c: usize,
        n: &[crate::neighbours::Neighbour],
        ri: usize,
    ) -> f32 {
        let (f, opts) = (&self.fields.values[ri], self.opts);
        match (&self.surfaces, &opts.walls) {
            (Some(s), _) => s[ri].value.get(r, c).copied().unwrap_or(f32::NAN),
            (None, None) => opts.idw.estimate(n, f),
            (None, Some(w)) => walls_aware_estimate(
                &opts.idw,
                n,
                f,
                &self.wall_losses(r, c, n, w),
                self.band_of[ri],
                opts.not_heard_dbm,
            ),
        }
    }

    /// The wall loss from each neighbour to cell (r, c), per band of `Band::ALL`.
    fn wall_losses(
        &self,
        r: usize,
        c: usize,
        n: &[crate::neighbours::Neighbour],
        w: &WallAware,
    ) -> Vec<[f64; 3]> {
        let cell = self.geometry.centre(r, c);
        n.iter()
            .map(|nb| {
                let p = self.fields.points[nb.index as usize];
                let from = wisp_model::Point::new(p.x, p.y);
                wisp_radio::path_loss::wall_losses(from, cell, &w.walls, &w.materials)
            })
            .collect()
    }
}

/// The standard deviation (dB) of the primary signal per cell: that of the serving radio's
/// surface. NaN where there is no serving radio or its method gives no deviation.
pub fn serving_std_dev(layers: &SignalLayers, surfaces: &[crate::Surface]) -> Grid<f32> {
    let g = *layers.serving.geometry();
    Grid::from_fn(g, |r, c| {
        let s = layers.serving.values()[(r, c)];
        surfaces
            .get(s as usize)
            .and_then(|surface| surface.std_dev.as_ref())
            .map_or(f32::NAN, |sd| sd.values()[(r, c)])
    })
}

/// IDW with each neighbour's value lowered by the wall loss to the cell and its weight scaled by
/// `10^(−loss/10)` ([`WallAware`]).
fn walls_aware_estimate(
    idw: &Idw,
    n: &[crate::neighbours::Neighbour],
    values: &[f32],
    losses: &[[f64; 3]],
    band: usize,
    floor: f64,
) -> f32 {
    let value = |j: usize| (values[n[j].index as usize] as f64 - losses[j][band]).max(floor);
    if n.first().is_some_and(|nb| nb.dist2 == 0.0) {
        let exact: Vec<f64> = (0..n.len())
            .take_while(|&j| n[j].dist2 == 0.0)
            .map(value)
            .collect();
        return (exact.iter().sum::<f64>() / exact.len() as f64) as f32;
    }
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for j in 0..n.len() {
        let w = n[j].dist2.powf(-idw.power / 2.0) * 10f64.powf(-losses[j][band] / 10.0);
        num += w * value(j);
        den += w;
    }
    (num / den) as f32
}

/// What the per-cell derivation of the layers needs about the radios, looked up once: which
/// cover (ours), each radio's access point as a number, and its band and channel as one.
struct Derivation<'a> {
    radios: &'a [RadioInfo],
    covers: &'a [bool],
    ap_of: Vec<u32>,
    channel_of: Vec<(Band, u16)>,
    count_dbm: f64,
    cochannel_dbm: f64,
}

impl<'a> Derivation<'a> {
    /// Coverage counts the radios with `covers[ri]`; co-channel counts every radio on the
    /// serving radio's band and channel.
    fn new(radios: &'a [RadioInfo], covers: &'a [bool], opts: &LayerOptions) -> Self {
        let mut aps: Vec<&str> = radios.iter().map(|r| r.key.ap.as_str()).collect();
        aps.sort_unstable();
        aps.dedup();
        Derivation {
            radios,
            covers,
            ap_of: radios
                .iter()
                .map(|r| aps.binary_search(&r.key.ap.as_str()).unwrap_or(0) as u32)
                .collect(),
            channel_of: radios.iter().map(|r| (r.key.band, r.key.channel)).collect(),
            count_dbm: opts.count_dbm,
            cochannel_dbm: opts.cochannel_dbm,
        }
    }

    /// The covering radio with an estimate (not NaN) that comes first when radios are ranked
    /// strongest first, ties to the lower index, among those `eligible`: what sorting every
    /// radio at the cell and taking the first would give, in one pass.
    fn first(&self, est: &[f32], eligible: impl Fn(usize) -> bool) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (ri, v) in est.iter().enumerate() {
            if self.covers[ri]
                && !v.is_nan()
                && eligible(ri)
                && best.is_none_or(|b| v.total_cmp(&est[b]).is_gt())
            {
                best = Some(ri);
            }
        }
        best
    }
}

/// Per-band output buffers of [`SignalLayers::build`].
struct Band_ {
    r0: usize,
    scratch: Scratch,
    primary: Vec<f32>,
    secondary: Vec<f32>,
    tertiary: Vec<f32>,
    snr: Vec<f32>,
    count: Vec<u16>,
    cochannel: Vec<u16>,
    serving: Vec<u32>,
}

impl Band_ {
    fn new(r0: usize, n: usize) -> Self {
        Band_ {
            r0,
            scratch: Scratch::default(),
            primary: vec![f32::NAN; n],
            secondary: vec![f32::NAN; n],
            tertiary: vec![f32::NAN; n],
            snr: vec![f32::NAN; n],
            count: vec![0; n],
            cochannel: vec![0; n],
            serving: vec![NO_RADIO; n],
        }
    }

    /// Derives cell `at`'s layers from every radio's estimate there (`est`, by radio index:
    /// dBm, NaN where a radio has none).
    fn derive(&mut self, at: usize, est: &[f32], d: &Derivation<'_>) {
        let Some(bi) = d.first(est, |_| true) else {
            return;
        };
        let serving = &d.radios[bi];
        self.primary[at] = est[bi];
        self.serving[at] = bi as u32;
        self.snr[at] = est[bi] - serving.noise_dbm as f32;
        // Secondary and tertiary: strongest radios of two further, distinct APs.
        let ap1 = d.ap_of[bi];
        if let Some(second) = d.first(est, |ri| d.ap_of[ri] != ap1) {
            self.secondary[at] = est[second];
            let ap2 = d.ap_of[second];
            if let Some(third) = d.first(est, |ri| d.ap_of[ri] != ap1 && d.ap_of[ri] != ap2) {
                self.tertiary[at] = est[third];
            }
        }
        self.count[at] = est
            .iter()
            .zip(d.covers)
            .filter(|&(&v, &covers)| covers && v as f64 >= d.count_dbm)
            .count() as u16;
        self.cochannel[at] = est
            .iter()
            .zip(d.channel_of.iter())
            .enumerate()
            .filter(|&(ri, (&v, &channel))| {
                ri != bi && v as f64 >= d.cochannel_dbm && channel == d.channel_of[bi]
            })
            .count() as u16;
    }

    /// The layers from the bands of rows, in order.
    fn assemble(
        bands: Vec<Band_>,
        radios: Vec<RadioInfo>,
        geometry: &GridGeometry,
        distance_m: Grid<f32>,
        opts: &LayerOptions,
    ) -> SignalLayers {
        let gather = |f: &dyn Fn(&Band_) -> &[f32]| -> Grid<f32> {
            Grid::from_vec(
                *geometry,
                bands.iter().flat_map(|b| f(b).iter().copied()).collect(),
            )
        };
        let primary = gather(&|b| &b.primary);
        let secondary = gather(&|b| &b.secondary);
        let tertiary = gather(&|b| &b.tertiary);
        let snr = gather(&|b| &b.snr);
        let radio_count = Grid::from_vec(
            *geometry,
            bands.iter().flat_map(|b| b.count.iter().copied()).collect(),
        );
        let cochannel = Grid::from_vec(
            *geometry,
            bands
                .iter()
                .flat_map(|b| b.cochannel.iter().copied())
                .collect(),
        );
        let serving = Grid::from_vec(
            *geometry,
            bands
                .iter()
                .flat_map(|b| b.serving.iter().copied())
                .collect(),
        );
        let range = opts.survey_range_m as f32;
        let surveyed = distance_m.map(|d| *d <= range);
        SignalLayers {
            radios,
            primary,
            secondary,
            tertiary,
            snr,
            radio_count,
            cochannel,
            serving,
            distance_m,
            surveyed,
            primary_std_dev: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ScatteredPoint;
    use wisp_model::{Channel, Observation};

    fn obs(bssid: &str, freq: u32, rssi: f64) -> Observation {
        Observation::new(
            bssid.parse().unwrap(),
            Some("NHS".into()),
            Channel::from_freq(freq).unwrap(),
            rssi,
            None,
        )
        .unwrap()
    }

    fn sample(x: f64, y: f64, o: Vec<Observation>) -> Sample {
        Sample {
            x_m: x,
            y_m: y,
            t: None,
            source: "test".into(),
            observations: o,
            stale: Vec::new(),
        }
    }

    #[test]
    fn secondary_comes_from_another_access_point() {
        // AP 1 has a 2.4 and a 5 GHz radio, both strong; AP 2 is weaker. Secondary must be AP 2.
        let s = vec![
            sample(
                0.0,
                0.0,
                vec![
                    obs("02:00:00:00:01:01", 5180, -50.0),
                    obs("02:00:00:00:01:11", 2412, -55.0),
                    obs("02:00:00:00:02:01", 5200, -70.0),
                ],
            ),
            sample(
                4.0,
                0.0,
                vec![
                    obs("02:00:00:00:01:01", 5180, -52.0),
                    obs("02:00:00:00:01:11", 2412, -56.0),
                    obs("02:00:00:00:02:01", 5200, -72.0),
                ],
            ),
        ];
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 4, 1).unwrap();
        let l = SignalLayers::build(&s, &g, &|_, _| true, &LayerOptions::default()).unwrap();
        for c in 0..4 {
            let p = *l.primary.get(0, c).unwrap();
            let sec = *l.secondary.get(0, c).unwrap();
            assert!((-52.0..=-50.0).contains(&p), "{p}");
            assert!(
                (-72.0..=-70.0).contains(&sec),
                "secondary {sec} must be AP 2's"
            );
            assert!(l.tertiary.get(0, c).unwrap().is_nan());
            assert_eq!(*l.radio_count.get(0, c).unwrap(), 3);
        }
        assert_eq!(l.radios.len(), 3);
        assert!(!l.ranks_approximate());
    }

    #[test]
    fn unidentified_radios_make_ranks_approximate() {
        // One identified AP and an unidentified radio (SSID + band + channel): layers are built
        // with both, and the secondary is flagged approximate.
        let unid = |rssi| {
            Observation::unidentified(
                Some("NHS".into()),
                Channel::from_freq(5500).unwrap(),
                rssi,
                None,
            )
            .unwrap()
        };
        let s = vec![
            sample(
                0.0,
                0.0,
                vec![obs("02:00:00:00:01:01", 5180, -50.0), unid(-60.0)],
            ),
            sample(
                4.0,
                0.0,
                vec![obs("02:00:00:00:01:01", 5180, -52.0), unid(-62.0)],
            ),
        ];
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 4, 1).unwrap();
        let l = SignalLayers::build(&s, &g, &|_, _| true, &LayerOptions::default()).unwrap();
        assert!(l.ranks_approximate());
        let flags: Vec<bool> = l.radios.iter().map(|r| r.unidentified).collect();
        assert_eq!(flags.iter().filter(|&&u| u).count(), 1);
        for c in 0..4 {
            let sec = *l.secondary.get(0, c).unwrap();
            assert!((-62.0..=-60.0).contains(&sec), "{sec}");
        }
    }

    #[test]
    fn ap_grouping_decides_what_counts_as_another_access_point() {
        use std::collections::BTreeMap;
        use wisp_model::{ApGrouping, ApRule};
        // Two APs whose BSSIDs share five octets: A (…:01:01 on 36, …:01:11 on 1) and B (…:01:21
        // on 36). The same readings at both scans, so every cell holds them exactly.
        let heard = || {
            vec![
                obs("02:00:00:00:01:01", 5180, -50.0),
                obs("02:00:00:00:01:11", 2412, -60.0),
                obs("02:00:00:00:01:21", 5180, -65.0),
            ]
        };
        let s = vec![sample(0.0, 0.0, heard()), sample(4.0, 0.0, heard())];
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 4, 1).unwrap();
        let b = |s: &str| s.parse::<wisp_model::Bssid>().unwrap();
        let explicit = ApGrouping {
            rule: ApRule::FirstFiveOctets,
            assigned: BTreeMap::from([
                (b("02:00:00:00:01:01"), "AP-A".to_string()),
                (b("02:00:00:00:01:11"), "AP-A".to_string()),
                (b("02:00:00:00:01:21"), "AP-B".to_string()),
            ]),
        };
        let exact = ApGrouping {
            rule: ApRule::Bssid,
            ..Default::default()
        };
        // (grouping, radios, radio count, secondary, tertiary, co-channel, serving AP), by hand:
        // - default: one AP; A and B on 36 are one radio (−50), the 2.4 GHz one the other; no
        //   second AP, so no secondary; nothing else on 36.
        // - bssid: three APs, three radios: secondary A's 2.4 GHz −60, tertiary B −65, and B is
        //   co-channel with the serving radio.
        // - explicit: A's two radios and B's: secondary B −65 (A's 2.4 GHz is the same AP).
        let nan = f32::NAN;
        let cases = [
            (ApGrouping::default(), 2, 2, nan, nan, 0, "02:00:00:00:01"),
            (exact, 3, 3, -60.0, -65.0, 1, "02:00:00:00:01:01"),
            (explicit, 3, 3, -65.0, nan, 1, "AP-A"),
        ];
        for (grouping, radios, count, sec, ter, cochannel, serving) in cases {
            let opts = LayerOptions {
                grouping,
                ..Default::default()
            };
            let l = SignalLayers::build(&s, &g, &|_, _| true, &opts).unwrap();
            assert_eq!(l.radios.len(), radios, "{serving}");
            let same = |a: f32, b: f32| (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-4;
            for c in 0..4 {
                assert!(same(*l.primary.get(0, c).unwrap(), -50.0), "{serving}");
                assert!(same(*l.secondary.get(0, c).unwrap(), sec), "{serving}");
                assert!(same(*l.tertiary.get(0, c).unwrap(), ter), "{serving}");
                assert_eq!(*l.radio_count.get(0, c).unwrap(), count, "{serving}");
                assert_eq!(*l.cochannel.get(0, c).unwrap(), cochannel, "{serving}");
                let r = &l.radios[*l.serving.get(0, c).unwrap() as usize];
                assert_eq!(r.key.ap, serving);
            }
            // Every BSSID stays in the data, whichever AP it counts towards.
            let mut all: Vec<&String> = l.radios.iter().flat_map(|r| &r.bssids).collect();
            all.sort();
            assert_eq!(all.len(), 3, "{serving}");
        }
    }

    #[test]
    fn neighbours_count_as_interference_and_never_as_coverage() {
        use wisp_model::{ApId, NetworkSource, OurNetwork};
        // Ours: AP 1 (SSID NHS, −70 on 36) and AP 3 (listed by the manifest, hidden SSID, −78 on
        // 40). Neighbours: a shop (−50 on 36, the serving channel) and a guest network (−60 on
        // 44). The same readings at both scans, so every cell holds them exactly.
        let with_ssid = |bssid: &str, ssid: Option<&str>, freq: u32, rssi: f64| {
            Observation::new(
                bssid.parse().unwrap(),
                ssid.map(str::to_string),
                Channel::from_freq(freq).unwrap(),
                rssi,
                None,
            )
            .unwrap()
        };
        let heard = || {
            vec![
                with_ssid("02:00:00:00:01:01", Some("NHS"), 5180, -70.0),
                with_ssid("02:00:00:00:03:01", None, 5200, -78.0),
                with_ssid("0a:00:00:00:09:01", Some("Shop"), 5180, -50.0),
                with_ssid("0a:00:00:00:08:01", Some("Guest"), 5220, -60.0),
            ]
        };
        let s = vec![sample(0.0, 0.0, heard()), sample(4.0, 0.0, heard())];
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 4, 1).unwrap();
        let network = OurNetwork::new(
            NetworkSource::Manifest,
            ["NHS".to_string()],
            [ApId("02:00:00:00:03".into())],
        );
        let opts = LayerOptions {
            network,
            count_dbm: -80.0,
            ..Default::default()
        };
        let l = SignalLayers::build(&s, &g, &|_, _| true, &opts).unwrap();
        let ours: Vec<(&str, bool)> = l
            .radios
            .iter()
            .map(|r| (r.key.ap.as_str(), r.is_ours))
            .collect();
        assert_eq!(
            ours,
            vec![
                ("02:00:00:00:01", true),
                ("02:00:00:00:03", true),
                ("0a:00:00:00:08", false),
                ("0a:00:00:00:09", false)
            ]
        );
        for c in 0..4 {
            // Primary is our −70, not the shop's −50; secondary our −78, not the guest's −60.
            assert!((l.primary.get(0, c).unwrap() + 70.0).abs() < 1e-4);
            assert!((l.secondary.get(0, c).unwrap() + 78.0).abs() < 1e-4);
            assert!(l.tertiary.get(0, c).unwrap().is_nan());
            assert_eq!(
                l.radios[*l.serving.get(0, c).unwrap() as usize].key.ap,
                "02:00:00:00:01"
            );
            // Default noise at 5 GHz is −97 dBm: SNR 27 dB from our radio.
            assert!((l.snr.get(0, c).unwrap() - 27.0).abs() < 1e-4);
            // Our two radios at or above −80; the shop on channel 36 is co-channel interference.
            assert_eq!(*l.radio_count.get(0, c).unwrap(), 2);
            assert_eq!(*l.cochannel.get(0, c).unwrap(), 1);
        }
        // Every radio ours (no network named): the shop serves, and nothing shares its channel
        // but our AP 1, which is then the one co-channel radio.
        let all = SignalLayers::build(&s, &g, &|_, _| true, &LayerOptions::default()).unwrap();
        assert!((all.primary.get(0, 0).unwrap() + 50.0).abs() < 1e-4);
        assert_eq!(*all.cochannel.get(0, 0).unwrap(), 1);
        // A network none of whose radios was heard leaves no coverage at all.
        let none = LayerOptions {
            network: OurNetwork::new(NetworkSource::Manifest, ["Elsewhere".to_string()], []),
            ..Default::default()
        };
        let l = SignalLayers::build(&s, &g, &|_, _| true, &none).unwrap();
        assert!(l.primary.get(0, 0).unwrap().is_nan());
        assert_eq!(*l.serving.get(0, 0).unwrap(), NO_RADIO);
    }

    #[test]
    fn not_heard_pulls_a_radio_down_where_it_was_missed() {
        // Radio B is heard at x=0 only; at x=10 a scan hears A but not B.
        let s = vec![
            sample(
                0.0,
                0.0,
                vec![
                    obs("02:00:00:00:01:01", 5180, -60.0),
                    obs("02:00:00:00:02:01", 5200, -50.0),
                ],
            ),
            sample(10.0, 0.0, vec![obs("02:00:00:00:01:01", 5180, -62.0)]),
        ];
        let g = GridGeometry::new(0.0, -0.5, 1.0, 1.0, 11, 1).unwrap();
        let l = SignalLayers::build(&s, &g, &|_, _| true, &LayerOptions::default()).unwrap();
        // Near x=10 the primary is A's ≈ −62, not B's −50 spread from x=0.
        let far = *l.primary.get(0, 10).unwrap();
        assert!((-62.5..=-61.5).contains(&far), "{far}");
        assert_eq!(
            l.radios[*l.serving.get(0, 10).unwrap() as usize].key.ap,
            "02:00:00:00:01"
        );
        // And B's share falls towards −95 with distance from where it was heard.
        let near = *l.primary.get(0, 0).unwrap();
        assert!((-51.0..=-50.0).contains(&near), "{near}");
    }

    #[test]
    fn radio_fields_mark_what_was_heard_and_skip_silent_scans() {
        let s = vec![
            sample(
                0.0,
                0.0,
                vec![
                    obs("02:00:00:00:02:01", 5200, -70.0),
                    obs("02:00:00:00:01:01", 5180, -60.0),
                    obs("02:00:00:00:01:02", 5180, -55.0),
                ],
            ),
            sample(1.0, 0.0, vec![]),
            sample(2.0, 0.0, vec![obs("02:00:00:00:02:01", 5200, -80.0)]),
        ];
        let f = radio_fields(&s, &LayerOptions::default()).unwrap();
        assert_eq!(
            f.used,
            vec![0, 2],
            "the scan that heard nothing is left out"
        );
        assert_eq!(
            f.points,
            vec![
                ScatteredPoint { x: 0.0, y: 0.0 },
                ScatteredPoint { x: 2.0, y: 0.0 }
            ]
        );
        // Radios by key: AP …:01 (two BSSIDs, strongest −55) then AP …:02.
        assert_eq!(f.radios[0].key.ap, "02:00:00:00:01");
        assert_eq!(f.values, vec![vec![-55.0, -95.0], vec![-70.0, -80.0]]);
        assert_eq!(f.heard, vec![vec![true, false], vec![true, true]]);
        let only_2 = LayerOptions {
            bssids: vec!["02:00:00:00:02:01".into()],
            ..Default::default()
        };
        assert_eq!(radio_fields(&s, &only_2).unwrap().radios.len(), 1);
        assert_eq!(
            radio_fields(&s[1..2], &LayerOptions::default()).err(),
            Some(InterpErrorKind::NoSamples.into())
        );
    }

    #[test]
    fn every_method_builds_the_same_layers_at_the_samples() {
        // Samples at cell centres: every method is exact there, so the primary layer must equal
        // the strongest reading at those cells whatever the method.
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 12, 6).unwrap();
        let at = |r: usize, c: usize| g.centre(r, c);
        let s: Vec<Sample> = [
            (1, 1, -50.0, -70.0),
            (4, 9, -80.0, -60.0),
            (2, 6, -65.0, -66.0),
            (5, 2, -72.0, -90.0),
        ]
        .iter()
        .map(|&(r, c, a, b)| {
            let p = at(r, c);
            sample(
                p.x,
                p.y,
                vec![
                    obs("02:00:00:00:01:01", 5180, a),
                    obs("02:00:00:00:02:01", 5200, b),
                ],
            )
        })
        .collect();
        for method in Method::POINT {
            let opts = LayerOptions {
                method,
                ..Default::default()
            };
            let l = SignalLayers::build(&s, &g, &|_, _| true, &opts).unwrap();
            // The smoothed spline misses samples on purpose: its cross-validated λ (0.01 to 100)
            // against kernel values of a few units over these 2–5 m spacings moves each by a
            // fraction of a dB (its exactness at λ = 0 is tested in spline.rs).
            let tolerance = if method == Method::Spline { 0.5 } else { 1e-3 };
            for &(r, c, want) in &[(1, 1, -50.0), (4, 9, -60.0), (2, 6, -65.0), (5, 2, -72.0)] {
                let got = *l.primary.get(r, c).unwrap();
                assert!(
                    (got - want).abs() < tolerance,
                    "{method} at ({r},{c}): {got} vs {want}"
                );
            }
        }
        let untrended = LayerOptions {
            method: Method::Model,
            ..Default::default()
        };
        assert!(SignalLayers::build(&s, &g, &|_, _| true, &untrended).is_err());
    }

    #[test]
    fn walls_lower_what_lies_behind_them() {
        use wisp_model::{Material, Point, Segment, Wall};
        // Radio heard at −50 dBm at x = 0 and x = 2; a lead wall (30 dB) at x = 4.
        let s = vec![
            sample(0.0, 0.0, vec![obs("02:00:00:00:01:01", 5180, -50.0)]),
            sample(2.0, 0.0, vec![obs("02:00:00:00:01:01", 5180, -50.0)]),
        ];
        let g = GridGeometry::new(0.0, -0.5, 1.0, 1.0, 8, 1).unwrap();
        let materials = Material::defaults();
        let lead = materials.iter().position(|m| m.name == "lead").unwrap();
        let wall = Wall {
            segment: Segment::new(Point::new(4.0, -5.0), Point::new(4.0, 5.0)),
            material: lead,
        };
        let opts = LayerOptions {
            walls: Some(WallAware {
                walls: vec![wall],
                materials,
            }),
            ..Default::default()
        };
        let l = SignalLayers::build(&s, &g, &|_, _| true, &opts).unwrap();
        // In front of the wall nothing changes; behind it every sample is 30 dB down.
        assert_eq!(*l.primary.get(0, 3).unwrap(), -50.0);
        assert_eq!(*l.primary.get(0, 5).unwrap(), -80.0);
        let plain = SignalLayers::build(&s, &g, &|_, _| true, &LayerOptions::default()).unwrap();
        assert_eq!(*plain.primary.get(0, 5).unwrap(), -50.0);
    }

    #[test]
    fn surveyed_follows_distance_and_outside_is_nan() {
        let s = vec![sample(
            0.0,
            0.0,
            vec![obs("02:00:00:00:01:01", 5180, -60.0)],
        )];
        let g = GridGeometry::new(0.0, -0.5, 1.0, 1.0, 10, 1).unwrap();
        let l = SignalLayers::build(&s, &g, &|_, c| c < 9, &LayerOptions::default()).unwrap();
        // Centres at 0.5..8.5; distance ≤ 5 m up to column 4 (centre 4.5, distance √(4.5²+0)=4.5).
        assert!(*l.surveyed.get(0, 4).unwrap());
        assert!(!*l.surveyed.get(0, 5).unwrap());
        assert!(l.primary.get(0, 9).unwrap().is_nan());
        assert!(!*l.surveyed.get(0, 9).unwrap());
    }

    /// A random survey of four APs (two on one channel) with walls: the map's layers equal the
    /// fused build's for every method, and coverage restricted to some radios is the fused
    /// build's layers derived by hand from the map's grids.
    #[test]
    fn map_layers_equal_the_fused_build_and_coverage_can_be_restricted() {
        use rand::{Rng, SeedableRng};
        use wisp_model::{Material, Point, Segment, Wall};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let aps = [
            ("02:00:00:00:01:01", 5180),
            ("02:00:00:00:02:01", 5180),
            ("02:00:00:00:03:01", 5200),
            ("02:00:00:00:04:01", 2412),
        ];
        let s: Vec<Sample> = (0..60)
            .map(|_| {
                let (x, y) = (rng.random_range(0.0..20.0), rng.random_range(0.0..10.0));
                let mut o = vec![];
                for &(b, f) in &aps {
                    if rng.random::<f64>() < 0.8 {
                        o.push(obs(b, f, rng.random_range(-90.0..-40.0)));
                    }
                }
                sample(x, y, o)
            })
            .collect();
        let g = GridGeometry::new(0.0, 0.0, 0.5, 0.5, 40, 20).unwrap();
        let inside = |r: usize, c: usize| r + c > 2;
        let materials = Material::defaults();
        let walls = Some(WallAware {
            walls: vec![Wall {
                segment: Segment::new(Point::new(8.0, 0.0), Point::new(8.0, 7.0)),
                material: 1,
            }],
            materials,
        });
        for (method, walls) in [
            (Method::Idw, None),
            (Method::Idw, walls),
            (Method::Kriging, None),
        ] {
            let opts = LayerOptions {
                method,
                walls,
                ..Default::default()
            };
            let fused = SignalLayers::build(&s, &g, &inside, &opts).unwrap();
            let map = RadioMap::build(&s, &g, &inside, &opts, None).unwrap();
            let all = SignalLayers::from_map(&map, &vec![true; map.radios.len()], &opts);
            let same = |a: &Grid<f32>, b: &Grid<f32>| {
                a.values()
                    .iter()
                    .zip(b.values())
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
            };
            assert!(same(&fused.primary, &all.primary), "{method}");
            assert!(same(&fused.secondary, &all.secondary), "{method}");
            assert!(same(&fused.tertiary, &all.tertiary), "{method}");
            assert!(same(&fused.snr, &all.snr), "{method}");
            assert_eq!(fused.cochannel, all.cochannel, "{method}");
            assert_eq!(fused.serving, all.serving, "{method}");
            assert_eq!(fused.radio_count, all.radio_count, "{method}");
            assert_eq!(fused.surveyed, all.surveyed, "{method}");
            // Radio 1 (AP 2, same channel as AP 1) is a neighbour: it never serves, but it still
            // counts as co-channel where AP 1 serves.
            let covers = [true, false, true, true];
            let ours = SignalLayers::from_map(&map, &covers, &opts);
            for ((r, c), d) in map.distance_m.indexed_iter() {
                if d.is_nan() {
                    continue;
                }
                let v = |ri: usize| *map.grids[ri].get(r, c).unwrap();
                let best = (0..4)
                    .filter(|&ri| covers[ri])
                    .max_by(|&a, &b| v(a).total_cmp(&v(b)).then(b.cmp(&a)))
                    .unwrap();
                assert_eq!(*ours.primary.get(r, c).unwrap(), v(best));
                assert_eq!(*ours.serving.get(r, c).unwrap(), best as u32);
                let co = (0..4)
                    .filter(|&ri| {
                        ri != best
                            && map.radios[ri].key.band == map.radios[best].key.band
                            && map.radios[ri].key.channel == map.radios[best].key.channel
                            && v(ri) as f64 >= opts.cochannel_dbm
                    })
                    .count() as u16;
                assert_eq!(*ours.cochannel.get(r, c).unwrap(), co);
            }
        }
    }

    /// A random floor: `scans` scans over 30 m × 20 m hearing some of 12 APs' radios on 2.4
    /// and 5 GHz (two SSIDs each, so radios fold BSSIDs), random walls.
    fn random_floor(seed: u64, scans: usize) -> (Vec<Sample>, WallAware) {
        use rand::{Rng, SeedableRng};
        use wisp_model::{Material, Point, Segment, Wall};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let samples = (0..scans)
            .map(|_| {
                let o = (0..12u8)
                    .flat_map(|ap| [(ap, 2437, 0u8), (ap, 5180 + 20 * (ap as u32 % 4), 1)])
                    .flat_map(|(ap, f, radio)| (0..2).map(move |ssid| (ap, f, radio * 16 + ssid)))
                    .filter_map(|(ap, f, last)| {
                        // Whole dBm with ties, as scanners report.
                        let heard = rng.random::<f64>() < 0.6;
                        let rssi = -40.0 - (rng.random::<f64>() * 50.0).round();
                        heard.then(|| obs(&format!("02:00:00:00:{ap:02x}:{last:02x}"), f, rssi))
                    })
                    .collect();
                sample(rng.random::<f64>() * 30.0, rng.random::<f64>() * 20.0, o)
            })
            .collect();
        let materials = Material::defaults();
        let walls = (0..15)
            .map(|_| {
                let a = Point::new(rng.random::<f64>() * 30.0, rng.random::<f64>() * 20.0);
                let b = Point::new(
                    a.x + rng.random::<f64>() * 8.0 - 4.0,
                    a.y + rng.random::<f64>() * 8.0 - 4.0,
                );
                Wall {
                    segment: Segment::new(a, b),
                    material: rng.random_range(0..materials.len()),
                }
            })
            .collect();
        (samples, WallAware { walls, materials })
    }

    #[test]
    fn one_pass_estimates_equal_the_per_radio_kernels() {
        for seed in 0..3 {
            let (s, walls) = random_floor(seed, 150);
            // A cell centre on a scan takes the exact path: put one there.
            let g = GridGeometry::new(0.0, 0.0, 0.5, 0.5, 60, 40).unwrap();
            for opts in [
                LayerOptions::default(),
                LayerOptions {
                    walls: Some(walls.clone()),
                    ..Default::default()
                },
            ] {
                let fields = radio_fields(&s, &opts).unwrap();
                let index = NeighbourIndex::new(&fields.points).unwrap();
                let all = |_: usize, _: usize| true;
                let est = CellEstimator::new(&fields, &g, &all, &opts, None).unwrap();
                let checked = index.for_each_cell(
                    &g,
                    est.k(),
                    &all,
                    &|r, c, n, state: &mut (Scratch, usize)| {
                        est.estimates(r, c, n, &mut state.0);
                        assert_eq!(state.0.estimates.len(), fields.radios.len());
                        for (ri, v) in state.0.estimates.iter().enumerate() {
                            let one = est.estimate_one(r, c, n, ri);
                            assert_eq!(v.to_bits(), one.to_bits(), "cell ({r}, {c}) radio {ri}");
                            state.1 += 1;
                        }
                    },
                    &|_, _| (Scratch::default(), 0),
                );
                assert_eq!(
                    checked.iter().map(|s| s.1).sum::<usize>(),
                    g.len() * fields.radios.len()
                );
            }
        }
    }

    /// The layers' derivation as it was written first: sort every radio at the cell, strongest
    /// first (ties to the lower index), then walk the list. The reference for
    /// [`Derivation`]'s single passes.
    fn derive_by_sorting(
        est: &[f32],
        radios: &[RadioInfo],
        covers: &[bool],
        opts: &LayerOptions,
    ) -> (f32, u32, f32, f32, f32, u16, u16) {
        let mut est: Vec<(f32, usize)> = est.iter().copied().zip(0..).collect();
        est.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut ours = est.iter().filter(|e| covers[e.1] && !e.0.is_nan());
        let Some(&(best, bi)) = ours.next() else {
            return (f32::NAN, NO_RADIO, f32::NAN, f32::NAN, f32::NAN, 0, 0);
        };
        let serving = &radios[bi];
        let (mut secondary, mut tertiary) = (f32::NAN, f32::NAN);
        let mut aps: Vec<&str> = vec![serving.key.ap.as_str()];
        for &(v, ri) in ours {
            let ap = radios[ri].key.ap.as_str();
            if aps.contains(&ap) {
                continue;
            }
            aps.push(ap);
            if aps.len() == 2 {
                secondary = v;
            } else {
                tertiary = v;
                break;
            }
        }
        let count = est
            .iter()
            .filter(|e| covers[e.1] && e.0 as f64 >= opts.count_dbm)
            .count() as u16;
        let cochannel = est
            .iter()
            .filter(|&&(v, ri)| {
                ri != bi
                    && v as f64 >= opts.cochannel_dbm
                    && radios[ri].key.band == serving.key.band
                    && radios[ri].key.channel == serving.key.channel
            })
            .count() as u16;
        (
            best,
            bi as u32,
            best - serving.noise_dbm as f32,
            secondary,
            tertiary,
            count,
            cochannel,
        )
    }

    #[test]
    fn one_pass_derivation_equals_sorting() {
        use rand::{Rng, SeedableRng};
        let (s, _) = random_floor(7, 80);
        let opts = LayerOptions::default();
        let radios = radio_fields(&s, &opts).unwrap().radios;
        assert!(radios.len() > 20);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for trial in 0..2000 {
            let covers: Vec<bool> = radios.iter().map(|_| rng.random::<f64>() < 0.7).collect();
            // Few distinct levels, so ties are common; NaN (no estimate), both zeros.
            let est: Vec<f32> = radios
                .iter()
                .map(|_| match rng.random_range(0..20) {
                    0 => f32::NAN,
                    1 => 0.0,
                    2 => -0.0,
                    _ => -90.0 + rng.random_range(0..12) as f32 * 5.0,
                })
                .collect();
            let derivation = Derivation::new(&radios, &covers, &opts);
            let mut band = Band_::new(0, 1);
            band.derive(0, &est, &derivation);
            let got = (
                band.primary[0],
                band.serving[0],
                band.snr[0],
                band.secondary[0],
                band.tertiary[0],
                band.count[0],
                band.cochannel[0],
            );
            let want = derive_by_sorting(&est, &radios, &covers, &opts);
            let bits = |t: (f32, u32, f32, f32, f32, u16, u16)| {
                (
                    t.0.to_bits(),
                    t.1,
                    t.2.to_bits(),
                    t.3.to_bits(),
                    t.4.to_bits(),
                    t.5,
                    t.6,
                )
            };
            assert_eq!(bits(got), bits(want), "trial {trial}");
        }
    }
}
