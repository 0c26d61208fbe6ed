//! Bytes to text as capture files really arrive: UTF-8 with or without a BOM, UTF-16 (LE or BE)
//! with a BOM as PowerShell writes it, CRLF line ends.

use crate::IngestError;

/// Decodes `bytes` to a `String`. UTF-16 needs its BOM (or, failing that, the telltale NUL of
/// every other byte in ASCII text: after each letter in UTF-16LE, before it in UTF-16BE); invalid
/// sequences are an error naming the byte offset, because a silently replaced character in an
/// SSID or BSSID is a lost record.
pub fn decode(bytes: &[u8]) -> Result<String, IngestError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, 3);
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<String, IngestError> {
        if !rest.len().is_multiple_of(2) {
            return Err(IngestError::syntax(
                "UTF-16 text has an odd number of bytes (truncated?)",
            ));
        }
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .enumerate()
            .map(|(i, c)| {
                c.map_err(|_| IngestError::syntax(format!("invalid UTF-16 at byte {}", 2 + 2 * i)))
            })
            .collect()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    match bare_utf16(bytes) {
        Some(le) if bytes.len().is_multiple_of(2) => utf16(bytes, le),
        _ => utf8(bytes, 0),
    }
}

/// BOM-less UTF-16 by its first four characters: `Some(true)` for ASCII letters with a NUL
/// after each (little-endian), `Some(false)` with a NUL before each (big-endian).
fn bare_utf16(bytes: &[u8]) -> Option<bool> {
    let head = bytes.get(..8)?;
    if head.iter().skip(1).step_by(2).all(|&b| b == 0) && head[0] != 0 {
        return Some(true);
    }
    (head.iter().step_by(2).all(|&b| b == 0) && head[1] != 0).then_some(false)
}

/// Whether a capture starting with `head` may be UTF-16 (a BOM, or [`bare_utf16`]'s pattern
/// whatever the length), which [`decode`] reads whole; other text can be decoded as it streams.
pub(crate) fn utf16_signature(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || bare_utf16(head).is_some()
}

fn utf8(bytes: &[u8], offset: usize) -> Result<String, IngestError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            let line = crate::error::line_of(std::str::from_utf8(&bytes[..at]).unwrap_or(""), at);
            Err(IngestError::syntax(format!(
                "not UTF-8 text (invalid byte at offset {})",
                at + offset
            ))
            .line(line))
        }
    }
}

/// How many lines [`lines`] yields: the `\n` bytes plus one. Counted in blocks of 255 bytes with
/// a byte-wide tally, which the compiler turns into wide compares (the plain filter-and-count
/// was 5 % of `nmcli -t`'s instructions: benches/ingest.rs).
pub fn count_lines(text: &str) -> usize {
    let newlines: usize = text
        .as_bytes()
        .chunks(255)
        .map(|c| {
            let tally = c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
            usize::from(tally)
        })
        .sum();
    newlines + 1
}

/// `s.trim()`, answered without the Unicode whitespace search when `s` starts and ends with a
/// printable ASCII byte (then its first and last characters are those bytes, not whitespace):
/// every field of every row of the line formats is trimmed (benches/ingest.rs).
pub fn trim(s: &str) -> &str {
    let graphic = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    let b = s.as_bytes();
    if graphic(b.first()) && graphic(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// A whole number of 1 to 15 digits, optionally after a `-`, read without the float parser:
/// the same value `f64::from_str` gives (every integer below 2^53 is an `f64`; `-0` is
/// `-0.0`), `None` for anything else. The long-form CSV's levels, channels, MHz and often its
/// positions are whole (benches/ingest.rs; #16).
pub(crate) fn whole_number(s: &str) -> Option<f64> {
    let (negative, digits) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if !(1..=15).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = digits
        .iter()
        .fold(0u64, |v, b| v * 10 + u64::from(b - b'0')) as f64;
    Some(if negative { -v } else { v })
}

/// Lines without their `\n` or `\r\n`, numbered from 1.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    // `text.split('\n')`, each `\n` found by the `memchr` crate: std's char searcher cost a
    // tenth of `nmcli -t`'s instructions on its ~50-byte rows (benches/ingest.rs).
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b'\n', r.as_bytes()) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
    .enumerate()
    .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}

/// Field `i` of a small-CSV row as a finite number; else an error naming `what`, the text and
/// the line (a missing field reads as empty).
pub fn small_csv_number(
    row: &csv::StringRecord,
    i: usize,
    what: &str,
    line: usize,
) -> Result<f64, IngestError> {
    let f = row.get(i).unwrap_or("");
    f.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            IngestError::invalid(format!(
                "{what} '{}' is not a number",
                crate::error::quote(f)
            ))
            .line(line)
        })
}

/// The non-blank rows of a small hand-made CSV (a track, a list of points): fields trimmed, `#`
/// comments and blank rows skipped, each row with its 1-based line. A malformed row is an error
/// naming `what` and the line.
pub fn small_csv_rows(
    text: &str,
    what: &str,
) -> Result<Vec<(usize, csv::StringRecord)>, IngestError> {
    // The csv crate miscounts lines after a CRLF record, and skips comment and blank lines
    // without always counting them: with LF ends, and each comment or blank line made an empty
    // record (dropped below), its line numbers are exact.
    let text: String = text
        .replace("\r\n", "\n")
        .split_inclusive('\n')
        .map(|l| {
            let t = l.trim();
            if t.is_empty() || t.starts_with('#') {
                if l.ends_with('\n') {
                    ",\n"
                } else {
                    ","
                }
            } else {
                l
            }
        })
        .collect();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let mut err = IngestError::syntax(format!("{what} CSV: {e}"));
            if let Some(p) = e.position() {
                err = err.line(p.line() as usize);
            }
            err
        })?;
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        let line = rec.position().map_or(0, |p| p.line() as usize);
        rows.push((line, rec));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_lines_and_trim_agree_with_the_std_reference() {
        // Lines of every length around the 255-byte blocks, blank runs, `\r\n`, no final `\n`.
        let mut text = String::new();
        for k in 0..700usize {
            text.push_str(&"x".repeat(k % 300));
            text.push_str(if k % 7 == 0 { "\r\n" } else { "\n" });
            if k % 11 == 0 {
                text.push_str("\n\n");
            }
            assert_eq!(count_lines(&text), lines(&text).count(), "{k}");
            let reference = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
            assert!(lines(&text).map(|(_, l)| l).eq(reference), "{k}");
            assert_eq!(
                count_lines(&text[..text.len() - 1]),
                lines(&text[..text.len() - 1]).count()
            );
        }
        assert_eq!(count_lines(""), 1);
        assert_eq!(lines("").collect::<Vec<_>>(), [(1, "")]);
        assert_eq!(lines("a\n").collect::<Vec<_>>(), [(1, "a"), (2, "")]);
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "5180 MHz",
            " 82 ",
            "\u{a0}a\u{a0}",
            "\u{3000}x",
            "é",
            " é ",
            "x\u{2003}",
            "\u{85}y",
            "~",
            "!\n",
            "\u{feff}z",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn decodes_boms_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFab").unwrap(), "ab");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Größe\r\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&le).unwrap(), "Größe\r\n");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("SSID".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode(&be).unwrap(), "SSID");
        let bare: Vec<u8> = "Interface name"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&bare).unwrap(), "Interface name");
        let bare_be: Vec<u8> = "name = \"x\""
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(decode(&bare_be).unwrap(), "name = \"x\"");
    }

    #[test]
    fn reports_bad_bytes_with_line() {
        let e = decode(b"ok\nbad \xFF here").unwrap_err();
        assert_eq!(e.line_number(), Some(2));
        assert!(decode(&[0xFF, 0xFE, 0x41]).is_err());
    }

    #[test]
    fn strips_crlf() {
        let v: Vec<_> = lines("a\r\nb\nc").collect();
        assert_eq!(v, vec![(1, "a"), (2, "b"), (3, "c")]);
    }
    #[test]
    fn whole_numbers_read_as_the_float_parser_reads_them() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let pieces = ["-", "+", "0", "1", "7", "9", ".", "e", " ", "x"];
        let mut read = 0;
        for _ in 0..200_000 {
            let n = rng.random_range(0..18);
            let s: String = (0..n)
                .map(|i| {
                    // Digits but one time in six; a sign, most often at the front.
                    if rng.random_range(0..6) != 0 {
                        pieces[rng.random_range(2..6)]
                    } else if i == 0 {
                        pieces[rng.random_range(0..2)]
                    } else {
                        pieces[rng.random_range(0..pieces.len())]
                    }
                })
                .collect();
            if let Some(v) = super::whole_number(&s) {
                let want: f64 = s.parse().unwrap();
                assert_eq!(v.to_bits(), want.to_bits(), "{s}");
                read += 1;
            }
        }
        assert!(read > 1000, "{read}");
        assert_eq!(
            super::whole_number("-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        for s in ["", "-", "+1", "1.0", "1e3", " 1", "1234567890123456"] {
            assert_eq!(super::whole_number(s), None, "{s}");
        }
        assert_eq!(
            super::whole_number("123456789012345"),
            Some(123_456_789_012_345.0)
        );
    }
}
