//! End to end in headless Chromium through WebDriver: the page loads, three clicks on the plan
//! become three points whose scans are in the survey at the clicked plan positions (within half
//! a pixel), and the live map is drawn; switched to the packet-loss layer, each point's ping is
//! drawn as a ring in its class's colour.

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

/// Pixels within a few levels of `rgb` in each channel (a ring's colour, anti-aliasing aside).
fn pixels_near(png: &[u8], rgb: [i32; 3]) -> usize {
    let img = image::load_from_memory(png).unwrap().to_rgb8();
    img.pixels()
        .filter(|p| {
            let c = p.0.map(i32::from);
            (0..3).all(|i| (c[i] - rgb[i]).abs() <= 12)
        })
        .count()
}

/// The page's ring colours (page.html, `PING_COLOURS`).
const RING_GOOD: [i32; 3] = [0x1a, 0x96, 0x41];
const RING_POOR: [i32; 3] = [0xd7, 0x19, 0x1c];

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

#[cfg(unix)]
#[test]
#[ignore = "needs chromium-driver"]
fn three_clicks_on_the_plan_in_headless_chromium() {
    use serve::pings::{ALL_BACK, NONE_BACK, ONE_LOST_SLOW};
    let dir = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    // Point 1 loses nothing (a good ring), points 2 and 3 lose 25 % and 100 % (poor rings).
    let ping = serve::fake_ping(bin.path(), &[ALL_BACK, ONE_LOST_SLOW, NONE_BACK]);
    let c = serve::start(dir.path(), vec![Ok(serve::first_sample_scan())], |o| {
        o.scans_per_point = 1;
        o.ping = Some(ping);
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
        // Switch to the packet-loss layer as a surveyor would, and wait for its rings.
        b.find(Locator::Id("layer"))
            .await?
            .select_by_value("ping-loss")
            .await?;
        let mut rings = 0;
        for _ in 0..600 {
            let layer = b.execute("return document.body.dataset.layer || ''", vec![]).await?;
            let n = b
                .execute("return Number(document.body.dataset.pingRings || 0)", vec![])
                .await?;
            rings = n.as_u64().unwrap_or(0);
            if layer.as_str() == Some("ping-loss") && rings == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let legend = b.find(Locator::Id("legend")).await?.text().await?;
        let loss_shot = b.screenshot().await?;
        let _ = std::fs::write(
            std::env::temp_dir().join("wisp-collect-browser-loss.png"),
            &loss_shot,
        );
        b.close().await?;
        Ok::<_, fantoccini::error::CmdError>((
            clicks, before, painted, shot, rings, legend, loss_shot,
        ))
    });
    let _ = driver.kill();
    let _ = driver.wait();
    let (clicks, before, painted, shot, rings, legend, loss_shot) = result.unwrap();
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
    // The loss layer: three rings, one good and two poor, in their colours; the legend states
    // the thresholds and their sources.
    assert_eq!(rings, 3);
    for want in ["under 1 %", "over 2 %", "Vocera", "Zebra"] {
        assert!(legend.contains(want), "legend lacks {want:?}: {legend}");
    }
    let poor0 = pixels_near(&shot, RING_POOR);
    let (good, poor) = (
        pixels_near(&loss_shot, RING_GOOD),
        pixels_near(&loss_shot, RING_POOR),
    );
    // A ring of radius 12 px, 5 px wide, is about 370 pixels; anti-aliasing takes some.
    assert!(good >= 200, "good ring pixels: {good}");
    assert!(
        poor >= 2 * 200 && poor > poor0,
        "poor ring pixels: {poor} (map view {poor0})"
    );
    assert!(good < 600, "one good ring, not two: {good}");
    eprintln!("ring pixels: good {good}, poor {poor} (map view: poor colour {poor0})");
}
