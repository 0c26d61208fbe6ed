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
    /// The scanner gave only a percentage, converted to dBm by a documented formula.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
    /// How old the reading was when the scan was reported, in seconds (scanners cache results:
    /// Android's can be 30 s old). `None` where the source does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_s: Option<f64>,
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
        };
        o.validate()?;
        Ok(o)
    }

    /// Checks that the numbers agree: channel, band and frequency name one channel; RSSI and noise
    /// are finite and plausible.
    pub fn validate(&self) -> Result<(), ModelError> {
        let ch = Channel::from_freq(self.freq_mhz)?;
        if ch.band != self.band || ch.number != self.channel {
            return Err(ModelErrorKind::Channel {
                band: self.band,
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
