//! The native survey document (`docs/survey-format.md`): the contract between ingest and the rest.

use crate::{Band, Bssid, Channel, ModelError, ModelErrorKind, Point};
use serde::{Deserialize, Serialize};

pub const SURVEY_FORMAT: &str = "wisp-survey";
pub const SURVEY_VERSION: u32 = 1;

/// One BSSID heard in one scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    pub bssid: Bssid,
    /// `None` for a hidden network.
    pub ssid: Option<String>,
    pub freq_mhz: u32,
    pub channel: u16,
    pub band: Band,
    pub rssi_dbm: f64,
    pub noise_dbm: Option<f64>,
    /// The level is approximate: the scanner gave only a percentage, converted to dBm by a
    /// documented formula, or a packet capture heard the beacon off its own channel (the level
    /// is understated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
    /// How old the reading was when the scan was reported, in seconds (scanners cache results:
    /// Android's can be 30 s old). `None` where the source does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_s: Option<f64>,
    /// An *unidentified radio*: the scanner gave no usable BSSID (redacted by macOS, masked in
    /// a shared log), so the radio is known by SSID, band and channel only and `bssid` holds
    /// the stand-in [`Bssid::unidentified`] derives from them. Two unidentified radios may be
    /// one access point, or one may be several: signal ranks built on them are approximate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unidentified: bool,
}

/// Range of a plausible received signal: anything outside is a capture fault.
pub const RSSI_RANGE_DBM: (f64, f64) = (-120.0, 0.0);

impl Observation {
    /// Builds an observation and checks it: RSSI finite and within −120..0 dBm, noise likewise.
    pub fn new(
        bssid: Bssid,
        ssid: Option<String>,
        channel: Channel,
        rssi_dbm: f64,
        noise_dbm: Option<f64>,
    ) -> Result<Observation, ModelError> {
        let o = Observation {
            bssid,
            ssid,
            freq_mhz: channel.freq_mhz,
            channel: channel.number,
            band: channel.band,
            rssi_dbm,
            noise_dbm,
            approximate: false,
            age_s: None,
            unidentified: false,
        };
        o.validate()?;
        Ok(o)
    }

    /// An observation of a radio without a usable BSSID: keyed by SSID, band and channel, with
    /// the stand-in BSSID [`Bssid::unidentified`] gives them, and marked `unidentified`.
    pub fn unidentified(
        ssid: Option<String>,
        channel: Channel,
        rssi_dbm: f64,
        noise_dbm: Option<f64>,
    ) -> Result<Observation, ModelError> {
        let bssid = Bssid::unidentified(ssid.as_deref(), channel);
        let mut o = Observation::new(bssid, ssid, channel, rssi_dbm, noise_dbm)?;
        o.unidentified = true;
        Ok(o)
    }

    /// Checks that the numbers agree: channel, band and frequency name one channel; RSSI and noise
    /// are finite and plausible.
    pub fn validate(&self) -> Result<(), ModelError> {
        let ch = Channel::from_freq(self.freq_mhz)?;
        if ch.band != self.band || ch.number != self.channel {
            return Err(ModelErrorKind::Channel {
                band: self.band.name(),
                channel: self.channel,
            }
            .into());
        }
        for (what, v) in [
            ("rssi_dbm", Some(self.rssi_dbm)),
            ("noise_dbm", self.noise_dbm),
        ] {
            let Some(v) = v else { continue };
            if !v.is_finite() {
                return Err(ModelErrorKind::NotFinite(what).into());
            }
            if v < RSSI_RANGE_DBM.0 || v > RSSI_RANGE_DBM.1 {
                return Err(ModelErrorKind::OutOfRange {
                    what,
                    value: v,
                    min: RSSI_RANGE_DBM.0,
                    max: RSSI_RANGE_DBM.1,
                }
                .into());
            }
        }
        if let Some(age) = self.age_s {
            if !age.is_finite() {
                return Err(ModelErrorKind::NotFinite("age_s").into());
            }
            if age < 0.0 {
                return Err(ModelErrorKind::OutOfRange {
                    what: "age_s",
                    value: age,
                    min: 0.0,
                    max: f64::INFINITY,
                }
                .into());
            }
        }
        Ok(())
    }

    /// The same reading, `age_s` seconds old when reported; checked as [`Observation::validate`].
    pub fn with_age(mut self, age_s: f64) -> Result<Observation, ModelError> {
        self.age_s = Some(age_s);
        self.validate()?;
        Ok(self)
    }
}

/// One scan at one place: every BSSID the scanner heard there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub x_m: f64,
    pub y_m: f64,
    /// RFC 3339 time of the scan, when the capture had one.
    pub t: Option<String>,
    /// Where it came from: `file:line` or `file#scan`.
    pub source: String,
    pub observations: Vec<Observation>,
    /// Readings the scanner reported older than the site's `max_age_s` (cached results, taken
    /// up to tens of metres back along the walk). They are no measurement of this place, so
    /// they stay out of `observations`; but they show the radio was heard lately, so this scan
    /// is no evidence that the radio is absent here (see `wisp_interp`'s fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<Observation>,
}

impl Sample {
    pub fn position(&self) -> Point {
        Point::new(self.x_m, self.y_m)
    }
}

/// The samples of one floor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyFloor {
    pub id: String,
    pub samples: Vec<Sample>,
}

/// A whole survey: what `wisp ingest` writes and every later stage reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    pub format: String,
    pub version: u32,
    pub floors: Vec<SurveyFloor>,
}

impl Bssid {
    /// The stand-in BSSID of an unidentified radio (see [`Observation::unidentified`]): the
    /// 64-bit FNV-1a hash of the SSID's bytes (a hidden SSID hashes as no bytes behind a 0
    /// marker), the band's name and the channel number, cut to six octets with the locally
    /// administered bit set and the group bit clear, as a MAC no vendor assigns. The same
    /// SSID, band and channel give the same stand-in in every file and run; different ones
    /// collide with odds of about 2^-46 per pair, and a real BSSID is never locally
    /// administered by a vendor's allocation.
    pub fn unidentified(ssid: Option<&str>, channel: Channel) -> Bssid {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0100_0000_01b3;
        let mut hash = OFFSET;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(PRIME);
            }
        };
        match ssid {
            Some(s) => {
                eat(&[1]);
                eat(s.as_bytes());
            }
            None => eat(&[0]),
        }
        eat(&[0xff]);
        eat(channel.band.name().as_bytes());
        eat(&[0xff]);
        eat(&channel.number.to_le_bytes());
        let b = hash.to_be_bytes();
        Bssid([(b[0] & 0xfc) | 0x02, b[1], b[2], b[3], b[4], b[5]])
    }
}

impl Survey {
    pub fn new(floors: Vec<SurveyFloor>) -> Survey {
        Survey {
            format: SURVEY_FORMAT.to_string(),
            version: SURVEY_VERSION,
            floors,
        }
    }

    pub fn floor(&self, id: &str) -> Option<&SurveyFloor> {
        self.floors.iter().find(|f| f.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_contract_names() {
        let o = Observation::new(
            "AA:BB:CC:DD:EE:01".parse().unwrap(),
            Some("Ward7".into()),
            Channel::from_freq(5180).unwrap(),
            -61.0,
            None,
        )
        .unwrap();
        let s = Survey::new(vec![SurveyFloor {
            id: "L1".into(),
            samples: vec![Sample {
                x_m: 12.5,
                y_m: 3.2,
                t: None,
                source: "walk.csv:12".into(),
                observations: vec![o],
                stale: Vec::new(),
            }],
        }]);
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(
            text,
            r#"{"format":"wisp-survey","version":1,"floors":[{"id":"L1","samples":[{"x_m":12.5,"y_m":3.2,"t":null,"source":"walk.csv:12","observations":[{"bssid":"aa:bb:cc:dd:ee:01","ssid":"Ward7","freq_mhz":5180,"channel":36,"band":"5","rssi_dbm":-61.0,"noise_dbm":null}]}]}]}"#
        );
        let back: Survey = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn unidentified_radios_are_keyed_by_ssid_band_and_channel() {
        let ch36 = Channel::from_freq(5180).unwrap();
        let ch1 = Channel::from_freq(2412).unwrap();
        let ch1_6g = Channel::new(Band::G6, 1).unwrap();
        let a = Observation::unidentified(Some("Ward7".into()), ch36, -60.0, None).unwrap();
        let b = Observation::unidentified(Some("Ward7".into()), ch36, -71.0, None).unwrap();
        assert!(a.unidentified && !a.approximate);
        assert_eq!(a.bssid, b.bssid);
        // A different SSID, band or channel number (1 in 2.4 and 6 GHz), or hidden: another key.
        let keys = [
            a.bssid,
            Bssid::unidentified(Some("Ward8"), ch36),
            Bssid::unidentified(Some("Ward7"), ch1),
            Bssid::unidentified(Some("Ward7"), ch1_6g),
            Bssid::unidentified(None, ch36),
            Bssid::unidentified(Some(""), ch36),
        ];
        for (i, k) in keys.iter().enumerate() {
            // Locally administered, unicast.
            assert_eq!(k.0[0] & 0x03, 0x02);
            for other in &keys[i + 1..] {
                assert_ne!(k, other);
            }
        }
        // By hand (FNV-1a 64 over 01 'W' ff '5' ff 24 00 = 0xc31576f00f0cdbb2; first octet
        // 0xc3 → 0xc2 with the local bit set and the group bit clear).
        assert_eq!(
            Bssid::unidentified(Some("W"), ch36).to_string(),
            "c2:15:76:f0:0f:0c"
        );
        // The flag is written only when set, and read back; old files (no field) read as false.
        let text = serde_json::to_string(&a).unwrap();
        assert!(text.ends_with(r#""unidentified":true}"#), "{text}");
        assert_eq!(serde_json::from_str::<Observation>(&text).unwrap(), a);
        let old = r#"{"bssid":"aa:bb:cc:dd:ee:01","ssid":null,"freq_mhz":2412,"channel":1,"band":"2.4","rssi_dbm":-61.0,"noise_dbm":null}"#;
        assert!(
            !serde_json::from_str::<Observation>(old)
                .unwrap()
                .unidentified
        );
    }

    #[test]
    fn implausible_values_are_refused() {
        let b: Bssid = "aa:bb:cc:dd:ee:01".parse().unwrap();
        let ch = Channel::from_freq(2437).unwrap();
        assert!(Observation::new(b, None, ch, 5.0, None).is_err());
        assert!(Observation::new(b, None, ch, f64::NAN, None).is_err());
        assert!(Observation::new(b, None, ch, -130.0, None).is_err());
        let mut o = Observation::new(b, None, ch, -70.0, None).unwrap();
        o.channel = 7;
        assert!(o.validate().is_err());
    }
}
