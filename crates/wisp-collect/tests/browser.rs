//! End to end in headless Chromium through WebDriver: the page loads, three clicks on the plan
//! become three points whose scans are in the survey at the clicked plan positions (within half
//! a pixel), and the live map is drawn.

#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Metres per pixel of the sample floor.
const MPP: f64 = 0.05;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Pixels that look like the live map's colours (saturated red, yellow or green), not like the
/// plan's drawing.
fn heat_pixels(png: &[u8]) -> usize {
    let img = image::load_from_memory(png).unwrap().to_rgb8();
    img.pixels()
        .filter(|p| {
            let [r, g, b] = p.0.map(i32::from);
            r.max(g) - b > 60
        })
        .count()
}

#[test]
#[ignore = "needs chromium-driver"]
fn three_clicks_on_the_plan_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let c = serve::start(dir.path(), vec![Ok(serve::first_sample_scan())], |o| {
        o.scans_per_point = 1
    });
    let port = free_port();
    let mut driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install chromium-driver)");
    let url = format!("http://{}/?token={}", c.addr, c.token);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1800,1300"] }),
        );
        let mut connected = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(b) => {
                    connected = Some(b);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let b = connected.expect("chromedriver did not start");
        b.goto(&url).await?;
        let overlay = b.wait().for_element(Locator::Id("overlay")).await?;
        // Wait for the plan and the first state to arrive (the overlay takes the plan's size).
        for _ in 0..100 {
            let w = b.execute("return document.getElementById('overlay').width", vec![]).await?;
            if w.as_u64() == Some(1520) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let before = heat_pixels(&b.screenshot().await?);
        let clicks = [(300i64, 310i64), (520, 310), (742, 250)];
        for (i, (x, y)) in clicks.iter().enumerate() {
            // WebDriver offsets are from the element's centre (the 1520 × 680 px plan's).
            let actions = MouseActions::new("mouse".into())
                .then(PointerAction::MoveToElement {
                    element: overlay.clone(),
                    duration: None,
                    x: (x - 760) as _,
                    y: (y - 340) as _,
                })
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_LEFT,
                })
                .then(PointerAction::Up {
                    button: MOUSE_BUTTON_LEFT,
                });
            b.perform_actions(actions).await?;
            // Wait (up to 30 s: a loaded machine re-analyses the floor slowly) for the scan to be
            // in and for the page to be ready for the next click: it ignores a click while a
            // point is in flight, as a surveyor's double click should be.
            for _ in 0..600 {
                let n = c.get("/api/state").json()["samples"].as_u64().unwrap();
                let busy = b
                    .execute("return document.body.dataset.busy || '0'", vec![])
                    .await?;
                if n as usize > i && busy.as_str() == Some("0") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        // The map is drawn once the page has fetched it after the last scan.
        let mut painted = 0;
        for _ in 0..600 {
            let v = b.execute("return Number(document.body.dataset.painted || 0)", vec![]).await?;
            painted = v.as_u64().unwrap_or(0);
            let drawn = b
                .execute("return Number(document.body.dataset.drawnScans || 0)", vec![])
                .await?;
            if painted > 0 && drawn.as_u64() == Some(3) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shot = b.screenshot().await?;
        let _ = std::fs::write(
            std::env::temp_dir().join("wisp-collect-browser.png"),
            &shot,
        );
        b.close().await?;
        Ok::<_, fantoccini::error::CmdError>((clicks, before, painted, shot))
    });
    let _ = driver.kill();
    let _ = driver.wait();
    let (clicks, before, painted, shot) = result.unwrap();
    let survey: wisp_model::Survey = serde_json::from_slice(&c.get("/api/survey").body).unwrap();
    let samples = &survey.floors[0].samples;
    assert_eq!(samples.len(), 3);
    for (s, (x, y)) in samples.iter().zip(clicks) {
        let (dx, dy) = (s.x_m / MPP - x as f64, s.y_m / MPP - y as f64);
        assert!(
            dx.abs() <= 0.5 && dy.abs() <= 0.5,
            "clicked ({x}, {y}) px, got ({}, {}) px",
            s.x_m / MPP,
            s.y_m / MPP
        );
    }
    assert!(painted > 100, "{painted} cells painted");
    let after = heat_pixels(&shot);
    assert!(
        after > before + 5_000,
        "heat pixels {before} before, {after} after"
    );
}
