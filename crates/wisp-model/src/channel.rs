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
                band: band.name(),
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

    /// The channel a record names by its number, with what else the record says: a `band`
    /// (from text such as `5GHz` or a band field; see [`Band::parse`]) or a frequency in MHz
    /// (whose band is taken). The **only** place a band is inferred from a channel number.
    ///
    /// Without a usable hint, by the numbers in use (IEEE 802.11-2020 annex E; shared/reference.md §3):
    /// - 1–14 → 2.4 GHz (6 GHz's 1, 5, 9, 13 are far rarer; give a hint for them);
    /// - even numbers 32–176, and 149–177 → 5 GHz (5 GHz's 20 MHz channels are 32–144 in steps
    ///   of 4, then 149–177; its odd numbers 149–177 are also 6 GHz numbers, 5 GHz wins);
    /// - the other numbers 15–233 that are 1 modulo 4 (17, 21, …, 145, 181, …, 233) → 6 GHz, the
    ///   only band where they are 20 MHz channels;
    /// - anything else (0, odd numbers below 149 that are not 6 GHz channels, above 233) names
    ///   no band: an error.
    ///
    /// An explicit `band` wins over `freq_mhz`; a frequency that is no channel centre is ignored.
    pub fn infer(
        number: u16,
        band: Option<Band>,
        freq_mhz: Option<u32>,
    ) -> Result<Channel, ModelError> {
        let from_freq = freq_mhz.and_then(|f| Channel::from_freq(f).ok().map(|c| c.band));
        let band = match band.or(from_freq) {
            Some(b) => b,
            None => match number {
                1..=14 => Band::G2_4,
                32..=177 if number.is_multiple_of(2) || number >= 149 => Band::G5,
                15..=233 if number % 4 == 1 => Band::G6,
                _ => return Err(ModelErrorKind::ChannelNumber(number).into()),
            },
        };
        Channel::new(band, number)
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
    fn band_inferred_from_numbers_by_hand() {
        let infer = |n, b, f| Channel::infer(n, b, f).map(|c| (c.band, c.freq_mhz)).ok();
        use Band::*;
        // 2.4 GHz numbers, including those 6 GHz shares (1, 5, 9, 13): 2407 + 5n, 14 = 2484.
        assert_eq!(infer(1, None, None), Some((G2_4, 2412)));
        assert_eq!(infer(13, None, None), Some((G2_4, 2472)));
        assert_eq!(infer(14, None, None), Some((G2_4, 2484)));
        // 5 GHz: 5000 + 5n; even numbers and 149–177.
        assert_eq!(infer(36, None, None), Some((G5, 5180)));
        assert_eq!(infer(144, None, None), Some((G5, 5720)));
        assert_eq!(infer(149, None, None), Some((G5, 5745)));
        assert_eq!(infer(165, None, None), Some((G5, 5825)));
        assert_eq!(infer(177, None, None), Some((G5, 5885)));
        // 6 GHz-only numbers: 5950 + 5n.
        assert_eq!(infer(17, None, None), Some((G6, 6035)));
        assert_eq!(infer(33, None, None), Some((G6, 6115)));
        assert_eq!(infer(37, None, None), Some((G6, 6135)));
        assert_eq!(infer(145, None, None), Some((G6, 6675)));
        assert_eq!(infer(181, None, None), Some((G6, 6855)));
        assert_eq!(infer(233, None, None), Some((G6, 7115)));
        // No band: 0, odd numbers that are not 20 MHz channels anywhere, beyond 233.
        for n in [0, 15, 35, 147, 179, 234, 255] {
            assert_eq!(infer(n, None, None), None, "{n}");
        }
        // Hints: the band given, or the frequency's band, decide the shared numbers.
        assert_eq!(infer(1, Some(G6), None), Some((G6, 5955)));
        assert_eq!(infer(5, None, Some(5975)), Some((G6, 5975)));
        assert_eq!(infer(149, Some(G6), None), Some((G6, 6695)));
        assert_eq!(infer(149, None, Some(6695)), Some((G6, 6695)));
        assert_eq!(
            infer(36, Some(Band::parse("5GHz").unwrap()), None),
            Some((G5, 5180))
        );
        // The explicit band wins over the frequency; a frequency that is no centre is ignored.
        assert_eq!(infer(1, Some(G2_4), Some(5955)), Some((G2_4, 2412)));
        assert_eq!(infer(36, None, Some(5181)), Some((G5, 5180)));
        // A hint that contradicts the number is an error, not a guess.
        assert_eq!(infer(36, Some(G2_4), None), None);
        assert_eq!(infer(2, Some(G5), None), None);
        let e = Channel::infer(35, None, None).unwrap_err().to_string();
        assert!(e.contains("channel 35 names no band"), "{e}");
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
