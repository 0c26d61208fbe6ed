//! The collector's HTTP API, in process, with a scanner replaying recorded outputs of each format
//! wisp-ingest reads from the platforms' scanners (its own test fixtures).

#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;

use http::request;
use serde_json::json;
use serve::{fixture, start};
use std::path::Path;

/// Metres per pixel of the sample floor (samples/site.toml).
const MPP: f64 = 0.05;

fn journal_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join(wisp_collect::journal::JOURNAL_FILE))
        .unwrap()
        .len()
}

/// Every radio `wisp_ingest::parse_capture` reads from `bytes`, as sorted BSSIDs.
fn bssids_ingest_reads(bytes: &[u8]) -> Vec<String> {
    let parsed = wisp_ingest::parse_capture(bytes, "x", None).unwrap();
    let mut b: Vec<String> = parsed
        .scans
        .iter()
        .flat_map(|s| &s.observations)
        .map(|o| o.bssid.to_string())
        .collect();
    b.sort();
    b.dedup();
    b
}

#[test]
fn stop_and_go_points_land_where_clicked_for_every_scanner_format() {
    for rel in [
        "linux/iw_scan.txt",
        "linux/nmcli_terse.txt",
        "windows/netsh_en.txt",
        "macos/system_profiler.json",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let bytes = fixture(rel);
        let c = start(dir.path(), vec![Ok(bytes.clone())], |o| {
            o.scans_per_point = 2
        });
        let clicks = [(300.0, 310.0), (812.5, 200.25), (1400.0, 490.0)];
        for (x, y) in clicks {
            let a = c.post("/api/point", &json!({ "x_px": x, "y_px": y }));
            assert_eq!(a.status, 200, "{rel}: {}", a.text());
            let v = a.json();
            assert_eq!(v["scans"].as_array().unwrap().len(), 2, "{rel}: {v}");
            assert_eq!(v["scans"][0]["outcome"], "scan", "{rel}: {v}");
        }
        let survey: wisp_model::Survey =
            serde_json::from_slice(&c.get("/api/survey").body).unwrap();
        let samples = &survey.floors[0].samples;
        assert_eq!(samples.len(), 6, "{rel}");
        for (i, s) in samples.iter().enumerate() {
            let (x, y) = clicks[i / 2];
            assert!(
                (s.x_m - x * MPP).abs() < 1e-9 && (s.y_m - y * MPP).abs() < 1e-9,
                "{rel}: {s:?}"
            );
            let mut heard: Vec<String> =
                s.observations.iter().map(|o| o.bssid.to_string()).collect();
            heard.sort();
            assert_eq!(heard, bssids_ingest_reads(&bytes), "{rel}");
            // The raw output is kept byte for byte beside the journal.
            assert_eq!(
                std::fs::read(dir.path().join(&s.source)).unwrap(),
                bytes,
                "{rel}"
            );
        }
    }
}

#[test]
fn a_scanner_failure_is_shown_and_journalled_and_the_survey_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = vec![
        Ok(fixture("linux/iw_scan.txt")),
        Err("iw: command failed: Operation not permitted (-1)".to_string()),
        Ok(b"this is not a scan".to_vec()),
    ];
    let c = start(dir.path(), outputs, |o| o.scans_per_point = 3);
    let v = c
        .post("/api/point", &json!({ "x_px": 100.0, "y_px": 100.0 }))
        .json();
    let outcomes: Vec<&str> = v["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["scan", "failed", "failed"]);
    assert!(v["scans"][1]["message"]
        .as_str()
        .unwrap()
        .contains("Operation not permitted"));
    assert!(
        v["scans"][2]["message"]
            .as_str()
            .unwrap()
            .contains("no capture format recognised"),
        "{v}"
    );
    let st = c.get("/api/state").json();
    assert_eq!(st["failures"].as_array().unwrap().len(), 2);
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    assert_eq!(journal.matches("\"entry\":\"scan_failed\"").count(), 2);
    // The next point scans again.
    let v = c
        .post("/api/point", &json!({ "x_px": 200.0, "y_px": 100.0 }))
        .json();
    assert_eq!(v["scans"][0]["outcome"], "scan");
    assert_eq!(c.get("/api/state").json()["samples"], 2);
}

#[test]
fn refused_requests_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), vec![Ok(fixture("linux/iw_scan.txt"))], |_| {});
    let before = journal_len(dir.path());
    let body = json!({ "x_px": 100.0, "y_px": 100.0 }).to_string();
    let ct = ("Content-Type", "application/json");
    let tok = ("X-Wisp-Token", c.token.as_str());
    // No token, a wrong one, one in the wrong place.
    for headers in [
        vec![ct],
        vec![ct, ("X-Wisp-Token", "0123")],
        vec![ct, ("Cookie", "token=x")],
    ] {
        let a = request(&c.addr, "POST", "/api/point", &headers, body.as_bytes()).unwrap();
        assert_eq!(a.status, 401, "{}", a.text());
    }
    assert_eq!(request(&c.addr, "GET", "/", &[], b"").unwrap().status, 401);
    assert_eq!(
        request(&c.addr, "GET", "/api/survey?token=nope", &[], b"")
            .unwrap()
            .status,
        401
    );
    // Another origin, even with the token.
    let a = request(
        &c.addr,
        "POST",
        "/api/point",
        &[ct, tok, ("Origin", "http://evil.example")],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(a.status, 403);
    // Too big a body.
    let big = format!(
        "{{\"x_px\": 1, \"y_px\": 1, \"pad\": \"{}\"}}",
        "x".repeat(64 << 10)
    );
    let a = request(&c.addr, "POST", "/api/point", &[ct, tok], big.as_bytes()).unwrap();
    assert_eq!(a.status, 413);
    // Bad coordinates: off the 1520 × 680 px plan, negative, not numbers, missing.
    for bad in [
        json!({ "x_px": 1521.0, "y_px": 10.0 }),
        json!({ "x_px": -0.5, "y_px": 10.0 }),
        json!({ "x_px": 10.0, "y_px": 1e300 }),
        json!({ "x_px": "10", "y_px": 10.0 }),
        json!({ "x_px": 10.0 }),
        json!({ "x_px": 10.0, "y_px": 10.0, "z": 1 }),
    ] {
        let a = c.post("/api/point", &bad);
        assert!((400..500).contains(&a.status), "{bad}: {}", a.status);
    }
    let a = c.post(
        "/api/move",
        &json!({ "point": 1, "x_px": 5.0, "y_px": 5.0 }),
    );
    assert_eq!(a.status, 422, "no point 1 yet");
    assert_eq!(journal_len(dir.path()), before);
    assert!(std::fs::read_dir(dir.path().join("raw"))
        .unwrap()
        .next()
        .is_none());
    // The page's own origin with the token is served.
    let origin = format!("http://{}", c.addr);
    let a = request(
        &c.addr,
        "POST",
        "/api/point",
        &[ct, tok, ("Origin", &origin)],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let page = request(&c.addr, "GET", &format!("/?token={}", c.token), &[], b"").unwrap();
    assert!(page.status == 200 && page.text().contains("<canvas id=\"overlay\">"));
}

#[test]
fn undo_move_pause_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), vec![Ok(fixture("linux/iw_scan.txt"))], |o| {
        o.scans_per_point = 1
    });
    for x in [100.0, 200.0, 300.0] {
        assert_eq!(
            c.post("/api/point", &json!({ "x_px": x, "y_px": 300.0 }))
                .status,
            200
        );
    }
    assert_eq!(c.post("/api/undo", &json!({})).json()["undone"], 3);
    let a = c.post(
        "/api/move",
        &json!({ "point": 1, "x_px": 120.0, "y_px": 320.0 }),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(c.post("/api/pause", &json!({})).status, 200);
    let a = c.post("/api/point", &json!({ "x_px": 400.0, "y_px": 300.0 }));
    assert_eq!(a.status, 422, "paused: {}", a.text());
    assert_eq!(c.post("/api/resume", &json!({})).status, 200);
    assert_eq!(
        c.post("/api/point", &json!({ "x_px": 400.0, "y_px": 300.0 }))
            .json()["point"],
        4
    );
    let survey: wisp_model::Survey = serde_json::from_slice(&c.get("/api/survey").body).unwrap();
    let at: Vec<(f64, f64)> = survey.floors[0]
        .samples
        .iter()
        .map(|s| (s.x_m, s.y_m))
        .collect();
    assert_eq!(at, vec![(6.0, 16.0), (10.0, 15.0), (20.0, 15.0)]);
}

/// Continuous mode: scans run back to back and are placed by time between the waypoints, on the
/// straight line between them, in time order; scans after the last waypoint wait.
#[test]
fn continuous_scans_are_placed_between_waypoints() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), vec![Ok(fixture("linux/iw_scan.txt"))], |o| {
        o.continuous_interval = std::time::Duration::from_millis(40)
    });
    assert_eq!(
        c.post("/api/mode", &json!({ "mode": "continuous" })).status,
        200
    );
    let wait_scans = |n: usize| {
        for _ in 0..500 {
            if c.get("/api/state").json()["scans"]
                .as_array()
                .unwrap()
                .len()
                >= n
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("no {n} scans");
    };
    let a = c
        .post("/api/point", &json!({ "x_px": 100.0, "y_px": 300.0 }))
        .json();
    assert_eq!(a["kind"], "waypoint");
    let before = c.get("/api/state").json()["scans"]
        .as_array()
        .unwrap()
        .len();
    wait_scans(before + 4);
    c.post("/api/point", &json!({ "x_px": 500.0, "y_px": 300.0 }));
    wait_scans(before + 6);
    c.post("/api/pause", &json!({}));
    let st = c.get("/api/state").json();
    let survey: wisp_model::Survey = serde_json::from_slice(&c.get("/api/survey").body).unwrap();
    let samples = &survey.floors[0].samples;
    assert!(samples.len() >= 3, "{}", samples.len());
    let mut last_x = f64::NEG_INFINITY;
    for s in samples {
        assert_eq!(s.y_m, 15.0);
        assert!((5.0..=25.0).contains(&s.x_m), "{}", s.x_m);
        assert!(s.x_m >= last_x);
        last_x = s.x_m;
    }
    assert!(
        st["pending"].as_u64().unwrap() >= 1,
        "scans after the last waypoint wait"
    );
}

#[test]
fn the_live_map_fills_in_and_says_where_to_walk_next() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), vec![Ok(serve::first_sample_scan())], |o| {
        o.scans_per_point = 1
    });
    let empty = c.get("/api/map?layer=primary").json();
    assert!(empty["values"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v.is_null()));
    let all_next = empty["next_m2"].as_f64().unwrap();
    assert!(all_next > 100.0, "{all_next}");
    for (x, y) in [(300.0, 310.0), (500.0, 310.0), (700.0, 310.0)] {
        c.post("/api/point", &json!({ "x_px": x, "y_px": y }));
    }
    let m = c.get("/api/map?layer=primary").json();
    let (rows, cols) = (
        m["rows"].as_u64().unwrap() as usize,
        m["cols"].as_u64().unwrap() as usize,
    );
    assert_eq!((rows, cols), (68, 152));
    let values = m["values"].as_array().unwrap();
    // The cell under a scan has a value; one far from every scan has none.
    let cell =
        |x_px: f64, y_px: f64| ((y_px * MPP / 0.5) as usize) * cols + (x_px * MPP / 0.5) as usize;
    assert!(values[cell(500.0, 310.0)].is_number());
    assert!(values[cell(1400.0, 600.0)].is_null());
    let next = m["next_m2"].as_f64().unwrap();
    assert!(next < all_next, "{next} vs {all_next}");
    assert_eq!(
        m["next"][cell(500.0, 310.0)],
        false,
        "a scanned cell is surveyed"
    );
    assert_eq!(c.get("/api/map?layer=snr").status, 200);
    assert_eq!(c.get("/api/map?layer=primary&ssid=Ward7").status, 200);
    assert_eq!(c.get("/api/map?layer=bogus").status, 422);
}

/// The page hears of each point and scan through server-sent events (the token in the query, as
/// `EventSource` cannot send headers).
#[test]
fn points_and_scans_are_announced_as_server_sent_events() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), vec![Ok(fixture("linux/iw_scan.txt"))], |o| {
        o.scans_per_point = 1
    });
    let mut s = std::net::TcpStream::connect(&c.addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    write!(
        s,
        "GET /api/events?token={} HTTP/1.1\r\nHost: {}\r\n\r\n",
        c.token, c.addr
    )
    .unwrap();
    let mut lines = BufReader::new(s).lines();
    // The answer's head: 200, event stream.
    let status = lines.next().unwrap().unwrap();
    assert!(status.contains(" 200 "), "{status}");
    while let Some(Ok(l)) = lines.next() {
        if l.is_empty() {
            break;
        }
    }
    let point = std::thread::spawn({
        let c = http::Client {
            addr: c.addr.clone(),
            token: c.token.clone(),
        };
        move || {
            c.post("/api/point", &json!({ "x_px": 100.0, "y_px": 100.0 }))
                .status
        }
    });
    let mut heard = Vec::new();
    for l in lines.by_ref() {
        let l = l.unwrap();
        if let Some(data) = l.strip_prefix("data: ") {
            let v: serde_json::Value = serde_json::from_str(data).unwrap();
            heard.push(v["event"].as_str().unwrap().to_string());
            if v["event"] == "scan" {
                assert_eq!(v["data"]["outcome"], "scan");
                assert_eq!(v["data"]["point"], 1);
                break;
            }
        }
    }
    assert_eq!(heard, ["point", "scan"]);
    assert_eq!(point.join().unwrap(), 200);
}
