//! What the survey says about each radio: the options that choose and read the radios
//! (filters, our network, AP grouping, the not-heard level) and every radio's signal at every
//! scan ([`RadioFields`]). The layers ([`crate::layers`]) and every method's per-radio
//! interpolation ([`crate::regression`], cross-validation) start from these.

use crate::idw::Idw;
use crate::{InterpError, InterpErrorKind, ScatteredPoint};
use std::collections::BTreeMap;
use wisp_model::{ApGrouping, ApId, Band, Bssid, Method, OurNetwork, Sample};

/// One physical radio, as far as the BSSIDs tell: the access point (by
/// [`LayerOptions::grouping`]; by default the first five octets of the BSSID), band and channel.
/// The SSIDs it broadcasts are folded in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RadioKey {
    pub ap: String,
    pub band: Band,
    pub channel: u16,
}

impl RadioKey {
    /// The radio a reading belongs to, under the grouping of `opts`.
    fn of(o: &wisp_model::Observation, opts: &LayerOptions) -> RadioKey {
        RadioKey {
            ap: opts.grouping.ap_of(&o.bssid).0,
            band: o.band,
            channel: o.channel,
        }
    }
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
    /// Whether the radio belongs to our network ([`LayerOptions::network`]); a neighbour's radio
    /// counts as co-channel interference and never as coverage.
    pub is_ours: bool,
    /// Heard only without a usable BSSID (an *unidentified radio*, keyed by SSID, band and
    /// channel; [`wisp_model::Observation::unidentified`]): it may be another radio's twin.
    pub unidentified: bool,
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
    /// Interpolation method. IDW (the default) runs fused with the layer derivation and honours
    /// `walls`; the others interpolate each radio's whole grid first and ignore walls; `model`
    /// needs the calibrated model's trend.
    pub method: Method,
    /// Walls-aware interpolation: a sample seen through walls from a cell counts for less there,
    /// and its value is lowered by the walls' loss (see [`WallAware`]). `None`: plain IDW.
    pub walls: Option<WallAware>,
    /// Which BSSIDs are one access point (the site's `ap_grouping` and APs' `bssids`).
    pub grouping: ApGrouping,
    /// Which radios are ours (coverage); the rest count as interference only. Default: every
    /// radio is ours.
    pub network: OurNetwork,
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

impl LayerOptions {
    /// Whether the `ssids`, `bands` and `bssids` filters keep this reading (the one definition
    /// of `--ssid`, `--band` and `--bssid`).
    pub fn keeps(&self, o: &wisp_model::Observation) -> bool {
        (self.bands.is_empty() || self.bands.contains(&o.band))
            && (self.bssids.is_empty() || self.bssids.contains(&o.bssid.to_string()))
            && (self.ssids.is_empty() || o.ssid.as_ref().is_some_and(|s| self.ssids.contains(s)))
    }
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
            method: Method::Idw,
            grouping: ApGrouping::default(),
            network: OurNetwork::default(),
        }
    }
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
    /// not-heard stand-in, or a reading of r the scan reported too old to place: see
    /// [`wisp_model::Sample::stale`]).
    pub heard: Vec<Vec<bool>>,
}

/// Builds the per-radio fields of `samples` under the filters and not-heard level of `opts`.
/// Fails with [`InterpErrorKind::NoSamples`] if no scan heard any kept radio.
pub fn radio_fields(samples: &[Sample], opts: &LayerOptions) -> Result<RadioFields, InterpError> {
    let keep = |o: &wisp_model::Observation| opts.keeps(o);
    let used: Vec<usize> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.observations.iter().any(keep))
        .map(|(i, _)| i)
        .collect();
    // Each reading's radio by its BSSID, band and channel, which decide its key: `ap_of` formats
    // a string, so it runs once per BSSID and channel, not once per reading (1.15 million on
    // issue 16's dense floor, where it was a fifth of `wisp check`).
    // A hash map (FxHash: no seed, so the same run to run; only looked up, never iterated),
    // and each kept reading's radio noted in order for the second pass: with a B-tree looked up
    // twice per reading, `radio_fields` was 17 % of `wisp check`'s CPU there (perf, session 9).
    let mut radio_of: rustc_hash::FxHashMap<(Bssid, Band, u16), usize> =
        rustc_hash::FxHashMap::default();
    let mut reading_radio: Vec<u32> = Vec::new();
    let mut by_key: BTreeMap<RadioKey, usize> = BTreeMap::new();
    let mut found: Vec<(RadioInfo, Vec<f64>)> = Vec::new();
    for s in used.iter().map(|&i| &samples[i]) {
        for o in s.observations.iter().filter(|o| keep(o)) {
            let ri = *radio_of
                .entry((o.bssid, o.band, o.channel))
                .or_insert_with(|| {
                    let key = RadioKey::of(o, opts);
                    let ri = *by_key.entry(key.clone()).or_insert_with(|| {
                        let info = RadioInfo {
                            key,
                            bssids: vec![],
                            ssids: vec![],
                            noise_dbm: f64::NAN,
                            strongest_dbm: f64::NEG_INFINITY,
                            strongest_at: (0.0, 0.0),
                            is_ours: false,
                            unidentified: true,
                        };
                        found.push((info, vec![]));
                        found.len() - 1
                    });
                    // A BSSID meets its radio first here (its band and channel are the key's).
                    found[ri].0.bssids.push(o.bssid.to_string());
                    ri
                });
            reading_radio.push(ri as u32);
            let (info, noise) = &mut found[ri];
            info.unidentified &= o.unidentified;
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
        return Err(InterpErrorKind::NoSamples.into());
    }
    // Radios in a stable order (by key), so indices and outputs are deterministic.
    let mut sorted = vec![0; found.len()];
    for (rank, &ri) in by_key.values().enumerate() {
        sorted[ri] = rank;
    }
    let mut found: Vec<Option<(RadioInfo, Vec<f64>)>> = found.into_iter().map(Some).collect();
    let radios: Vec<RadioInfo> = by_key
        .values()
        .filter_map(|&ri| found[ri].take())
        .map(|(mut info, mut noise)| {
            info.bssids.sort();
            info.ssids.sort();
            info.is_ours = opts
                .network
                .is_ours(&ApId(info.key.ap.clone()), &info.ssids);
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
    let mut next_radio = reading_radio.iter();
    for (si, s) in used.iter().map(|&i| &samples[i]).enumerate() {
        for o in s.observations.iter().filter(|o| keep(o)) {
            if let Some(&ri) = next_radio.next() {
                let ri = sorted[ri as usize];
                // The strongest of the radio's BSSIDs. A reading below the not-heard level is
                // floored at it: both say "below usable", and the field stays one definition.
                let v = &mut values[ri][si];
                *v = v.max(o.rssi_dbm as f32);
                heard[ri][si] = true;
            }
        }
    }
    // A radio the scan heard only lately (readings older than max_age_s, set aside at ingest)
    // is not absent there: the scan takes the strongest such reading instead of the not-heard
    // stand-in, and stays not `heard` (the reading measured a place metres back, so it is never
    // scored or fitted). On a real shopping-mall walk, where Android's cached results were half
    // the readings, this took IDW's walk-out RMSE from 9.06 to 5.89 dB (README, "Reading age").
    for (si, s) in used.iter().map(|&i| &samples[i]).enumerate() {
        for o in s.stale.iter().filter(|o| keep(o)) {
            // The BSSID's radio as the fresh readings found it, else by key (`ap_of` formats a
            // string, and a phone's survey has as many stale readings as fresh ones).
            let ri = radio_of
                .get(&(o.bssid, o.band, o.channel))
                .or_else(|| by_key.get(&RadioKey::of(o, opts)));
            if let Some(&ri) = ri {
                let ri = sorted[ri];
                if !heard[ri][si] {
                    let v = &mut values[ri][si];
                    *v = v.max(o.rssi_dbm as f32);
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use wisp_model::{Channel, Observation};

    /// `radio_fields` as it was before it looked each reading's radio up by BSSID and channel
    /// (asking `ap_of` and searching the keys once per reading): the reference.
    mod reference {
        use super::super::*;

        pub fn radio_fields(
            samples: &[Sample],
            opts: &LayerOptions,
        ) -> Result<RadioFields, InterpError> {
            let keep = |o: &wisp_model::Observation| opts.keeps(o);
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
                            is_ours: false,
                            unidentified: true,
                        };
                        (info, vec![])
                    });
                    info.unidentified &= o.unidentified;
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
                return Err(InterpErrorKind::NoSamples.into());
            }
            let keys: Vec<RadioKey> = by_key.keys().cloned().collect();
            let radios: Vec<RadioInfo> = by_key
                .into_values()
                .map(|(mut info, mut noise)| {
                    info.bssids.sort();
                    info.ssids.sort();
                    info.is_ours = opts
                        .network
                        .is_ours(&ApId(info.key.ap.clone()), &info.ssids);
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
    }

    /// A survey with several BSSIDs per AP, both bands, a BSSID heard on two channels, SSIDs,
    /// noise and readings below the not-heard level: the same fields as the reference.
    #[test]
    fn radio_fields_equal_the_per_reading_reference() {
        let mut rng = ChaCha8Rng::seed_from_u64(41);
        let freqs = [2412, 2437, 5180, 5500];
        let samples: Vec<Sample> = (0..300)
            .map(|i| Sample {
                x_m: rng.random::<f64>() * 50.0,
                y_m: rng.random::<f64>() * 20.0,
                t: None,
                source: format!("test:{i}"),
                stale: Vec::new(),
                observations: (0..rng.random_range(0..25))
                    .map(|_| {
                        let ap = rng.random_range(0..12u8);
                        let bssid = wisp_model::Bssid([2, 0, 0, 0, ap, rng.random_range(0..4)]);
                        let freq = freqs[(ap as usize + rng.random_range(0..2)) % 4];
                        let ssid = ["NHS", "Guest", "Staff"][rng.random_range(0..3)];
                        Observation::new(
                            bssid,
                            (rng.random::<f64>() < 0.9).then(|| ssid.to_string()),
                            Channel::from_freq(freq).unwrap(),
                            -40.0 - 60.0 * rng.random::<f64>(),
                            (rng.random::<f64>() < 0.5).then(|| -95.0 + rng.random::<f64>()),
                        )
                        .unwrap()
                    })
                    .collect(),
            })
            .collect();
        for opts in [
            LayerOptions::default(),
            LayerOptions {
                grouping: ApGrouping {
                    rule: wisp_model::ApRule::Bssid,
                    ..Default::default()
                },
                ..Default::default()
            },
        ] {
            let got = radio_fields(&samples, &opts).unwrap();
            assert!(got.radios.len() > 10, "{}", got.radios.len());
            assert_eq!(got, reference::radio_fields(&samples, &opts).unwrap());
        }
    }

    /// A radio the scan heard only lately takes that reading's level there, not the not-heard
    /// stand-in, and is still not `heard`; a late reading never makes a radio of its own and
    /// never overrides a fresh one.
    #[test]
    fn a_stale_reading_stands_in_for_not_heard_but_is_not_heard() {
        let obs = |last: u8, freq: u32, rssi: f64| {
            Observation::new(
                wisp_model::Bssid([2, 0, 0, 0, last, 0]),
                Some("NHS".into()),
                Channel::from_freq(freq).unwrap(),
                rssi,
                None,
            )
            .unwrap()
        };
        let sample = |x: f64, observations: Vec<Observation>, stale: Vec<Observation>| Sample {
            x_m: x,
            y_m: 0.0,
            t: None,
            source: format!("t:{x}"),
            observations,
            stale,
        };
        let samples = vec![
            // A and B heard.
            sample(0.0, vec![obs(1, 5180, -50.0), obs(2, 5500, -60.0)], vec![]),
            // A heard; B only lately (-70), C (never heard fresh anywhere) only lately.
            sample(
                5.0,
                vec![obs(1, 5180, -55.0)],
                vec![obs(2, 5500, -70.0), obs(3, 2412, -40.0)],
            ),
            // A heard fresh and lately: the fresh reading stands; B not heard at all.
            sample(10.0, vec![obs(1, 5180, -65.0)], vec![obs(1, 5180, -45.0)]),
        ];
        let f = radio_fields(&samples, &LayerOptions::default()).unwrap();
        assert_eq!(f.radios.len(), 2, "a late reading alone makes no radio");
        assert_eq!(
            f.values,
            vec![vec![-50.0, -55.0, -65.0], vec![-60.0, -70.0, -95.0]]
        );
        assert_eq!(f.heard, vec![vec![true; 3], vec![true, false, false]]);
    }
}
