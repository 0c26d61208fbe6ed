//! Built-in requirement profiles (shared/reference.md §1, with each profile's source).

use wisp_model::{Dbm, RequirementProfile};

fn profile(
    name: &str,
    primary: f64,
    secondary: Option<f64>,
    tertiary: Option<f64>,
    snr: Option<f64>,
    cochannel: Option<(u32, f64)>,
    source: &str,
) -> RequirementProfile {
    RequirementProfile {
        name: name.to_string(),
        primary_dbm: Dbm(primary),
        secondary_dbm: secondary.map(Dbm),
        tertiary_dbm: tertiary.map(Dbm),
        snr_db: snr,
        cochannel_max: cochannel.map(|c| c.0),
        cochannel_dbm: Dbm(cochannel.map(|c| c.1).unwrap_or(-85.0)),
        source: source.to_string(),
    }
}

/// Every built-in profile, in the order `wisp profiles` lists them.
///
/// - `nhs-minimum`: primary ≥ −65 dBm. NHS England Connectivity Hub, "Wi-Fi metrics and measures".
/// - `healthcare-voice` (default for clinical zones): primary ≥ −65, secondary ≥ −75, SNR ≥ 25 dB,
///   at most 1 other radio on the serving channel at ≥ −85 dBm. Combines NHS, Vocera, Cisco voice
///   and Zebra guidance.
/// - `vocera`: −65 / −75, SNR 25, 1 co-channel radio at −80. Vocera Infrastructure Planning Guide;
///   Ekahau's built-in Vocera profile.
/// - `cisco-voice`: −67 / −75, SNR 25, same-channel separation 19 dB (≈ 1 radio at −86).
///   Cisco 7925G Wireless IP Phone deployment guide.
/// - `spectralink`: −65 dBm at the 11 Mb/s basic rate. Spectralink deployment guides.
/// - `rtls`: −62 primary, 3 radios at −75 (secondary and tertiary at −75), SNR 7, 5 co-channel
///   at −80. Ekahau's built-in RTLS profile.
/// - `data`: −67 / −67, SNR 25, 1 co-channel at −85. Ekahau "best practices" profile.
/// - `basic` (corridors, stairs, plant): −75 / −80, SNR 16, 1 co-channel at −80. Ekahau's basic
///   connectivity profile.
pub fn builtin() -> Vec<RequirementProfile> {
    vec![
        profile(
            "nhs-minimum",
            -65.0,
            None,
            None,
            None,
            None,
            "NHS England Connectivity Hub, Wi-Fi metrics and measures",
        ),
        profile(
            "healthcare-voice",
            -65.0,
            Some(-75.0),
            None,
            Some(25.0),
            Some((1, -85.0)),
            "NHS England; Vocera, Cisco voice and Zebra guidance combined",
        ),
        profile(
            "vocera",
            -65.0,
            Some(-75.0),
            None,
            Some(25.0),
            Some((1, -80.0)),
            "Vocera Infrastructure Planning Guide",
        ),
        profile(
            "cisco-voice",
            -67.0,
            Some(-75.0),
            None,
            Some(25.0),
            Some((1, -86.0)),
            "Cisco 7925G deployment guide",
        ),
        profile(
            "spectralink",
            -65.0,
            None,
            None,
            None,
            None,
            "Spectralink deployment guides (11 Mb/s basic rate)",
        ),
        profile(
            "rtls",
            -62.0,
            Some(-75.0),
            Some(-75.0),
            Some(7.0),
            Some((5, -80.0)),
            "Ekahau built-in RTLS profile",
        ),
        profile(
            "data",
            -67.0,
            Some(-67.0),
            None,
            Some(25.0),
            Some((1, -85.0)),
            "Ekahau best-practices profile",
        ),
        profile(
            "basic",
            -75.0,
            Some(-80.0),
            None,
            Some(16.0),
            Some((1, -80.0)),
            "Ekahau basic connectivity profile",
        ),
    ]
}

/// The built-in profile called `name`.
pub fn find_builtin(name: &str) -> Option<RequirementProfile> {
    builtin().into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zone_kind_default_exists() {
        for k in wisp_model::ZoneKind::ALL {
            assert!(find_builtin(k.default_profile()).is_some(), "{}", k.name());
        }
    }

    #[test]
    fn thresholds_match_the_reference_table() {
        let hv = find_builtin("healthcare-voice").unwrap();
        assert_eq!(
            (
                hv.primary_dbm.0,
                hv.secondary_dbm.unwrap().0,
                hv.snr_db.unwrap()
            ),
            (-65.0, -75.0, 25.0)
        );
        assert_eq!(find_builtin("cisco-voice").unwrap().primary_dbm.0, -67.0);
        assert_eq!(find_builtin("basic").unwrap().primary_dbm.0, -75.0);
    }
}
