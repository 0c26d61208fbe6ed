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
