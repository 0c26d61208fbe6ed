//! Kismet's `.kismet` log: an SQLite database (Kismet 2019 and later, "kismetdb").
//!
//! Tables read (shared/reference.md §4; Kismet's "KismetDB log" documentation):
//!
//! ```text
//! KISMET   (kismet_version, db_version, db_module)
//! devices  (first_time, last_time, devkey, phyname, devmac, strongest_signal, min_lat, min_lon,
//!           max_lat, max_lon, avg_lat, avg_lon, bytes_data, type, device)   -- device: JSON
//! packets  (ts_sec, ts_usec, phyname, sourcemac, destmac, transmac, frequency, devkey, lat, lon,
//!           alt, speed, heading, packet_len, signal, datasource, dlt, packet, error, tags, ...)
//! ```
//!
//! (`data`, `datasources`, `alerts`, `messages` and `snapshots` hold nothing a survey uses.)
//!
//! Every packet row is one reception at one moment and one place, so each usable one becomes its
//! own [`Scan`] with one observation, as a WiGLE row does: `t` = `ts_sec + ts_usec / 10⁶`,
//! `at = Point::new(lon, lat)` — **GPS degrees**, placed through the floor's georef later — and
//! `source` = `"{file}#packets:{rowid}"`. A packet is a reception at its own time, so its
//! reading gets no `age_s` here; grouping packets into scans ([`crate::sightings`]) gives each
//! its distance in time from the grouped scan. (The `devices` table's `last_time` is a device's
//! latest packet, already one of the packets read.) A packet is used when:
//! - `phyname` is `IEEE802.11` (else skipped "not a Wi-Fi packet (PHY)");
//! - its transmitter (`transmac`, else `sourcemac` for logs without one or rows where it is
//!   all zeros) has a `devices` row of type `Wi-Fi AP` (else "not from an access point (TYPE)",
//!   or "no device record for the transmitter": Kismet writes devices periodically, so a crash
//!   can leave packets of a device it never wrote);
//! - `signal` is a level in dBm: 0 is Kismet's "not measured" ("no signal (0)"), and anything
//!   outside −120..0 is a sentinel such as 108 or −128 ("sentinel signal value");
//! - `frequency` (kHz) is a channel centre ("no frequency" for 0 or NULL, "frequency names no
//!   channel" otherwise);
//! - `error` is 0 ("packet flagged in error by Kismet" otherwise).
//!
//! A packet without a fix (lat = lon = 0, or NULL) keeps `at = None`: with `--track` it is placed
//! by its time, otherwise placement counts it. Logs of `db_version` below 5 store latitude and
//! longitude as integers × 100 000 (as Kismet's own `kismetdb_to_wiglecsv` reads them).
//!
//! The SSID comes from the AP's device JSON: `dot11.device` → `last_beaconed_ssid_record`
//! (current Kismet), else the beaconed record of `advertised_ssid_map` (latest `last_time`), else
//! the older plain `last_beaconed_ssid`. An empty or all-NUL name is a hidden network
//! (`ssid: None`); a cloaked network whose name Kismet learned keeps it, as in netxml.
//!
//! The database is never modified: a file is opened read-only as `immutable` (no lock, no
//! journal, no WAL; SQLite's URI parameters), bytes without a path as a read-only in-memory copy.
//! Views and triggers are never run: the three tables must be plain tables, `trusted_schema` is
//! off and the connection is `query_only` and defensive (SQLite's advice for untrusted files).

use crate::capture::{ParsedCapture, Scan};
use crate::IngestError;
use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use wisp_model::{Bssid, Channel, Observation, Point};

/// The 16 bytes every SQLite 3 database starts with.
pub const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// The packet columns wisp needs: without them the log cannot give a sample.
const PACKET_COLUMNS: &[&str] = &[
    "ts_sec",
    "phyname",
    "sourcemac",
    "frequency",
    "lat",
    "lon",
    "signal",
];
/// Packet columns read when present (older logs lack some): a missing one reads as NULL.
const PACKET_OPTIONAL: &[&str] = &["ts_usec", "transmac", "error"];
const DEVICE_COLUMNS: &[&str] = &["phyname", "devmac", "device"];
const DEVICE_OPTIONAL: &[&str] = &["type"];

const WIFI_PHY: &str = "IEEE802.11";
const AP_TYPE: &str = "Wi-Fi AP";

/// Reads a Kismet log held in memory; `name` is the file's name for `source` locations.
pub fn read(bytes: &[u8], name: &str) -> Result<ParsedCapture, IngestError> {
    require_magic(bytes)?;
    let conn = open_bytes(bytes).map_err(sql_error)?;
    harden(&conn).map_err(sql_error)?;
    read_log(&conn, name)
}

/// Reads the Kismet log at `path` by SQLite from the file itself (read-only, immutable), never
/// copying it into memory; `head` is the file's first bytes, already read for detection. A path
/// that is not UTF-8 cannot be written as an SQLite URI: that file is read whole (bounded by
/// [`crate::MAX_CAPTURE_BYTES`]) and opened from memory instead.
pub fn read_file(path: &Path, head: &[u8], name: &str) -> Result<ParsedCapture, IngestError> {
    require_magic(head)?;
    let Some(uri) = immutable_uri(path) else {
        let bytes = crate::read_limited(path, crate::MAX_CAPTURE_BYTES)?;
        return read(&bytes, name);
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags).map_err(sql_error)?;
    harden(&conn).map_err(sql_error)?;
    read_log(&conn, name)
}

fn require_magic(head: &[u8]) -> Result<(), IngestError> {
    if head.starts_with(SQLITE_MAGIC) {
        return Ok(());
    }
    Err(IngestError::invalid(
        "not a Kismet log: expected an SQLite database (a file starting \"SQLite format 3\")",
    ))
}

/// Opens a read-only in-memory copy of the database in `bytes`.
fn open_bytes(bytes: &[u8]) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    // An in-memory database cannot be in WAL mode: header bytes 18–19 (write/read format
    // version) say 2 for WAL, and the copy says 1 (legacy) instead, which reads the same pages.
    let mut head = [0u8; 20];
    let n = bytes.len().min(20);
    head[..n].copy_from_slice(&bytes[..n]);
    if n == 20 && head[18] == 2 && head[19] == 2 {
        head[18] = 1;
        head[19] = 1;
    }
    let reader = std::io::Read::chain(&head[..n], &bytes[n..]);
    conn.deserialize_read_exact(rusqlite::MAIN_DB, reader, bytes.len(), true)?;
    Ok(conn)
}

/// `file:` URI of `path` with `immutable=1`, percent-encoding all but unreserved characters and
/// `/` (SQLite's URI filenames). `None` for a path that is not UTF-8 (the bytes are used then).
fn immutable_uri(path: &Path) -> Option<String> {
    let s = path.to_str()?;
    let mut uri = String::from("file:");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    Some(uri)
}

/// SQLite's settings for reading a database file from an untrusted source.
fn harden(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.pragma_update(None, "query_only", true)?;
    conn.pragma_update(None, "cell_size_check", true)?;
    Ok(())
}

fn sql_error(e: rusqlite::Error) -> IngestError {
    IngestError::invalid(format!(
        "cannot read the Kismet log as SQLite: {e} (a truncated or damaged file?)"
    ))
}

/// What one IEEE 802.11 device is, as far as its packets are concerned.
#[derive(Debug, Clone)]
enum Device {
    Ap { ssid: Option<String> },
    Other(String),
}

fn read_log(conn: &Connection, name: &str) -> Result<ParsedCapture, IngestError> {
    require_table(
        conn,
        "KISMET",
        &["db_version"],
        "kismet_version, db_version",
    )?;
    let version: i64 = conn
        .query_row("SELECT db_version FROM KISMET LIMIT 1", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => IngestError::invalid(
                "Kismet log: table KISMET is empty; expected one row with the db_version",
            ),
            e => sql_error(e),
        })?
        .unwrap_or(0);
    let ctx = |what: &str| format!("Kismet log (db_version {version}): {what}");
    let dev_cols = require_table(
        conn,
        "devices",
        DEVICE_COLUMNS,
        "phyname, devmac, type, device",
    )
    .map_err(|e| IngestError::invalid(ctx(&e.to_string())))?;
    let pkt_cols = require_table(
        conn,
        "packets",
        PACKET_COLUMNS,
        "ts_sec, ts_usec, phyname, sourcemac, transmac, frequency, lat, lon, signal",
    )
    .map_err(|e| IngestError::invalid(ctx(&e.to_string())))?;

    let devices = read_devices(conn, &dev_cols).map_err(sql_error)?;
    let mut out = ParsedCapture {
        format: "kismetdb".into(),
        ..Default::default()
    };
    // Before db_version 5, positions were integers × 100 000.
    let gps_divisor = if version < 5 { 100_000.0 } else { 1.0 };
    let select = column_list(PACKET_COLUMNS, PACKET_OPTIONAL, &pkt_cols);
    let sql = format!("SELECT rowid, {select} FROM packets ORDER BY rowid");
    let mut stmt = conn.prepare(&sql).map_err(sql_error)?;
    let mut rows = stmt.query([]).map_err(sql_error)?;
    while let Some(row) = rows.next().map_err(sql_error)? {
        let p = PacketRow::from_row(row).map_err(sql_error)?;
        let loc = format!("{name}#packets:{}", p.rowid);
        match packet_scan(&p, &devices, gps_divisor, loc.clone()) {
            Ok(scan) => out.scans.push(scan),
            Err(reason) => out.skipped.skip(reason, loc),
        }
    }
    Ok(out)
}

/// Checks that `table` is a plain table with `required` columns; returns its column names
/// (lower-case). The error says what was expected.
fn require_table(
    conn: &Connection,
    table: &str,
    required: &[&str],
    expected: &str,
) -> Result<Vec<String>, IngestError> {
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE lower(name) = lower(?1) LIMIT 1",
            [table],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(sql_error(e)),
        })?;
    match kind.as_deref() {
        Some("table") => {}
        None => {
            return Err(IngestError::invalid(format!(
                "not a Kismet log: no table {table} (expected {table} with columns {expected})"
            )))
        }
        Some(other) => {
            return Err(IngestError::invalid(format!(
                "not a Kismet log: {table} is a {other}, expected a table with columns {expected}"
            )))
        }
    }
    let mut stmt = conn
        .prepare("SELECT lower(name) FROM pragma_table_info(?1)")
        .map_err(sql_error)?;
    let cols: Vec<String> = stmt
        .query_map([table], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(sql_error)?;
    if let Some(missing) = required.iter().find(|c| !cols.iter().any(|n| n == *c)) {
        return Err(IngestError::invalid(format!(
            "table {table} has no column {missing} (expected columns {expected})"
        )));
    }
    Ok(cols)
}

/// `a, b, NULL, ...`: the required columns, then each optional one or NULL where it is absent.
fn column_list(required: &[&str], optional: &[&str], present: &[String]) -> String {
    required
        .iter()
        .map(|c| format!("\"{c}\""))
        .chain(optional.iter().map(|c| {
            if present.iter().any(|p| p == c) {
                format!("\"{c}\"")
            } else {
                "NULL".to_string()
            }
        }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The IEEE 802.11 devices by MAC.
fn read_devices(conn: &Connection, present: &[String]) -> rusqlite::Result<HashMap<Bssid, Device>> {
    let sql = format!(
        "SELECT {} FROM devices WHERE phyname = '{WIFI_PHY}'",
        column_list(&DEVICE_COLUMNS[1..], DEVICE_OPTIONAL, present)
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut devices = HashMap::new();
    while let Some(row) = rows.next()? {
        let Some(mac) = text(row.get_ref(0)?).and_then(|m| m.trim().parse::<Bssid>().ok()) else {
            continue;
        };
        let column_kind = text(row.get_ref(2)?).filter(|t| !t.is_empty());
        // Clients' JSON (often the bulk of the table) is only parsed when the type column is
        // missing: an AP's is needed for its SSID.
        let json: Option<Value> = match (column_kind.as_deref(), row.get_ref(1)?) {
            (None | Some(AP_TYPE), ValueRef::Text(b) | ValueRef::Blob(b)) => {
                serde_json::from_slice(b).ok()
            }
            _ => None,
        };
        let kind = column_kind
            .or_else(|| {
                json.as_ref()?
                    .get("kismet.device.base.type")?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let device = if kind == AP_TYPE {
            Device::Ap {
                ssid: json.as_ref().and_then(advertised_ssid),
            }
        } else {
            Device::Other(if kind.is_empty() {
                "untyped".into()
            } else {
                kind
            })
        };
        devices.insert(mac, device);
    }
    Ok(devices)
}

fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// The SSID an AP beacons, from its device JSON; `None` when hidden or unknown.
fn advertised_ssid(dev: &Value) -> Option<String> {
    const SSID: &str = "dot11.advertisedssid.ssid";
    let dot11 = dev.get("dot11.device")?;
    let record = dot11
        .get("dot11.device.last_beaconed_ssid_record")
        .filter(|r| r.get(SSID).is_some())
        .or_else(|| {
            let map = dot11.get("dot11.device.advertised_ssid_map")?;
            let records: Vec<&Value> = match map {
                Value::Array(a) => a.iter().collect(),
                Value::Object(o) => o.values().collect(),
                _ => Vec::new(),
            };
            let beaconed = |r: &&Value| {
                r.get("dot11.advertisedssid.beacon")
                    .and_then(Value::as_f64)
                    .is_some_and(|b| b != 0.0)
            };
            latest_named(records.iter().copied().filter(beaconed))
                .or_else(|| latest_named(records.iter().copied()))
        });
    let name = match record {
        Some(r) => r.get(SSID)?.as_str()?,
        None => dot11.get("dot11.device.last_beaconed_ssid")?.as_str()?,
    };
    (!name.is_empty() && !name.chars().all(|c| c == '\0')).then(|| name.to_string())
}

/// The advertised-SSID record with a name that Kismet saw last (the first of equals).
fn latest_named<'a>(records: impl Iterator<Item = &'a Value>) -> Option<&'a Value> {
    let last = |r: &Value| {
        r.get("dot11.advertisedssid.last_time")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    };
    records
        .filter(|r| r.get("dot11.advertisedssid.ssid").is_some())
        .fold(None, |best: Option<&Value>, r| match best {
            Some(b) if last(b) >= last(r) => Some(b),
            _ => Some(r),
        })
}

/// One packet row, as read.
struct PacketRow {
    rowid: i64,
    ts_sec: Option<f64>,
    phyname: Option<String>,
    sourcemac: Option<String>,
    frequency_khz: Option<f64>,
    lat: Option<f64>,
    lon: Option<f64>,
    signal: Option<f64>,
    ts_usec: Option<f64>,
    transmac: Option<String>,
    error: Option<f64>,
}

impl PacketRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let num = |i: usize| -> rusqlite::Result<Option<f64>> {
            Ok(match row.get_ref(i)? {
                ValueRef::Integer(n) => Some(n as f64),
                ValueRef::Real(x) => Some(x),
                ValueRef::Text(t) => std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.trim().parse().ok()),
                _ => None,
            })
        };
        Ok(PacketRow {
            rowid: row.get(0)?,
            ts_sec: num(1)?,
            phyname: text(row.get_ref(2)?),
            sourcemac: text(row.get_ref(3)?),
            frequency_khz: num(4)?,
            lat: num(5)?,
            lon: num(6)?,
            signal: num(7)?,
            ts_usec: num(8)?,
            transmac: text(row.get_ref(9)?),
            error: num(10)?,
        })
    }
}

/// Turns one packet into a scan, or the reason it cannot be one.
fn packet_scan(
    p: &PacketRow,
    devices: &HashMap<Bssid, Device>,
    gps_divisor: f64,
    source: String,
) -> Result<Scan, String> {
    let phy = p.phyname.as_deref().unwrap_or("");
    if phy != WIFI_PHY {
        let phy = if phy.is_empty() { "no PHY" } else { phy };
        return Err(format!("not a Wi-Fi packet ({phy})"));
    }
    if p.error.is_some_and(|e| e != 0.0) {
        return Err("packet flagged in error by Kismet".into());
    }
    let mac = |m: &Option<String>| {
        m.as_deref()
            .and_then(|m| m.trim().parse::<Bssid>().ok())
            .filter(|b| b.0 != [0; 6])
    };
    let bssid = mac(&p.transmac)
        .or_else(|| mac(&p.sourcemac))
        .ok_or("no transmitter address")?;
    let ssid = match devices.get(&bssid) {
        None => return Err("no device record for the transmitter".into()),
        Some(Device::Other(kind)) => return Err(format!("not from an access point ({kind})")),
        Some(Device::Ap { ssid }) => ssid.clone(),
    };
    let signal = p.signal.filter(|s| s.is_finite()).unwrap_or(0.0);
    if signal == 0.0 {
        return Err("no signal (0)".into());
    }
    if !(-120.0..0.0).contains(&signal) {
        return Err("sentinel signal value".into());
    }
    let khz = p
        .frequency_khz
        .filter(|f| f.is_finite() && *f > 0.0)
        .ok_or("no frequency")?;
    let mhz = khz / 1000.0;
    let channel = (mhz.fract() == 0.0 && mhz <= f64::from(u32::MAX))
        .then(|| Channel::from_freq(mhz as u32).ok())
        .flatten()
        .ok_or("frequency names no channel")?;
    let obs = Observation::new(bssid, ssid, channel, signal, None)
        .map_err(|_| "rssi outside -120..0 dBm")?;
    let t = p
        .ts_sec
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| s + p.ts_usec.filter(|u| u.is_finite()).unwrap_or(0.0) / 1e6);
    let at = match (p.lat, p.lon) {
        (Some(lat), Some(lon)) => {
            let (lat, lon) = (lat / gps_divisor, lon / gps_divisor);
            // 0,0 is Kismet's "no fix"; anything off the globe is junk.
            ((lat, lon) != (0.0, 0.0)
                && (-90.0..=90.0).contains(&lat)
                && (-180.0..=180.0).contains(&lon))
            .then(|| Point::new(lon, lat))
        }
        _ => None,
    };
    Ok(Scan {
        t,
        at,
        source,
        observations: vec![obs],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encodes_what_sqlite_would_read_as_syntax() {
        assert_eq!(
            immutable_uri(Path::new("/data/a b?#%.kismet")).unwrap(),
            "file:/data/a%20b%3F%23%25.kismet?mode=ro&immutable=1"
        );
    }

    #[test]
    fn ssid_sources_in_order_of_preference() {
        let v: Value = serde_json::from_str(
            r#"{"dot11.device": {
                "dot11.device.last_beaconed_ssid_record": {"dot11.advertisedssid.ssid": "Ward7"},
                "dot11.device.advertised_ssid_map": [{"dot11.advertisedssid.ssid": "Other", "dot11.advertisedssid.beacon": 1}],
                "dot11.device.last_beaconed_ssid": "Old"}}"#,
        )
        .unwrap();
        assert_eq!(advertised_ssid(&v).as_deref(), Some("Ward7"));
        let v: Value = serde_json::from_str(
            r#"{"dot11.device": {"dot11.device.advertised_ssid_map": {
                "1": {"dot11.advertisedssid.ssid": "Probe", "dot11.advertisedssid.beacon": 0, "dot11.advertisedssid.last_time": 9},
                "2": {"dot11.advertisedssid.ssid": "Early", "dot11.advertisedssid.beacon": 1, "dot11.advertisedssid.last_time": 1},
                "3": {"dot11.advertisedssid.ssid": "Late", "dot11.advertisedssid.beacon": 1, "dot11.advertisedssid.last_time": 5}}}}"#,
        )
        .unwrap();
        assert_eq!(advertised_ssid(&v).as_deref(), Some("Late"));
        let v: Value =
            serde_json::from_str(r#"{"dot11.device": {"dot11.device.last_beaconed_ssid": "Old"}}"#)
                .unwrap();
        assert_eq!(advertised_ssid(&v).as_deref(), Some("Old"));
        for hidden in [r#""""#, r#""\u0000\u0000""#] {
            let v: Value = serde_json::from_str(&format!(
                r#"{{"dot11.device": {{"dot11.device.last_beaconed_ssid_record": {{"dot11.advertisedssid.ssid": {hidden}, "dot11.advertisedssid.cloaked": 1}}}}}}"#
            ))
            .unwrap();
            assert_eq!(advertised_ssid(&v), None);
        }
    }
}
