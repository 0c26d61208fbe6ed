//! Radio identifiers.

use crate::{ModelError, ModelErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A BSSID: the MAC address of one virtual access point (one SSID on one radio).
///
/// Parsed from colon, dash, dot or bare-hex forms in any case; always written lowercase with
/// colons, which is the survey format's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bssid(pub [u8; 6]);

impl Bssid {
    /// The access point this BSSID belongs to by the default grouping rule: the first five
    /// octets, since vendors derive an AP's per-SSID and per-band MACs by varying the last one.
    pub fn default_ap(&self) -> ApId {
        let o = self.0;
        ApId(format!(
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            o[0], o[1], o[2], o[3], o[4]
        ))
    }
}

impl FromStr for Bssid {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ModelError::from(ModelErrorKind::Bssid(s.to_string()));
        let hex: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.'))
            .collect();
        if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut out = [0u8; 6];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Bssid(out))
    }
}

impl fmt::Display for Bssid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            o[0], o[1], o[2], o[3], o[4], o[5]
        )
    }
}

impl Serialize for Bssid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Bssid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An access point's identity: a manifest name, or the shared BSSID prefix of its radios.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApId(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_common_spelling() {
        let want = "aa:bb:cc:dd:ee:0f";
        for s in [
            "AA:BB:CC:DD:EE:0F",
            "aa-bb-cc-dd-ee-0f",
            "aabb.ccdd.ee0f",
            "aabbccddee0f",
        ] {
            assert_eq!(s.parse::<Bssid>().unwrap().to_string(), want, "{s}");
        }
        for s in [
            "",
            "aa:bb:cc:dd:ee",
            "gg:bb:cc:dd:ee:ff",
            "aa:bb:cc:dd:ee:ff:00",
        ] {
            assert!(s.parse::<Bssid>().is_err(), "{s}");
        }
    }

    #[test]
    fn default_ap_ignores_last_octet() {
        let a: Bssid = "aa:bb:cc:dd:ee:01".parse().unwrap();
        let b: Bssid = "aa:bb:cc:dd:ee:12".parse().unwrap();
        assert_eq!(a.default_ap(), b.default_ap());
    }
}
