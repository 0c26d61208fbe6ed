//! Packet captures of 802.11 management frames: classic libpcap (`.pcap`) and pcapng, as
//! `tcpdump -i wlan0mon -w`, Wireshark/dumpcap, `airodump-ng --output-format pcap` and Kismet's
//! pcap export write them.
//!
//! ```text
//! pcap:   global header (24 B: magic, version, zone, sigfigs, snaplen, link type)
//!         then per packet: ts_sec, ts_usec|ts_nsec, captured length, original length, bytes
//! pcapng: blocks of (type, total length, body, total length), 4-byte aligned:
//!         Section Header (0x0A0D0D0A, byte-order magic 0x1A2B3C4D), Interface Description (1:
//!         link type, snaplen, options such as if_tsresol), Enhanced Packet (6), Simple Packet
//!         (3), obsolete Packet (2), and statistics/name-resolution/custom blocks (skipped)
//! ```
//!
//! Only two link types carry what a survey needs:
//! - **127, radiotap + 802.11**: the radiotap header (always little-endian, whatever the file's
//!   byte order) gives the tuned frequency (Channel field) and the received signal in dBm (dBm
//!   antenna signal). Its fields follow the `it_present` bitmap chain (bit 31 of each word says
//!   another word follows; bit 29 starts the radiotap namespace again, bit 30 a vendor
//!   namespace whose data is passed over by its `skip_length`), each aligned to its natural
//!   size *from the start of the radiotap header*, so a TSFT (u64) pushes the fields after it
//!   to an 8-byte boundary. Every field of the radiotap namespace is sized (radiotap.org's
//!   defined fields 0–27), so per-antenna signals in later words are read: the first word's
//!   signal is the combined one; without it, the strongest antenna's is used.
//! - **105, bare 802.11**: the frames are there but no radio header, so no signal. Each beacon
//!   is counted as skipped (the user is told to capture with radiotap); nothing is guessed.
//!
//! Prism (119), AVS (163), PPI (192) and non-802.11 link types (Ethernet, Linux cooked, …) are
//! refused with an error naming the link type: Prism's "rssi" is in driver-specific units,
//! sometimes dBm and sometimes not, and a survey built on a guess is worse than none. In a pcapng
//! with several interfaces, packets of an unsupported interface are counted as skipped; the file
//! is refused only when none of its interfaces is 802.11.
//!
//! Each beacon (management subtype 8) or probe response (subtype 5) becomes one [`Scan`] with one
//! observation: BSSID = addr3; SSID from element 0 (empty or all-NUL = hidden → `None`; bytes
//! that are not UTF-8 are kept as `\xNN` escapes rather than replaced); `t` = packet timestamp;
//! `source` = `"{name}#{packet number}"` (1-based, counting packet records only). Many beacons
//! of one BSSID are many measurements, and are all kept.
//!
//! Quirks handled:
//! - pcap magic in either byte order, micro- (0xA1B2C3D4) and nanosecond (0xA1B23C4D) variants;
//!   the link-type word's upper 16 bits (FCS-length flags) are ignored.
//! - pcapng sections may change byte order; interface numbering restarts per section;
//!   `if_tsresol` (10^-n or 2^-n) and `if_tsoffset` are honoured; Simple Packet Blocks have no
//!   timestamp (`t: None`) and belong to interface 0; unknown block types are skipped by length.
//! - Radiotap Flags 0x10: the frame ends in a 4-byte FCS, removed before parsing elements;
//!   Flags 0x40: the frame failed its FCS check and is skipped (its BSSID may be corrupt).
//!   Flags 0x20: the 802.11 header is padded to a multiple of 4 bytes.
//! - Management frames with the Order bit set carry a 4-byte HT Control field after the header.
//! - A frame cut short (snaplen) after its addresses keeps its BSSID; its SSID is then `None`.
//! - Channel: the radiotap frequency names it (numbers repeat across bands; XChannel's when
//!   there is no Channel field). A beacon whose own DS Parameter Set / HT Operation channel
//!   differs from the tuned channel was heard *off its channel* (common in 2.4 GHz, where
//!   channels overlap, and in captures fixed on one channel): it is recorded on its own
//!   channel, flagged `approximate` because its signal is understated by the offset, so the AP
//!   is not lost. Without a usable radiotap frequency the element's channel is used, the band
//!   taken from the radiotap channel flags or inferred ([`wisp_model::Channel::infer`]).
//! - Radiotap noise outside −120..0 dBm (drivers write 0 or −128 when they have none) is dropped
//!   from the observation, not the observation itself.
//! - A file cut short (capture killed mid-write) keeps the packets before the cut and counts one
//!   "truncated packet"; a pcapng block shorter than 12 bytes is an error (it would never
//!   advance).
//!
//! The file is read as a stream ([`parse_reader`]), one record or block at a time: a length is
//! checked against [`MAX_RECORD_BYTES`] before anything is allocated for it, so memory holds one
//! record and the scans kept, whatever the file's size. A packet over the limit is read past and
//! counted; a Section Header or Interface Description over it is an error. [`parse`] runs the
//! same code over bytes in memory.

use crate::capture::{ParsedCapture, Scan};
use crate::{IngestError, IngestErrorKind};
use std::io::Read;
use wisp_model::{Band, Bssid, Channel, Observation};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &["pcap", "pcapng"];

const LINKTYPE_IEEE802_11: u32 = 105;
const LINKTYPE_RADIOTAP: u32 = 127;

const PCAPNG_SHB: [u8; 4] = [0x0A, 0x0D, 0x0D, 0x0A];
const PCAPNG_IDB: u32 = 1;
const PCAPNG_OPB: u32 = 2;
const PCAPNG_SPB: u32 = 3;
const PCAPNG_EPB: u32 = 6;

/// Skip reason of a packet over [`MAX_RECORD_BYTES`].
const OVERSIZE: &str = "packet larger than the 16 MiB record limit";

/// The format `bytes` are in, if it is one of this family's (from magic numbers).
pub fn detect(bytes: &[u8]) -> Option<&'static str> {
    match bytes.get(..4)? {
        [0xD4, 0xC3, 0xB2, 0xA1]
        | [0xA1, 0xB2, 0xC3, 0xD4]
        | [0x4D, 0x3C, 0xB2, 0xA1]
        | [0xA1, 0xB2, 0x3C, 0x4D] => Some("pcap"),
        // The SHB type is a palindrome of line-end bytes; the byte-order magic confirms it.
        [0x0A, 0x0D, 0x0D, 0x0A] => match bytes.get(8..12)? {
            [0x1A, 0x2B, 0x3C, 0x4D] | [0x4D, 0x3C, 0x2B, 0x1A] => Some("pcapng"),
            _ => None,
        },
        _ => None,
    }
}

/// Parses `bytes` (from the file called `name`) as `format`: [`parse_reader`] over the bytes.
pub fn parse(format: &str, bytes: &[u8], name: &str) -> Result<ParsedCapture, IngestError> {
    parse_reader(format, bytes, name)
}

/// Largest pcap record or pcapng block read into memory (bytes). libpcap captures at most
/// 262,144 bytes per packet (`MAXIMUM_SNAPLEN` in libpcap's `pcap-int.h`); 16 MiB leaves room
/// for option-heavy pcapng blocks while a corrupt length can never make wisp allocate more. A
/// packet over the limit is skipped by reading past it, counted.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// Parses the capture read from `src` (the file called `name`) as `format`, one record at a
/// time: memory holds one record and the scans kept, whatever the capture's size. Give it a
/// buffered reader (records are read in small pieces).
///
/// The file's magic decides between pcap and pcapng, so a wrongly forced name still reads.
pub fn parse_reader(
    format: &str,
    mut src: impl Read,
    name: &str,
) -> Result<ParsedCapture, IngestError> {
    if !FORMATS.contains(&format) {
        return Err(IngestError::syntax(format!(
            "format '{format}' is not a packet-capture format"
        )));
    }
    let mut reader = Reader {
        name,
        out: ParsedCapture {
            format: format.to_string(),
            ..Default::default()
        },
    };
    // Enough for both magics (the pcapng one is confirmed at bytes 8..12); put back in front.
    let mut magic = [0u8; 12];
    let n = fill(&mut src, &mut magic)?;
    let head = &magic[..n];
    let src = head.chain(src);
    match head.get(..4) {
        Some(m) if m == PCAPNG_SHB => {
            reader.out.format = "pcapng".into();
            reader.pcapng(src)?;
        }
        Some(_) if detect(head) == Some("pcap") => {
            reader.out.format = "pcap".into();
            reader.pcap(src)?;
        }
        _ => {
            return Err(IngestError::syntax(
                "not a pcap or pcapng file: expected the magic number a1b2c3d4, a1b23c4d \
                 (either byte order) or 0a0d0d0a",
            ))
        }
    }
    Ok(reader.out)
}

/// Reads into `buf` until it is full or the stream ends, returning how many bytes came.
fn fill(src: &mut impl Read, buf: &mut [u8]) -> Result<usize, IngestError> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(IngestError::new(IngestErrorKind::Io(e))),
        }
    }
    Ok(n)
}

/// Reads past `n` bytes without keeping them; true when they were all there.
fn discard(src: &mut impl Read, n: u64) -> Result<bool, IngestError> {
    let got = std::io::copy(&mut src.take(n), &mut std::io::sink())
        .map_err(|e| IngestError::new(IngestErrorKind::Io(e)))?;
    Ok(got == n)
}

/// Byte order of a pcap file or pcapng section.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let a: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u16::from_le_bytes(a),
            Order::Big => u16::from_be_bytes(a),
        })
    }
    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let a: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u32::from_le_bytes(a),
            Order::Big => u32::from_be_bytes(a),
        })
    }
    fn u64(self, b: &[u8], at: usize) -> Option<u64> {
        let a: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u64::from_le_bytes(a),
            Order::Big => u64::from_be_bytes(a),
        })
    }
}

/// What a link type's packets start with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Radiotap,
    Bare80211,
    Unsupported(u32),
}

impl Link {
    fn of(link_type: u32) -> Link {
        match link_type {
            LINKTYPE_RADIOTAP => Link::Radiotap,
            LINKTYPE_IEEE802_11 => Link::Bare80211,
            other => Link::Unsupported(other),
        }
    }
}

/// The error for a file whose link type wisp cannot read, naming it and what to do instead.
fn unsupported_link(link_type: u32) -> IngestError {
    let advice = "capture in monitor mode with radiotap (link type 127)";
    let msg = match link_type {
        119 => format!(
            "link type 119 (Prism) is not supported: its signal field's units depend on the \
             driver; {advice}"
        ),
        163 => format!("link type 163 (AVS) is not supported; {advice}"),
        192 => format!("link type 192 (PPI) is not supported; {advice}"),
        1 => format!("link type 1 (Ethernet) carries no 802.11 frames; {advice}"),
        113 | 276 => format!(
            "link type {link_type} (Linux cooked capture) carries no 802.11 frames; {advice}"
        ),
        n => format!("link type {n} is not 802.11; {advice}"),
    };
    IngestError::invalid(msg)
}

/// A pcapng interface: its link type and timestamp units.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: Link,
    /// Timestamp ticks per second (if_tsresol; 10^6 by default).
    ticks_per_second: u64,
    /// Seconds added to every timestamp (if_tsoffset).
    offset_s: i64,
    snaplen: u32,
}

/// Walks the file, turning packets into scans.
struct Reader<'a> {
    name: &'a str,
    out: ParsedCapture,
}

impl Reader<'_> {
    fn location(&self, number: usize) -> String {
        format!("{}#{number}", self.name)
    }

    fn truncated(&mut self, number: usize) {
        let loc = self.location(number);
        self.out.skipped.skip("truncated packet", loc);
    }

    /// Classic libpcap: one global header, then records.
    fn pcap(&mut self, mut src: impl Read) -> Result<(), IngestError> {
        let mut header = [0u8; 24];
        let n = fill(&mut src, &mut header)?;
        if n < 24 {
            return Err(IngestError::syntax(format!(
                "pcap global header is truncated ({n} of 24 bytes)"
            )));
        }
        let (order, ticks) = match header[..4] {
            [0xD4, 0xC3, 0xB2, 0xA1] => (Order::Little, 1e6),
            [0xA1, 0xB2, 0xC3, 0xD4] => (Order::Big, 1e6),
            [0x4D, 0x3C, 0xB2, 0xA1] => (Order::Little, 1e9),
            _ => (Order::Big, 1e9),
        };
        // The upper 16 bits hold FCS-length flags (pcap spec), not the link type.
        let link_type = order.u32(&header, 20).unwrap_or(0) & 0xFFFF;
        let link = Link::of(link_type);
        if let Link::Unsupported(n) = link {
            return Err(unsupported_link(n));
        }
        let mut record = [0u8; 16];
        let mut data = Vec::new();
        let mut number = 1;
        loop {
            match fill(&mut src, &mut record)? {
                0 => break,
                16 => {}
                _ => {
                    self.truncated(number);
                    break;
                }
            }
            let sec = order.u32(&record, 0).unwrap_or(0);
            let frac = order.u32(&record, 4).unwrap_or(0);
            let caplen = order.u32(&record, 8).unwrap_or(0) as usize;
            if caplen > MAX_RECORD_BYTES {
                if !discard(&mut src, caplen as u64)? {
                    self.truncated(number);
                    break;
                }
                self.skip(OVERSIZE, number);
                number += 1;
                continue;
            }
            data.resize(caplen, 0);
            if fill(&mut src, &mut data)? < caplen {
                self.truncated(number);
                break;
            }
            let t = sec as f64 + frac as f64 / ticks;
            self.packet(number, link, Some(t), &data);
            number += 1;
        }
        Ok(())
    }

    /// pcapng: a sequence of sections, each a Section Header then blocks.
    fn pcapng(&mut self, mut src: impl Read) -> Result<(), IngestError> {
        let mut order = Order::Little;
        let mut interfaces: Vec<Interface> = Vec::new();
        // Link types of every interface declared, to refuse a file with no 802.11 one.
        let mut any_80211 = false;
        let mut first_unsupported = None;
        // Byte offset of the block in the file, for messages.
        let mut at = 0u64;
        let mut number = 1;
        // Type, total length and (in a Section Header) byte-order magic: every block has 12.
        let mut head = [0u8; 12];
        let mut block = Vec::new();
        loop {
            let n = fill(&mut src, &mut head)?;
            if n == 0 {
                break;
            }
            let rest = &head[..n];
            let is_shb = rest.get(..4) == Some(&PCAPNG_SHB[..]);
            if is_shb {
                order = match rest.get(8..12) {
                    Some([0x1A, 0x2B, 0x3C, 0x4D]) => Order::Big,
                    Some([0x4D, 0x3C, 0x2B, 0x1A]) => Order::Little,
                    Some(_) => {
                        return Err(IngestError::syntax(format!(
                            "pcapng section header at byte {at} has no byte-order magic \
                             (1a2b3c4d expected)"
                        )))
                    }
                    None if at == 0 => {
                        return Err(IngestError::syntax("pcapng section header is truncated"))
                    }
                    None => {
                        self.truncated(number);
                        break;
                    }
                };
                interfaces.clear();
            } else if at == 0 {
                return Err(IngestError::syntax(
                    "pcapng file does not start with a Section Header Block",
                ));
            }
            let (Some(kind), Some(length)) = (order.u32(rest, 0), order.u32(rest, 4)) else {
                self.truncated(number);
                break;
            };
            let length = length as usize;
            if length < 12 {
                return Err(IngestError::syntax(format!(
                    "pcapng block at byte {at} has length {length} (at least 12 expected)"
                )));
            }
            let whole = n == 12
                && if length > MAX_RECORD_BYTES {
                    discard(&mut src, (length - 12) as u64)?
                } else {
                    block.clear();
                    block.extend_from_slice(&head);
                    block.resize(length, 0);
                    fill(&mut src, &mut block[12..])? == length - 12
                };
            if !whole {
                if at == 0 {
                    return Err(IngestError::syntax("pcapng section header is truncated"));
                }
                self.truncated(number);
                break;
            }
            if length > MAX_RECORD_BYTES {
                match kind {
                    PCAPNG_EPB | PCAPNG_OPB | PCAPNG_SPB => {
                        self.skip(OVERSIZE, number);
                        number += 1;
                    }
                    // Later packets depend on these: the file cannot be read past them.
                    _ if is_shb || kind == PCAPNG_IDB => {
                        return Err(IngestError::syntax(format!(
                            "pcapng block at byte {at} is {length} bytes, more than the \
                             {MAX_RECORD_BYTES}-byte limit"
                        )))
                    }
                    _ => {}
                }
                at += length as u64;
                continue;
            }
            let block = &block[..];
            let body = &block[8..length - 4];
            match kind {
                _ if is_shb && order.u16(body, 4) != Some(1) => {
                    return Err(IngestError::syntax(format!(
                        "pcapng section at byte {at} has major version {} (1 expected)",
                        order.u16(body, 4).unwrap_or(0)
                    )));
                }
                _ if is_shb => {}
                PCAPNG_IDB => {
                    let iface = interface(order, body).map_err(|m| {
                        IngestError::syntax(format!("pcapng interface block at byte {at}: {m}"))
                    })?;
                    match iface.link {
                        Link::Unsupported(n) => {
                            first_unsupported.get_or_insert(n);
                        }
                        _ => any_80211 = true,
                    }
                    interfaces.push(iface);
                }
                PCAPNG_EPB | PCAPNG_OPB => {
                    // EPB: u32 interface; OPB: u16 interface + u16 drop count. Both then
                    // timestamp high, low, captured length, original length, data.
                    let id = if kind == PCAPNG_EPB {
                        order.u32(body, 0)
                    } else {
                        order.u16(body, 0).map(u32::from)
                    };
                    let fields = (
                        id,
                        order.u32(body, 4),
                        order.u32(body, 8),
                        order.u32(body, 12),
                    );
                    let (Some(id), Some(hi), Some(lo), Some(caplen)) = fields else {
                        self.skip("malformed packet block", number);
                        number += 1;
                        at += length as u64;
                        continue;
                    };
                    let data = (caplen as usize)
                        .checked_add(20)
                        .and_then(|end| body.get(20..end));
                    match (interfaces.get(id as usize), data) {
                        (None, _) => self.skip("packet on an undeclared interface", number),
                        (Some(_), None) => self.skip("malformed packet block", number),
                        (Some(iface), Some(data)) => {
                            let ticks = (u64::from(hi) << 32) | u64::from(lo);
                            let t = timestamp(ticks, iface);
                            self.packet(number, iface.link, Some(t), data);
                        }
                    }
                    number += 1;
                }
                PCAPNG_SPB => {
                    match interfaces.first() {
                        None => self.skip("packet on an undeclared interface", number),
                        Some(iface) => {
                            // Captured length is not stored: the smallest of the original length,
                            // the snaplen and what the block holds.
                            let original = order.u32(body, 0).unwrap_or(0) as usize;
                            let data = body.get(4..).unwrap_or(&[]);
                            let mut len = data.len().min(original);
                            if iface.snaplen > 0 {
                                len = len.min(iface.snaplen as usize);
                            }
                            let link = iface.link;
                            self.packet(number, link, None, &data[..len]);
                        }
                    }
                    number += 1;
                }
                // Statistics, name resolution, decryption secrets, custom: nothing for a survey.
                _ => {}
            }
            at += length as u64;
        }
        if !any_80211 {
            if let Some(n) = first_unsupported {
                return Err(unsupported_link(n));
            }
        }
        Ok(())
    }

    fn skip(&mut self, reason: &str, number: usize) {
        let loc = self.location(number);
        self.out.skipped.skip(reason, loc);
    }

    /// One packet's bytes, as its link type frames them.
    fn packet(&mut self, number: usize, link: Link, t: Option<f64>, data: &[u8]) {
        let loc = self.location(number);
        let skipped = &mut self.out.skipped;
        let (radio, frame) = match link {
            Link::Radiotap => match radiotap(data) {
                Ok(r) => r,
                Err(reason) => return skipped.skip(reason, loc),
            },
            Link::Bare80211 => (Radio::default(), data),
            Link::Unsupported(n) => {
                return skipped.skip(
                    format!("captured on a non-802.11 interface (link type {n})"),
                    loc,
                )
            }
        };
        if radio.flags & RADIOTAP_FLAG_BAD_FCS != 0 {
            return skipped.skip("frame failed its FCS check", loc);
        }
        let frame = if radio.flags & RADIOTAP_FLAG_FCS != 0 {
            match frame.len().checked_sub(4) {
                Some(n) => &frame[..n],
                None => return skipped.skip("truncated 802.11 frame", loc),
            }
        } else {
            frame
        };
        let beacon = match beacon(frame, radio.flags & RADIOTAP_FLAG_DATAPAD != 0) {
            Ok(b) => b,
            Err(reason) => return skipped.skip(reason, loc),
        };
        let Some(signal) = radio.signal else {
            let reason = match link {
                Link::Bare80211 => {
                    "no signal (802.11 without radiotap, link type 105: capture with radiotap)"
                }
                _ => "no signal field in radiotap header",
            };
            return skipped.skip(reason, loc);
        };
        let (channel, off_channel) = match beacon_channel(&radio, &beacon) {
            Ok(c) => c,
            Err(reason) => return skipped.skip(reason, loc),
        };
        let noise = radio
            .noise
            .map(f64::from)
            .filter(|n| (-120.0..0.0).contains(n));
        match Observation::new(beacon.bssid, beacon.ssid, channel, f64::from(signal), noise) {
            Ok(mut obs) => {
                obs.approximate = off_channel;
                self.out.scans.push(Scan {
                    t,
                    at: None,
                    source: loc,
                    observations: vec![obs],
                })
            }
            Err(_) => skipped.skip("rssi outside -120..0 dBm", loc),
        }
    }
}

/// An Interface Description Block's body: link type, reserved, snaplen, options.
fn interface(order: Order, body: &[u8]) -> Result<Interface, String> {
    let (Some(link_type), Some(snaplen)) = (order.u16(body, 0), order.u32(body, 4)) else {
        return Err("truncated".into());
    };
    let mut iface = Interface {
        link: Link::of(u32::from(link_type)),
        ticks_per_second: 1_000_000,
        offset_s: 0,
        snaplen,
    };
    let mut at = 8;
    // Options: code u16, length u16, value padded to 4 bytes; code 0 ends them.
    while let (Some(code), Some(len)) = (order.u16(body, at), order.u16(body, at + 2)) {
        let len = len as usize;
        let Some(value) = body.get(at + 4..at + 4 + len) else {
            break;
        };
        match (code, value) {
            (0, _) => break,
            (9, [resol]) => {
                // MSB clear: 10^-n seconds; set: 2^-n.
                let n = u32::from(resol & 0x7F);
                let ticks = if resol & 0x80 == 0 {
                    10u64.checked_pow(n)
                } else {
                    1u64.checked_shl(n).filter(|_| n < 64)
                };
                iface.ticks_per_second =
                    ticks.ok_or_else(|| format!("if_tsresol {resol:#04x} is out of range"))?;
            }
            (14, _) => {
                if let Some(v) = order.u64(value, 0) {
                    iface.offset_s = v as i64;
                }
            }
            _ => {}
        }
        at += 4 + len.next_multiple_of(4);
    }
    Ok(iface)
}

/// Seconds since the epoch of a pcapng timestamp on `iface`.
fn timestamp(ticks: u64, iface: &Interface) -> f64 {
    let per = iface.ticks_per_second.max(1);
    // Whole seconds and fraction apart: nanosecond ticks exceed f64's exact integers.
    (ticks / per) as f64 + (ticks % per) as f64 / per as f64 + iface.offset_s as f64
}

const RADIOTAP_FLAG_FCS: u8 = 0x10;
/// Flags 0x20: the 802.11 header is padded to a multiple of 4 bytes before the body.
const RADIOTAP_FLAG_DATAPAD: u8 = 0x20;
const RADIOTAP_FLAG_BAD_FCS: u8 = 0x40;
/// Radiotap Channel flags naming the spectrum.
const RADIOTAP_CHAN_2GHZ: u16 = 0x0080;
const RADIOTAP_CHAN_5GHZ: u16 = 0x0100;

/// Presence bits that are not fields: TLV list (the rest of the header), radiotap namespace
/// next, vendor namespace next, another presence word follows.
const RADIOTAP_TLV: u32 = 28;
const RADIOTAP_NAMESPACE: u32 = 29;
const VENDOR_NAMESPACE: u32 = 30;
const RADIOTAP_EXT: u32 = 31;

/// (alignment, size) in bytes of radiotap-namespace fields 0–27, by presence bit, from
/// radiotap.org's "Defined fields" pages: TSFT, Flags, Rate, Channel, FHSS, dBm antenna
/// signal, dBm antenna noise, Lock quality, TX attenuation, dB TX attenuation, dBm TX power,
/// Antenna, dB antenna signal, dB antenna noise, RX flags, TX flags, RTS retries, data
/// retries, XChannel, MCS, A-MPDU status, VHT, timestamp, HE, HE-MU, HE-MU-other-user,
/// 0-length PSDU, L-SIG. Every field is aligned to its alignment *from the start of the
/// radiotap header*. A set bit past this table (an undefined field, or a radiotap word after
/// the first of a namespace) has an unknown size: the fields after it cannot be found, so
/// parsing stops there with what was read.
const RADIOTAP_FIELDS: [(usize, usize); 28] = [
    (8, 8),
    (1, 1),
    (1, 1),
    (2, 4),
    (2, 2),
    (1, 1),
    (1, 1),
    (2, 2),
    (2, 2),
    (2, 2),
    (1, 1),
    (1, 1),
    (1, 1),
    (1, 1),
    (2, 2),
    (2, 2),
    (1, 1),
    (1, 1),
    (4, 8),
    (1, 3),
    (4, 8),
    (2, 12),
    (8, 12),
    (2, 12),
    (2, 12),
    (2, 6),
    (1, 1),
    (2, 4),
];

/// What the radiotap header says about the frame's reception.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Radio {
    flags: u8,
    /// Tuned frequency, MHz (0 from some drivers: unknown).
    freq_mhz: Option<u16>,
    channel_flags: u16,
    signal: Option<i8>,
    noise: Option<i8>,
}

/// Parses a radiotap header, returning it and the 802.11 frame after it.
///
/// Every presence word is followed (bit 31 chains them), in every namespace: the radiotap
/// namespace's fields are read by the table above; a vendor namespace (bit 30) is a 6-byte
/// header aligned to 2 (OUI, sub-namespace, `skip_length`) whose `skip_length` data bytes are
/// passed over whole; bit 29 returns to the radiotap namespace, whose bits count from 0 again.
/// The dBm antenna signal and noise of the *first* presence word are the combined reception
/// (what Linux mac80211 writes there); those of later radiotap-namespace words are per
/// antenna, used only when the first word has none: then the strongest antenna's signal is
/// taken (the combined signal of receive chains is at least the strongest chain's) with the
/// noise of the same antenna's word.
fn radiotap(data: &[u8]) -> Result<(Radio, &[u8]), &'static str> {
    const MALFORMED: &str = "malformed radiotap header";
    if data.len() < 8 {
        return Err(MALFORMED);
    }
    if data[0] != 0 {
        return Err("unknown radiotap version");
    }
    let len = u16::from_le_bytes([data[2], data[3]]) as usize;
    if len < 8 || len > data.len() {
        return Err(MALFORMED);
    }
    let header = &data[..len];
    let le32 = |at: usize| -> Option<u32> {
        let b: [u8; 4] = header.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b))
    };
    // The presence words come first, all of them, then the fields in word and bit order.
    let mut words = vec![le32(4).ok_or(MALFORMED)?];
    let mut at = 8;
    while words[words.len() - 1] & (1 << RADIOTAP_EXT) != 0 {
        words.push(le32(at).ok_or(MALFORMED)?);
        at += 4;
    }
    let mut radio = Radio::default();
    // Per-antenna (signal, noise) from radiotap words after the first.
    let mut antennas: Vec<(Option<i8>, Option<i8>)> = Vec::new();
    // Where the current vendor namespace's data ends, while in one.
    let mut vendor_end: Option<usize> = None;
    // Index of the word within its radiotap namespace (bits of word k are 32k + bit).
    let mut ns_word = 0;
    'words: for (index, &word) in words.iter().enumerate() {
        if vendor_end.is_none() {
            let mut antenna = (None, None);
            for bit in 0..RADIOTAP_TLV {
                if word & (1 << bit) == 0 {
                    continue;
                }
                let Some(&(align, size)) =
                    RADIOTAP_FIELDS.get(bit as usize).filter(|_| ns_word == 0)
                else {
                    break 'words;
                };
                at = at.next_multiple_of(align);
                let field = header.get(at..at + size).ok_or(MALFORMED)?;
                let first = index == 0;
                match bit {
                    1 if first => radio.flags = field[0],
                    3 if radio.freq_mhz.is_none() => {
                        radio.freq_mhz = Some(u16::from_le_bytes([field[0], field[1]]));
                        radio.channel_flags = u16::from_le_bytes([field[2], field[3]]);
                    }
                    5 if first => radio.signal = Some(field[0] as i8),
                    5 => antenna.0 = Some(field[0] as i8),
                    6 if first => radio.noise = Some(field[0] as i8),
                    6 => antenna.1 = Some(field[0] as i8),
                    // XChannel: u32 flags, u16 frequency, u8 channel, u8 max power; read
                    // only when no Channel field named the frequency.
                    18 if radio.freq_mhz.is_none() => {
                        radio.freq_mhz = Some(u16::from_le_bytes([field[4], field[5]]))
                    }
                    _ => {}
                }
                at += size;
            }
            if word & (1 << RADIOTAP_TLV) != 0 {
                // TLVs run to the end of the header: nothing this reader needs.
                break;
            }
            if index > 0 && antenna != (None, None) {
                antennas.push(antenna);
            }
        }
        if word & (1 << RADIOTAP_EXT) == 0 {
            break;
        }
        if word & (1 << RADIOTAP_NAMESPACE) != 0 {
            if let Some(end) = vendor_end.take() {
                at = end;
            }
            ns_word = 0;
        } else if word & (1 << VENDOR_NAMESPACE) != 0 {
            if let Some(end) = vendor_end.take() {
                at = end;
            }
            at = at.next_multiple_of(2);
            let skip = header.get(at + 4..at + 6).ok_or(MALFORMED)?;
            at += 6;
            vendor_end = Some(at + u16::from_le_bytes([skip[0], skip[1]]) as usize);
        } else {
            ns_word += 1;
        }
    }
    if radio.signal.is_none() {
        // The first of equally strong antennas (max_by_key keeps the last, hence rev).
        if let Some(&(signal, noise)) = antennas
            .iter()
            .rev()
            .filter(|a| a.0.is_some())
            .max_by_key(|a| a.0)
        {
            radio.signal = signal;
            radio.noise = noise;
        }
    }
    Ok((radio, &data[len..]))
}

/// What a beacon or probe response says about its network.
#[derive(Debug, Clone, PartialEq)]
struct Beacon {
    bssid: Bssid,
    ssid: Option<String>,
    /// DS Parameter Set's current channel.
    ds_channel: Option<u8>,
    /// HT Operation's primary channel.
    ht_primary: Option<u8>,
}

/// Parses an 802.11 frame (no FCS) as a beacon or probe response. `padded`: the radiotap
/// DATAPAD flag, the header padded to a multiple of 4 bytes.
///
/// A frame cut inside its fixed fields or elements (a short snaplen) still names its BSSID
/// (addr3, bytes 16..22): it is kept, with what elements were whole; no SSID element reads as
/// no SSID (`None`).
fn beacon(frame: &[u8], padded: bool) -> Result<Beacon, &'static str> {
    const OTHER: &str = "not a beacon or probe response";
    const TRUNCATED: &str = "truncated 802.11 frame";
    let (&fc0, &fc1) = match frame {
        [a, b, ..] => (a, b),
        _ => return Err(TRUNCATED),
    };
    let (version, kind, subtype) = (fc0 & 0x03, (fc0 >> 2) & 0x03, fc0 >> 4);
    if version != 0 || kind != 0 || !matches!(subtype, 5 | 8) {
        return Err(OTHER);
    }
    // Order bit on a management frame: a 4-byte HT Control field follows the header
    // (IEEE 802.11-2016 9.2.4.1.10: set only in HT/VHT/HE PPDUs carrying HT Control).
    let mut header: usize = if fc1 & 0x80 != 0 { 28 } else { 24 };
    if padded {
        header = header.next_multiple_of(4);
    }
    let addr3: [u8; 6] = frame
        .get(16..22)
        .and_then(|a| a.try_into().ok())
        .ok_or(TRUNCATED)?;
    // Fixed parameters: timestamp (8), beacon interval (2), capabilities (2).
    let mut elements = frame.get(header + 12..).unwrap_or(&[]);
    let mut b = Beacon {
        bssid: Bssid(addr3),
        ssid: None,
        ds_channel: None,
        ht_primary: None,
    };
    let mut seen_ssid = false;
    while let [id, len, rest @ ..] = elements {
        let len = *len as usize;
        // An element running past the frame: a snaplen cut or trailing junk; keep what we have.
        let Some(value) = rest.get(..len) else { break };
        match (id, value) {
            (0, _) if !seen_ssid => {
                seen_ssid = true;
                b.ssid = ssid(value);
            }
            (3, [ch, ..]) => b.ds_channel = Some(*ch),
            (61, [primary, ..]) => b.ht_primary = Some(*primary),
            _ => {}
        }
        elements = &rest[len..];
    }
    Ok(b)
}

/// An SSID element's text: `None` when hidden (empty or all NUL); bytes that are not UTF-8 are
/// written `\xNN` so nothing is silently replaced.
fn ssid(raw: &[u8]) -> Option<String> {
    if raw.iter().all(|&b| b == 0) {
        return None;
    }
    let mut out = String::new();
    let mut rest = raw;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return Some(out);
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                for byte in &bad[..n] {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
                rest = &bad[n..];
            }
        }
    }
}

/// The channel a beacon's AP is on, and whether its signal is understated because it was heard
/// off that channel (see the module doc for the rules).
fn beacon_channel(radio: &Radio, beacon: &Beacon) -> Result<(Channel, bool), &'static str> {
    let own = beacon.ds_channel.or(beacon.ht_primary).map(u16::from);
    let tuned = radio
        .freq_mhz
        .filter(|&mhz| mhz != 0)
        .map(|mhz| Channel::from_freq(u32::from(mhz)));
    match tuned {
        Some(Ok(tuned)) => match own.and_then(|n| Channel::new(tuned.band, n).ok()) {
            Some(own) if own != tuned => Ok((own, true)),
            _ => Ok((tuned, false)),
        },
        // A frequency that is no Wi-Fi channel wisp knows (0 from some drivers, 4.9 GHz public
        // safety): the beacon's own channel, the band from the Channel flags or inferred.
        tuned => {
            let n = own.ok_or(match tuned {
                Some(Err(_)) => "frequency is not a Wi-Fi channel",
                _ => "no channel (no radiotap frequency, DS or HT element)",
            })?;
            let band = if radio.channel_flags & RADIOTAP_CHAN_2GHZ != 0 {
                Some(Band::G2_4)
            } else if radio.channel_flags & RADIOTAP_CHAN_5GHZ != 0 {
                Some(Band::G5)
            } else {
                None
            };
            let channel =
                Channel::infer(n, band, None).map_err(|_| "channel number names no band")?;
            Ok((channel, false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    // ---- writers: bytes assembled by hand, as the capture tools lay them out ----

    /// A radiotap field to write: (present bit, value bytes, alignment).
    struct Field(u32, Vec<u8>, usize);

    fn tsft(v: u64) -> Field {
        Field(0, v.to_le_bytes().to_vec(), 8)
    }
    fn flags(v: u8) -> Field {
        Field(1, vec![v], 1)
    }
    fn rate(v: u8) -> Field {
        Field(2, vec![v], 1)
    }
    fn chan(mhz: u16, flags: u16) -> Field {
        let mut b = mhz.to_le_bytes().to_vec();
        b.extend(flags.to_le_bytes());
        Field(3, b, 2)
    }
    fn signal(dbm: i8) -> Field {
        Field(5, vec![dbm as u8], 1)
    }
    fn noise(dbm: i8) -> Field {
        Field(6, vec![dbm as u8], 1)
    }

    /// A radiotap header with these fields (in bit order), `extra_words` extended present words
    /// (all zero but the chain bits), padding each field to its alignment from the header start.
    fn radiotap_header(fields: &[Field], extra_words: usize) -> Vec<u8> {
        let mut present: u32 = fields.iter().map(|f| 1u32 << f.0).sum();
        if extra_words > 0 {
            present |= 0x8000_0000;
        }
        let mut h = vec![0u8, 0, 0, 0];
        h.extend(present.to_le_bytes());
        for i in 0..extra_words {
            let w: u32 = if i + 1 < extra_words { 0x8000_0000 } else { 0 };
            h.extend(w.to_le_bytes());
        }
        for f in fields {
            while h.len() % f.2 != 0 {
                h.push(0);
            }
            h.extend(&f.1);
        }
        let len = h.len() as u16;
        h[2..4].copy_from_slice(&len.to_le_bytes());
        h
    }

    /// A management frame: subtype 8 (beacon) or 5 (probe response), with SSID, DS and extra
    /// elements.
    fn mgmt(
        subtype: u8,
        bssid: [u8; 6],
        ssid: &[u8],
        ds: Option<u8>,
        extra: &[(u8, &[u8])],
    ) -> Vec<u8> {
        let mut f = vec![subtype << 4, 0x00, 0, 0];
        f.extend([0xff; 6]); // addr1: broadcast
        f.extend(bssid); // addr2: transmitter
        f.extend(bssid); // addr3: BSSID
        f.extend([0x10, 0x00]); // sequence
        f.extend([0x11; 8]); // TSF timestamp
        f.extend([0x64, 0x00]); // beacon interval 100 TU
        f.extend([0x31, 0x04]); // capabilities
        f.push(0);
        f.push(ssid.len() as u8);
        f.extend(ssid);
        f.extend([1, 4, 0x82, 0x84, 0x8b, 0x96]); // supported rates
        if let Some(ch) = ds {
            f.extend([3, 1, ch]);
        }
        for (id, v) in extra {
            f.push(*id);
            f.push(v.len() as u8);
            f.extend(*v);
        }
        f
    }

    fn data_frame() -> Vec<u8> {
        // Type 2 (data), subtype 0, to-DS; a few payload bytes.
        let mut f = vec![0x08, 0x01, 0, 0];
        f.extend([0xaa; 18]);
        f.extend([0, 0]);
        f.extend([0xaa, 0xaa, 3, 0, 0, 0, 8, 0]);
        f
    }

    const AP1: [u8; 6] = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01];
    const AP2: [u8; 6] = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x02];
    const AP3: [u8; 6] = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x03];

    /// Classic pcap: (seconds, fraction, bytes) records.
    fn pcap_file(big: bool, nanos: bool, link: u32, packets: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
        let u32b = |v: u32| {
            if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u16b = |v: u16| {
            if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut f = Vec::new();
        f.extend(u32b(if nanos { 0xA1B2_3C4D } else { 0xA1B2_C3D4 }));
        f.extend(u16b(2));
        f.extend(u16b(4));
        f.extend(u32b(0));
        f.extend(u32b(0));
        f.extend(u32b(65535));
        f.extend(u32b(link));
        for (s, frac, data) in packets {
            f.extend(u32b(*s));
            f.extend(u32b(*frac));
            f.extend(u32b(data.len() as u32));
            f.extend(u32b(data.len() as u32));
            f.extend(data);
        }
        f
    }

    /// pcapng block writer in one byte order.
    struct Ng {
        big: bool,
        bytes: Vec<u8>,
    }

    impl Ng {
        fn u16(&self, v: u16) -> [u8; 2] {
            if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        }
        fn u32(&self, v: u32) -> [u8; 4] {
            if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        }
        fn block(&mut self, kind: u32, mut body: Vec<u8>) {
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
            let len = 12 + body.len() as u32;
            let (k, l) = (self.u32(kind), self.u32(len));
            self.bytes.extend(k);
            self.bytes.extend(l);
            self.bytes.extend(body);
            self.bytes.extend(l);
        }
        fn section(big: bool) -> Ng {
            let mut ng = Ng {
                big,
                bytes: Vec::new(),
            };
            ng.shb();
            ng
        }
        fn shb(&mut self) {
            let mut body = self.u32(0x1A2B_3C4D).to_vec();
            body.extend(self.u16(1));
            body.extend(self.u16(0));
            body.extend([0xff; 8]); // section length unknown
            self.block(0x0A0D_0D0A, body);
        }
        fn idb(&mut self, link: u16, tsresol: Option<u8>) {
            let mut body = self.u16(link).to_vec();
            body.extend(self.u16(0));
            body.extend(self.u32(0));
            // An if_name option first, so if_tsresol is not at a fixed place.
            body.extend(self.u16(2));
            body.extend(self.u16(5));
            body.extend(b"wlan0\0\0\0");
            if let Some(r) = tsresol {
                body.extend(self.u16(9));
                body.extend(self.u16(1));
                body.extend([r, 0, 0, 0]);
            }
            body.extend(self.u16(0));
            body.extend(self.u16(0));
            self.block(1, body);
        }
        fn epb(&mut self, iface: u32, ticks: u64, data: &[u8]) {
            let mut body = self.u32(iface).to_vec();
            body.extend(self.u32((ticks >> 32) as u32));
            body.extend(self.u32(ticks as u32));
            body.extend(self.u32(data.len() as u32));
            body.extend(self.u32(data.len() as u32));
            body.extend(data);
            self.block(6, body);
        }
        fn spb(&mut self, data: &[u8]) {
            let mut body = self.u32(data.len() as u32).to_vec();
            body.extend(data);
            self.block(3, body);
        }
    }

    fn beacon_rt(fields: &[Field], frame: Vec<u8>) -> Vec<u8> {
        let mut p = radiotap_header(fields, 0);
        p.extend(frame);
        p
    }

    /// The main classic-pcap sample: six packets, each a case.
    fn sample_pcap(big: bool, nanos: bool) -> Vec<u8> {
        let frac = if nanos { 250_000_000 } else { 250_000 };
        let packets = vec![
            // 1: beacon, TSFT + flags + rate + channel + signal + noise (TSFT forces 8-alignment).
            (
                1_793_613_845,
                frac,
                beacon_rt(
                    &[
                        tsft(123),
                        flags(0),
                        rate(12),
                        chan(5180, 0x0140),
                        signal(-61),
                        noise(-95),
                    ],
                    mgmt(8, AP1, b"Ward7", None, &[(61, &[36, 0x05, 0, 0, 0])]),
                ),
            ),
            // 2: probe response on 2.4 GHz ch 6, FCS present (4 junk bytes at the end).
            (1_793_613_846, 0, {
                let mut p = beacon_rt(
                    &[flags(0x10), chan(2437, 0x00a0), signal(-72)],
                    mgmt(5, AP2, b"NHS Guest", Some(6), &[]),
                );
                p.extend([0xde, 0xad, 0xbe, 0xef]);
                p
            }),
            // 3: data frame.
            (
                1_793_613_847,
                0,
                beacon_rt(&[chan(2437, 0x00a0), signal(-40)], data_frame()),
            ),
            // 4: beacon without the signal field.
            (
                1_793_613_848,
                0,
                beacon_rt(
                    &[flags(0), chan(2412, 0x00a0)],
                    mgmt(8, AP3, b"Pharmacy", Some(1), &[]),
                ),
            ),
            // 5: hidden SSID (three NULs), Rate present so Channel needs a pad byte.
            (
                1_793_613_849,
                0,
                beacon_rt(
                    &[rate(2), chan(2412, 0x00a0), signal(-80), noise(0)],
                    mgmt(8, AP3, &[0, 0, 0], Some(1), &[]),
                ),
            ),
            // 6: beacon from channel 1 heard while tuned to channel 6.
            (
                1_793_613_850,
                0,
                beacon_rt(
                    &[chan(2437, 0x00a0), signal(-85)],
                    mgmt(8, AP3, b"Pharmacy", Some(1), &[]),
                ),
            ),
        ];
        pcap_file(big, nanos, LINKTYPE_RADIOTAP, &packets)
    }

    fn skips(p: &ParsedCapture) -> Vec<(String, usize, Vec<String>)> {
        p.skipped
            .iter()
            .map(|(r, n, l)| (r.to_string(), n, l.to_vec()))
            .collect()
    }

    #[test]
    fn detects_every_magic() {
        for (big, nanos) in [(false, false), (true, false), (false, true), (true, true)] {
            assert_eq!(detect(&sample_pcap(big, nanos)), Some("pcap"));
        }
        assert_eq!(detect(&Ng::section(false).bytes), Some("pcapng"));
        assert_eq!(detect(&Ng::section(true).bytes), Some("pcapng"));
        assert_eq!(detect(b"\n\r\r\nnot a capture"), None);
        assert_eq!(detect(b"BSS aa:bb"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn classic_pcap_in_every_byte_order_and_resolution() {
        for (big, nanos) in [(false, false), (true, false), (false, true), (true, true)] {
            let p = parse("pcap", &sample_pcap(big, nanos), "cap.pcap").unwrap();
            assert_eq!(p.format, "pcap");
            assert_eq!(p.scans.len(), 4, "big={big} nanos={nanos}");

            let s = &p.scans[0];
            assert_eq!(s.source, "cap.pcap#1");
            assert_eq!(s.t, Some(1_793_613_845.25));
            assert_eq!(s.at, None);
            let o = &s.observations[0];
            assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:01");
            assert_eq!(o.ssid.as_deref(), Some("Ward7"));
            assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
            assert_eq!(o.rssi_dbm, -61.0);
            assert_eq!(o.noise_dbm, Some(-95.0));

            let o = &p.scans[1].observations[0];
            assert_eq!(p.scans[1].source, "cap.pcap#2");
            assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:02");
            assert_eq!(o.ssid.as_deref(), Some("NHS Guest"));
            assert_eq!((o.band, o.channel), (Band::G2_4, 6));
            assert_eq!(o.rssi_dbm, -72.0);
            assert_eq!(o.noise_dbm, None);

            // Hidden SSID; noise 0 is a driver's "none", dropped.
            let o = &p.scans[2].observations[0];
            assert_eq!(p.scans[2].source, "cap.pcap#5");
            assert_eq!(o.ssid, None);
            assert_eq!((o.channel, o.rssi_dbm, o.noise_dbm), (1, -80.0, None));
            assert!(!o.approximate);

            // Heard on channel 6 from an AP on channel 1: kept on channel 1, flagged
            // approximate (its level is understated by the offset).
            let o = &p.scans[3].observations[0];
            assert_eq!(p.scans[3].source, "cap.pcap#6");
            assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G2_4, 1, 2412));
            assert_eq!(o.rssi_dbm, -85.0);
            assert!(o.approximate);

            assert_eq!(
                skips(&p),
                vec![
                    (
                        "no signal field in radiotap header".into(),
                        1,
                        vec!["cap.pcap#4".into()]
                    ),
                    (
                        "not a beacon or probe response".into(),
                        1,
                        vec!["cap.pcap#3".into()]
                    ),
                ]
            );
        }
    }

    #[test]
    fn radiotap_alignment_and_extended_bitmaps() {
        // Two extended present words, then TSFT at offset 16 (already 8-aligned), then
        // flags/rate, channel at 26, signal 30, noise 31.
        let h = radiotap_header(
            &[
                tsft(1),
                flags(0),
                rate(2),
                chan(5500, 0x0140),
                signal(-67),
                noise(-92),
            ],
            2,
        );
        assert_eq!(h.len(), 32);
        let (r, rest) = radiotap(&h).unwrap();
        assert!(rest.is_empty());
        assert_eq!(r.freq_mhz, Some(5500));
        assert_eq!((r.signal, r.noise), (Some(-67), Some(-92)));
        // Flags alone, then Channel: one pad byte at 9; signal at 14.
        let h = radiotap_header(&[flags(0x10), chan(2462, 0x00a0), signal(-50)], 0);
        assert_eq!(h.len(), 15);
        assert_eq!(h[9], 0);
        let (r, _) = radiotap(&h).unwrap();
        assert_eq!(
            (r.flags, r.freq_mhz, r.signal),
            (0x10, Some(2462), Some(-50))
        );
        // A field past it_len is malformed, not read out of the next bytes.
        let mut h = radiotap_header(&[signal(-50)], 0);
        h[2] = 8;
        assert!(radiotap(&h).is_err());
    }

    #[test]
    fn no_radiotap_channel_uses_ds_and_flags_band() {
        // Signal but no Channel field: DS channel 11 → 2.4 GHz inferred.
        let pkt = beacon_rt(&[signal(-66)], mgmt(8, AP1, b"Ward7", Some(11), &[]));
        // HT Operation only (5 GHz APs often omit DS): primary 149 → 5 GHz inferred.
        let pkt2 = beacon_rt(
            &[signal(-70)],
            mgmt(8, AP2, b"Ward7", None, &[(61, &[149, 0, 0])]),
        );
        // Channel field with frequency 0 but 5 GHz flag: band from the flag.
        let pkt3 = beacon_rt(
            &[chan(0, 0x0100), signal(-71)],
            mgmt(8, AP3, b"W", Some(40), &[]),
        );
        let p = parse(
            "pcap",
            &pcap_file(
                false,
                false,
                127,
                &[(1, 0, pkt), (2, 0, pkt2), (3, 0, pkt3)],
            ),
            "c",
        )
        .unwrap();
        let got: Vec<_> = p
            .scans
            .iter()
            .map(|s| (s.observations[0].band, s.observations[0].freq_mhz))
            .collect();
        assert_eq!(
            got,
            vec![(Band::G2_4, 2462), (Band::G5, 5745), (Band::G5, 5200)]
        );
    }

    #[test]
    fn bad_fcs_and_non_utf8_ssid() {
        let bad = beacon_rt(&[flags(0x50), chan(2412, 0), signal(-60)], {
            let mut f = mgmt(8, AP1, b"Ward7", Some(1), &[]);
            f.extend([0, 0, 0, 0]);
            f
        });
        let latin = beacon_rt(
            &[chan(2412, 0), signal(-60)],
            mgmt(8, AP2, b"Caf\xe9", Some(1), &[]),
        );
        let p = parse(
            "pcap",
            &pcap_file(false, false, 127, &[(1, 0, bad), (2, 0, latin)]),
            "c",
        )
        .unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.scans[0].observations[0].ssid.as_deref(), Some("Caf\\xe9"));
        assert_eq!(skips(&p)[0].0, "frame failed its FCS check");
    }

    #[test]
    fn bare_80211_beacons_are_counted_without_signal() {
        let packets = vec![
            (10, 0, mgmt(8, AP1, b"Ward7", Some(6), &[])),
            (11, 0, data_frame()),
            (12, 0, mgmt(8, AP1, b"Ward7", Some(6), &[])),
        ];
        let p = parse("pcap", &pcap_file(true, false, 105, &packets), "bare.pcap").unwrap();
        assert!(p.scans.is_empty());
        let s = skips(&p);
        assert_eq!(s.len(), 2);
        assert!(s[0].0.starts_with("no signal (802.11 without radiotap"));
        assert_eq!(s[0].1, 2);
        assert_eq!(s[0].2, vec!["bare.pcap#1", "bare.pcap#3"]);
        assert_eq!(
            s[1],
            (
                "not a beacon or probe response".into(),
                1,
                vec!["bare.pcap#2".into()]
            )
        );
    }

    #[test]
    fn refuses_prism_avs_and_ethernet_naming_the_link_type() {
        for (lt, word) in [(119, "Prism"), (163, "AVS"), (1, "Ethernet"), (147, "147")] {
            let e = parse("pcap", &pcap_file(false, false, lt, &[]), "x").unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(&format!("link type {lt}")), "{msg}");
            assert!(msg.contains(word), "{msg}");
            assert!(msg.contains("radiotap (link type 127)"), "{msg}");
        }
        // Upper bits of the link-type word are FCS flags, not part of the type.
        let p = parse(
            "pcap",
            &pcap_file(false, false, 0x1400_0000 | 127, &[]),
            "x",
        )
        .unwrap();
        assert!(p.scans.is_empty());
    }

    /// pcapng: a radiotap interface with nanosecond stamps and an Ethernet one, an unknown
    /// block, a Simple Packet Block, then a second big-endian section.
    fn sample_pcapng() -> Vec<u8> {
        let mut ng = Ng::section(false);
        ng.idb(127, Some(9));
        ng.idb(1, None);
        let b1 = beacon_rt(
            &[chan(5180, 0x0140), signal(-58), noise(-96)],
            mgmt(8, AP1, b"Ward7", None, &[]),
        );
        ng.epb(0, 1_793_613_845_500_000_000, &b1); // #1
        ng.epb(1, 1_793_613_846_000_000, &[0u8; 60]); // #2, Ethernet
        ng.block(0x0000_0BAD, vec![1, 2, 3, 4, 5, 6]); // custom block: skipped by length
        ng.epb(7, 0, &b1); // #3, undeclared interface
        let b2 = beacon_rt(
            &[chan(2412, 0x00a0), signal(-77)],
            mgmt(5, AP2, b"", Some(1), &[]),
        );
        ng.spb(&b2); // #4, interface 0, no timestamp
        let mut big = Ng {
            big: true,
            bytes: Vec::new(),
        };
        big.shb();
        big.idb(127, Some(0x80 | 10)); // 2^-10 s ticks
        let b3 = beacon_rt(
            &[chan(2462, 0x00a0), signal(-49)],
            mgmt(8, AP3, b"Ward 8", Some(11), &[]),
        );
        big.epb(0, (1_000 << 10) + 512, &b3); // #5: 1000.5 s
        ng.bytes.extend(big.bytes);
        ng.bytes
    }

    #[test]
    fn pcapng_interfaces_resolutions_and_sections() {
        let p = parse("pcapng", &sample_pcapng(), "cap.pcapng").unwrap();
        assert_eq!(p.format, "pcapng");
        assert_eq!(p.scans.len(), 3);
        let s = &p.scans[0];
        assert_eq!(s.source, "cap.pcapng#1");
        assert_eq!(s.t, Some(1_793_613_845.5));
        let o = &s.observations[0];
        assert_eq!(
            (o.channel, o.rssi_dbm, o.noise_dbm),
            (36, -58.0, Some(-96.0))
        );

        let s = &p.scans[1];
        assert_eq!(s.source, "cap.pcapng#4");
        assert_eq!(s.t, None);
        assert_eq!(s.observations[0].ssid, None);
        assert_eq!(s.observations[0].bssid.to_string(), "aa:bb:cc:dd:ee:02");

        let s = &p.scans[2];
        assert_eq!(s.source, "cap.pcapng#5");
        assert_eq!(s.t, Some(1000.5));
        assert_eq!(s.observations[0].ssid.as_deref(), Some("Ward 8"));
        assert_eq!(s.observations[0].channel, 11);

        assert_eq!(
            skips(&p),
            vec![
                (
                    "captured on a non-802.11 interface (link type 1)".into(),
                    1,
                    vec!["cap.pcapng#2".into()]
                ),
                (
                    "packet on an undeclared interface".into(),
                    1,
                    vec!["cap.pcapng#3".into()]
                ),
            ]
        );
    }

    #[test]
    fn pcapng_refusals_and_broken_blocks() {
        let mut ng = Ng::section(true);
        ng.idb(119, None);
        let e = parse("pcapng", &ng.bytes, "p").unwrap_err().to_string();
        assert!(e.contains("link type 119 (Prism)"), "{e}");

        // A zero block length must be an error, not an endless loop.
        let mut ng = Ng::section(false);
        ng.bytes.extend([6, 0, 0, 0, 0, 0, 0, 0]);
        ng.bytes.extend([0; 8]);
        let e = parse("pcapng", &ng.bytes, "p").unwrap_err().to_string();
        assert!(e.contains("at least 12"), "{e}");

        // Cut inside the last packet: earlier scans kept, one "truncated packet".
        let full = sample_pcapng();
        let p = parse("pcapng", &full[..full.len() - 10], "c").unwrap();
        assert_eq!(p.scans.len(), 2);
        assert_eq!(
            skips(&p)
                .iter()
                .find(|s| s.0 == "truncated packet")
                .map(|s| s.2.clone()),
            Some(vec!["c#5".to_string()])
        );
        assert!(parse("pcapng", &full[..20], "c").is_err());
        assert!(parse("pcap", &sample_pcap(false, false)[..23], "c").is_err());
        let cut = sample_pcap(false, false);
        let p = parse("pcap", &cut[..cut.len() - 1], "c").unwrap();
        assert_eq!(p.scans.len(), 3);
        assert_eq!(
            skips(&p)
                .iter()
                .find(|s| s.0 == "truncated packet")
                .unwrap()
                .2,
            vec!["c#6"]
        );
        assert!(parse("pcap", b"garbage bytes here, nothing else", "g").is_err());
    }

    /// A classic little-endian radiotap pcap generated on the fly, never held whole: the global
    /// header, then `groups` groups of one beacon from AP1 (group `g` heard at −40 − g mod 50
    /// dBm) followed by `fillers` data frames of `filler_len` bytes. Record `i` (0-based) is
    /// stamped `1000 + i` s.
    struct LazyPcap {
        beacons: Vec<Vec<u8>>,
        filler: Vec<u8>,
        fillers: u64,
        records: u64,
        /// Bytes of the current piece: the global or record header, then the packet.
        header: Vec<u8>,
        packet: Option<(bool, usize)>,
        at: usize,
        next: u64,
    }

    impl LazyPcap {
        fn new(groups: u64, fillers: u64, filler_len: usize) -> LazyPcap {
            let beacons = (0..50)
                .map(|k| {
                    beacon_rt(
                        &[chan(5180, 0x0140), signal(-40 - k)],
                        mgmt(8, AP1, b"Ward7", None, &[]),
                    )
                })
                .collect();
            let mut frame = data_frame();
            frame.resize(filler_len, 0x5a);
            LazyPcap {
                beacons,
                filler: beacon_rt(&[chan(5180, 0x0140), signal(-60)], frame),
                fillers,
                records: groups * (fillers + 1),
                header: pcap_file(false, false, LINKTYPE_RADIOTAP, &[]),
                packet: None,
                at: 0,
                next: 0,
            }
        }

        /// Total bytes the generator yields.
        fn len(&self) -> u64 {
            let groups = self.records / (self.fillers + 1);
            24 + groups * (16 + self.beacons[0].len() as u64)
                + groups * self.fillers * (16 + self.filler.len() as u64)
        }

        fn packet(&self) -> &[u8] {
            match self.packet {
                Some((true, k)) => &self.beacons[k],
                Some((false, _)) => &self.filler,
                None => &[],
            }
        }
    }

    impl std::io::Read for LazyPcap {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let piece = self.header.len() + self.packet().len();
            if self.at == piece {
                if self.next == self.records {
                    return Ok(0);
                }
                let i = self.next;
                let group = i / (self.fillers + 1);
                let is_beacon = i.is_multiple_of(self.fillers + 1);
                self.packet = Some((is_beacon, (group % 50) as usize));
                let len = self.packet().len() as u32;
                self.header.clear();
                for word in [1000 + i as u32, 0, len, len] {
                    self.header.extend(word.to_le_bytes());
                }
                self.at = 0;
                self.next += 1;
            }
            let n = if self.at < self.header.len() {
                let from = &self.header[self.at..];
                let n = from.len().min(buf.len());
                buf[..n].copy_from_slice(&from[..n]);
                n
            } else {
                let from = &self.packet()[self.at - self.header.len()..];
                let n = from.len().min(buf.len());
                buf[..n].copy_from_slice(&from[..n]);
                n
            };
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_capture_larger_than_the_whole_file_limit_streams() {
        // 100 groups of a beacon and 11 one-MiB data frames: 1,100 MiB + headers, more than
        // crate::MAX_CAPTURE_BYTES (1 GiB), generated while it is read.
        let gen = LazyPcap::new(100, 11, 1 << 20);
        let total = gen.len();
        assert!(total > crate::MAX_CAPTURE_BYTES, "{total}");
        let p = parse_reader("pcap", std::io::BufReader::new(gen), "big.pcap").unwrap();
        assert_eq!(p.format, "pcap");
        assert_eq!(p.scans.len(), 100);
        // Group g's beacon is record 12g (0-based): packet number 12g + 1, at 1000 + 12g s.
        for g in [0usize, 1, 57, 99] {
            let s = &p.scans[g];
            assert_eq!(s.source, format!("big.pcap#{}", 12 * g + 1));
            assert_eq!(s.t, Some(1000.0 + 12.0 * g as f64));
            assert_eq!(s.observations[0].rssi_dbm, -40.0 - (g % 50) as f64);
        }
        let s = skips(&p);
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].0.as_str(), s[0].1),
            ("not a beacon or probe response", 1100)
        );
        assert_eq!(
            s[0].2[..2],
            ["big.pcap#2".to_string(), "big.pcap#3".to_string()]
        );
    }

    #[test]
    fn a_stream_cut_short_keeps_the_packets_before_the_cut() {
        // 3 groups of a beacon and 2 data frames of 100 bytes = 9 records; cut inside record 9
        // (the last data frame), then inside record 7's header (the third beacon).
        let gen = LazyPcap::new(3, 2, 100);
        let total = gen.len();
        let record = |b: &LazyPcap| 16 + b.filler.len() as u64;
        let one = record(&gen);
        let p = parse_reader("pcap", std::io::Read::take(gen, total - 10), "c").unwrap();
        assert_eq!(p.scans.len(), 3);
        let cut = skips(&p).into_iter().find(|s| s.0 == "truncated packet");
        assert_eq!(
            cut,
            Some(("truncated packet".into(), 1, vec!["c#9".into()]))
        );

        let gen = LazyPcap::new(3, 2, 100);
        let beacon = 16 + gen.beacons[0].len() as u64;
        let to_third_beacon = total - beacon - 2 * one;
        let p = parse_reader("pcap", std::io::Read::take(gen, to_third_beacon + 8), "c").unwrap();
        assert_eq!(p.scans.len(), 2);
        let cut = skips(&p).into_iter().find(|s| s.0 == "truncated packet");
        assert_eq!(
            cut,
            Some(("truncated packet".into(), 1, vec!["c#7".into()]))
        );

        // Cut inside the global header: the same error as for bytes in memory.
        let e = parse_reader("pcap", std::io::Read::take(LazyPcap::new(1, 0, 0), 23), "c");
        let e = e.unwrap_err().to_string();
        assert!(
            e.contains("pcap global header is truncated (23 of 24 bytes)"),
            "{e}"
        );
    }

    #[test]
    fn oversized_records_are_read_past_not_allocated() {
        let beacon = beacon_rt(
            &[chan(5180, 0x0140), signal(-61)],
            mgmt(8, AP1, b"Ward7", None, &[]),
        );
        let huge = vec![0u8; MAX_RECORD_BYTES + 1];
        let file = pcap_file(false, false, 127, &[(1, 0, huge), (2, 0, beacon)]);
        let p = parse("pcap", &file, "o").unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.scans[0].source, "o#2");
        assert_eq!(skips(&p), vec![(OVERSIZE.into(), 1, vec!["o#1".into()])]);
        // A length of 4 GiB − 1 in a small file: truncated, not a 4 GiB allocation.
        let mut file = pcap_file(false, false, 127, &[]);
        file.extend([0; 8]);
        file.extend(u32::MAX.to_le_bytes());
        file.extend(u32::MAX.to_le_bytes());
        file.extend([0; 64]);
        let p = parse("pcap", &file, "o").unwrap();
        assert_eq!(
            skips(&p),
            vec![("truncated packet".into(), 1, vec!["o#1".into()])]
        );
        // pcapng: an oversized packet block is skipped; an oversized interface block refused.
        let mut ng = Ng::section(false);
        ng.idb(127, None);
        ng.block(PCAPNG_EPB, vec![0; MAX_RECORD_BYTES]);
        ng.epb(
            0,
            5_000_000,
            &beacon_rt(
                &[chan(5180, 0x0140), signal(-61)],
                mgmt(8, AP1, b"W", None, &[]),
            ),
        );
        let p = parse("pcapng", &ng.bytes, "n").unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.scans[0].source, "n#2");
        assert_eq!(skips(&p), vec![(OVERSIZE.into(), 1, vec!["n#1".into()])]);
        let mut ng = Ng::section(false);
        ng.block(PCAPNG_IDB, vec![0; MAX_RECORD_BYTES]);
        let e = parse("pcapng", &ng.bytes, "n").unwrap_err().to_string();
        assert!(e.contains("more than the 16777216-byte limit"), "{e}");
    }

    #[test]
    fn a_read_error_mid_stream_is_an_error_not_a_truncation() {
        struct Failing(LazyPcap, u64);
        impl std::io::Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.1 == 0 {
                    return Err(std::io::Error::other("device gone"));
                }
                let n = buf.len().min(self.1 as usize);
                let n = self.0.read(&mut buf[..n])?;
                self.1 -= n as u64;
                Ok(n)
            }
        }
        let e = parse_reader("pcap", Failing(LazyPcap::new(3, 2, 100), 200), "f").unwrap_err();
        assert!(matches!(e.kind(), IngestErrorKind::Io(_)), "{e}");
        assert!(e.to_string().contains("device gone"), "{e}");
    }

    /// Every sample file the tests build.
    fn samples() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = [(false, false), (true, false), (false, true), (true, true)]
            .iter()
            .map(|&(b, n)| sample_pcap(b, n))
            .collect();
        v.push(sample_pcapng());
        v.push(pcap_file(
            true,
            false,
            105,
            &[(1, 0, mgmt(8, AP1, b"W", Some(6), &[]))],
        ));
        v
    }

    #[test]
    fn truncations_and_mutations_never_panic() {
        let format = |b: &[u8]| detect(b).unwrap_or("pcap");
        for file in samples() {
            for cut in 0..=file.len() {
                let _ = parse(format(&file[..cut]), &file[..cut], "t");
            }
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5EED_CAFE);
        let files = samples();
        for i in 0..4000 {
            let mut f = files[i % files.len()].clone();
            for _ in 0..rng.random_range(1..8) {
                let at = rng.random_range(0..f.len());
                match rng.random_range(0..4) {
                    0 => f[at] = rng.random(),
                    1 => f[at] ^= 1 << rng.random_range(0..8),
                    2 => f[at] = [0, 0xff, 0x7f, 0x80][rng.random_range(0..4)],
                    _ => f.truncate(at.max(1)),
                }
            }
            let _ = parse(format(&f), &f, "m");
        }
    }

    // ---- a second, minimal reader written from the specifications, over generated captures ----

    /// (alignment, size) of radiotap field `bit`, from radiotap.org's field pages, written out
    /// again here so the test does not lean on the parser's table.
    fn spec_field(bit: u32) -> (usize, usize) {
        match bit {
            0 | 22 => (8, if bit == 0 { 8 } else { 12 }),
            3 | 27 => (2, 4),
            4 | 7 | 8 | 9 | 14 | 15 => (2, 2),
            18 | 20 => (4, 8),
            19 => (1, 3),
            21 | 23 | 24 => (2, 12),
            25 => (2, 6),
            _ => (1, 1),
        }
    }

    /// One presence word of a generated header, with its fields' values.
    enum GenWord {
        /// Radiotap namespace: (bit, value bytes) in bit order.
        Radiotap(Vec<(u32, Vec<u8>)>),
        /// A vendor namespace: its presence bits (meaningless to a reader) and data bytes.
        Vendor(u32, Vec<u8>),
    }

    /// Lays out a radiotap header as the specification says: version, pad, length, every
    /// presence word (bit 29/30 naming the next word's namespace, 31 chaining), then each
    /// word's fields in bit order, each aligned from the header's start; a vendor namespace is
    /// announced by a 6-byte field (OUI, sub-namespace, skip length) aligned to 2, its data
    /// right after.
    fn spec_radiotap(words: &[GenWord]) -> Vec<u8> {
        let mut present = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let mut bits = match w {
                GenWord::Radiotap(fields) => fields.iter().map(|f| 1u32 << f.0).sum(),
                GenWord::Vendor(bits, _) => *bits & 0x0FFF_FFFF,
            };
            match words.get(i + 1) {
                Some(GenWord::Radiotap(_)) => bits |= (1 << 29) | (1 << 31),
                Some(GenWord::Vendor(..)) => bits |= (1 << 30) | (1 << 31),
                None => {}
            }
            present.push(bits);
        }
        let mut h = vec![0u8, 0, 0, 0];
        for p in present {
            h.extend(p.to_le_bytes());
        }
        for (i, w) in words.iter().enumerate() {
            match w {
                GenWord::Radiotap(fields) => {
                    for (bit, value) in fields {
                        let (align, size) = spec_field(*bit);
                        assert_eq!(value.len(), size);
                        while h.len() % align != 0 {
                            h.push(0);
                        }
                        h.extend(value);
                    }
                }
                GenWord::Vendor(_, data) => h.extend(data),
            }
            if let Some(GenWord::Vendor(_, data)) = words.get(i + 1) {
                while h.len() % 2 != 0 {
                    h.push(0);
                }
                h.extend([0x00, 0x13, 0x74, 1]);
                h.extend((data.len() as u16).to_le_bytes());
            }
        }
        let len = h.len() as u16;
        h[2..4].copy_from_slice(&len.to_le_bytes());
        h
    }

    /// What the minimal reader makes of one packet: an observation, or no observation.
    #[derive(Debug, PartialEq)]
    struct SpecReading {
        bssid: [u8; 6],
        ssid: Option<Vec<u8>>,
        freq_mhz: u32,
        signal: i8,
        noise: Option<i8>,
        off_channel: bool,
    }

    /// Reads one radiotap packet from the specifications alone, by walking a cursor: the
    /// radiotap header (first word's dBm signal, else the strongest per-antenna one), then the
    /// 802.11 frame control, addr3, the Order bit's HT Control, fixed fields and the SSID/DS
    /// elements. Only beacons and probe responses with a signal give a reading.
    fn spec_read(pkt: &[u8]) -> Option<SpecReading> {
        let hlen = u16::from_le_bytes([pkt[2], pkt[3]]) as usize;
        let mut words = vec![];
        let mut cur = 4;
        loop {
            let w = u32::from_le_bytes(pkt[cur..cur + 4].try_into().unwrap());
            words.push(w);
            cur += 4;
            if w >> 31 == 0 {
                break;
            }
        }
        let (mut flags, mut freq, mut signal, mut noise) = (0u8, 0u32, None, None);
        let mut per_antenna: Vec<(i8, Option<i8>)> = vec![];
        let mut vendor = false;
        for (i, w) in words.iter().enumerate() {
            if !vendor {
                let (mut sig, mut noi) = (None, None);
                for bit in 0..28 {
                    if w & (1 << bit) == 0 {
                        continue;
                    }
                    let (align, size) = spec_field(bit);
                    cur = cur.div_ceil(align) * align;
                    let v = &pkt[cur..cur + size];
                    match bit {
                        1 if i == 0 => flags = v[0],
                        3 if i == 0 => freq = u32::from(u16::from_le_bytes([v[0], v[1]])),
                        18 if i == 0 && freq == 0 => {
                            freq = u32::from(u16::from_le_bytes([v[4], v[5]]))
                        }
                        5 => sig = Some(v[0] as i8),
                        6 => noi = Some(v[0] as i8),
                        _ => {}
                    }
                    cur += size;
                }
                if i == 0 {
                    (signal, noise) = (sig, noi);
                } else if let Some(s) = sig {
                    per_antenna.push((s, noi));
                }
            } else {
                vendor = false;
            }
            if w & (1 << 30) != 0 {
                cur = cur.div_ceil(2) * 2;
                let skip = u16::from_le_bytes([pkt[cur + 4], pkt[cur + 5]]) as usize;
                cur += 6 + skip;
                vendor = true;
            }
        }
        if signal.is_none() {
            // Strongest antenna; the first of equals.
            let best = per_antenna.iter().rev().max_by_key(|a| a.0);
            if let Some(&(s, n)) = best {
                (signal, noise) = (Some(s), n);
            }
        }
        let mut frame = &pkt[hlen..];
        if flags & 0x40 != 0 {
            return None;
        }
        if flags & 0x10 != 0 {
            frame = &frame[..frame.len() - 4];
        }
        let fc = frame[0];
        if fc & 0x0f != 0 || !(fc >> 4 == 8 || fc >> 4 == 5) {
            return None;
        }
        let bssid: [u8; 6] = frame[16..22].try_into().unwrap();
        let body = 24 + if frame[1] & 0x80 != 0 { 4 } else { 0 } + 12;
        let (mut ssid, mut ds) = (None, None);
        let mut e = body;
        while e + 2 <= frame.len() && e + 2 + frame[e + 1] as usize <= frame.len() {
            let v = &frame[e + 2..e + 2 + frame[e + 1] as usize];
            match frame[e] {
                0 if ssid.is_none() => ssid = Some(v.to_vec()),
                3 => ds = Some(v[0]),
                _ => {}
            }
            e += 2 + v.len();
        }
        let ssid = ssid.filter(|s| s.iter().any(|&b| b != 0));
        let signal = signal?;
        let tuned = freq;
        let own = ds.map(|c| 2407 + 5 * u32::from(c));
        let (freq_mhz, off_channel) = match own {
            Some(f) if tuned == 0 => (f, false),
            Some(f) if f != tuned => (f, true),
            _ if tuned == 0 => return None,
            _ => (tuned, false),
        };
        Some(SpecReading {
            bssid,
            ssid,
            freq_mhz,
            signal,
            noise: noise.filter(|&n| n > -120 && n < 0),
            off_channel,
        })
    }

    /// A random radiotap packet on 2.4 GHz: every field before the antenna signal present or
    /// not, extended words with vendor namespaces and per-antenna radiotap words, FCS (good or
    /// bad), Order bit, beacons, probe responses, probe requests, data, cut fixed fields.
    fn random_packet(rng: &mut impl Rng) -> Vec<u8> {
        let tuned = rng.random_range(1..=11u8);
        let mut first = vec![];
        let mut flags_value = 0u8;
        for bit in 0..28u32 {
            if rng.random_bool(match bit {
                3 => 0.8,
                5 => 0.7,
                _ => 0.3,
            }) {
                let (_, size) = spec_field(bit);
                let mut v: Vec<u8> = (0..size).map(|_| rng.random()).collect();
                match bit {
                    1 => {
                        flags_value = [0, 0x10, 0x10, 0x50, 0x02][rng.random_range(0..5)];
                        v[0] = flags_value;
                    }
                    3 => {
                        v[..2].copy_from_slice(&(2407 + 5 * u16::from(tuned)).to_le_bytes());
                        v[2..].copy_from_slice(&0x00a0u16.to_le_bytes());
                    }
                    5 => v[0] = rng.random_range(-95i8..-30) as u8,
                    // XChannel: flags, then the frequency at bytes 4..6.
                    18 => v[4..6].copy_from_slice(&(2407 + 5 * u16::from(tuned)).to_le_bytes()),
                    6 => v[0] = [0u8, 0x80, (-96i8) as u8][rng.random_range(0..3)],
                    _ => {}
                }
                first.push((bit, v));
            }
        }
        let mut words = vec![GenWord::Radiotap(first)];
        for _ in 0..rng.random_range(0..4) {
            if rng.random_bool(0.4) {
                let n = rng.random_range(0..12);
                words.push(GenWord::Vendor(
                    rng.random(),
                    (0..n).map(|_| rng.random()).collect(),
                ));
            } else {
                let mut f = vec![(5, vec![rng.random_range(-99i8..-30) as u8])];
                if rng.random_bool(0.5) {
                    f.push((6, vec![(-93i8) as u8]));
                }
                f.push((11, vec![rng.random_range(0..4)]));
                words.push(GenWord::Radiotap(f));
            }
        }
        let mut pkt = spec_radiotap(&words);
        let subtype = [8u8, 8, 5, 4][rng.random_range(0..4)];
        let own = if rng.random_bool(0.7) {
            tuned
        } else {
            rng.random_range(1..=11)
        };
        let ssid: Vec<u8> = match rng.random_range(0..4) {
            0 => vec![],
            1 => vec![0; 4],
            _ => (0..rng.random_range(1..12))
                .map(|_| rng.random_range(b'a'..=b'z'))
                .collect(),
        };
        let bssid = [2, 0, 0, 0, rng.random(), rng.random()];
        let mut frame = if rng.random_bool(0.1) {
            data_frame()
        } else {
            mgmt(subtype, bssid, &ssid, Some(own), &[])
        };
        if rng.random_bool(0.2) && frame[0] & 0x0c == 0 {
            frame[1] |= 0x80;
            for (i, b) in [0xde, 0xad, 0xbe, 0xef].into_iter().enumerate() {
                frame.insert(24 + i, b);
            }
        }
        if flags_value & 0x10 == 0 && rng.random_bool(0.1) {
            frame.truncate(rng.random_range(22..frame.len()));
        }
        if flags_value & 0x10 != 0 {
            frame.extend([1, 2, 3, 4]);
        }
        pkt.extend(frame);
        pkt
    }

    #[test]
    fn agrees_with_a_minimal_reader_from_the_specifications() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x7AD1_07A9);
        let packets: Vec<(u32, u32, Vec<u8>)> = (0..3000)
            .map(|i| (1_800_000_000 + i, 0, random_packet(&mut rng)))
            .collect();
        let file = pcap_file(false, false, LINKTYPE_RADIOTAP, &packets);
        let parsed = parse("pcap", &file, "g").unwrap();
        let mut got = parsed.scans.iter();
        let mut readings = 0;
        for (i, (_, _, pkt)) in packets.iter().enumerate() {
            let Some(want) = spec_read(pkt) else { continue };
            readings += 1;
            let scan = got.next().expect("a reading the parser dropped");
            assert_eq!(scan.source, format!("g#{}", i + 1), "{want:?}");
            let o = &scan.observations[0];
            assert_eq!(o.bssid.0, want.bssid);
            assert_eq!(o.ssid.clone(), want.ssid.map(|s| ssid(&s).unwrap()));
            assert_eq!(o.freq_mhz, want.freq_mhz, "#{}", i + 1);
            assert_eq!(o.rssi_dbm, f64::from(want.signal), "#{}", i + 1);
            assert_eq!(o.noise_dbm, want.noise.map(f64::from), "#{}", i + 1);
            assert_eq!(o.approximate, want.off_channel);
        }
        assert!(got.next().is_none(), "a reading the minimal reader has not");
        // The generator reaches every case: many readings, and some of each kind kept.
        assert!(readings > 1000, "{readings}");
        let scans = &parsed.scans;
        assert!(scans.iter().any(|s| s.observations[0].approximate));
        assert!(scans.iter().any(|s| s.observations[0].ssid.is_none()));
    }

    #[test]
    fn extended_words_by_hand() {
        // Word 0: Flags, Channel, then (bit 30) a vendor namespace; word 1 (vendor) has 3 data
        // bytes; word 1 sets bit 29: word 2 is radiotap again, per-antenna signal -58 and
        // antenna 1; word 3: radiotap, antenna signal -52, noise -90, antenna 2.
        // Offsets: header 4, words 4..20; flags 20; channel aligned to 22..26; vendor
        // header 26..32 (skip 3); vendor data 32..35; antenna signal 35, antenna 36;
        // signal 37, noise 38, antenna 39. Length 40. No first-word signal: the strongest
        // antenna (-52) and its word's noise (-90).
        let words = [
            GenWord::Radiotap(vec![(1, vec![0]), (3, vec![0x85, 0x09, 0xa0, 0x00])]),
            GenWord::Vendor(0x0000_0007, vec![9, 9, 9]),
            GenWord::Radiotap(vec![(5, vec![(-58i8) as u8]), (11, vec![1])]),
            GenWord::Radiotap(vec![
                (5, vec![(-52i8) as u8]),
                (6, vec![(-90i8) as u8]),
                (11, vec![2]),
            ]),
        ];
        let h = spec_radiotap(&words);
        assert_eq!(h.len(), 40);
        assert_eq!(&h[26..32], &[0x00, 0x13, 0x74, 1, 3, 0]);
        assert_eq!((h[35] as i8, h[37] as i8, h[38] as i8), (-58, -52, -90));
        let (r, rest) = radiotap(&h).unwrap();
        assert!(rest.is_empty());
        assert_eq!(r.freq_mhz, Some(2437));
        assert_eq!((r.signal, r.noise), (Some(-52), Some(-90)));
        // FHSS is 2-aligned: Flags at 8, FHSS at 10..12, signal 12.
        let h = spec_radiotap(&[GenWord::Radiotap(vec![
            (1, vec![0]),
            (4, vec![1, 2]),
            (5, vec![(-44i8) as u8]),
        ])]);
        assert_eq!(h.len(), 13);
        assert_eq!(radiotap(&h).unwrap().0.signal, Some(-44));
        // An undefined bit in a second radiotap word (bit 32 + 0): fields after it are
        // unknowable; the first word's are kept.
        let mut h = spec_radiotap(&[
            GenWord::Radiotap(vec![(5, vec![(-61i8) as u8])]),
            GenWord::Radiotap(vec![]),
        ]);
        h[4..8].copy_from_slice(&((1u32 << 5) | (1 << 31)).to_le_bytes());
        h[8..12].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(radiotap(&h).unwrap().0.signal, Some(-61));
    }

    #[test]
    fn a_beacon_cut_in_its_fixed_fields_keeps_its_bssid() {
        let mut f = mgmt(8, AP1, b"Ward7", Some(6), &[]);
        f.truncate(30);
        let pkt = beacon_rt(&[chan(2437, 0x00a0), signal(-66)], f);
        let p = parse("pcap", &pcap_file(false, false, 127, &[(1, 0, pkt)]), "c").unwrap();
        let o = &p.scans[0].observations[0];
        assert_eq!((o.bssid.0, o.ssid.clone(), o.channel), (AP1, None, 6));
    }

    #[test]
    fn the_extended_radiotap_fixture_by_hand() {
        // tests/fixtures/radiotap_extended.pcap (see tests/fixtures/README.md): both packets
        // have Flags (FCS at end), Channel 2437, a vendor namespace with 3 data bytes, then two
        // per-antenna radiotap words (-58 dBm antenna 1; -52 dBm with noise -90, antenna 2).
        let file = include_bytes!("../../../tests/fixtures/radiotap_extended.pcap");
        let p = parse("pcap", file, "x.pcap").unwrap();
        assert!(p.skipped.is_empty(), "{:?}", skips(&p));
        let got: Vec<_> = p
            .scans
            .iter()
            .map(|s| {
                let o = &s.observations[0];
                (
                    o.bssid.to_string(),
                    o.ssid.clone(),
                    o.channel,
                    o.rssi_dbm,
                    o.noise_dbm,
                    o.approximate,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                // Beacon with the Order bit (HT Control before the fixed fields), own channel 6.
                (
                    "02:00:00:00:00:01".into(),
                    Some("Ward7".into()),
                    6,
                    -52.0,
                    Some(-90.0),
                    false
                ),
                // Probe response, hidden SSID, DS channel 1 heard tuned to 6: approximate.
                (
                    "02:00:00:00:00:02".into(),
                    None,
                    1,
                    -52.0,
                    Some(-90.0),
                    true
                ),
            ]
        );
    }
}
