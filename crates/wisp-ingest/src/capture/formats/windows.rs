//! Windows: `netsh wlan show networks mode=bssid`.
//!
//! What a surveyor saves (`netsh wlan show networks mode=bssid > scan.txt`, or the same from
//! PowerShell, which writes UTF-16LE with a BOM; decoding happens before this module sees it):
//!
//! ```text
//! C:\Users\surveyor> netsh wlan show networks mode=bssid
//!
//! Interface name : Wi-Fi
//! There are 2 networks currently visible.
//!
//! SSID 1 : Ward7
//!     Network type            : Infrastructure
//!     Authentication          : WPA2-Enterprise
//!     Encryption              : CCMP
//!     BSSID 1                 : aa:bb:cc:dd:ee:01
//!          Signal             : 80%
//!          Radio type         : 802.11ac
//!          Band               : 5 GHz
//!          Channel            : 36
//!          Bss Load:
//!              Connected Stations:        3
//!              Channel Utilization:       25 (9 %)
//!          Basic rates (Mbps) : 6 12 24
//! ```
//!
//! Quirks handled:
//! - Labels are localised (German `Kanal`/`Funktyp`, French `Canal`/`Type de radio`, Spanish
//!   `Señal`/`Canal`, Italian `Segnale`/`Canale`, Dutch `Signaal`/`Kanaal`, …), so the parser
//!   leans on what every language shares: `SSID n :` and `BSSID n :` lines, the first `NN%` value
//!   after a BSSID (the signal), a `… GHz` value (the band, printed by newer Windows only) and
//!   the first bare number after the signal (the channel; a known channel label wins if present).
//! - Whitespace before the colon varies; values may contain colons (BSSIDs, SSIDs), so a line is
//!   split at its first colon only.
//! - A leading prompt line, the interface header and the "There are N networks" line are
//!   ignored, as is anything else that is not part of a BSSID block.
//! - Hidden networks print an empty SSID (`SSID 3 : `): `ssid: None`.
//! - The signal is a 0–100 % link quality, not dBm: converted with
//!   [`percent_to_dbm`] and marked `approximate`.
//! - Without a `Band` line the band is inferred from the channel number by
//!   [`wisp_model::Channel::infer`]: numbers shared by two bands take 2.4 or 5 GHz, so 6 GHz
//!   channels 1–13 and 149–177 need the `Band` line.
//! - `netsh wlan show networks` run without `mode=bssid` lists networks but no BSSIDs: each such
//!   network is counted as skipped, with advice to rerun with `mode=bssid`.
//! - Several wireless adapters print one `Interface name` section each; the whole output is
//!   still one scan (one place, one moment), and a BSSID heard by a second adapter is counted as
//!   a duplicate rather than listed twice.
//!
//! The output carries no time and no position: `t` and `at` are `None`, the caller places it.

use crate::capture::formats::{masked_mac, percent_to_dbm};
use crate::capture::{ParsedCapture, Scan, SkipLog};
use crate::text::lines;
use crate::IngestError;
use std::collections::HashSet;
use wisp_model::{Band, Bssid, Channel, Observation};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &["netsh"];

/// Labels of the interface header line in the languages we know; only used to accept an output
/// that lists no networks at all.
const INTERFACE_LABELS: &[&str] = &[
    "Interface name",
    "Schnittstellenname",
    "Nom de l'interface",
    "Nombre de interfaz",
    "Nome interfaccia",
    "Interfacenaam",
];

/// Labels of the channel line in the languages we know; other languages fall back to the first
/// bare number after the signal line.
const CHANNEL_LABELS: &[&str] = &["Channel", "Kanal", "Canal", "Canale", "Kanaal"];

/// How many lines from the top `detect` looks at: a prompt, blank lines and the header come
/// before the first `SSID 1 :` line.
const DETECT_LINES: usize = 64;

/// The format `text` is in, if it is one of this family's.
pub fn detect(text: &str) -> Option<&'static str> {
    let mut numbered_ssid = false;
    for (_, line) in lines(text).take(DETECT_LINES) {
        let Some((label, _)) = split_label(line) else {
            continue;
        };
        if numbered(label, "SSID") {
            numbered_ssid = true;
        } else if numbered_ssid {
            // The line after `SSID n :` is another `label : value` (Network type, …) in netsh;
            // requiring it keeps a stray "SSID 1 : x" in some other text from being claimed.
            return Some("netsh");
        }
    }
    None
}

/// Parses `text` (from the file called `name`) as `format`.
pub fn parse(format: &str, text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    if format != "netsh" {
        return Err(IngestError::syntax(format!(
            "format '{format}' is not a Windows format"
        )));
    }
    parse_netsh(text, name)
}

/// One `BSSID n :` block while it is being read.
struct BssBlock {
    line: usize,
    bssid: String,
    /// Signal percentage, the first `NN%` value in the block.
    percent: Option<f64>,
    /// The `Band` line's value, parsed.
    band: Option<Result<Band, String>>,
    /// The value of a line whose label is a known channel label.
    labelled_channel: Option<String>,
    /// The first bare number after the signal line, for labels we do not know.
    positional_channel: Option<String>,
}

/// One `SSID n :` block while it is being read.
struct SsidBlock {
    line: usize,
    ssid: Option<String>,
    bssids: usize,
}

struct NetshParser<'a> {
    name: &'a str,
    observations: Vec<wisp_model::Observation>,
    heard: HashSet<Bssid>,
    skipped: SkipLog,
}

fn parse_netsh(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut p = NetshParser {
        name,
        observations: Vec::new(),
        heard: HashSet::new(),
        skipped: SkipLog::default(),
    };
    let mut start_line: Option<usize> = None;
    let mut ssid: Option<SsidBlock> = None;
    let mut bss: Option<BssBlock> = None;
    for (n, raw) in lines(text) {
        let line = raw.trim_start_matches('\u{feff}');
        let Some((label, value)) = split_label(line) else {
            continue;
        };
        if numbered(label, "SSID") {
            p.finish_bss(bss.take(), ssid.as_ref());
            p.finish_ssid(ssid.take());
            start_line.get_or_insert(n);
            ssid = Some(SsidBlock {
                line: n,
                ssid: ssid_value(value),
                bssids: 0,
            });
            continue;
        }
        if numbered(label, "BSSID") {
            p.finish_bss(bss.take(), ssid.as_ref());
            if let Some(s) = ssid.as_mut() {
                s.bssids += 1;
            }
            bss = Some(BssBlock {
                line: n,
                bssid: value.trim().to_string(),
                percent: None,
                band: None,
                labelled_channel: None,
                positional_channel: None,
            });
            continue;
        }
        if INTERFACE_LABELS.contains(&label) {
            // A new adapter's section: nothing of the previous network carries over.
            p.finish_bss(bss.take(), ssid.as_ref());
            p.finish_ssid(ssid.take());
            start_line.get_or_insert(n);
            continue;
        }
        let Some(b) = bss.as_mut() else {
            continue;
        };
        let value = value.trim();
        if b.percent.is_none() {
            b.percent = percentage(value);
            continue;
        }
        if b.band.is_none() && value.to_ascii_lowercase().ends_with("ghz") {
            b.band = Some(Band::parse(value).map_err(|_| value.to_string()));
        } else if CHANNEL_LABELS.contains(&label) {
            b.labelled_channel = Some(value.to_string());
        } else if b.positional_channel.is_none()
            && !value.is_empty()
            && value.bytes().all(|c| c.is_ascii_digit())
        {
            b.positional_channel = Some(value.to_string());
        }
    }
    p.finish_bss(bss.take(), ssid.as_ref());
    p.finish_ssid(ssid.take());
    let Some(start_line) = start_line else {
        return Err(IngestError::syntax(
            "expected `netsh wlan show networks mode=bssid` output: found no 'SSID 1 : …' \
             block and no 'Interface name : …' line",
        )
        .line(1));
    };
    Ok(ParsedCapture {
        format: "netsh".into(),
        scans: vec![Scan {
            t: None,
            at: None,
            source: crate::file_line(name, start_line),
            observations: p.observations,
        }],
        skipped: p.skipped,
        ..Default::default()
    })
}

impl NetshParser<'_> {
    fn finish_ssid(&mut self, ssid: Option<SsidBlock>) {
        if let Some(s) = ssid {
            if s.bssids == 0 {
                self.skipped.skip(
                    "network listed without BSSIDs (run netsh with mode=bssid)",
                    crate::file_line(self.name, s.line),
                );
            }
        }
    }

    fn finish_bss(&mut self, bss: Option<BssBlock>, ssid: Option<&SsidBlock>) {
        let Some(b) = bss else { return };
        let loc = crate::file_line(self.name, b.line);
        match self.observation(&b, ssid) {
            Ok(o) => {
                if self.heard.insert(o.bssid) {
                    self.observations.push(o);
                } else if o.unidentified {
                    // One SSID on one channel masked twice: one unidentified radio.
                    let same = self.observations.iter_mut().find(|p| p.bssid == o.bssid);
                    if let Some(prev) = same.filter(|p| p.rssi_dbm < o.rssi_dbm) {
                        *prev = o;
                    }
                    self.skipped.skip(
                        "unidentified radio listed twice in one scan (strongest kept)",
                        loc,
                    );
                } else {
                    self.skipped
                        .skip("BSSID listed twice (heard by a second adapter?)", loc);
                }
            }
            Err(reason) => self.skipped.skip(reason, loc),
        }
    }

    /// The observation a finished block describes, or why it cannot be one.
    fn observation(
        &self,
        b: &BssBlock,
        ssid: Option<&SsidBlock>,
    ) -> Result<Observation, &'static str> {
        let ssid = ssid.ok_or("BSSID line outside an SSID block")?;
        let bssid: Option<Bssid> = match b.bssid.trim().parse() {
            Ok(bssid) => Some(bssid),
            // `xx:xx:…` in a shared log: an unidentified radio.
            Err(_) if masked_mac(&b.bssid) => None,
            Err(_) => return Err("BSSID is not a MAC address"),
        };
        let pct = b.percent.ok_or("no signal percentage")?;
        let dbm = percent_to_dbm(pct).ok_or("signal percentage outside 0..100")?;
        let number: u16 = b
            .labelled_channel
            .as_deref()
            .or(b.positional_channel.as_deref())
            .ok_or("no channel")?
            .parse()
            .map_err(|_| "channel is not a number")?;
        let channel = match &b.band {
            Some(Ok(band)) => Channel::infer(number, Some(*band), None)
                .map_err(|_| "channel does not exist in the band given")?,
            Some(Err(_)) => return Err("band is not 2.4, 5 or 6 GHz"),
            None => Channel::infer(number, None, None).map_err(|_| "channel does not exist")?,
        };
        let ssid = ssid.ssid.clone();
        let o = match bssid {
            Some(bssid) => Observation::new(bssid, ssid, channel, dbm, None),
            None => Observation::unidentified(ssid, channel, dbm, None),
        };
        let mut o = o.map_err(|_| "rssi outside -120..0 dBm")?;
        o.approximate = true;
        Ok(o)
    }
}

/// `label : value` split at the first colon, the label trimmed; `None` without a colon.
fn split_label(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(':')?;
    Some((label.trim(), value))
}

/// Whether `label` is `word n` (e.g. `SSID 3`, `BSSID 12`).
fn numbered(label: &str, word: &str) -> bool {
    let mut parts = label.split_whitespace();
    parts.next() == Some(word)
        && parts
            .next()
            .is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit()))
        && parts.next().is_none()
}

/// The SSID after `SSID n :`: netsh puts one space after the colon, which is not part of the
/// name; trailing spaces (added by consoles and editors) are dropped. Empty or NUL-only names
/// are hidden networks.
fn ssid_value(value: &str) -> Option<String> {
    let v = value.strip_prefix(' ').unwrap_or(value).trim_end();
    (!v.is_empty() && !v.chars().all(|c| c == '\0')).then(|| v.to_string())
}

/// `80%` or `80 %` (French typography) → 80.
fn percentage(value: &str) -> Option<f64> {
    let digits = value.strip_suffix('%')?.trim_end();
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGLISH: &str = include_str!("../../../tests/fixtures/windows/netsh_en.txt");
    const GERMAN: &str = include_str!("../../../tests/fixtures/windows/netsh_de.txt");
    const FRENCH: &str = include_str!("../../../tests/fixtures/windows/netsh_fr.txt");
    const SPANISH: &str = include_str!("../../../tests/fixtures/windows/netsh_es.txt");
    const ITALIAN: &str = include_str!("../../../tests/fixtures/windows/netsh_it.txt");
    const DUTCH: &str = include_str!("../../../tests/fixtures/windows/netsh_nl.txt");
    const UTF16: &[u8] = include_bytes!("../../../tests/fixtures/windows/netsh_en_utf16le.txt");

    fn obs<'a>(p: &'a ParsedCapture, bssid: &str) -> &'a Observation {
        let b: Bssid = bssid.parse().unwrap();
        p.scans[0]
            .observations
            .iter()
            .find(|o| o.bssid == b)
            .unwrap_or_else(|| panic!("{bssid} not found"))
    }

    fn skips(p: &ParsedCapture) -> Vec<(String, usize, Vec<String>)> {
        p.skipped
            .iter()
            .map(|(r, n, l)| (r.to_string(), n, l.to_vec()))
            .collect()
    }

    #[test]
    fn english_with_prompt_band_lines_and_bss_load() {
        assert_eq!(detect(ENGLISH), Some("netsh"));
        let p = parse("netsh", ENGLISH, "scan.txt").unwrap();
        assert_eq!(p.format, "netsh");
        assert_eq!(p.scans.len(), 1);
        let s = &p.scans[0];
        // Line 1 is the prompt, line 2 blank, line 3 the interface header.
        assert_eq!(s.source, "scan.txt:3");
        assert_eq!((s.t, s.at), (None, None));
        assert_eq!(s.observations.len(), 5);

        // 80 % → 80/2 − 100 = −60 dBm; Band line says 5 GHz; channel 36 → 5180 MHz.
        let o = obs(&p, "aa:bb:cc:dd:ee:01");
        assert_eq!(o.ssid.as_deref(), Some("Ward7"));
        assert_eq!(o.rssi_dbm, -60.0);
        assert!(o.approximate);
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
        // 2.4 GHz, channel 6, 100 % → −50 dBm.
        let o = obs(&p, "aa:bb:cc:dd:ee:02");
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G2_4, 6, 2437));
        assert_eq!(o.rssi_dbm, -50.0);
        // 6 GHz from the Band line: channel 37 → 5950 + 5·37 = 6135 MHz; 51 % → −74.5 dBm.
        let o = obs(&p, "aa:bb:cc:dd:ee:03");
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G6, 37, 6135));
        assert_eq!(o.rssi_dbm, -74.5);
        // SSID with a colon and a space inside it.
        let o = obs(&p, "aa:bb:cc:dd:ee:04");
        assert_eq!(o.ssid.as_deref(), Some("NHS Wi-Fi: Guest"));
        // Hidden network.
        let o = obs(&p, "aa:bb:cc:dd:ee:05");
        assert_eq!(o.ssid, None);
        assert_eq!(o.rssi_dbm, -90.0);
        assert_eq!((o.band, o.channel), (Band::G5, 149));

        assert_eq!(
            skips(&p),
            vec![
                (
                    "channel does not exist in the band given".to_string(),
                    1,
                    vec!["scan.txt:55".to_string()]
                ),
                (
                    "signal percentage outside 0..100".to_string(),
                    1,
                    vec!["scan.txt:50".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn localised_outputs_without_band_lines() {
        // Each fixture: 3 BSSIDs, the first on channel 1 (2.4 GHz inferred), the second on
        // channel 44 (5 GHz inferred), the third hidden on channel 11 at 0 % (−100 dBm).
        for (text, first_pct) in [
            (GERMAN, 99.0),
            (FRENCH, 88.0),
            (SPANISH, 77.0),
            (ITALIAN, 66.0),
            (DUTCH, 55.0),
        ] {
            assert_eq!(detect(text), Some("netsh"));
            let p = parse("netsh", text, "x.txt").unwrap();
            assert!(p.skipped.is_empty(), "{:?}", p.skipped);
            let s = &p.scans[0];
            assert_eq!(s.observations.len(), 3);
            let o = &s.observations[0];
            assert_eq!(o.ssid.as_deref(), Some("Station 12"));
            assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G2_4, 1, 2412));
            assert_eq!(o.rssi_dbm, first_pct / 2.0 - 100.0);
            let o = &s.observations[1];
            assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 44, 5220));
            let o = &s.observations[2];
            assert_eq!(o.ssid, None);
            assert_eq!((o.band, o.channel), (Band::G2_4, 11));
            assert_eq!(o.rssi_dbm, -100.0);
        }
    }

    #[test]
    fn utf16_bom_crlf_file_through_the_whole_path() {
        assert_eq!(&UTF16[..2], &[0xFF, 0xFE]);
        let p = crate::parse_capture(UTF16, "scan16.txt", None).unwrap();
        assert_eq!(p.format, "netsh");
        let s = &p.scans[0];
        assert_eq!(s.source, "scan16.txt:2");
        assert_eq!(s.observations.len(), 2);
        let o = &s.observations[0];
        assert_eq!(o.ssid.as_deref(), Some("Café Ward"));
        assert_eq!(o.bssid.to_string(), "0a:1b:2c:3d:4e:5f");
        assert_eq!((o.band, o.channel), (Band::G5, 100));
        assert_eq!(o.rssi_dbm, -64.0);
        let o = &s.observations[1];
        assert_eq!((o.band, o.channel), (Band::G2_4, 13));
        assert_eq!(o.rssi_dbm, -79.0);
        assert!(p.skipped.is_empty());
    }

    #[test]
    fn without_mode_bssid_and_second_adapter() {
        let text = "Interface name : Wi-Fi\r\n\
There are 1 networks currently visible.\r\n\
\r\n\
SSID 1 : Ward7\r\n\
    Network type            : Infrastructure\r\n\
    Authentication          : WPA2-Enterprise\r\n\
    Encryption              : CCMP\r\n";
        assert_eq!(detect(text), Some("netsh"));
        let p = parse("netsh", text, "n.txt").unwrap();
        assert!(p.scans[0].observations.is_empty());
        assert_eq!(
            skips(&p),
            vec![(
                "network listed without BSSIDs (run netsh with mode=bssid)".to_string(),
                1,
                vec!["n.txt:4".to_string()]
            )]
        );

        let block = "SSID 1 : Ward7\n    Network type : Infrastructure\n    BSSID 1 : aa:bb:cc:dd:ee:01\n         Signal : 60%\n         Channel : 6\n";
        let two = format!("Interface name : Wi-Fi\n{block}\nInterface name : Wi-Fi 2\n{block}");
        let p = parse("netsh", &two, "two.txt").unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.scans[0].observations.len(), 1);
        assert_eq!(
            skips(&p),
            vec![(
                "BSSID listed twice (heard by a second adapter?)".to_string(),
                1,
                vec!["two.txt:11".to_string()]
            )]
        );
    }

    #[test]
    fn percentages_and_bands_in_local_typography() {
        assert_eq!(percentage("88%"), Some(88.0));
        assert_eq!(percentage("88 %"), Some(88.0));
        // French Windows may put a (narrow) no-break space before the sign.
        assert_eq!(percentage("88\u{a0}%"), Some(88.0));
        assert_eq!(percentage("88\u{202f}%"), Some(88.0));
        assert_eq!(percentage("25 (9 %)"), None);
        assert_eq!(percentage("%"), None);
        assert_eq!(percentage("1000%"), None);
        let text = "SSID 1 : A\n Type : x\n BSSID 1 : aa:bb:cc:dd:ee:01\n Signal : 50\u{a0}%\n Bande : 2,4\u{a0}GHz\n Canal : 3\n";
        let p = parse("netsh", text, "fr.txt").unwrap();
        let o = &p.scans[0].observations[0];
        assert_eq!((o.band, o.channel, o.rssi_dbm), (Band::G2_4, 3, -75.0));
    }

    #[test]
    fn no_networks_visible_is_an_empty_scan() {
        let text = "\nInterface name : Wi-Fi\nThere are 0 networks currently visible.\n";
        let p = parse("netsh", text, "e.txt").unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.scans[0].source, "e.txt:2");
        assert!(p.scans[0].observations.is_empty());
    }

    #[test]
    fn does_not_claim_other_text() {
        for text in [
            "",
            "BSS aa:bb:cc:dd:ee:01(on wlan0)\n\tSSID: Ward7\n\tfreq: 5180\n",
            "IN-USE  BSSID              SSID   MODE   CHAN  RATE  SIGNAL  BARS  SECURITY\n",
            "SSID 1 : lonely line\n",
            "The Wireless AutoConfig Service (wlansvc) is not running.\n",
        ] {
            assert_eq!(detect(text), None, "{text}");
        }
    }

    #[test]
    fn garbage_and_truncation_never_panic() {
        assert!(parse("netsh", "", "g.txt").is_err());
        assert!(parse("netsh", "\u{0}\u{feff}:::%%\n::\n", "g.txt").is_err());
        // Every prefix of a real output parses or errors, never panics.
        for cut in (0..ENGLISH.len()).filter(|&i| ENGLISH.is_char_boundary(i)) {
            let _ = parse("netsh", &ENGLISH[..cut], "t.txt");
        }
        let truncated = "SSID 1 : Ward7\n    BSSID 1 : aa:bb:cc:dd:ee:01\n  Sig";
        let p = parse("netsh", truncated, "t.txt").unwrap();
        assert_eq!(
            skips(&p),
            vec![(
                "no signal percentage".to_string(),
                1,
                vec!["t.txt:2".to_string()]
            )]
        );
        let weird = "SSID 99999999999999999999 : x\n  y : z\n BSSID 1 : zz:zz\n Signal : 999%\n Channel : 70000\n";
        let p = parse("netsh", weird, "w.txt").unwrap();
        assert_eq!(p.skipped.total(), 1);
        assert!(parse("nmcli", "x", "w.txt").is_err());
    }

    #[test]
    fn masked_bssids_are_unidentified_radios() {
        let text = include_str!("../../../tests/fixtures/windows/netsh_masked.txt");
        assert_eq!(detect(text), Some("netsh"));
        let p = parse("netsh", text, "m.txt").unwrap();
        let got: Vec<_> = p.scans[0]
            .observations
            .iter()
            .map(|o| (o.unidentified, o.ssid.as_deref(), o.channel, o.rssi_dbm))
            .collect();
        // 80 % → 80 / 2 − 100 = −60 dBm; 40 % → −80 dBm. Same SSID, different channels: two
        // radios.
        assert_eq!(
            got,
            vec![
                (true, Some("Ward7"), 36, -60.0),
                (true, Some("Ward7"), 6, -80.0)
            ]
        );
        assert!(p.skipped.is_empty());
    }
}
