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

use crate::idw::Idw;
use crate::neighbours::{distance_to_nearest, NeighbourIndex};
use crate::{InterpError, ScatteredPoint};
use std::collections::BTreeMap;
use wisp_model::{ApGrouping, Band, Grid, GridGeometry, Sample};

/// One physical radio, as far as the BSSIDs tell: the access point (by
/// [`LayerOptions::grouping`]; by default the first five octets of the BSSID), band and channel.
/// The SSIDs it broadcasts are folded in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RadioKey {
    pub ap: String,
    pub band: Band,
    pub channel: u16,
}

/// What the survey says about one radio.
#[derive(Debug, Clone, PartialEq)]
pub struct RadioInfo {
    pub key: RadioKey,
    pub bssids: Vec<String>,
    pub ssids: Vec<String>,
    /// Median noise the capture reported with this radio, else the band's default.
    pub noise_dbm: f64,
    /// Strongest reading anywhere, and where.
    pub strongest_dbm: f64,
    pub strongest_at: (f64, f64),
}

/// Options for building layers.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerOptions {
    pub idw: Idw,
    /// Value a radio takes at a scan that heard others but not it. −95 dBm: a few dB below the
    /// −90 to −92 dBm receive sensitivity of typical clients at their lowest rates, so it reads
    /// as "below usable" without claiming a precise level (*estimate*, shared/reference.md §1).
    pub not_heard_dbm: f64,
    /// Cells farther than this from every sample are "not surveyed" (metres). 5 m: about the
    /// decorrelation distance of shadow fading indoors (3GPP TR 38.901: 6–10 m), less a margin;
    /// TamoGraph limits extrapolation the same way with its "guess range".
    pub survey_range_m: f64,
    /// Level at which a radio counts towards the radio-count layer (dBm). −75 dBm: the secondary
    /// threshold of the voice profiles (shared/reference.md §1).
    pub count_dbm: f64,
    /// Level at which another radio on the serving channel counts as co-channel interference
    /// (dBm); −85 dBm as in the healthcare voice profile.
    pub cochannel_dbm: f64,
    /// Only radios whose SSID list includes one of these (empty: all).
    pub ssids: Vec<String>,
    /// Only radios in these bands (empty: all).
    pub bands: Vec<Band>,
    /// Only these BSSIDs (lowercase colon form; empty: all).
    pub bssids: Vec<String>,
    /// Interpolation method by name (`idw`, `natural`, `kriging`, `nearest`; see
    /// [`crate::method::method_by_name`]). IDW (the default) runs fused with the layer derivation
    /// and honours `walls`; the others interpolate each radio's whole grid first and ignore walls.
    pub method: String,
    /// Walls-aware interpolation: a sample seen through walls from a cell counts for less there,
    /// and its value is lowered by the walls' loss (see [`WallAware`]). `None`: plain IDW.
    pub walls: Option<WallAware>,
    /// Which BSSIDs are one access point (the site's `ap_grouping` and APs' `bssids`).
    pub grouping: ApGrouping,
}

/// The floor's walls, for walls-aware interpolation.
///
/// Between a cell and each of its neighbouring samples, the loss `L` of the walls the straight
/// line crosses (per band, from the materials table) is applied twice: the sample's value becomes
/// `v − L` (what would reach the cell through those walls, floored at `not_heard_dbm`), and its
/// weight is multiplied by `10^(−L/10)`, so samples on the cell's own side of a wall dominate.
/// With no wall between, this is plain IDW. A lead-lined X-ray room surveyed only from the
/// corridor is then painted at the corridor's level less ~30 dB, not at the corridor's level.
#[derive(Debug, Clone, PartialEq)]
pub struct WallAware {
    pub walls: Vec<wisp_model::Wall>,
    pub materials: Vec<wisp_model::Material>,
}

impl Default for LayerOptions {
    fn default() -> Self {
        LayerOptions {
            idw: Idw::default(),
            not_heard_dbm: -95.0,
            survey_range_m: 5.0,
            count_dbm: -75.0,
            cochannel_dbm: -85.0,
            ssids: Vec::new(),
            bands: Vec::new(),
            bssids: Vec::new(),
            walls: None,
            method: "idw".to_string(),
            grouping: ApGrouping::default(),
        }
    }
}

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
}

/// Every radio's signal at every scan, as the layers and cross-validation interpolate it.
///
/// Only scans that heard at least one kept radio are used (a scan that heard nothing is a failed
/// scan); at a used scan that did not hear radio R, R's value is [`LayerOptions::not_heard_dbm`]
/// (see the module notes). Scans keep their order in the survey, which is the walk's order.
#[derive(Debug, Clone, PartialEq)]
pub struct RadioFields {
    /// Index into the input samples of each used scan.
    pub used: Vec<usize>,
    /// Position of each used scan.
    pub points: Vec<ScatteredPoint>,
    /// The radios, sorted by key.
    pub radios: Vec<RadioInfo>,
    /// `values[r][s]`: radio r at used scan s, dBm: the strongest of its BSSIDs, or not heard
    /// (readings below the not-heard level are floored at it).
    pub values: Vec<Vec<f32>>,
    /// `heard[r][s]`: whether scan s actually measured radio r (false where `values` holds the
    /// not-heard stand-in).
    pub heard: Vec<Vec<bool>>,
}

/// Builds the per-radio fields of `samples` under the filters and not-heard level of `opts`.
/// Fails with [`InterpError::NoSamples`] if no scan heard any kept radio.
pub fn radio_fields(samples: &[Sample], opts: &LayerOptions) -> Result<RadioFields, InterpError> {
    let keep = |o: &wisp_model::Observation| {
        (opts.bands.is_empty() || opts.bands.contains(&o.band))
            && (opts.bssids.is_empty() || opts.bssids.contains(&o.bssid.to_string()))
            && (opts.ssids.is_empty() || o.ssid.as_ref().is_some_and(|s| opts.ssids.contains(s)))
    };
    let used: Vec<usize> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.observations.iter().any(keep))
        .map(|(i, _)| i)
        .collect();
    // Radios in a stable order (by key), so indices and outputs are deterministic.
    let mut by_key: BTreeMap<RadioKey, (RadioInfo, Vec<f64>)> = BTreeMap::new();
    for s in used.iter().map(|&i| &samples[i]) {
        for o in s.observations.iter().filter(|o| keep(o)) {
            let key = RadioKey {
                ap: opts.grouping.ap_of(&o.bssid).0,
                band: o.band,
                channel: o.channel,
            };
            let (info, noise) = by_key.entry(key.clone()).or_insert_with(|| {
                let info = RadioInfo {
                    key,
                    bssids: vec![],
                    ssids: vec![],
                    noise_dbm: f64::NAN,
                    strongest_dbm: f64::NEG_INFINITY,
                    strongest_at: (0.0, 0.0),
                };
                (info, vec![])
            });
            let b = o.bssid.to_string();
            if !info.bssids.contains(&b) {
                info.bssids.push(b);
            }
            if let Some(ssid) = o.ssid.as_ref().filter(|s| !info.ssids.contains(s)) {
                info.ssids.push(ssid.clone());
            }
            noise.extend(o.noise_dbm);
            if o.rssi_dbm > info.strongest_dbm {
                info.strongest_dbm = o.rssi_dbm;
                info.strongest_at = (s.x_m, s.y_m);
            }
        }
    }
    if used.is_empty() || by_key.is_empty() {
        return Err(InterpError::NoSamples);
    }
    let keys: Vec<RadioKey> = by_key.keys().cloned().collect();
    let radios: Vec<RadioInfo> = by_key
        .into_values()
        .map(|(mut info, mut noise)| {
            info.bssids.sort();
            info.ssids.sort();
            info.noise_dbm = if noise.is_empty() {
                info.key.band.default_noise().0
            } else {
                noise.sort_by(f64::total_cmp);
                noise[noise.len() / 2]
            };
            info
        })
        .collect();
    let mut values = vec![vec![opts.not_heard_dbm as f32; used.len()]; radios.len()];
    let mut heard = vec![vec![false; used.len()]; radios.len()];
    for (si, s) in used.iter().map(|&i| &samples[i]).enumerate() {
        for o in s.observations.iter().filter(|o| keep(o)) {
            let key = RadioKey {
                ap: opts.grouping.ap_of(&o.bssid).0,
                band: o.band,
                channel: o.channel,
            };
            if let Ok(ri) = keys.binary_search(&key) {
                // The strongest of the radio's BSSIDs. A reading below the not-heard level is
                // floored at it: both say "below usable", and the field stays one definition.
                let v = &mut values[ri][si];
                *v = v.max(o.rssi_dbm as f32);
                heard[ri][si] = true;
            }
        }
    }
    let points = used
        .iter()
        .map(|&i| ScatteredPoint {
            x: samples[i].x_m,
            y: samples[i].y_m,
        })
        .collect();
    Ok(RadioFields {
        used,
        points,
        radios,
        values,
        heard,
    })
}

impl SignalLayers {
    /// Builds every layer over the cells of `geometry` where `inside` is true.
    pub fn build(
        samples: &[Sample],
        geometry: &GridGeometry,
        inside: &(dyn Fn(usize, usize) -> bool + Sync),
        opts: &LayerOptions,
    ) -> Result<SignalLayers, InterpError> {
        let RadioFields {
            points,
            radios,
            values: fields,
            ..
        } = radio_fields(samples, opts)?;
        let index = NeighbourIndex::new(&points)?;
        let distance_m = distance_to_nearest(&index, geometry, inside);

        let cols = geometry.cols();
        // Methods other than IDW interpolate every radio's grid up front; the per-cell pass then
        // only reads them (one neighbour suffices to drive it).
        let surfaces = if opts.method.eq_ignore_ascii_case("idw") {
            None
        } else {
            let prepared = crate::method::method_by_name(&opts.method)?.prepare(&points)?;
            let refs: Vec<&[f32]> = fields.iter().map(|f| f.as_slice()).collect();
            Some(prepared.grid_many(&refs, geometry, inside)?)
        };
        let k = if surfaces.is_some() { 1 } else { opts.idw.k };
        let derive = LayerDerivation::new(&radios, opts);
        // Plain IDW, the common case, weighs every radio with the same neighbours: the fields
        // are stored scan-major so each neighbour's readings of all radios are one slice.
        let by_scan: Vec<f32> = if surfaces.is_none() && opts.walls.is_none() {
            (0..points.len())
                .flat_map(|s| fields.iter().map(move |f| f[s]))
                .collect()
        } else {
            Vec::new()
        };
        let bands = index.for_each_cell(
            geometry,
            k,
            inside,
            &|r, c, n, band: &mut Band_| {
                let at = (r - band.r0) * cols + c;
                let est = &mut band.estimates;
                est.clear();
                match (&surfaces, &opts.walls) {
                    (Some(s), _) => est.extend(
                        s.iter()
                            .map(|g| g.value.get(r, c).copied().unwrap_or(f32::NAN)),
                    ),
                    (None, None) => {
                        idw_all_radios(&opts.idw, n, &fields, &by_scan, &mut band.sums, est)
                    }
                    (None, Some(w)) => {
                        let cell = geometry.centre(r, c);
                        // Loss per neighbour and band, computed once for all radios.
                        let losses: Vec<[f64; 3]> = n
                            .iter()
                            .map(|nb| {
                                let p = points[nb.index as usize];
                                let from = wisp_model::Point::new(p.x, p.y);
                                Band::ALL.map(|b| {
                                    wisp_radio::path_loss::wall_loss(
                                        b,
                                        from,
                                        cell,
                                        &w.walls,
                                        &w.materials,
                                    )
                                })
                            })
                            .collect();
                        est.extend(fields.iter().enumerate().map(|(ri, f)| {
                            let bi = Band::ALL
                                .iter()
                                .position(|b| *b == radios[ri].key.band)
                                .unwrap_or(0);
                            walls_aware_estimate(&opts.idw, n, f, &losses, bi, opts.not_heard_dbm)
                        }))
                    }
                };
                let cell = derive.cell(&band.estimates);
                band.primary[at] = cell.primary;
                band.serving[at] = cell.serving;
                band.snr[at] = cell.snr;
                band.secondary[at] = cell.secondary;
                band.tertiary[at] = cell.tertiary;
                band.count[at] = cell.count;
                band.cochannel[at] = cell.cochannel;
            },
            &|r0, r1| Band_::new(r0, (r1 - r0) * cols),
        );
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
        Ok(SignalLayers {
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
        })
    }
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

/// Every radio's IDW estimate at one cell into `out` (indexed by radio), with the cell's
/// neighbours `n`. The weights are the cell's, shared by all radios, so they are computed once;
/// each radio's sums run over the neighbours in the same order as [`Idw::estimate`], so the
/// result is bit for bit what it gives (which the tests check). `by_scan` is `fields` stored
/// scan-major; `sums` is scratch.
fn idw_all_radios(
    idw: &Idw,
    n: &[crate::neighbours::Neighbour],
    fields: &[Vec<f32>],
    by_scan: &[f32],
    sums: &mut Vec<f64>,
    out: &mut Vec<f32>,
) {
    let radios = fields.len();
    if n.first().is_some_and(|nb| nb.dist2 == 0.0) {
        // The cell centre is on a scan: each radio takes the mean there (rare; the plain path).
        out.extend(fields.iter().map(|f| idw.estimate(n, f)));
        return;
    }
    sums.clear();
    sums.resize(radios, 0.0);
    let mut den = 0.0f64;
    for nb in n {
        let w = idw.weight(nb.dist2);
        den += w;
        let row = &by_scan[nb.index as usize * radios..][..radios];
        for (sum, v) in sums.iter_mut().zip(row) {
            *sum += w * *v as f64;
        }
    }
    out.extend(sums.iter().map(|num| (num / den) as f32));
}

/// What one cell's layers are, from every radio's estimate there.
struct CellLayers {
    primary: f32,
    serving: u32,
    snr: f32,
    secondary: f32,
    tertiary: f32,
    count: u16,
    cochannel: u16,
}

/// The per-cell derivation of the layers from the radios' estimates, with what it needs about
/// the radios looked up once: each radio's access point as a number, and its band and channel.
struct LayerDerivation<'a> {
    radios: &'a [RadioInfo],
    ap_of: Vec<u32>,
    count_dbm: f64,
    cochannel_dbm: f64,
}

impl<'a> LayerDerivation<'a> {
    fn new(radios: &'a [RadioInfo], opts: &LayerOptions) -> Self {
        let mut aps: Vec<&str> = radios.iter().map(|r| r.key.ap.as_str()).collect();
        aps.sort_unstable();
        aps.dedup();
        let ap_of = radios
            .iter()
            .map(|r| aps.binary_search(&r.key.ap.as_str()).unwrap_or(0) as u32)
            .collect();
        LayerDerivation {
            radios,
            ap_of,
            count_dbm: opts.count_dbm,
            cochannel_dbm: opts.cochannel_dbm,
        }
    }

    /// The radio that comes first when radios are ranked strongest first, ties to the lower
    /// index (`total_cmp`, so a NaN estimate ranks as the layers always ranked it), among those
    /// `eligible`; one pass instead of sorting every radio at every cell.
    fn first(&self, est: &[f32], eligible: impl Fn(usize) -> bool) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (ri, v) in est.iter().enumerate() {
            if eligible(ri) && best.is_none_or(|b| v.total_cmp(&est[b]).is_gt()) {
                best = Some(ri);
            }
        }
        best
    }

    fn cell(&self, est: &[f32]) -> CellLayers {
        let Some(bi) = self.first(est, |_| true) else {
            return CellLayers {
                primary: f32::NAN,
                serving: NO_RADIO,
                snr: f32::NAN,
                secondary: f32::NAN,
                tertiary: f32::NAN,
                count: 0,
                cochannel: 0,
            };
        };
        let serving = &self.radios[bi];
        // Secondary and tertiary: strongest radios of two further, distinct APs.
        let ap1 = self.ap_of[bi];
        let second = self.first(est, |ri| self.ap_of[ri] != ap1);
        let third = second.and_then(|s| {
            let ap2 = self.ap_of[s];
            self.first(est, |ri| self.ap_of[ri] != ap1 && self.ap_of[ri] != ap2)
        });
        let at_least = |v: f32, level: f64| v as f64 >= level;
        CellLayers {
            primary: est[bi],
            serving: bi as u32,
            snr: est[bi] - serving.noise_dbm as f32,
            secondary: second.map_or(f32::NAN, |s| est[s]),
            tertiary: third.map_or(f32::NAN, |t| est[t]),
            count: est.iter().filter(|&&v| at_least(v, self.count_dbm)).count() as u16,
            cochannel: est
                .iter()
                .enumerate()
                .filter(|&(ri, &v)| {
                    ri != bi
                        && at_least(v, self.cochannel_dbm)
                        && self.radios[ri].key.band == serving.key.band
                        && self.radios[ri].key.channel == serving.key.channel
                })
                .count() as u16,
        }
    }
}

/// Per-band output buffers of [`SignalLayers::build`].
struct Band_ {
    r0: usize,
    primary: Vec<f32>,
    secondary: Vec<f32>,
    tertiary: Vec<f32>,
    snr: Vec<f32>,
    count: Vec<u16>,
    cochannel: Vec<u16>,
    serving: Vec<u32>,
    /// Scratch: every radio's estimate at the current cell, and IDW's per-radio sums.
    estimates: Vec<f32>,
    sums: Vec<f64>,
}

impl Band_ {
    fn new(r0: usize, n: usize) -> Self {
        Band_ {
            r0,
            primary: vec![f32::NAN; n],
            secondary: vec![f32::NAN; n],
            tertiary: vec![f32::NAN; n],
            snr: vec![f32::NAN; n],
            count: vec![0; n],
            cochannel: vec![0; n],
            serving: vec![NO_RADIO; n],
            estimates: Vec::new(),
            sums: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            Some(InterpError::NoSamples)
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
        for method in ["idw", "natural", "kriging", "nearest"] {
            let opts = LayerOptions {
                method: method.into(),
                ..Default::default()
            };
            let l = SignalLayers::build(&s, &g, &|_, _| true, &opts).unwrap();
            for &(r, c, want) in &[(1, 1, -50.0), (4, 9, -60.0), (2, 6, -65.0), (5, 2, -72.0)] {
                let got = *l.primary.get(r, c).unwrap();
                assert!(
                    (got - want).abs() < 1e-3,
                    "{method} at ({r},{c}): {got} vs {want}"
                );
            }
        }
        let bad = LayerOptions {
            method: "spline".into(),
            ..Default::default()
        };
        assert!(SignalLayers::build(&s, &g, &|_, _| true, &bad).is_err());
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

    /// The layers as first written: per cell, each radio's estimate by [`Idw::estimate`] over a
    /// brute-force neighbour search, all radios sorted strongest first (ties to the lower
    /// index), then secondary, tertiary and the counts read off the sorted list.
    fn reference_cell(
        f: &RadioFields,
        index: &NeighbourIndex,
        opts: &LayerOptions,
        x: f64,
        y: f64,
    ) -> (f32, u32, f32, f32, f32, u16, u16) {
        let n = index.nearest_brute(x, y, opts.idw.k);
        let mut est: Vec<(f32, usize)> = f
            .values
            .iter()
            .enumerate()
            .map(|(ri, v)| (opts.idw.estimate(&n, v), ri))
            .collect();
        est.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let (best, bi) = est[0];
        let serving = &f.radios[bi];
        let mut aps = vec![serving.key.ap.as_str()];
        let (mut secondary, mut tertiary) = (f32::NAN, f32::NAN);
        for &(v, ri) in &est[1..] {
            let ap = f.radios[ri].key.ap.as_str();
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
        let count = est.iter().filter(|e| e.0 as f64 >= opts.count_dbm).count() as u16;
        let cochannel = est
            .iter()
            .filter(|&&(v, ri)| {
                ri != bi
                    && v as f64 >= opts.cochannel_dbm
                    && f.radios[ri].key.band == serving.key.band
                    && f.radios[ri].key.channel == serving.key.channel
            })
            .count() as u16;
        let snr = best - serving.noise_dbm as f32;
        (best, bi as u32, snr, secondary, tertiary, count, cochannel)
    }

    #[test]
    fn many_radios_give_the_reference_layers_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        // 30 APs with two radios each on a few channels, readings rounded to whole dB so equal
        // estimates (ties between radios) happen; some scans on cell centres (exact cells).
        let g = GridGeometry::new(0.0, 0.0, 0.5, 0.5, 40, 24).unwrap();
        let mut s: Vec<Sample> = (0..120)
            .map(|i| {
                let (x, y) = if i % 10 == 0 {
                    let p = g.centre(i % 24, (i * 7) % 40);
                    (p.x, p.y)
                } else {
                    (rng.random::<f64>() * 20.0, rng.random::<f64>() * 12.0)
                };
                let mut heard = Vec::new();
                for ap in 0..30 {
                    for (freq, radio) in [(5180 + 20 * (ap % 3) as u32, 1), (2412, 0x11)] {
                        if rng.random::<f64>() < 0.6 {
                            let bssid = format!("02:00:00:00:{ap:02x}:{radio:02x}");
                            let rssi = (-90.0 + 50.0 * rng.random::<f64>()).round();
                            heard.push(obs(&bssid, freq, rssi));
                        }
                    }
                }
                sample(x, y, heard)
            })
            .collect();
        s.push(sample(3.0, 3.0, vec![]));
        for k in [1, 5, 12] {
            let opts = LayerOptions {
                idw: Idw { k, power: 2.0 },
                ..Default::default()
            };
            let l = SignalLayers::build(&s, &g, &|r, c| (r * c) % 7 != 3, &opts).unwrap();
            let f = radio_fields(&s, &opts).unwrap();
            let index = NeighbourIndex::new(&f.points).unwrap();
            for r in 0..g.rows() {
                for c in 0..g.cols() {
                    if (r * c) % 7 == 3 {
                        assert_eq!(*l.serving.get(r, c).unwrap(), NO_RADIO);
                        continue;
                    }
                    let p = g.centre(r, c);
                    let want = reference_cell(&f, &index, &opts, p.x, p.y);
                    let got = (
                        *l.primary.get(r, c).unwrap(),
                        *l.serving.get(r, c).unwrap(),
                        *l.snr.get(r, c).unwrap(),
                        *l.secondary.get(r, c).unwrap(),
                        *l.tertiary.get(r, c).unwrap(),
                        *l.radio_count.get(r, c).unwrap(),
                        *l.cochannel.get(r, c).unwrap(),
                    );
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
                    assert_eq!(bits(got), bits(want), "({r},{c}) k={k}");
                }
            }
        }
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
}
