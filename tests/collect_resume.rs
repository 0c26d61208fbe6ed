//! `wisp collect` survives kill -9: every scan acknowledged before the kill is in the survey
//! after a restart on the same folder, a torn journal line is skipped and counted, and the
//! export goes straight to `wisp check` and `wisp report`.

#[path = "../crates/wisp-collect/tests/support/http.rs"]
mod http;

use http::Client;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Starts `wisp collect` on the sample floor into `out`, its scanner `cat`ting a recorded `iw`
/// scan after a short wait (so kills land mid-scan), and reads the address line.
fn start(out: &Path) -> (Child, Client, std::thread::JoinHandle<String>) {
    let fixture = repo().join("crates/wisp-ingest/tests/fixtures/linux/iw_scan.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args([
            "collect",
            "samples",
            "--floor",
            "L1",
            "--no-open",
            "--scans-per-point",
            "2",
        ])
        .arg("--out")
        .arg(out)
        .arg("--scanner-cmd")
        .arg(format!("sleep 0.02; cat '{}'", fixture.display()))
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(
        first.starts_with("http://127.0.0.1:") && first.contains("/?token="),
        "{first}"
    );
    let stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut s);
        s
    });
    (child, Client::from_url(&first), err)
}

#[cfg(unix)]
#[test]
fn every_acknowledged_scan_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("collect-L1");
    let (mut child, c, _) = start(&out);
    // A scan loop on another thread; the answers are the acknowledgements.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(u64, f64, f64)>::new()));
    let looping = {
        let acked = acked.clone();
        let c = Client {
            addr: c.addr.clone(),
            token: c.token.clone(),
        };
        std::thread::spawn(move || {
            for i in 0..200 {
                let (x, y) = (
                    100.0 + (i % 60) as f64 * 20.0,
                    300.0 + (i / 60) as f64 * 10.0,
                );
                let Ok(a) = c.try_post("/api/point", &json!({ "x_px": x, "y_px": y })) else {
                    return;
                };
                if a.status != 200 {
                    return;
                }
                let v = a.json();
                for s in v["scans"].as_array().unwrap() {
                    if s["outcome"] == "scan" {
                        acked
                            .lock()
                            .unwrap()
                            .push((s["id"].as_u64().unwrap(), x * 0.05, y * 0.05));
                    }
                }
            }
        })
    };
    while acked.lock().unwrap().len() < 12 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    looping.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 12);
    // A crash mid-write leaves half a line at the end of the journal.
    let journal = out.join("journal.jsonl");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap();
    std::io::Write::write_all(&mut f, br#"{"entry":"scan","id":99999,"po"#).unwrap();
    drop(f);

    let (mut child, c, err) = start(&out);
    let st = c.get("/api/state").json();
    assert!(st["resumed"]["scans"].as_u64().unwrap() as usize >= acked.len());
    assert_eq!(st["resumed"]["skipped_lines"].as_array().unwrap().len(), 1);
    // The survey goes on after the restart.
    assert_eq!(
        c.post("/api/point", &json!({ "x_px": 700.0, "y_px": 500.0 }))
            .status,
        200
    );
    let x = c.post("/api/finish", &json!({})).json();
    assert!(child.wait().unwrap().success());
    let stderr = err.join().unwrap();
    assert!(
        stderr.contains("skipped 1 unreadable journal line"),
        "{stderr}"
    );
    let survey_path = PathBuf::from(x["survey"].as_str().unwrap());
    let survey: wisp_model::Survey =
        serde_json::from_slice(&std::fs::read(&survey_path).unwrap()).unwrap();
    let samples = &survey.floors[0].samples;
    for (id, x_m, y_m) in &acked {
        let raw = format!("raw/scan-{id:06}.txt");
        let s = samples
            .iter()
            .find(|s| s.source == raw)
            .unwrap_or_else(|| panic!("acknowledged scan {id} is missing"));
        assert!((s.x_m - x_m).abs() < 1e-9 && (s.y_m - y_m).abs() < 1e-9);
    }
    assert!(x["manifest_lines"]
        .as_str()
        .unwrap()
        .contains("[[floors.captures]]"));

    // The export goes straight to `wisp check` and `wisp report`.
    let check = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["check", "samples", "--quiet", "--json", "--survey"])
        .arg(&survey_path)
        .current_dir(repo())
        .output()
        .unwrap();
    let code = check.status.code().unwrap();
    assert!(
        [0, 1, 3].contains(&code),
        "wisp check: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(doc.to_string().contains("L1"));
    let pdf = dir.path().join("report.pdf");
    let report = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["report", "samples", "--quiet", "--survey"])
        .arg(&survey_path)
        .arg("--out")
        .arg(&pdf)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        report.status.success(),
        "wisp report: {}",
        String::from_utf8_lossy(&report.stderr)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}
