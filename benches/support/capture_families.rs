//! Generated captures of the other main format families for `benches/ingest.rs`: `nmcli -t`,
//! `netsh`, a WiGLE CSV, a survey JSON and a radiotap pcap, each at least a target size, from
//! fixed seeds. (The long-form CSV and the `iw` loop are in `captures.rs`, shared with the
//! instruction-count guard.) Every BSSID, level and channel is plausible, so each capture
//! parses with nothing skipped.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// Start of the generated walks: 2026-11-02T10:00:00Z.
const T0: f64 = 1_793_613_600.0;

/// Frequency (MHz) and channel of the `b`-th BSSID of a scan: 2.4 GHz and 5 GHz alternately.
fn radio(b: u32) -> (u32, u32) {
    if b.is_multiple_of(2) {
        (2412 + 5 * (b % 11), 1 + b % 11)
    } else {
        (5180 + 20 * (b % 8), 36 + 4 * (b % 8))
    }
}

/// `while true; do date -Iseconds; nmcli -t -f BSSID,SSID,CHAN,FREQ,SIGNAL dev wifi list;
/// sleep 2; done`, 25 rows a scan (colons in the BSSID escaped, as nmcli writes them).
pub fn nmcli_terse(target_bytes: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut s = String::new();
    let mut scan = 0u64;
    while s.len() < target_bytes {
        let t = wisp_model::time::format_rfc3339(T0 + 2.0 * scan as f64);
        let _ = writeln!(s, "{}+00:00", t.trim_end_matches('Z'));
        for b in 0..25u32 {
            let (freq, ch) = radio(b);
            let _ = writeln!(
                s,
                "3C\\:37\\:86\\:5E\\:{:02X}\\:{:02X}:NHS-Clinical:{ch}:{freq} MHz:{}",
                b / 2,
                (b % 2) * 16,
                20 + rng.random_range(0..80),
            );
        }
        scan += 1;
    }
    s
}

/// One `netsh wlan show networks mode=bssid` output listing ever more networks of 4 BSSIDs
/// each, every BSSID distinct (netsh prints one scan per file; a long file is many networks).
pub fn netsh(target_bytes: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let mut s = String::from(
        "C:\\Users\\surveyor> netsh wlan show networks mode=bssid\r\n\r\nInterface name : Wi-Fi\r\n",
    );
    let mut n = 0u32;
    while s.len() < target_bytes {
        n += 1;
        let _ = write!(
            s,
            "\r\nSSID {n} : Ward{n}\r\n    Network type            : Infrastructure\r\n    \
             Authentication          : WPA2-Enterprise\r\n    Encryption              : CCMP\r\n"
        );
        for b in 0..4u32 {
            let (_, ch) = radio(b);
            let band = if b.is_multiple_of(2) {
                "2.4 GHz"
            } else {
                "5 GHz"
            };
            let _ = write!(
                s,
                "    BSSID {} : 3c:37:{:02x}:{:02x}:{:02x}:{:02x}\r\n         Signal             : {}%\r\n         \
                 Radio type         : 802.11ax\r\n         Band               : {band}\r\n         \
                 Channel            : {ch}\r\n         Basic rates (Mbps) : 6 12 24\r\n         \
                 Other rates (Mbps) : 9 18 36 48 54\r\n",
                b + 1,
                n >> 16 & 0xff,
                n >> 8 & 0xff,
                n & 0xff,
                b * 16,
                20 + rng.random_range(0..80),
            );
        }
    }
    s
}

/// A WiGLE 1.6 CSV of a walk: 25 sightings every 2 s, GPS fixes near 51.5° N.
pub fn wigle_csv(target_bytes: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let mut s = String::from(
        "WigleWifi-1.6,appRelease=2.70,model=SM-G991B,release=14,device=o1s,display=UP1A,board=exynos2100,brand=samsung,star=Sol,body=3,subBody=0\n\
         MAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,RCOIs,MfgrId,Type\n",
    );
    let mut scan = 0u64;
    while s.len() < target_bytes {
        // "2026-11-02 10:04:05": WiGLE's local-time spelling of the RFC 3339 time.
        let t = wisp_model::time::format_rfc3339(T0 + 2.0 * scan as f64).replace('T', " ");
        let t = t.trim_end_matches('Z');
        let (lat, lon) = (51.5 + scan as f64 * 1e-6, -0.12 - scan as f64 * 1e-6);
        for b in 0..25u32 {
            let (freq, ch) = radio(b);
            let _ = writeln!(
                s,
                "02:1a:11:00:{:02x}:{:02x},NHS-Clinical,[WPA2-EAP/SHA1-CCMP][ESS],{t},{ch},{freq},{},{lat:.7},{lon:.7},40.2,3.5,,,WIFI",
                b / 2,
                (b % 2) * 16,
                -40 - rng.random_range(0..50),
            );
        }
        scan += 1;
    }
    s
}

/// A survey JSON (`docs/survey-format.md`) of a walk: a scan every 2 s hearing 25 BSSIDs.
pub fn survey_json(target_bytes: usize) -> String {
    use wisp_model::{Bssid, Channel, Observation, Sample, Survey, SurveyFloor};
    let mut rng = ChaCha8Rng::seed_from_u64(24);
    // About 190 bytes of JSON per observation, pretty-printed.
    let scans = target_bytes / (25 * 190) + 1;
    let samples = (0..scans)
        .map(|scan| Sample {
            x_m: (rng.random::<f64>() * 6000.0).round() / 100.0,
            y_m: (rng.random::<f64>() * 2400.0).round() / 100.0,
            t: Some(wisp_model::time::format_rfc3339(T0 + 2.0 * scan as f64)),
            source: format!("walk.csv:{}", 2 + 25 * scan),
            stale: Vec::new(),
            observations: (0..25u32)
                .map(|b| {
                    let (freq, _) = radio(b);
                    let bssid: Bssid = format!("02:1a:11:00:{:02x}:{:02x}", b / 2, (b % 2) * 16)
                        .parse()
                        .expect("a BSSID");
                    let channel = Channel::from_freq(freq).expect("a channel");
                    let rssi = f64::from(-40 - rng.random_range(0..50));
                    Observation::new(bssid, Some("NHS-Clinical".into()), channel, rssi, None)
                        .expect("an observation")
                })
                .collect(),
        })
        .collect();
    let survey = Survey::new(vec![SurveyFloor {
        id: "L1".into(),
        samples,
    }]);
    wisp_ingest::capture::native::survey_json(&survey)
}

/// A classic pcap (radiotap, link type 127) of beacons: 25 APs beaconing in turn, each record
/// a radiotap header (Channel, dBm antenna signal) and a beacon with its SSID element.
pub fn radiotap_pcap(target_bytes: usize) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(25);
    let mut f = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0];
    f.extend([0; 8]);
    f.extend(65535u32.to_le_bytes());
    f.extend(127u32.to_le_bytes());
    let mut i = 0u32;
    while f.len() < target_bytes {
        let b = i % 25;
        let (freq, _) = radio(b);
        // Radiotap: version, pad, length 13, present = Channel (bit 3) | dBm signal (bit 5).
        let mut p = vec![0u8, 0, 13, 0];
        p.extend((1u32 << 3 | 1 << 5).to_le_bytes());
        p.extend((freq as u16).to_le_bytes());
        p.extend(if freq < 3000 { 0x00a0u16 } else { 0x0140u16 }.to_le_bytes());
        p.push((-40 - rng.random_range(0..50)) as i8 as u8);
        // Beacon: frame control, duration, DA broadcast, SA = BSSID, BSSID, sequence.
        let bssid = [0x02, 0x1a, 0x11, 0x00, (b / 2) as u8, ((b % 2) * 16) as u8];
        p.extend([0x80, 0, 0, 0]);
        p.extend([0xff; 6]);
        p.extend(bssid);
        p.extend(bssid);
        p.extend([0x10, 0]);
        // Timestamp, beacon interval 100 TU, capabilities; then the SSID element.
        p.extend([0, 1, 2, 3, 4, 5, 6, 7, 0x64, 0, 0x31, 0x04]);
        p.extend([0, 12]);
        p.extend(b"NHS-Clinical");
        // 10 beacons a second, one AP after another.
        let (sec, usec) = (1_793_613_600 + i / 10, (i % 10) * 100_000);
        f.extend(sec.to_le_bytes());
        f.extend(usec.to_le_bytes());
        f.extend((p.len() as u32).to_le_bytes());
        f.extend((p.len() as u32).to_le_bytes());
        f.extend(p);
        i += 1;
    }
    f
}
