#![allow(dead_code)]
//! A minimal HTTP/1.1 client over a TCP socket, for the collector's tests (no client crate):
//! one request per connection, `Connection: close`, the whole answer read.

use std::io::{Read, Write};
use std::net::TcpStream;

/// An answer: status code, headers (lowercase names) and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Sends `method path` to `addr` ("127.0.0.1:port") with `headers` and `body`.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(120)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + size]);
        b = &b[end + 2 + size + 2..];
    }
    out
}

/// A client for one collector: its address and token.
pub struct Client {
    pub addr: String,
    pub token: String,
}

impl Client {
    /// From the address line `wisp collect` prints: `http://127.0.0.1:PORT/?token=…`.
    pub fn from_url(url: &str) -> Client {
        let rest = url.trim().strip_prefix("http://").expect("http address");
        let (addr, query) = rest.split_once("/?token=").expect("address with token");
        Client {
            addr: addr.to_string(),
            token: query.to_string(),
        }
    }
    pub fn get(&self, path: &str) -> Answer {
        request(
            &self.addr,
            "GET",
            path,
            &[("X-Wisp-Token", &self.token)],
            b"",
        )
        .unwrap()
    }
    pub fn post(&self, path: &str, body: &serde_json::Value) -> Answer {
        self.try_post(path, body).unwrap()
    }
    pub fn try_post(&self, path: &str, body: &serde_json::Value) -> std::io::Result<Answer> {
        request(
            &self.addr,
            "POST",
            path,
            &[
                ("X-Wisp-Token", &self.token),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
    }
}
