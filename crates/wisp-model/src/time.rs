//! RFC 3339 timestamps to and from seconds since the Unix epoch, UTC.
//!
//! Captures carry times as text; the track placement needs them as numbers. Pure arithmetic
//! (Howard Hinnant's days-from-civil), no clock.

/// Seconds since 1970-01-01T00:00:00Z for an RFC 3339 / ISO 8601 time such as
/// `2026-11-02T10:04:05.250Z`, `2026-11-02 10:04:05+01:00` or `2026-11-02T10:04:05` (taken as UTC).
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut frac = 0.0;
    if let Some(r) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
        let n = r.bytes().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        frac = format!("0.{}", &r[..n]).parse().ok()?;
        rest = &r[n..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = rest[1..].replace(':', "");
            if r.len() != 4 || !r.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let oh: i64 = r[0..2].parse().ok()?;
            let om: i64 = r[2..4].parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    let days = days_from_civil(y, mo, d);
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset) as f64 + frac)
}

/// RFC 3339 in UTC with milliseconds: `2026-11-02T10:04:05.250Z`.
pub fn format_rfc3339(t: f64) -> String {
    let ms_total = (t * 1000.0).round() as i64;
    let (secs, ms) = (ms_total.div_euclid(1000), ms_total.rem_euclid(1000));
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + if m <= 2 { 1 } else { 0 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        // 2000-03-01 is day 11017 (hand count: 30 years incl. 7 leap days = 10957, +31+29 = 11017).
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00Z"),
            Some(11_017.0 * 86_400.0)
        );
        assert_eq!(
            parse_rfc3339("2026-11-02T10:04:05.250Z")
                .map(format_rfc3339)
                .as_deref(),
            Some("2026-11-02T10:04:05.250Z")
        );
        assert_eq!(
            parse_rfc3339("2026-11-02T11:04:05+01:00"),
            parse_rfc3339("2026-11-02T10:04:05Z")
        );
        assert_eq!(
            parse_rfc3339("2026-11-02 10:04:05"),
            parse_rfc3339("2026-11-02T10:04:05Z")
        );
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-11-02T10:04",
            "yesterday",
            "2026-11-02T10:04:05+1",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trip_over_centuries() {
        for days in (-200_000..200_000).step_by(997) {
            let t = days as f64 * 86_400.0 + 3_723.5;
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
        }
    }
}
