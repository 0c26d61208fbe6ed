//! Bands, channels and centre frequencies (shared/reference.md §3; IEEE 802.11 channel plans).

use crate::{ModelError, ModelErrorKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Wi-Fi band. Serialised as "2.4", "5" or "6", as the survey format and manifests spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Band {
    #[serde(rename = "2.4")]
    G2_4,
    #[serde(rename = "5")]
    G5,
    #[serde(rename = "6")]
    G6,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::G2_4, Band::G5, Band::G6];

    pub fn name(self) -> &'static str {
        match self {
            Band::G2_4 => "2.4",
            Band::G5 => "5",
            Band::G6 => "6",
        }
    }

    /// Parses "2.4", "2.4GHz", "5", "5 GHz", "6", "6e" (case-insensitive).
    pub fn parse(s: &str) -> Result<Band, ModelError> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.trim_end_matches("ghz").trim();
        match t {
            "2.4" | "2,4" | "2" => Ok(Band::G2_4),
            "5" => Ok(Band::G5),
            "6" | "6e" => Ok(Band::G6),
            _ => Err(ModelErrorKind::BandName(s.to_string()).into()),
        }
    }

    /// Default per-band noise floor used when a capture carries none, in dBm.
    ///
    /// −95 dBm at 2.4 GHz and −97 dBm at 5/6 GHz: a 20 MHz thermal floor is −101 dBm, plus a typical
    /// client noise figure of 4–6 dB (shared/reference.md §1 gives ≤ −92 dBm as a healthy
    /// measured floor; 2.4 GHz is noisier in practice). *Estimate*: override per site.
    pub fn default_noise(self) -> crate::Dbm {
        match self {
            Band::G2_4 => crate::Dbm(-95.0),
            Band::G5 | Band::G6 => crate::Dbm(-97.0),
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A channel: its band, its number in that band and its centre frequency. Numbers repeat across
/// bands, so a channel is never just a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Channel {
    pub band: Band,
    pub number: u16,
    pub freq_mhz: u32,
}

impl Channel {
    /// The channel whose centre is `freq_mhz`. Accepts 2412–2472 and 2484 (2.4 GHz),
    /// 5160–5885 (5 GHz, channels 32–177), 5935 and 5955–7115 (6 GHz, channels 1–233).
    pub fn from_freq(freq_mhz: u32) -> Result<Channel, ModelError> {
        let bad = || ModelError::from(ModelErrorKind::Frequency(freq_mhz));
        let (band, number) = match freq_mhz {
            2484 => (Band::G2_4, 14),
            2412..=2472 if (freq_mhz - 2407).is_multiple_of(5) => {
                (Band::G2_4, ((freq_mhz - 2407) / 5) as u16)
            }
            5160..=5885 if freq_mhz.is_multiple_of(5) => (Band::G5, ((freq_mhz - 5000) / 5) as u16),
            5935 => (Band::G6, 2),
            5955..=7115 if (freq_mhz - 5950) % 10 == 5 => {
                (Band::G6, ((freq_mhz - 5950) / 5) as u16)
            }
            _ => return Err(bad()),
        };
        Ok(Channel {
            band,
            number,
            freq_mhz,
        })
    }

    /// The channel `number` in `band`.
    pub fn new(band: Band, number: u16) -> Result<Channel, ModelError> {
        let bad = || {
            ModelError::from(ModelErrorKind::Channel {
                band,
                channel: number,
            })
        };
        let freq_mhz = match band {
            Band::G2_4 => match number {
                1..=13 => 2407 + 5 * number as u32,
                14 => 2484,
                _ => return Err(bad()),
            },
            Band::G5 => match number {
                32..=177 => 5000 + 5 * number as u32,
                _ => return Err(bad()),
            },
            Band::G6 => match number {
                2 => 5935,
                1..=233 if number % 2 == 1 => 5950 + 5 * number as u32,
                _ => return Err(bad()),
            },
        };
        Ok(Channel {
            band,
            number,
            freq_mhz,
        })
    }

    /// Whether the channel needs dynamic frequency selection (5 GHz channels 52–64 and 100–144).
    pub fn is_dfs(&self) -> bool {
        self.band == Band::G5 && matches!(self.number, 52..=64 | 100..=144)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_centres() {
        assert_eq!(Channel::from_freq(2412).unwrap().number, 1);
        assert_eq!(Channel::from_freq(2437).unwrap().number, 6);
        assert_eq!(Channel::from_freq(2484).unwrap().number, 14);
        let c = Channel::from_freq(5180).unwrap();
        assert_eq!((c.band, c.number), (Band::G5, 36));
        let c = Channel::from_freq(5955).unwrap();
        assert_eq!((c.band, c.number), (Band::G6, 1));
        assert_eq!(Channel::from_freq(5935).unwrap().number, 2);
        assert!(Channel::from_freq(2413).is_err());
        assert!(Channel::from_freq(900).is_err());
    }

    #[test]
    fn number_and_frequency_round_trip_in_every_band() {
        for mhz in 2400..7200 {
            if let Ok(c) = Channel::from_freq(mhz) {
                assert_eq!(Channel::new(c.band, c.number).unwrap().freq_mhz, mhz);
            }
        }
        // Same number, different band, different frequency.
        assert_ne!(
            Channel::new(Band::G2_4, 1).unwrap().freq_mhz,
            Channel::new(Band::G6, 1).unwrap().freq_mhz
        );
    }

    #[test]
    fn dfs() {
        assert!(!Channel::new(Band::G5, 36).unwrap().is_dfs());
        assert!(Channel::new(Band::G5, 52).unwrap().is_dfs());
        assert!(Channel::new(Band::G5, 144).unwrap().is_dfs());
        assert!(!Channel::new(Band::G5, 149).unwrap().is_dfs());
    }

    #[test]
    fn band_names() {
        for b in Band::ALL {
            assert_eq!(Band::parse(b.name()).unwrap(), b);
        }
        assert_eq!(Band::parse("5 GHz").unwrap(), Band::G5);
        assert!(Band::parse("60").is_err());
    }
}
