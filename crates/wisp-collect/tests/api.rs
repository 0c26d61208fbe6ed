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
    // The export: the survey as served, and the track of the live points in time order, in
    // metres (point 1 where it was moved to; point 3 taken back).
    let x = c.post("/api/export", &json!({})).json();
    let exported: wisp_model::Survey =
        serde_json::from_slice(&std::fs::read(x["survey"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(exported, survey);
    assert!(x["pings"].is_null(), "no --ping, no pings.csv");
    let track = std::fs::read_to_string(x["track"].as_str().unwrap()).unwrap();
    let rows: Vec<(f64, f64)> = track
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<f64> = l.split(',').map(|v| v.parse().unwrap()).collect();
            (f[1], f[2])
        })
        .collect();
    assert_eq!(track.lines().next(), Some("t,x,y"));
    assert_eq!(rows, vec![(6.0, 16.0), (10.0, 15.0), (20.0, 15.0)]);
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
    // The SSID filter: the clinical network alone still has values under the scans; an SSID
    // nobody broadcasts leaves nothing to draw.
    let only = |ssid: &str| {
        let m = c.get(&format!("/api/map?layer=primary&ssid={ssid}")).json();
        m["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v.is_number())
            .count()
    };
    let all = values.iter().filter(|v| v.is_number()).count();
    let clinical = only("NHS-Clinical");
    assert!(clinical > 0 && clinical <= all, "{clinical} of {all}");
    assert_eq!(only("Ward7"), 0);
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

/// `--ping`: each stop's check (run by a fake `ping` printing recorded iputils outputs) is
/// journalled, in the state at its point with its classes against the thresholds, follows its
/// point when moved and leaves with it on undo; a check that fails is shown and journalled and
/// the survey goes on; the export writes `pings.csv` (README's columns), checked by hand.
#[cfg(unix)]
#[test]
fn pings_are_journalled_classed_placed_and_exported() {
    use serve::pings::*;
    let dir = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    let ping = serve::fake_ping(
        bin.path(),
        &[ALL_BACK, ONE_LOST_SLOW, UNKNOWN_HOST, NONE_BACK],
    );
    let c = start(dir.path(), vec![Ok(fixture("linux/iw_scan.txt"))], |o| {
        o.scans_per_point = 1;
        o.ping = Some(ping);
    });
    let mut answers = Vec::new();
    for x in [100.0, 200.0, 300.0, 400.0] {
        let a = c.post("/api/point", &json!({ "x_px": x, "y_px": 300.0 }));
        assert_eq!(a.status, 200, "{}", a.text());
        let v = a.json();
        assert_eq!(v["scans"][0]["outcome"], "scan", "the survey goes on: {v}");
        answers.push(v);
    }
    assert_eq!(answers[0]["ping"]["entry"], "ping");
    assert_eq!(answers[0]["ping"]["rtt_avg_ms"], 2.3);
    assert_eq!(answers[2]["ping"]["entry"], "ping_failed");
    assert!(answers[2]["ping"]["message"]
        .as_str()
        .unwrap()
        .contains("Temporary failure in name resolution"));
    let st = c.get("/api/state").json();
    let classes: Vec<(u64, &str, &str)> = st["pings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["point"].as_u64().unwrap(),
                p["loss_class"].as_str().unwrap(),
                p["rtt_class"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        classes,
        [
            (1, "good", "good"),
            (2, "poor", "poor"),
            (3, "failed", "failed"),
            (4, "poor", "no_reply")
        ]
    );
    assert_eq!(st["pings"][1]["loss_pct"], 25.0);
    assert_eq!(st["ping_failures"].as_array().unwrap().len(), 1);
    assert_eq!(st["ping_thresholds"]["loss_limit_pct"], 2.0);
    assert_eq!(st["ping_thresholds"]["rtt_limit_ms"], 200.0);
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    assert_eq!(journal.matches("\"entry\":\"ping\"").count(), 3);
    assert_eq!(journal.matches("\"entry\":\"ping_failed\"").count(), 1);

    // Pings follow their point and leave with it.
    c.post(
        "/api/move",
        &json!({ "point": 1, "x_px": 120.0, "y_px": 320.0 }),
    );
    assert_eq!(c.post("/api/undo", &json!({})).json()["undone"], 4);
    let st = c.get("/api/state").json();
    let at: Vec<(f64, f64)> = st["pings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["x_m"].as_f64().unwrap(), p["y_m"].as_f64().unwrap()))
        .collect();
    assert_eq!(at, [(6.0, 16.0), (10.0, 15.0), (15.0, 15.0)]);

    let x = c.post("/api/export", &json!({})).json();
    let path = std::path::PathBuf::from(x["pings"].as_str().unwrap());
    assert_eq!(path, dir.path().join(wisp_collect::PINGS_FILE));
    let csv = std::fs::read_to_string(&path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(wisp_collect::ping::PINGS_CSV_HEADER));
    // The time column (RFC 3339, UTC) is the clock's; the rest is known.
    let rows: Vec<String> = lines
        .map(|l| {
            let mut f: Vec<&str> = l.splitn(5, ',').collect();
            assert!(f[3].ends_with('Z') && f[3].len() >= 20, "{l}");
            f[3] = "T";
            f.join(",")
        })
        .collect();
    assert_eq!(
        rows,
        [
            "1,6,16,T,gw.ward7.test,4,4,0,2.3,",
            "2,10,15,T,gw.ward7.test,4,3,25,250,",
            "3,15,15,T,gw.ward7.test,,,,,ping gw.ward7.test: no summary in its output (exit status: 2): ping: gw.ward7.test: Temporary failure in name resolution",
        ]
    );
    // A restart replays the checks from the journal: the same rows.
    let (_, replay) = wisp_collect::journal::Journal::open(dir.path()).unwrap();
    let mut resumed = wisp_collect::Session::new("L1");
    for e in &replay.entries {
        resumed.apply(e);
    }
    assert_eq!(
        wisp_collect::ping::pings_csv(&resumed.placed_pings()),
        csv,
        "the journal holds every check"
    );
}

/// No `ping` on the machine (as on this one's CI image): every point's check fails, the page
/// hears why, and scanning goes on. In continuous mode each waypoint gets its check too.
#[test]
fn a_missing_ping_binary_is_shown_and_the_survey_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), vec![Ok(fixture("linux/iw_scan.txt"))], |o| {
        o.scans_per_point = 1;
        o.continuous_interval = std::time::Duration::from_millis(40);
        o.ping = Some(wisp_collect::ping::PingCommand {
            host: "gw".into(),
            program: "/nonexistent/wisp-test/ping".into(),
            args: vec!["-c".into(), "4".into(), "gw".into()],
        });
    });
    for x in [100.0, 200.0] {
        let v = c
            .post("/api/point", &json!({ "x_px": x, "y_px": 300.0 }))
            .json();
        assert_eq!(v["scans"][0]["outcome"], "scan");
        assert_eq!(v["ping"]["entry"], "ping_failed");
    }
    c.post("/api/mode", &json!({ "mode": "continuous" }));
    let v = c
        .post("/api/point", &json!({ "x_px": 300.0, "y_px": 300.0 }))
        .json();
    assert_eq!(v["kind"], "waypoint");
    let mut st = c.get("/api/state").json();
    for _ in 0..500 {
        if st["ping_failures"].as_array().unwrap().len() == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        st = c.get("/api/state").json();
    }
    let failures = st["ping_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 3, "{st}");
    assert_eq!(failures[2]["point"], 3, "the waypoint's check");
    assert!(failures[0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot run '/nonexistent/wisp-test/ping'"));
    assert_eq!(st["samples"], 2);
    assert_eq!(st["pings"][2]["loss_class"], "failed");
    assert!(st["ping"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/wisp-test/ping"));
}
