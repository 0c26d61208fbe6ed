//! The access points of a plan, existing and new, and each radio's modelled source: its
//! effective power (fitted by calibration where the survey measured it, else nominal less the
//! calibration's average extra loss) and its frequency. The planner, the judge and the
//! predicted maps all model an AP through these.

use crate::calibrate::Calibration;
use crate::matrix::Source;
use serde::Serialize;
use wisp_model::{AccessPoint, ApRadio, Band, Bssid, Channel, Floor, Point};

/// An access point of the plan, existing or new, with its planned channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedAp {
    pub name: String,
    pub position: Point,
    pub radios: Vec<ApRadio>,
    pub ssids: Vec<String>,
    pub base_bssid: Option<Bssid>,
    /// New in this plan.
    pub new: bool,
    /// Existing, but placed by calibration rather than the manifest.
    pub located: bool,
}

impl PlannedAp {
    pub fn to_access_point(&self) -> AccessPoint {
        AccessPoint {
            name: self.name.clone(),
            position: self.position,
            radios: self.radios.clone(),
            ssids: self.ssids.clone(),
            base_bssid: self.base_bssid,
        }
    }
}

/// The fitted power of `ap`'s radio on `band` (calibration's radio identity is AP + band, so a
/// channel the survey saw differ from the manifest's still finds it).
fn fitted(cal: Option<&Calibration>, ap: Option<&str>, band: Band) -> Option<f64> {
    let (cal, ap) = (cal?, ap?);
    cal.radios
        .iter()
        .find(|r| r.ap == ap && r.band == band)
        .map(|r| r.power_dbm)
}

pub(crate) fn freq(band: Band, channel: u16, fallback: f64) -> f64 {
    Channel::new(band, channel).map_or(fallback, |c| c.freq_mhz as f64)
}

/// Nominal centre frequency per band for prediction where the channel is not yet known.
pub(crate) fn nominal_freq(band: Band) -> f64 {
    match band {
        Band::G2_4 => 2437.0,
        Band::G5 => 5500.0,
        Band::G6 => 6500.0,
    }
}

/// The effective power of `radio` of `ap` (by its survey key): fitted, else nominal less the
/// calibration's average extra loss.
pub(crate) fn power(cal: Option<&Calibration>, prefix: Option<&str>, radio: &ApRadio) -> f64 {
    fitted(cal, prefix, radio.band).unwrap_or(model_power(cal, radio.tx_dbm))
}

/// The effective power of a radio transmitting `tx_dbm` that the survey never measured (a new
/// AP): nominal less the calibration's average extra loss.
pub(crate) fn model_power(cal: Option<&Calibration>, tx_dbm: f64) -> f64 {
    tx_dbm - cal.map_or(0.0, |c| c.extra_loss_db())
}

/// The existing APs: the manifest's, then those calibration located.
pub fn existing_aps(floor: &Floor, cal: Option<&Calibration>) -> Vec<PlannedAp> {
    let mut out: Vec<PlannedAp> = floor
        .aps
        .iter()
        .map(|a| PlannedAp {
            name: a.name.clone(),
            position: a.position,
            radios: a.radios.clone(),
            ssids: a.ssids.clone(),
            base_bssid: a.base_bssid,
            new: false,
            located: false,
        })
        .collect();
    if let Some(c) = cal {
        for l in &c.located {
            let radios: Vec<ApRadio> = c
                .radios
                .iter()
                .filter(|r| r.ap == l.ap)
                .map(|r| ApRadio {
                    band: r.band,
                    channel: r.channel,
                    tx_dbm: r.power_dbm + c.extra_loss_db(),
                })
                .collect();
            out.push(PlannedAp {
                name: format!("located {}", l.ap),
                position: l.position,
                radios,
                ssids: vec!["NHS-Clinical".into()],
                base_bssid: format!("{}:00", l.ap).parse().ok(),
                new: false,
                located: true,
            });
        }
    }
    out
}

/// The survey's key of an existing AP under the calibration's grouping (what its fitted radios
/// are filed under), if it has one.
pub(crate) fn ap_key(ap: &PlannedAp, cal: Option<&Calibration>) -> Option<String> {
    let g = &cal?.grouping;
    g.ap_named(&ap.name, ap.base_bssid).map(|id| id.0)
}

/// The design-band source of an AP, if it has a radio on that band.
pub(crate) fn source(
    ap: &PlannedAp,
    cal: Option<&Calibration>,
    band: Band,
    fallback_freq: f64,
) -> Option<Source> {
    let r = ap.radios.iter().find(|r| r.band == band)?;
    let p = ap_key(ap, cal);
    Some(Source {
        position: ap.position,
        power_dbm: power(cal, p.as_deref(), r),
        freq_mhz: freq(band, r.channel, fallback_freq),
    })
}
