//! Which radios belong to the network being surveyed ("ours") and which are neighbours.
//!
//! Coverage counts our radios only: a shop's router or the next trust's guest network must never
//! fill a ward's dead zone. Interference counts every radio heard, ours or not.

use crate::ApId;

/// Where the list of our SSIDs came from, so that a report can say how "ours" was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkSource {
    /// The manifest's `[network] ssids`.
    Manifest,
    /// No `[network]`: the SSIDs the manifest's access points broadcast.
    ManifestAps,
    /// Neither: every SSID heard counts as ours (and wisp says so).
    Everything,
}

/// Our network: the SSIDs it broadcasts and the access points the manifest lists.
///
/// A radio is ours when its access point (as [`crate::ApGrouping`] groups BSSIDs) is one the
/// manifest lists, or when any of its BSSIDs carries one of our SSIDs. Everything else heard is a
/// neighbour. [`OurNetwork::default`] counts everything, as wisp did before it knew the difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OurNetwork {
    pub source: NetworkSource,
    /// Our SSIDs, sorted and without duplicates.
    pub ssids: Vec<String>,
    /// The access points the manifest lists, sorted and without duplicates.
    pub aps: Vec<ApId>,
}

impl Default for OurNetwork {
    fn default() -> Self {
        OurNetwork::everything()
    }
}

impl OurNetwork {
    /// Every radio is ours: the manifest names neither a network nor access points.
    pub fn everything() -> OurNetwork {
        OurNetwork {
            source: NetworkSource::Everything,
            ssids: Vec::new(),
            aps: Vec::new(),
        }
    }

    /// Our network from `ssids` and the manifest's `aps`, recording where the SSIDs came from.
    pub fn new(
        source: NetworkSource,
        ssids: impl IntoIterator<Item = String>,
        aps: impl IntoIterator<Item = ApId>,
    ) -> OurNetwork {
        let mut ssids: Vec<String> = ssids.into_iter().collect();
        ssids.sort();
        ssids.dedup();
        let mut aps: Vec<ApId> = aps.into_iter().collect();
        aps.sort();
        aps.dedup();
        OurNetwork { source, ssids, aps }
    }

    /// Whether every SSID heard counts as ours (no `[network]` and no access points).
    pub fn counts_everything(&self) -> bool {
        self.source == NetworkSource::Everything
    }

    /// Whether a radio of access point `ap` broadcasting `ssids` is ours.
    pub fn is_ours(&self, ap: &ApId, ssids: &[String]) -> bool {
        self.counts_everything()
            || self.aps.binary_search(ap).is_ok()
            || ssids.iter().any(|s| self.ssids.binary_search(s).is_ok())
    }

    /// One line for people on how "ours" was decided.
    pub fn describe(&self) -> String {
        match self.source {
            NetworkSource::Manifest => format!(
                "our network: SSIDs {} ([network] in the manifest) and the manifest's {}; every other radio is a neighbour, counted as interference only",
                self.ssids.join(", "),
                crate::words::count(self.aps.len(), "access point", "access points")
            ),
            NetworkSource::ManifestAps => format!(
                "our network: the manifest's {} and their SSIDs {} (no [network] in the manifest); every other radio is a neighbour, counted as interference only",
                crate::words::count(self.aps.len(), "access point", "access points"),
                self.ssids.join(", ")
            ),
            NetworkSource::Everything => "the manifest names no [network] ssids and no access points, so every SSID heard counts as coverage (a neighbour's Wi-Fi can hide a dead zone); add [network] ssids = [...]".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ap(s: &str) -> ApId {
        ApId(s.to_string())
    }

    #[test]
    fn ours_by_listed_ap_or_by_ssid_and_everything_without_either() {
        let n = OurNetwork::new(
            NetworkSource::Manifest,
            ["NHS-Voice".to_string(), "NHS-Clinical".to_string()],
            [ap("AP-1"), ap("02:00:00:00:07")],
        );
        assert_eq!(n.ssids, vec!["NHS-Clinical", "NHS-Voice"]);
        // A listed AP is ours whatever it broadcasts (a hidden SSID, say).
        assert!(n.is_ours(&ap("AP-1"), &[]));
        assert!(n.is_ours(&ap("02:00:00:00:07"), &["Other".into()]));
        // An unlisted AP is ours when one of its SSIDs is.
        assert!(n.is_ours(&ap("aa:bb:cc:dd:ee"), &["Shop".into(), "NHS-Voice".into()]));
        // Everything else is a neighbour, including near-miss names.
        assert!(!n.is_ours(&ap("aa:bb:cc:dd:ee"), &["NHS-Guest".into()]));
        assert!(!n.is_ours(&ap("aa:bb:cc:dd:ee"), &["nhs-voice".into()]));
        assert!(!n.is_ours(&ap("aa:bb:cc:dd:ee"), &[]));
        let all = OurNetwork::default();
        assert!(all.counts_everything());
        assert!(all.is_ours(&ap("aa:bb:cc:dd:ee"), &[]));
        assert!(!n.counts_everything());
    }
}
