//! Radio identifiers.

use crate::{ModelError, ModelErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A BSSID: the MAC address of one virtual access point (one SSID on one radio).
///
/// Parsed from colon, dash, dot or bare-hex forms in any case; always written lowercase with
/// colons, which is the survey format's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bssid(pub [u8; 6]);

impl Bssid {
    /// The access point this BSSID belongs to by the default grouping rule
    /// ([`ApRule::FirstFiveOctets`]).
    pub fn default_ap(&self) -> ApId {
        ApRule::FirstFiveOctets.ap_of(self)
    }
}

/// How BSSIDs that share an address prefix are taken to be one access point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApRule {
    /// The first five octets (the default): vendors derive an AP's per-SSID and per-band MACs
    /// by varying the last octet (Cisco, Aruba and HPE document this allocation). The AP is
    /// named by those five octets, `aa:bb:cc:dd:ee`.
    #[default]
    FirstFiveOctets,
    /// Every BSSID its own AP (vendors whose radios' MACs differ in more than the last octet,
    /// or a survey that must not merge anything).
    Bssid,
    /// The first N bits (1–47 except 40): `prefix-44` groups by all but the last nibble, as
    /// vendors that allocate 16 MACs per AP do. Named `aa:bb:cc:dd:ee:e0/44`.
    Prefix(u8),
}

impl ApRule {
    /// Parses `first-five-octets`, `bssid` or `prefix-N` (N in 1..=48 bits; 40 is
    /// first-five-octets and 48 is bssid).
    pub fn parse(s: &str) -> Result<ApRule, ModelError> {
        let bad = || ModelError::from(ModelErrorKind::ApGroupingRule(s.to_string()));
        match s.trim() {
            "first-five-octets" => Ok(ApRule::FirstFiveOctets),
            "bssid" => Ok(ApRule::Bssid),
            t => {
                let bits: u8 = t
                    .strip_prefix("prefix-")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(bad)?;
                match bits {
                    40 => Ok(ApRule::FirstFiveOctets),
                    48 => Ok(ApRule::Bssid),
                    1..=47 => Ok(ApRule::Prefix(bits)),
                    _ => Err(bad()),
                }
            }
        }
    }

    /// The rule's name as the manifest writes it.
    pub fn name(self) -> String {
        match self {
            ApRule::FirstFiveOctets => "first-five-octets".into(),
            ApRule::Bssid => "bssid".into(),
            ApRule::Prefix(n) => format!("prefix-{n}"),
        }
    }

    /// The AP `bssid` belongs to under this rule.
    pub fn ap_of(self, bssid: &Bssid) -> ApId {
        let o = bssid.0;
        match self {
            ApRule::FirstFiveOctets => ApId(format!(
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                o[0], o[1], o[2], o[3], o[4]
            )),
            ApRule::Bssid => ApId(bssid.to_string()),
            ApRule::Prefix(bits) => {
                let v = o.iter().fold(0u64, |v, &b| v << 8 | u64::from(b));
                let masked = v & !((1u64 << (48 - u32::from(bits))) - 1);
                let b = masked.to_be_bytes();
                ApId(format!(
                    "{}/{bits}",
                    Bssid([b[2], b[3], b[4], b[5], b[6], b[7]])
                ))
            }
        }
    }
}

/// How the BSSIDs of a survey are grouped into access points: a rule, and explicit assignments
/// (from the manifest's `[[floors.aps]] bssids`) that win over it. Every BSSID stays in the data;
/// only which AP it counts towards changes (the primary, secondary and tertiary layers take each
/// from a different AP, and calibration fits one position per AP).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApGrouping {
    pub rule: ApRule,
    /// BSSID → the name of the AP it belongs to.
    pub assigned: BTreeMap<Bssid, String>,
}

impl ApGrouping {
    /// The AP `bssid` belongs to: its explicit assignment (the AP's name), else the rule's group.
    pub fn ap_of(&self, bssid: &Bssid) -> ApId {
        match self.assigned.get(bssid) {
            Some(name) => ApId(name.clone()),
            None => self.rule.ap_of(bssid),
        }
    }

    /// The survey AP a manifest AP called `name` with base BSSID `base` is: its name when BSSIDs
    /// are assigned to it, else the group of its base BSSID; `None` when neither says.
    pub fn ap_named(&self, name: &str, base: Option<Bssid>) -> Option<ApId> {
        if self.assigned.values().any(|n| n == name) {
            return Some(ApId(name.to_string()));
        }
        base.map(|b| self.ap_of(&b))
    }
}

impl FromStr for Bssid {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ModelError::from(ModelErrorKind::Bssid(s.to_string()));
        // Twelve hex digits once `:`, `-` and `.` are dropped; read without allocating (every
        // capture row holds a BSSID: benches/ingest.rs).
        let mut out = [0u8; 6];
        let mut n = 0;
        for c in s
            .trim()
            .bytes()
            .filter(|c| !matches!(c, b':' | b'-' | b'.'))
        {
            let d = (c as char).to_digit(16).ok_or_else(bad)? as u8;
            let o = out.get_mut(n / 2).ok_or_else(bad)?;
            *o = *o << 4 | d;
            n += 1;
        }
        if n != 12 {
            return Err(bad());
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
    fn parse_agrees_with_the_filter_and_collect_reference() {
        // The parser as first written (collects the digits into a String), as the reference.
        fn reference(s: &str) -> Option<Bssid> {
            let hex: String = s
                .trim()
                .chars()
                .filter(|c| !matches!(c, ':' | '-' | '.'))
                .collect();
            if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let mut out = [0u8; 6];
            for (i, o) in out.iter_mut().enumerate() {
                *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
            }
            Some(Bssid(out))
        }
        let pieces = [
            "a",
            "F",
            "0",
            "9",
            ":",
            "-",
            ".",
            " ",
            "g",
            "é",
            "aa:bb:cc:dd:ee:ff",
        ];
        // Every string of up to 4 pieces, then long ones built by a fixed stride.
        let mut cases: Vec<String> = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = cases
                .iter()
                .flat_map(|c| pieces.iter().map(move |p| format!("{c}{p}")))
                .collect();
            cases.extend(next);
        }
        for k in 0..5000usize {
            cases.push(
                (0..13)
                    .map(|j| pieces[(k * 7 + j * j) % pieces.len()])
                    .collect(),
            );
        }
        for s in &cases {
            assert_eq!(s.parse::<Bssid>().ok(), reference(s), "{s:?}");
        }
    }

    #[test]
    fn grouping_rules_by_hand() {
        let b = |s: &str| s.parse::<Bssid>().unwrap();
        let (a, c, d) = (
            b("aa:bb:cc:dd:ee:01"),
            b("aa:bb:cc:dd:ee:1f"),
            b("aa:bb:cc:dd:ef:00"),
        );
        let five = ApRule::parse("first-five-octets").unwrap();
        assert_eq!(five.ap_of(&a).0, "aa:bb:cc:dd:ee");
        assert_eq!(five.ap_of(&a), five.ap_of(&c));
        assert_ne!(five.ap_of(&a), five.ap_of(&d));
        let exact = ApRule::parse("bssid").unwrap();
        assert_ne!(exact.ap_of(&a), exact.ap_of(&c));
        assert_eq!(exact.ap_of(&c).0, "aa:bb:cc:dd:ee:1f");
        // 44 bits: all but the last nibble. 0x01 and 0x1f differ in the upper nibble.
        let p44 = ApRule::parse("prefix-44").unwrap();
        assert_eq!(p44, ApRule::Prefix(44));
        assert_eq!(p44.ap_of(&a).0, "aa:bb:cc:dd:ee:00/44");
        assert_eq!(p44.ap_of(&c).0, "aa:bb:cc:dd:ee:10/44");
        assert_eq!(p44.ap_of(&b("aa:bb:cc:dd:ee:0f")), p44.ap_of(&a));
        // 36 bits: 0xee = 1110_1110 keeps its upper nibble; 0xef too, so d joins a.
        let p36 = ApRule::parse("prefix-36").unwrap();
        assert_eq!(p36.ap_of(&d).0, "aa:bb:cc:dd:e0:00/36");
        assert_eq!(p36.ap_of(&a), p36.ap_of(&d));
        assert_eq!(ApRule::parse("prefix-40").unwrap(), ApRule::FirstFiveOctets);
        assert_eq!(ApRule::parse("prefix-48").unwrap(), ApRule::Bssid);
        for bad in [
            "prefix-0",
            "prefix-49",
            "prefix-",
            "first-five",
            "",
            "PREFIX-44",
        ] {
            let e = ApRule::parse(bad).unwrap_err().to_string();
            assert!(e.contains("not an AP grouping rule"), "{bad}: {e}");
        }
        for r in [ApRule::FirstFiveOctets, ApRule::Bssid, ApRule::Prefix(44)] {
            assert_eq!(ApRule::parse(&r.name()).unwrap(), r);
        }
        // Explicit assignments win over the rule; the rest follow it.
        let g = ApGrouping {
            rule: ApRule::FirstFiveOctets,
            assigned: BTreeMap::from([(c, "AP-2".to_string())]),
        };
        assert_eq!(g.ap_of(&a).0, "aa:bb:cc:dd:ee");
        assert_eq!(g.ap_of(&c).0, "AP-2");
        assert_eq!(g.ap_named("AP-2", None), Some(ApId("AP-2".into())));
        assert_eq!(
            g.ap_named("AP-1", Some(a)),
            Some(ApId("aa:bb:cc:dd:ee".into()))
        );
        assert_eq!(g.ap_named("AP-1", None), None);
    }

    #[test]
    fn default_ap_ignores_last_octet() {
        let a: Bssid = "aa:bb:cc:dd:ee:01".parse().unwrap();
        let b: Bssid = "aa:bb:cc:dd:ee:12".parse().unwrap();
        assert_eq!(a.default_ap(), b.default_ap());
    }
}
