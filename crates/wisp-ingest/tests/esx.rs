//! Ekahau `.esx` import: projects built here with the zip crate, imported, written out and loaded
//! back as a wisp site; hostile archives refused.

use serde_json::json;
use std::io::{Cursor, Write};
use std::path::Path;
use wisp_ingest::esx::{self, ZipLimits, BINARY_TRACK_SKIP};
use wisp_ingest::IngestErrorKind;
use wisp_model::{Band, Point, ZoneKind};
use zip::write::SimpleFileOptions;

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::from_pixel(w, h, image::Rgb([250, 250, 250]))
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn j(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(&v).unwrap()
}

fn at(fp: &str, x: f64, y: f64) -> serde_json::Value {
    json!({ "floorPlanId": fp, "coord": { "x": x, "y": y } })
}

/// Two floors (the second's image at twice the plan's units), walls of two types, an area with a
/// requirement and one without, two APs (one simulated, one only measured), a continuous survey
/// with route points and a binary track.
fn project() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "project.json",
            j(json!({ "project": { "name": "St Elsewhere Ward Block" } })),
        ),
        (
            "floorPlans.json",
            j(json!({ "floorPlans": [
                { "id": "fp-1", "name": "Level 1", "width": 200.0, "height": 100.0,
                  "imageId": "img-1", "metersPerUnit": 0.05,
                  "cropMinX": 0.0, "cropMinY": 0.0, "cropMaxX": 200.0, "cropMaxY": 100.0 },
                { "id": "fp-2", "name": "Level 2", "width": 150.0, "height": 75.0,
                  "imageId": "img-2", "metersPerUnit": 0.1,
                  "cropMinX": 10.0, "cropMinY": 5.0, "cropMaxX": 140.0, "cropMaxY": 70.0 }
            ]})),
        ),
        ("image-img-1", png(200, 100)),
        ("image-img-2", png(300, 150)),
        (
            "wallTypes.json",
            j(json!({ "wallTypes": [
                { "id": "wt-c", "name": "Concrete 200mm", "properties": [
                    { "band": "TWO", "attenuationFactor": 60.0, "thickness": 0.2 },
                    { "band": "FIVE", "attenuationFactor": 75.0, "thickness": 0.2 } ] },
                { "id": "wt-d", "name": "Drywall", "properties": [
                    { "band": "TWO", "attenuationFactor": 20.0, "thickness": 0.1 },
                    { "band": "FIVE", "attenuationFactor": 30.0, "thickness": 0.1 },
                    { "band": "SIX", "attenuationFactor": 35.0, "thickness": 0.1 } ] }
            ]})),
        ),
        (
            "wallPoints.json",
            j(json!({ "wallPoints": [
                { "id": "p1", "location": at("fp-1", 100.0, 0.0) },
                { "id": "p2", "location": at("fp-1", 100.0, 100.0) },
                { "id": "p3", "location": at("fp-1", 0.0, 50.0) },
                { "id": "p4", "location": at("fp-1", 100.0, 50.0) },
                { "id": "p5", "location": at("fp-2", 10.0, 10.0) },
                { "id": "p6", "location": at("fp-2", 60.0, 10.0) },
                { "id": "p7", "location": at("fp-2", 500.0, 10.0) }
            ]})),
        ),
        (
            "wallSegments.json",
            j(json!({ "wallSegments": [
                { "id": "s1", "wallPoints": ["p1", "p2"], "wallTypeId": "wt-c" },
                { "id": "s2", "wallPoints": ["p3", "p4"], "wallTypeId": "wt-d" },
                { "id": "s3", "wallPoints": ["p5", "p6"], "wallTypeId": "wt-d" },
                { "id": "s4", "wallPoints": ["p5", "p7"], "wallTypeId": "wt-d" }
            ]})),
        ),
        (
            "requirements.json",
            j(json!({ "requirements": [
                { "id": "rq-1", "name": "Voice", "criteria": [
                    { "type": "SIGNAL_STRENGTH", "comparison": "AT_LEAST", "value": -67.0 },
                    { "type": "SECONDARY_SIGNAL_STRENGTH", "comparison": "AT_LEAST", "value": -75.0 },
                    { "type": "SIGNAL_TO_NOISE_RATIO", "comparison": "AT_LEAST", "value": 25.0 },
                    { "type": "CHANNEL_OVERLAP", "comparison": "AT_MOST", "value": 1.0 },
                    { "type": "DATA_RATE", "comparison": "AT_LEAST", "value": 24.0 }
                ] }
            ]})),
        ),
        (
            "areas.json",
            j(json!({ "areas": [
                { "id": "a1", "floorPlanId": "fp-1", "name": "Bay 3 (4 beds)", "requirementId": "rq-1",
                  "area": [ {"x": 0.0, "y": 0.0}, {"x": 100.0, "y": 0.0}, {"x": 100.0, "y": 50.0}, {"x": 0.0, "y": 50.0} ] },
                { "id": "a2", "floorPlanId": "fp-2", "name": "Room 2.14",
                  "area": [ {"x": 20.0, "y": 20.0}, {"x": 60.0, "y": 20.0}, {"x": 60.0, "y": 60.0} ] },
                { "id": "a3", "floorPlanId": "fp-2", "name": "Bow tie",
                  "area": [ {"x": 20.0, "y": 20.0}, {"x": 60.0, "y": 60.0}, {"x": 60.0, "y": 20.0}, {"x": 20.0, "y": 60.0} ] }
            ]})),
        ),
        (
            "accessPoints.json",
            j(json!({ "accessPoints": [
                { "id": "ap-1", "name": "AP-L1-01", "location": at("fp-1", 50.0, 25.0) },
                { "id": "ap-2", "name": "AP-L2-01", "location": at("fp-2", 75.0, 40.0) },
                { "id": "ap-3", "name": "Unplaced" }
            ]})),
        ),
        (
            "simulatedRadios.json",
            j(json!({ "simulatedRadios": [
                { "id": "r1", "accessPointId": "ap-1", "channel": [6], "transmitPower": 14.0, "enabled": true },
                { "id": "r2", "accessPointId": "ap-1", "channel": [36, 40], "transmitPower": 18.0 }
            ]})),
        ),
        (
            "measuredRadios.json",
            j(json!({ "measuredRadios": [
                { "id": "m1", "accessPointId": "ap-2", "accessPointMeasurementIds": ["apm-1", "apm-2"] }
            ]})),
        ),
        (
            "accessPointMeasurements.json",
            j(json!({ "accessPointMeasurements": [
                { "id": "apm-1", "mac": "02:1A:11:00:05:01", "ssid": "NHS-Clinical", "channel": 44 },
                { "id": "apm-2", "mac": "02:1a:11:00:05:00", "ssid": "NHS-Guest", "channel": 44 }
            ]})),
        ),
        (
            "survey-s1.json",
            j(json!({ "surveys": [ {
                "id": "s1", "floorPlanId": "fp-1", "routeType": "CONTINUOUS",
                "routePoints": [
                    { "time": 1_793_613_600_000_000_000u64, "location": { "x": 10.0, "y": 10.0 } },
                    { "time": 1_793_613_610_500_000_000u64, "location": { "x": 110.0, "y": 10.0 } },
                    { "time": 1_793_613_620_000_000_000u64, "location": { "x": 110.0, "y": 90.0 } },
                    { "location": { "x": 1.0, "y": 1.0 } }
                ],
                "wifiTracks": [ "t1" ]
            } ] })),
        ),
        ("track-t1.bin", vec![0x45, 0x4b, 0x41, 0x48, 1, 2, 3, 4]),
    ]
}

fn import(
    entries: &[(&str, Vec<u8>)],
    limits: &ZipLimits,
) -> Result<esx::EsxImport, wisp_ingest::IngestError> {
    esx::import_reader(Cursor::new(zip_of(entries)), "stem", "test.esx", limits)
}

fn write_out(dir: &Path, imp: &esx::EsxImport) {
    std::fs::write(dir.join("site.toml"), &imp.site_toml).unwrap();
    for (name, bytes) in &imp.files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn builtins() -> Vec<String> {
    ZoneKind::ALL
        .iter()
        .map(|k| k.default_profile().to_string())
        .collect()
}

#[test]
fn imports_a_project_into_a_site_that_loads() {
    let imp = import(&project(), &ZipLimits::default()).unwrap();
    let d = tempfile::tempdir().unwrap();
    write_out(d.path(), &imp);
    let site = wisp_ingest::load_site(d.path(), &builtins())
        .unwrap_or_else(|e| panic!("{e}\n{}", imp.site_toml));

    assert_eq!(site.name, "St Elsewhere Ward Block");
    let c = &imp.counts;
    assert_eq!(
        (
            c.floors,
            c.walls,
            c.materials,
            c.zones,
            c.profiles,
            c.aps,
            c.tracks
        ),
        (2, 3, 2, 2, 1, 2, 1)
    );
    let mut names: Vec<&str> = imp.files.iter().map(|f| f.0.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "plan-level-1.png",
            "plan-level-2.png",
            "track-level-1-1.csv"
        ]
    );

    // Level 1: image pixels are plan units, so metres_per_pixel = metersPerUnit = 0.05.
    let l1 = &site.floor("level-1").unwrap().floor;
    assert_eq!(l1.name, "Level 1");
    assert_eq!(l1.calibration.metres_per_pixel(), 0.05);
    assert_eq!(l1.plan_size_px, (200, 100));
    // The crop box is the whole image: no outline beyond the image's own.
    assert_eq!(l1.outline.area(), 10.0 * 5.0);
    // Level 2: 300 px for 150 units → 2 px per unit, 0.1 / 2 = 0.05 m per pixel.
    let l2 = &site.floor("level-2").unwrap().floor;
    assert_eq!(l2.calibration.metres_per_pixel(), 0.05);
    // Crop box (10,5)–(140,70) units = (20,10)–(280,140) px = 13 m × 6.5 m.
    assert!((l2.outline.area() - 13.0 * 6.5).abs() < 1e-9);

    // Materials: attenuationFactor × thickness. Concrete: 60 × 0.2 = 12 dB, 75 × 0.2 = 15 dB.
    let conc = l1
        .materials
        .iter()
        .find(|m| m.name == "concrete-200mm")
        .unwrap();
    assert_eq!((conc.loss(Band::G2_4), conc.loss(Band::G5)), (12.0, 15.0));
    // Drywall: 20 × 0.1 = 2, 30 × 0.1 = 3, 35 × 0.1 = 3.5 dB (overrides the default drywall).
    let dry = l1.materials.iter().find(|m| m.name == "drywall").unwrap();
    assert_eq!(
        (dry.loss(Band::G2_4), dry.loss(Band::G5), dry.loss(Band::G6)),
        (2.0, 3.0, 3.5)
    );
    // Walls: segment s1 at x = 100 units = 5 m, of concrete.
    assert_eq!(l1.walls.len(), 2);
    assert_eq!(l1.walls[0].segment.a, Point::new(5.0, 0.0));
    assert_eq!(l1.walls[0].segment.b, Point::new(5.0, 5.0));
    assert_eq!(l1.materials[l1.walls[0].material].name, "concrete-200mm");
    // Level 2's s3: (10,10)–(60,10) units = (20,20)–(120,20) px = (1,1)–(6,1) m; s4 runs off the plan.
    assert_eq!(l2.walls.len(), 1);
    assert_eq!(l2.walls[0].segment.b, Point::new(6.0, 1.0));

    // The requirement as a profile.
    assert_eq!(site.profiles.len(), 1);
    let p = &site.profiles[0];
    assert_eq!(p.name, "esx-voice");
    assert_eq!(p.primary_dbm.0, -67.0);
    assert_eq!(p.secondary_dbm.map(|d| d.0), Some(-75.0));
    assert_eq!(p.snr_db, Some(25.0));
    assert_eq!(p.cochannel_max, Some(1));
    assert!(p.source.contains("Voice") && p.source.contains("test.esx"));

    // Zones: the bay with the requirement; the room with its kind's default; the bow tie skipped.
    assert_eq!(l1.zones.len() + l2.zones.len(), 2);
    assert_eq!(l1.zones[0].name, "Bay 3 (4 beds)");
    assert_eq!(l1.zones[0].kind, ZoneKind::Bay);
    assert_eq!(l1.zones[0].profile, "esx-voice");
    assert_eq!(l1.zones[0].polygon.area(), 5.0 * 2.5);
    assert_eq!(l2.zones[0].kind, ZoneKind::Clinic);
    assert_eq!(l2.zones[0].profile, "healthcare-voice");

    // APs: simulated radios; the measured-only AP gets its heard channel, BSSID and SSIDs.
    let ap1 = &l1.aps[0];
    assert_eq!(ap1.position, Point::new(2.5, 1.25));
    let radios: Vec<(Band, u16, f64)> = ap1
        .radios
        .iter()
        .map(|r| (r.band, r.channel, r.tx_dbm))
        .collect();
    assert_eq!(radios, vec![(Band::G2_4, 6, 14.0), (Band::G5, 36, 18.0)]);
    let ap2 = &l2.aps[0];
    // (75, 40) units = (150, 80) px = (7.5, 4) m.
    assert_eq!(ap2.position, Point::new(7.5, 4.0));
    assert_eq!(ap2.radios.len(), 1);
    assert_eq!(
        (
            ap2.radios[0].band,
            ap2.radios[0].channel,
            ap2.radios[0].tx_dbm
        ),
        (Band::G5, 44, 17.0)
    );
    assert_eq!(
        ap2.base_bssid.map(|b| b.to_string()).as_deref(),
        Some("02:1a:11:00:05:00")
    );
    assert_eq!(ap2.ssids, ["NHS-Clinical", "NHS-Guest"]);
    // Both BSSIDs Ekahau measured for it are listed as its members: they count as this AP by
    // name, whatever the site's grouping rule.
    let members: Vec<(String, &str)> = site
        .ap_grouping
        .assigned
        .iter()
        .map(|(b, n)| (b.to_string(), n.as_str()))
        .collect();
    assert_eq!(
        members,
        [
            ("02:1a:11:00:05:00".to_string(), ap2_name(&site)),
            ("02:1a:11:00:05:01".to_string(), ap2_name(&site)),
        ]
    );

    // The route as a track: ns → s, units → px (1:1 on level 1).
    let track = &imp
        .files
        .iter()
        .find(|f| f.0.starts_with("track-"))
        .unwrap()
        .1;
    let tr = wisp_ingest::Track::parse(std::str::from_utf8(track).unwrap()).unwrap();
    assert_eq!(tr.span(), (1_793_613_600.0, 1_793_613_620.0));
    assert_eq!(
        tr.position_at(1_793_613_610.5),
        Some(Point::new(110.0, 10.0))
    );
    assert!(imp
        .site_toml
        .contains("track-level-1-1.csv: floor level-1, CONTINUOUS survey, 3 route points"));

    // Skips, by reason.
    let skipped: Vec<(String, usize)> = imp
        .skipped
        .iter()
        .map(|(r, n, _)| (r.to_string(), n))
        .collect();
    let has = |r: &str, n: usize| skipped.iter().any(|(sr, sn)| sr.starts_with(r) && *sn == n);
    assert!(has(BINARY_TRACK_SKIP, 1), "{skipped:?}");
    assert!(
        has("requirement criterion not modelled by wisp (DATA_RATE)", 1),
        "{skipped:?}"
    );
    assert!(has("wall segment outside the plan image", 1), "{skipped:?}");
    assert!(has("area polygon not usable", 1), "{skipped:?}");
    assert!(
        has("access point not placed on an imported floor plan", 1),
        "{skipped:?}"
    );
    assert!(
        has("survey route point without a time or a position", 1),
        "{skipped:?}"
    );
    assert!(imp
        .notes
        .iter()
        .any(|n| n.contains("assumed 14 dBm at 2.4 GHz, 17 dBm")));
}

#[test]
fn a_missing_plan_image_becomes_a_blank_plan() {
    let mut entries = project();
    entries.retain(|e| e.0 != "image-img-2");
    let imp = import(&entries, &ZipLimits::default()).unwrap();
    let d = tempfile::tempdir().unwrap();
    write_out(d.path(), &imp);
    let site = wisp_ingest::load_site(d.path(), &builtins()).unwrap();
    let l2 = &site.floor("level-2").unwrap().floor;
    // Blank plan at the plan's own units: 150 × 75 px at 0.1 m/px.
    assert_eq!(l2.plan_size_px, (150, 75));
    assert_eq!(l2.calibration.metres_per_pixel(), 0.1);
    assert!(imp.notes.iter().any(|n| n.contains("blank 150×75 plan")));
}

#[test]
fn refuses_entries_that_leave_the_folder() {
    for evil in [
        "../evil",
        "plans/../../evil",
        "/etc/evil",
        "\\evil",
        "C:/evil",
        "a\\..\\..\\evil",
    ] {
        let mut entries = project();
        entries.push((evil, b"boo".to_vec()));
        let e = import(&entries, &ZipLimits::default()).unwrap_err();
        assert!(
            matches!(e.kind(), IngestErrorKind::UnsafePath(_)),
            "{evil}: {e}"
        );
        assert!(e.to_string().contains("evil"), "{e}");
    }
    assert!(!esx::unsafe_entry_name("floorPlans.json"));
    assert!(!esx::unsafe_entry_name("dir/..name"));
}

#[test]
fn refuses_too_many_entries_and_non_zips() {
    let limits = ZipLimits {
        max_entries: 5,
        ..ZipLimits::default()
    };
    let e = import(&project(), &limits).unwrap_err().to_string();
    assert!(e.contains("more than the 5 accepted"), "{e}");
    let e = esx::import_reader(
        Cursor::new(b"not a zip".to_vec()),
        "x",
        "x.esx",
        &ZipLimits::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("zip"), "{e}");
    let e = import(&[("project.json", b"{}".to_vec())], &ZipLimits::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no floorPlans.json"), "{e}");
    let e = import(
        &[("floorPlans.json", b"{\n\"floorPlans\": [,]}".to_vec())],
        &ZipLimits::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("entry floorPlans.json:2:"), "{e}");
}

/// An entry of `n` zero bytes, streamed into the writer in 1 MiB pieces.
fn zeros_entry(name: &str, n: u64) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(n >= 1 << 32);
    w.start_file(name, opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..k]).unwrap();
        left -= k as u64;
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_zip_bomb_fails_fast_with_the_default_limits() {
    // 2 GiB of zeros (about 2 MiB compressed) as the floor list: over 256 MiB per entry.
    let bytes = zeros_entry("floorPlans.json", 2 << 30);
    assert!(bytes.len() < 4 << 20, "{}", bytes.len());
    let start = std::time::Instant::now();
    let e = esx::import_reader(Cursor::new(bytes), "x", "x.esx", &ZipLimits::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("entry floorPlans.json") && e.contains("zip bomb") && e.contains("per-entry"),
        "{e}"
    );
    // Refused from the declared size, before inflating anything.
    assert!(start.elapsed().as_secs_f64() < 1.0);
}

#[test]
fn a_lying_size_is_caught_while_reading() {
    // 8 MiB of zeros under a 1 MiB limit, with the declared size patched to 100 bytes in both
    // headers, as a crafted bomb would: the read itself must stop.
    let mut bytes = zeros_entry("floorPlans.json", 8 << 20);
    let real = (8u32 << 20).to_le_bytes();
    let mut patched = 0;
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..i + 4] == real {
            bytes[i..i + 4].copy_from_slice(&100u32.to_le_bytes());
            patched += 1;
            i += 4;
        } else {
            i += 1;
        }
    }
    assert!(patched >= 1);
    let limits = ZipLimits {
        max_entry_bytes: 1 << 20,
        ..ZipLimits::default()
    };
    let e = esx::import_reader(Cursor::new(bytes), "x", "x.esx", &limits);
    // The zip reader stops at the declared size ("larger than its declared uncompressed size");
    // had it not, the limit would have (the read is capped at the limit + 1 byte).
    let e = e.unwrap_err().to_string();
    assert!(e.contains("entry floorPlans.json"), "{e}");
}

#[test]
fn the_total_limit_holds_across_entries() {
    // Three JSON entries of 600 KiB each (whitespace-padded), 1 MiB per entry and 1.5 MiB in all.
    let pad = |v: serde_json::Value| {
        let mut b = serde_json::to_vec(&v).unwrap();
        b.resize(600 << 10, b' ');
        b
    };
    let entries = vec![
        ("project.json", pad(json!({ "project": { "name": "P" } }))),
        (
            "floorPlans.json",
            pad(
                json!({ "floorPlans": [ { "id": "f", "name": "F", "width": 100.0, "height": 100.0, "metersPerUnit": 0.1 } ] }),
            ),
        ),
        ("wallTypes.json", pad(json!({ "wallTypes": [] }))),
    ];
    let limits = ZipLimits {
        max_entries: 10,
        max_entry_bytes: 1 << 20,
        max_total_bytes: 3 << 19,
    };
    let e = import(&entries, &limits).unwrap_err().to_string();
    assert!(e.contains("total limit"), "{e}");
    // With room for all three it imports.
    let limits = ZipLimits {
        max_total_bytes: 2 << 20,
        ..limits
    };
    assert!(import(&entries, &limits).is_ok());
}

fn ap2_name(site: &wisp_ingest::Site) -> &str {
    &site.floors[1].floor.aps[0].name
}
