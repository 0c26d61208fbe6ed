//! The HTML report in a real browser: headless Chromium loads a small report from disk, runs
//! its script without a console message, and paints the heatmap; a `#at=` link zooms onto a
//! point and shows that cell's values.
//!
//! Needs `chromium` on the PATH (`apt-get install -y chromium`), so it is ignored by default:
//! `cargo test -p wisp-render --test html_chromium -- --ignored`.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;
use wisp_model::Grid;
use wisp_render::{
    heatmap_image, report_html, ColourScale, HeatmapRequest, HtmlCloseUp, HtmlFloor, HtmlGrid,
    HtmlLayer, HtmlReport, Palette, Table,
};

/// Left half −40 dBm (green), right half −85 dBm (red), as a full heatmap picture; and a second
/// layer, SNR, to switch to.
fn small_report() -> HtmlReport {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let signal = ColourScale::signal(Palette::Survey);
    let primary = heatmap_image(&HeatmapRequest::new(
        &floor, &plan, &layer, &signal, "Primary",
    ))
    .unwrap();
    let snr_grid: Grid<f32> = layer.map(|v| v + 95.0);
    let snr_scale = ColourScale::snr(Palette::Survey);
    let snr = heatmap_image(&HeatmapRequest::new(
        &floor, &plan, &snr_grid, &snr_scale, "SNR",
    ))
    .unwrap();
    HtmlReport {
        title: "Wi-Fi survey report".into(),
        site: "Test Hospital".into(),
        date: "2024-03-05".into(),
        floors: vec![HtmlFloor {
            name: "Level 1".into(),
            plan,
            metres_per_pixel: METRES_PER_PIXEL,
            layers: vec![
                HtmlLayer {
                    name: "Primary signal".into(),
                    image: primary,
                },
                HtmlLayer {
                    name: "SNR".into(),
                    image: snr,
                },
            ],
            grids: vec![
                HtmlGrid {
                    name: "Primary signal".into(),
                    unit: "dBm".into(),
                    decimals: 0,
                    grid: layer,
                },
                HtmlGrid {
                    name: "SNR".into(),
                    unit: "dB".into(),
                    decimals: 0,
                    grid: snr_grid,
                },
            ],
            zone_table: Table::new(
                vec!["Zone".into(), "Verdict".into()],
                vec![vec!["Bay 1".into(), "FAIL".into()]],
            ),
            // A close-up the page draws from the SNR layer (hidden when the page opens).
            dead_zone_views: vec![HtmlCloseUp {
                caption: "Bay 1 — snr".into(),
                layer: 1,
                window: (120, 20, 60, 50),
            }],
            ..HtmlFloor::default()
        }],
        ..HtmlReport::default()
    }
}

/// Runs headless Chromium on `url` with `extra` arguments; returns (stdout, stderr).
fn chromium(profile: &Path, url: &str, extra: &[&str]) -> (String, String) {
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium must be on the PATH (apt-get install -y chromium)");
    // Read both pipes on threads so a chatty browser cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out_pipe, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err_pipe, &mut s).ok();
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "chromium failed: {status}\n{stderr}");
    (stdout, stderr)
}

/// No uncaught exception and no console message at all (the script logs nothing; a blocked
/// resource or a script error would show up here). Chromium prints console messages as
/// `…:INFO:CONSOLE:12] "message", source: …` (older versions: `CONSOLE(12)`).
fn assert_quiet_console(stderr: &str) {
    for line in stderr.lines() {
        assert!(
            !line.contains("Uncaught") && !line.contains("CONSOLE"),
            "browser console: {line}"
        );
    }
}

#[test]
#[ignore = "needs chromium"]
fn report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("report.html");
    std::fs::write(&html_path, report_html(&small_report()).unwrap()).unwrap();
    let url = format!("file://{}", html_path.display());

    // 1. A screenshot: the page is painted and the heatmap's colours are on it.
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile-1");
    let (_, stderr) = chromium(
        &profile,
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,900",
        ],
    );
    assert_quiet_console(&stderr);
    let picture = image::open(&shot).unwrap().to_rgb8();
    assert_eq!(picture.dimensions(), (1200, 900));
    let total = (picture.width() * picture.height()) as usize;
    let non_white = picture
        .pixels()
        .filter(|p| p.0.iter().any(|c| *c < 245))
        .count();
    assert!(
        non_white > total / 10,
        "page looks blank: {non_white} of {total} pixels are not white"
    );
    // The colours the heatmap painted well inside each half (off the plan's wall lines) fill
    // large areas of the screenshot: the map is drawn, scaled up to fit the view.
    let report = small_report();
    let painted = &report.floors[0].layers[0].image;
    let near = |p: &image::Rgb<u8>, q: &image::Rgba<u8>| {
        (0..3).all(|i| (p.0[i] as i32 - q.0[i] as i32).abs() <= 6)
    };
    let green = *painted.get_pixel(60, 60);
    let red = *painted.get_pixel(160, 60);
    let [r, g, _, _] = green.0;
    assert!(g > r + 40, "the test's own green is green: {green:?}");
    let greens = picture.pixels().filter(|p| near(p, &green)).count();
    let reds = picture.pixels().filter(|p| near(p, &red)).count();
    assert!(
        greens > 20_000,
        "only {greens} pixels of the heatmap's green"
    );
    assert!(reds > 20_000, "only {reds} pixels of the heatmap's red");

    // 2. The DOM after the script ran, opened at a point in the green half: the map is zoomed
    //    onto it and the hover box shows that cell's values.
    let profile = dir.path().join("profile-2");
    let (dom, stderr) = chromium(
        &profile,
        &format!("{url}#at=0,5.5,4.5"),
        &["--dump-dom", "--window-size=1200,900"],
    );
    assert_quiet_console(&stderr);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the viewer script did not finish"
    );
    assert!(
        dom.contains("transform: translate("),
        "no zoom transform applied"
    );
    assert!(!dom.contains("class=\"tip\" hidden"), "hover box not shown");
    assert!(
        dom.contains(
            "<span class=\"k\">Primary signal</span><span class=\"v\">\u{2212}40 dBm</span>"
        ),
        "hover box: {}",
        dom.split("class=\"tip\"")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take(400)
            .collect::<String>()
    );
    assert!(dom.contains("<span class=\"v\">55 dB</span>"));
    // The close-up was drawn into its canvas from the layer and the plan.
    assert!(
        dom.contains("data-window=\"120,20,60,50\" data-drawn=\"1\""),
        "close-up not drawn: {}",
        dom.split("<canvas")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take(300)
            .collect::<String>()
    );
    assert!(dom.contains("<span class=\"v\">5.5 m, 4.5 m</span>"));

    // 3. And in the red half.
    let profile = dir.path().join("profile-3");
    let (dom, _) = chromium(
        &profile,
        &format!("{url}#at=0,15.5,4.5"),
        &["--dump-dom", "--window-size=1200,900"],
    );
    assert!(dom.contains("<span class=\"v\">\u{2212}85 dBm</span>"));
    assert!(dom.contains("<span class=\"v\">10 dB</span>"));
}
