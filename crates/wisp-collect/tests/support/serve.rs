#![allow(dead_code)]
//! Starts a collector in process on the sample site's floor L1, with a replaying scanner.

use super::http::Client;
use std::path::{Path, PathBuf};
use wisp_collect::scanner::Replayer;
use wisp_collect::server::App;
use wisp_collect::{Collector, Options};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A test fixture of wisp-ingest (a recorded scanner output).
pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(repo().join("crates/wisp-ingest/tests/fixtures").join(rel)).unwrap()
}

/// Starts a collector on the sample floor in `dir`, serving on a free port of 127.0.0.1, its
/// scanner replaying `outputs`.
pub fn start(
    dir: &Path,
    outputs: Vec<Result<Vec<u8>, String>>,
    tweak: impl FnOnce(&mut Options),
) -> Client {
    let site = wisp_site::pipeline::load_site(&repo().join("samples/site.toml")).unwrap();
    let mut opts = Options::new(dir.to_path_buf());
    tweak(&mut opts);
    let collector = Collector::open(site, "L1", opts, Box::new(Replayer::new(outputs))).unwrap();
    let token = wisp_collect::server::new_token().unwrap();
    let app = App::new(collector, token.clone()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            wisp_collect::server::serve(l, app).await.unwrap();
        })
    });
    let addr = rx.recv().unwrap();
    Client {
        addr: addr.to_string(),
        token,
    }
}

/// The first scan of the sample walk (samples/walk.csv: its header and the rows of its first
/// time), as a scanner printing wisp's long-form CSV would: radios of the sample site's own
/// network, so the primary layer has values.
pub fn first_sample_scan() -> Vec<u8> {
    let text = std::fs::read_to_string(repo().join("samples/walk.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let time = |l: &str| l.split(',').nth(6).unwrap().to_string();
    let t0 = time(rows[0]);
    let mut out = format!("{header}\n");
    for r in rows.iter().take_while(|r| time(r) == t0) {
        out.push_str(r);
        out.push('\n');
    }
    out.into_bytes()
}

/// What a fake `ping` prints on one run: stdout, stderr and its exit code.
pub struct PingRun {
    pub stdout: &'static str,
    pub stderr: &'static str,
    pub code: i32,
}

/// A fake `ping`: a shell script in `dir` that prints `runs` in turn (the last one again once
/// they are used up), as the system `ping` would, exit code included.
#[cfg(unix)]
pub fn fake_ping(dir: &Path, runs: &[PingRun]) -> wisp_collect::ping::PingCommand {
    for (i, r) in runs.iter().enumerate() {
        std::fs::write(dir.join(format!("out-{i}.txt")), r.stdout).unwrap();
        std::fs::write(dir.join(format!("err-{i}.txt")), r.stderr).unwrap();
        std::fs::write(dir.join(format!("code-{i}.txt")), r.code.to_string()).unwrap();
    }
    let script = format!(
        "cd '{}'\nn=$(cat count 2>/dev/null || echo 0)\necho $((n + 1)) > count\n[ \"$n\" -lt {} ] || n={}\ncat out-$n.txt\ncat err-$n.txt >&2\nexit $(cat code-$n.txt)\n",
        dir.display(),
        runs.len(),
        runs.len() - 1
    );
    let path = dir.join("ping.sh");
    std::fs::write(&path, script).unwrap();
    wisp_collect::ping::PingCommand {
        host: "gw.ward7.test".into(),
        program: "sh".into(),
        args: vec![path.display().to_string()],
    }
}

/// Recorded shapes of Linux iputils `ping -c 4 -W 1` output.
pub mod pings {
    use super::PingRun;
    pub const ALL_BACK: PingRun = PingRun {
        stdout: "PING gw.ward7.test (10.7.0.1) 56(84) bytes of data.\n64 bytes from 10.7.0.1: icmp_seq=1 ttl=64 time=2.04 ms\n64 bytes from 10.7.0.1: icmp_seq=2 ttl=64 time=2.61 ms\n64 bytes from 10.7.0.1: icmp_seq=3 ttl=64 time=1.98 ms\n64 bytes from 10.7.0.1: icmp_seq=4 ttl=64 time=2.57 ms\n\n--- gw.ward7.test ping statistics ---\n4 packets transmitted, 4 received, 0% packet loss, time 3005ms\nrtt min/avg/max/mdev = 1.980/2.300/2.610/0.288 ms\n",
        stderr: "",
        code: 0,
    };
    pub const ONE_LOST_SLOW: PingRun = PingRun {
        stdout: "PING gw.ward7.test (10.7.0.1) 56(84) bytes of data.\n64 bytes from 10.7.0.1: icmp_seq=1 ttl=64 time=310 ms\n64 bytes from 10.7.0.1: icmp_seq=3 ttl=64 time=190 ms\n64 bytes from 10.7.0.1: icmp_seq=4 ttl=64 time=250 ms\n\n--- gw.ward7.test ping statistics ---\n4 packets transmitted, 3 received, 25% packet loss, time 3004ms\nrtt min/avg/max/mdev = 190.000/250.000/310.000/48.990 ms\n",
        stderr: "",
        code: 1,
    };
    pub const NONE_BACK: PingRun = PingRun {
        stdout: "PING gw.ward7.test (10.7.0.1) 56(84) bytes of data.\nFrom 10.7.0.23 icmp_seq=1 Destination Host Unreachable\n\n--- gw.ward7.test ping statistics ---\n4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3066ms\n",
        stderr: "",
        code: 1,
    };
    pub const UNKNOWN_HOST: PingRun = PingRun {
        stdout: "",
        stderr: "ping: gw.ward7.test: Temporary failure in name resolution\n",
        code: 2,
    };
}
