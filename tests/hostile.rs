//! Hostile and broken inputs, run through the `wisp` binary as a user would meet them.
//!
//! Every case checks: the exit code (2 for bad input, or 0 where the documented behaviour is to
//! skip and count), the message fragments (file, line where there is one, what was expected),
//! that nothing panicked, that the run ends within [`TIME_LIMIT`] (a hang is a failure: the child
//! is killed), and that a failed run leaves no output file behind.
//!
//! Small static inputs live in `tests/hostile/` (made for these tests; `site_ok.toml` and
//! `walk_ok.csv` are the sound base the others break). Large or environment-dependent ones (a
//! multi-megabyte line, a PNG header claiming 100,000 × 100,000 px, zip bombs, links, folders,
//! pipes) are generated here in temporary folders.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest any case may run. Every case is expected to take well under a second.
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn fixture(name: &str) -> Vec<u8> {
    fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What a run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `wisp args` in `dir`, killing it (and failing) after [`TIME_LIMIT`]. Output goes to
/// files, so a chatty child cannot block on a full pipe while we wait.
fn wisp(dir: &Path, args: &[&str]) -> Run {
    let logs = tempfile::tempdir().unwrap();
    let (out, err) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .expect("wisp starts");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wisp {args:?} did not finish within {TIME_LIMIT:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap()).into_owned();
    Run {
        code: status.code().expect("wisp exited (not killed by a signal)"),
        stdout: read(&out),
        stderr: read(&err),
    }
}

impl Run {
    /// Checks the exit code, the fragments (in stderr or stdout) and that nothing panicked.
    fn expect(&self, what: &str, code: i32, fragments: &[&str]) -> &Self {
        let all = format!("{}{}", self.stderr, self.stdout);
        assert!(
            !all.contains("panicked"),
            "{what}: wisp panicked:\n{}",
            self.stderr
        );
        assert_eq!(
            self.code, code,
            "{what}: exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        for f in fragments {
            assert!(
                all.contains(f),
                "{what}: expected {f:?} in the output\nstdout: {}\nstderr: {}",
                self.stdout,
                self.stderr
            );
        }
        self
    }
}

/// A sound site folder: `site.toml` (the given manifest), a 400 × 200 px `plan.png` (20 m × 10 m
/// at 0.05 m/px) and `walk.csv`.
fn site_with(manifest: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    image::RgbaImage::from_pixel(400, 200, image::Rgba([255, 255, 255, 255]))
        .save(dir.path().join("plan.png"))
        .unwrap();
    fs::write(dir.path().join("site.toml"), manifest).unwrap();
    fs::write(dir.path().join("walk.csv"), fixture("walk_ok.csv")).unwrap();
    dir
}

fn site() -> tempfile::TempDir {
    site_with(&fixture("site_ok.toml"))
}

/// `wisp ingest FILE --site . --out out.json` on `bytes` written as `name` into a sound site.
fn ingest_bytes(name: &str, bytes: &[u8], extra: &[&str]) -> (Run, tempfile::TempDir) {
    let dir = site();
    fs::write(dir.path().join(name), bytes).unwrap();
    let mut args = vec!["ingest", name, "--site", ".", "--out", "out.json"];
    args.extend(extra);
    (wisp(dir.path(), &args), dir)
}

/// Ingests a fixture; on failure (code 2) checks that no out.json was left behind.
fn ingest_fixture(name: &str, code: i32, fragments: &[&str]) -> Run {
    let (run, dir) = ingest_bytes(name, &fixture(name), &[]);
    run.expect(name, code, fragments);
    let written = dir.path().join("out.json").exists();
    assert_eq!(written, code == 0, "{name}: out.json written: {written}");
    run
}

/// `wisp ingest --site . --out out.json` with `manifest` as the site's `site.toml`.
fn manifest_case(what: &str, manifest: &[u8], code: i32, fragments: &[&str]) -> tempfile::TempDir {
    let dir = site_with(manifest);
    wisp(dir.path(), &["ingest", "--site", ".", "--out", "out.json"]).expect(what, code, fragments);
    let written = dir.path().join("out.json").exists();
    assert_eq!(written, code == 0, "{what}: out.json written: {written}");
    dir
}

fn manifest_fixture(name: &str, code: i32, fragments: &[&str]) -> tempfile::TempDir {
    manifest_case(name, &fixture(name), code, fragments)
}

// ---- captures ------------------------------------------------------------------------------

#[test]
fn truncated_captures() {
    ingest_fixture(
        "walk_cut_mid_row.csv",
        2,
        &[
            "walk_cut_mid_row.csv:4:",
            "found record with 3 fields, but the previous record has 7 fields",
        ],
    );
    ingest_fixture(
        "survey_cut.json",
        2,
        &["survey_cut.json:48:", "survey JSON: EOF while parsing"],
    );
    // A capture killed mid-write keeps the packets before the cut and counts the cut one.
    let (run, dir) = ingest_bytes(
        "beacons_cut.pcap",
        &fixture("beacons_cut.pcap"),
        &["--at", "100,100", "--units", "px"],
    );
    run.expect(
        "beacons_cut.pcap",
        0,
        &[
            "beacons_cut.pcap: pcap — 1 scan,",
            "skipped 1 × truncated packet (first at beacons_cut.pcap#2)",
        ],
    );
    assert!(dir.path().join("out.json").exists());
    let (run, dir) = ingest_bytes(
        "beacons_cut.pcap",
        &fixture("beacons_cut.pcap"),
        &["--at", "100,100", "--units", "px", "--strict"],
    );
    run.expect(
        "beacons_cut.pcap --strict",
        2,
        &["--strict: 1 record skipped (see above); nothing written"],
    );
    assert!(!dir.path().join("out.json").exists());

    // The survey JSON cut mid-way, as `check --survey` reads it.
    let dir = site();
    fs::write(dir.path().join("cut.json"), fixture("survey_cut.json")).unwrap();
    wisp(dir.path(), &["check", ".", "--survey", "cut.json"]).expect(
        "check --survey survey_cut.json",
        2,
        &["cut.json:48:", "EOF while parsing"],
    );
}

#[test]
fn garbage_empty_and_header_only_captures() {
    ingest_fixture(
        "garbage.bin",
        2,
        &[
            "garbage.bin:1:",
            "not UTF-8 text (invalid byte at offset 0)",
        ],
    );
    ingest_fixture("empty.csv", 2, &["empty.csv: the file is empty"]);
    // A Kismet log cut after its fifth page (Kismet killed while copying the file).
    ingest_fixture(
        "kismet_cut.kismet",
        2,
        &[
            "kismet_cut.kismet: cannot read the Kismet log as SQLite",
            "a truncated or damaged file?",
        ],
    );
    // A header and no rows is a valid, empty capture.
    ingest_fixture(
        "walk_header_only.csv",
        0,
        &["walk_header_only.csv: wisp-csv — 0 scans", "0 samples"],
    );
}

#[test]
fn crlf_nul_nan_and_infinite_values_in_csv() {
    ingest_fixture(
        "walk_crlf.csv",
        0,
        &[
            "walk_crlf.csv: wisp-csv — 5 scans, 6 observations",
            "5 samples",
        ],
    );
    // A NUL inside a number: an error naming the line, the NUL shown escaped.
    ingest_fixture(
        "walk_nul_rssi.csv",
        2,
        &["walk_nul_rssi.csv:4:", r"rssi_dbm '-5\05' is not a number"],
    );
    // A NUL inside an SSID is kept: SSIDs are any 32 octets, and wisp writes them back as read.
    let (run, dir) = ingest_bytes("walk_nul_ssid.csv", &fixture("walk_nul_ssid.csv"), &[]);
    run.expect("walk_nul_ssid.csv", 0, &["5 scans, 6 observations"]);
    let survey = fs::read_to_string(dir.path().join("out.json")).unwrap();
    assert!(survey.contains(r"NHS\u0000Clinical"), "{survey}");

    ingest_fixture(
        "walk_nan.csv",
        2,
        &["walk_nan.csv:4:", "rssi_dbm 'nan' is not a finite number"],
    );
    ingest_fixture(
        "walk_inf.csv",
        2,
        &["walk_inf.csv:4:", "x 'inf' is not a finite number"],
    );
    ingest_fixture(
        "walk_neg_inf_noise.csv",
        2,
        &[
            "walk_neg_inf_noise.csv:2:",
            "noise_dbm '-inf' is not a finite number",
        ],
    );
}

#[test]
fn positions_outside_the_plan_are_skipped_and_counted() {
    ingest_fixture(
        "walk_outside.csv",
        0,
        &[
            "walk_outside.csv: wisp-csv — 3 scans, 4 observations, 2 BSSIDs, 2 skipped",
            "skipped 2 × position outside the plan (first at walk_outside.csv:6, walk_outside.csv:7)",
        ],
    );
    // The same through the manifest's own capture list.
    let dir = site_with(&fixture("site_outside_capture.toml"));
    fs::write(
        dir.path().join("walk_outside.csv"),
        fixture("walk_outside.csv"),
    )
    .unwrap();
    wisp(dir.path(), &["ingest", "--site", ".", "--out", "out.json"]).expect(
        "site_outside_capture.toml",
        0,
        &["2 × position outside the plan", "3 samples"],
    );
}

#[test]
fn lines_of_several_megabytes() {
    const MB6: usize = 6_000_000;
    // A first line of 6 MB of letters: no format, said quickly.
    let (run, _dir) = ingest_bytes("long.csv", format!("{}\n", "A".repeat(MB6)).as_bytes(), &[]);
    run.expect(
        "long first line",
        2,
        &["long.csv: no capture format recognised"],
    );
    // A 6 MB number: the error names the line and quotes only the start of the value.
    let csv = format!(
        "x,y,bssid,ssid,freq_mhz,rssi_dbm\n1,2,02:1a:11:00:01:00,Ward,5180,-5{}\n",
        "0".repeat(MB6)
    );
    let (run, dir) = ingest_bytes("long.csv", csv.as_bytes(), &[]);
    run.expect(
        "6 MB field",
        2,
        &[
            "long.csv:2:",
            "is not a finite number",
            "(6000002 characters)",
        ],
    );
    assert!(run.stderr.len() < 1000, "the error echoes the whole field");
    assert!(!dir.path().join("out.json").exists());
    // A 6 MB comment line in a manifest is still a manifest.
    let mut manifest = format!("# {}\n", "c".repeat(MB6)).into_bytes();
    manifest.extend(fixture("site_ok.toml"));
    manifest_case("6 MB comment in site.toml", &manifest, 0, &["5 samples"]);
}

#[test]
fn folders_devices_and_pipes_where_a_capture_belongs() {
    let dir = site();
    fs::create_dir(dir.path().join("captures")).unwrap();
    let run = wisp(
        dir.path(),
        &["ingest", "captures", "--site", ".", "--out", "out.json"],
    );
    run.expect("folder", 2, &["captures: is a folder, expected a file"]);
    assert!(!dir.path().join("out.json").exists());
    let run = wisp(dir.path(), &["check", ".", "--survey", "captures"]);
    run.expect(
        "folder as --survey",
        2,
        &["captures: is a folder, expected a file"],
    );

    #[cfg(unix)]
    {
        // /dev/zero never ends: refused before reading, not read up to the 1 GiB limit.
        let run = wisp(
            dir.path(),
            &["ingest", "/dev/zero", "--site", ".", "--out", "out.json"],
        );
        run.expect("/dev/zero", 2, &["/dev/zero: is not a regular file"]);
        // A named pipe with no writer: opening it would block forever.
        let fifo = dir.path().join("walk.fifo");
        let made = Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let run = wisp(
                dir.path(),
                &["ingest", "walk.fifo", "--site", ".", "--out", "out.json"],
            );
            run.expect("fifo", 2, &["walk.fifo: is not a regular file"]);
        }
        assert!(!dir.path().join("out.json").exists());
    }
}

// ---- manifests ---------------------------------------------------------------------------

#[test]
fn utf16_and_crlf_manifests_work() {
    manifest_fixture("site_crlf.toml", 0, &["5 samples"]);
    for name in ["site_utf16le.toml", "site_utf16be_nobom.toml"] {
        let dir = manifest_fixture(name, 0, &["5 samples"]);
        // Decoded, not just tolerated: the non-ASCII zone name comes through intact.
        let run = wisp(dir.path(), &["check", ".", "--json"]);
        assert!(
            run.stdout.contains("Station Größe"),
            "{name}: {}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn garbage_nul_and_empty_manifests() {
    manifest_case(
        "garbage.bin as site.toml",
        &fixture("garbage.bin"),
        2,
        &["site.toml:1:", "not UTF-8 text (invalid byte at offset 0)"],
    );
    manifest_fixture(
        "site_nul_string.toml",
        2,
        &[
            "site.toml:1:",
            "invalid basic string, expected non-double-quote visible characters",
        ],
    );
    manifest_fixture(
        "site_empty.toml",
        2,
        &["site.toml:1:", "missing field `name`"],
    );
}

#[test]
fn nan_and_infinities_in_manifest_numbers() {
    // `nan` and `inf` are valid TOML floats: they parse, and validation refuses them.
    manifest_fixture(
        "site_nan_scale.toml",
        2,
        &[
            "site.toml:5:",
            "metres_per_pixel: metres_per_pixel must be a finite number",
        ],
    );
    manifest_fixture(
        "site_inf_power.toml",
        2,
        &[
            "site.toml:15:",
            "access point 'AP1': tx_dbm inf is outside -10..36 dBm",
        ],
    );
    manifest_fixture(
        "site_nan_point.toml",
        2,
        &[
            "site.toml:9:",
            "zone 'Bay A': point [180, NaN] is outside the 400×200 px plan",
        ],
    );
}

#[test]
fn bad_geometry_in_manifests() {
    manifest_fixture(
        "site_outside.toml",
        2,
        &[
            "site.toml:9:",
            "zone 'Bay A': point [500, 180] is outside the 400×200 px plan",
        ],
    );
    manifest_fixture(
        "site_bowtie.toml",
        2,
        &[
            "site.toml:9:",
            // Edge 0 is y = x, edge 2 runs (180,20)–(20,120): they meet at (81.5, 81.5).
            "zone 'Bay A': polygon edges 0 [20, 20]–[180, 180] and 2 [180, 20]–[20, 120] cross each other",
        ],
    );
    manifest_fixture(
        "site_no_area.toml",
        2,
        &[
            "site.toml:9:",
            "zone 'Bay A': polygon has fewer than three distinct corners or no area",
        ],
    );
    manifest_fixture(
        "site_zero_wall.toml",
        2,
        &[
            "site.toml:6:",
            "wall has a zero-length segment at [200, 100]",
        ],
    );
    manifest_fixture(
        "site_dup_floor.toml",
        2,
        &["site.toml:20:", "floor id 'L1' is used twice"],
    );
}

/// A PNG of `w` × `h` px that is only a signature and an IHDR chunk (with its correct CRC).
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend(w.to_be_bytes());
    png.extend(h.to_be_bytes());
    png.extend([8, 6, 0, 0, 0]);
    let crc = crc32(&png[12..]);
    png.extend(crc.to_be_bytes());
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[test]
fn plan_images_that_are_not_plans() {
    let dir = site();
    fs::write(dir.path().join("plan.png"), png_header(100_000, 100_000)).unwrap();
    wisp(dir.path(), &["ingest", "--site", ".", "--out", "out.json"]).expect(
        "100,000 × 100,000 px PNG header",
        2,
        &[
            "site.toml:4: plan 'plan.png': ",
            "plan image: 100000×100000 px is outside the accepted 1..16384 px per side",
        ],
    );
    // The heatmap decodes the plan: refused the same way, nothing written.
    wisp(
        dir.path(),
        &["heatmap", ".", "--floor", "L1", "--out", "map.png"],
    )
    .expect("heatmap on the huge header", 2, &["100000×100000 px"]);
    assert!(!dir.path().join("map.png").exists());

    let dir = site();
    fs::remove_file(dir.path().join("plan.png")).unwrap();
    fs::create_dir(dir.path().join("plan.png")).unwrap();
    wisp(dir.path(), &["ingest", "--site", ".", "--out", "out.json"]).expect(
        "folder as plan",
        2,
        &["site.toml:4: plan 'plan.png': is a folder, expected a file"],
    );
    let dir = site();
    fs::write(dir.path().join("plan.png"), b"").unwrap();
    wisp(dir.path(), &["ingest", "--site", ".", "--out", "out.json"]).expect(
        "empty plan",
        2,
        &["site.toml:4: plan 'plan.png': plan image: not a PNG or JPEG image"],
    );
    // A plan that is not there: the manifest's line, not line 4 of the image.
    let dir = site();
    fs::remove_file(dir.path().join("plan.png")).unwrap();
    wisp(dir.path(), &["ingest", "--site", ".", "--out", "out.json"]).expect(
        "missing plan",
        2,
        &["site.toml:4: plan 'plan.png': no such file"],
    );
}

#[test]
fn a_closed_ring_is_accepted() {
    // The bow-tie fixture's zone replaced by a square written as GeoJSON writes rings.
    let manifest = String::from_utf8(fixture("site_bowtie.toml"))
        .unwrap()
        .replace(
            "[[20, 20], [180, 180], [180, 20], [20, 120]]",
            "[[20, 20], [180, 20], [180, 180], [20, 180], [20, 20]]",
        );
    manifest_case("closed ring", manifest.as_bytes(), 0, &[]);
}

#[cfg(unix)]
#[test]
fn links_leaving_the_site_folder_are_refused() {
    use std::os::unix::fs::symlink;
    let msg = "is a link leaving the site folder";
    // The plan a link to /etc/passwd, and to a real PNG one folder up.
    let top = tempfile::tempdir().unwrap();
    let run_in = |sub: &str, link: &str, target: &str| {
        let dir = top.path().join(sub);
        fs::create_dir_all(&dir).unwrap();
        image::RgbaImage::from_pixel(400, 200, image::Rgba([255, 255, 255, 255]))
            .save(dir.join("plan.png"))
            .unwrap();
        fs::write(dir.join("site.toml"), fixture("site_ok.toml")).unwrap();
        fs::write(dir.join("walk.csv"), fixture("walk_ok.csv")).unwrap();
        fs::remove_file(dir.join(link)).unwrap();
        symlink(target, dir.join(link)).unwrap();
        let run = wisp(&dir, &["ingest", "--site", ".", "--out", "out.json"]);
        assert!(!dir.join("out.json").exists(), "{sub}: out.json written");
        run
    };
    image::RgbaImage::from_pixel(400, 200, image::Rgba([0, 0, 0, 255]))
        .save(top.path().join("outside.png"))
        .unwrap();
    fs::write(top.path().join("outside.csv"), fixture("walk_ok.csv")).unwrap();
    run_in("a", "plan.png", "/etc/passwd").expect(
        "plan → /etc/passwd",
        2,
        &["site.toml:4: plan 'plan.png': ", msg],
    );
    run_in("b", "plan.png", "../outside.png").expect(
        "plan → ../outside.png",
        2,
        &["site.toml:4: plan 'plan.png': ", msg, "outside.png"],
    );
    run_in("c", "walk.csv", "/etc/passwd").expect("capture → /etc/passwd", 2, &["walk.csv", msg]);
    run_in("d", "walk.csv", "../outside.csv").expect(
        "capture → ../outside.csv",
        2,
        &["walk.csv", msg],
    );
    // A link that stays inside the folder is fine.
    let dir = site();
    fs::rename(dir.path().join("walk.csv"), dir.path().join("real.csv")).unwrap();
    symlink("real.csv", dir.path().join("walk.csv")).unwrap();
    wisp(dir.path(), &["ingest", "--site", ".", "--out", "out.json"]).expect(
        "link inside",
        0,
        &["5 samples"],
    );
}

// ---- Ekahau archives -----------------------------------------------------------------------

/// `wisp import FILE --out imported` on `bytes`: checks the outcome and that no site was written.
fn import_case(what: &str, bytes: &[u8], fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("project.esx"), bytes).unwrap();
    let start = Instant::now();
    wisp(dir.path(), &["import", "project.esx", "--out", "imported"]).expect(what, 2, fragments);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{what}: took {:?}, not failing fast",
        start.elapsed()
    );
    assert!(
        !dir.path().join("imported").join("site.toml").exists(),
        "{what}: a site was written"
    );
}

/// A zip archive written by hand: (name, method (0 stored, 8 deflate), data, declared size).
fn zip(entries: &[(&str, u16, &[u8], u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, declared) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let header = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(method.to_le_bytes());
            h.extend([0, 0, 0x21, 0]); // time, date
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend(declared.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0; 6]); // comment length, disk, internal attrs
                h.extend(0u32.to_le_bytes()); // external attrs
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(*data);
        central.extend(header(0x0201_4b50, true));
    }
    let (cd_offset, n) = (out.len() as u32, entries.len() as u16);
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0; 4]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend([0; 2]);
    out
}

/// A raw deflate stream (fixed Huffman codes) that expands to one space followed by `repeats`
/// copies of 258 bytes of it: 13 bits of input per 258 bytes of output.
fn deflate_bomb(repeats: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, len: u32) {
            self.acc |= (value as u64) << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            let rev = code.reverse_bits() >> (32 - len);
            self.put(rev, len);
        }
    }
    let mut b = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman codes
    b.code(0x30 + 0x20, 8); // literal ' '
    for _ in 0..repeats {
        b.code(0b1100_0101, 8); // length 258 (code 285)
        b.code(0, 5); // distance 1
    }
    b.code(0, 7); // end of block
    b.put(0, 7);
    b.out
}

#[test]
fn broken_and_hostile_esx_archives() {
    import_case(
        "truncated esx",
        &fixture("project_cut.esx"),
        &[
            "project.esx: not a readable .esx (zip) archive",
            "Could not find EOCD",
        ],
    );
    import_case(
        "garbage as esx",
        &fixture("garbage.bin"),
        &["not a readable .esx (zip) archive"],
    );
    import_case(
        "entry with ..",
        &fixture("zip_dotdot.esx"),
        &["entry '../../outside.json': a name with '..', an absolute path or a drive letter is refused"],
    );
    import_case(
        "absolute entry",
        &fixture("zip_absolute.esx"),
        &["entry '/etc/passwd': a name with '..'"],
    );
    // Zip bombs. 4 M repeats of 258 bytes is 1 GiB from 6.5 MB. Declared honestly, the declared
    // size alone refuses it; declared as 1 kB, reading stops at the declared size.
    let bomb = deflate_bomb(4 << 20);
    let expands = 1 + 258 * (4u64 << 20);
    assert!(expands > 1 << 30);
    import_case(
        "zip bomb (declared)",
        &zip(&[("floorPlans.json", 8, &bomb, 0x4000_0000)]),
        &["entry floorPlans.json: decompresses to more than the per-entry limit (268435456 bytes); refused (a zip bomb?)"],
    );
    import_case(
        "zip bomb (lying about its size)",
        &zip(&[("floorPlans.json", 8, &bomb, 1000)]),
        &[
            "entry floorPlans.json: cannot be read",
            "larger than its declared",
        ],
    );
    // More entries than any project has.
    let names: Vec<String> = (0..10_001).map(|i| format!("e{i}")).collect();
    let entries: Vec<(&str, u16, &[u8], u32)> =
        names.iter().map(|n| (n.as_str(), 0, &b""[..], 0)).collect();
    import_case(
        "10,001 entries",
        &zip(&entries),
        &["the archive has 10001 entries, more than the 10000 accepted"],
    );
}

// ---- what commands print about thin data ----------------------------------------------------

#[test]
fn check_table_prints_no_nan_or_negative_zero() {
    // One AP only: the secondary criterion has nothing heard anywhere (worst and shortfall NaN),
    // and no primary dead zone (an empty sum of areas). Regression: "NaN dB short", "-0.0".
    let dir = site();
    let run = wisp(dir.path(), &["check", "."]);
    assert!(matches!(run.code, 0 | 1 | 3), "{}", run.stderr);
    run.expect("check with one AP", run.code, &["Bay A"]);
    assert!(
        !run.stdout.contains("NaN") && !run.stdout.contains("-0.0"),
        "{}",
        run.stdout
    );
}

#[test]
fn aps_file_with_a_nan_position_is_refused() {
    // Regression: an APs file bypasses the manifest's plan check, and `at = [nan, 5]` simulated
    // a walk with made-up levels.
    let dir = site();
    fs::write(
        dir.path().join("aps.toml"),
        "[[aps]]\nname = \"X\"\nat = [nan, 5]\nradios = [{ band = \"5\", channel = 36, tx_dbm = 17.0 }]\n",
    )
    .unwrap();
    let run = wisp(
        dir.path(),
        &[
            "simulate", ".", "--floor", "L1", "--aps", "aps.toml", "--seed", "1", "--out",
            "sim.csv",
        ],
    );
    run.expect(
        "APs file with nan",
        2,
        &["aps.toml: access point 'X': position [NaN, 5] is not a finite number"],
    );
    assert!(!dir.path().join("sim.csv").exists());
}
