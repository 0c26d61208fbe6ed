//! Writes a large radiotap pcap for measuring `wisp ingest`'s memory on big captures.
//!
//! `cargo run --release --example big_pcap -- OUT.pcap MEGABYTES`
//!
//! Each group is one beacon (heard at −40…−89 dBm from one of 50 APs on 5 GHz channel 36) then
//! nine 1,400-byte data frames, as a monitor-mode capture on a busy channel mostly holds data
//! traffic; the scans kept are the beacons. Deterministic: the same size gives the same file.

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(mb)) = (args.next(), args.next()) else {
        eprintln!("usage: big_pcap OUT.pcap MEGABYTES");
        std::process::exit(2);
    };
    let target: u64 = mb.parse::<u64>().expect("MEGABYTES is a whole number") * 1_000_000;
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    // Global header: little-endian microsecond pcap, snaplen 65535, link type 127 (radiotap).
    let mut header = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0];
    header.extend([0; 8]);
    header.extend(65535u32.to_le_bytes());
    header.extend(127u32.to_le_bytes());
    w.write_all(&header)?;
    let mut written = header.len() as u64;
    let mut n: u32 = 0;
    while written < target {
        let ap = (n % 50) as u8;
        let rssi = -40 - (n % 50) as i8;
        let beacon = radiotap_frame(rssi, &beacon_frame(ap));
        let data = radiotap_frame(-60, &vec![0x08; 1400]);
        for (i, pkt) in std::iter::once(&beacon)
            .chain(std::iter::repeat_n(&data, 9))
            .enumerate()
        {
            w.write_all(&(1_793_613_600 + n).to_le_bytes())?;
            w.write_all(&(i as u32 * 1000).to_le_bytes())?;
            w.write_all(&(pkt.len() as u32).to_le_bytes())?;
            w.write_all(&(pkt.len() as u32).to_le_bytes())?;
            w.write_all(pkt)?;
            written += 16 + pkt.len() as u64;
        }
        n += 1;
    }
    w.flush()?;
    println!("{written} bytes, {n} beacons");
    Ok(())
}

/// Radiotap header (Channel 5180 MHz, dBm signal) then `frame`.
fn radiotap_frame(rssi: i8, frame: &[u8]) -> Vec<u8> {
    let mut p = vec![0u8, 0, 13, 0];
    p.extend((1u32 << 3 | 1 << 5).to_le_bytes());
    p.extend(5180u16.to_le_bytes());
    p.extend(0x0140u16.to_le_bytes());
    p.push(rssi as u8);
    p.extend(frame);
    p
}

/// A beacon from BSSID aa:bb:cc:dd:00:`ap` naming the SSID "Ward7".
fn beacon_frame(ap: u8) -> Vec<u8> {
    let bssid = [0xaa, 0xbb, 0xcc, 0xdd, 0x00, ap];
    let mut f = vec![0x80, 0, 0, 0];
    f.extend([0xff; 6]);
    f.extend(bssid);
    f.extend(bssid);
    f.extend([0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x64, 0, 0x31, 0x04]);
    f.extend([0, 5]);
    f.extend(b"Ward7");
    f
}
