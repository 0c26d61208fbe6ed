//! Text captures read as CSV records either from text in memory or streamed from the file, so
//! the long-form CSV and WiGLE parsers hold one buffer and the scans kept, not the file (as the
//! pcap reader does; #16).
//!
//! [`TextStream`] does to a UTF-8 file, chunk by chunk, what [`crate::text::decode`] then
//! `replace("\r\n", "\n")` do to it whole: the BOM dropped, invalid UTF-8 an error naming the byte
//! offset and line (the same words), and, when asked, CR dropped before LF; a file over
//! [`MAX_CAPTURE_BYTES`] is refused in the same words too. Both sources say which line a
//! record's byte offset is on, as the parsers number `source`s.
//!
//! Errors: a capture broken in two ways may name a different one streamed (the first met in
//! file order) than in memory (bad bytes before anything else).

use crate::capture::formats::Input;
use crate::{IngestError, IngestErrorKind, MAX_CAPTURE_BYTES};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};

/// What a CSV parser reads records from: bytes, the line a record's byte offset is on, and the
/// error (if any) that ended the bytes early.
pub(crate) trait TextSource: Read {
    /// The 1-based line of the record csv reports at byte offset `byte` (its position, which in
    /// CRLF text points at the LF ending the record before: line ends at `byte` are passed
    /// over). Offsets must not go backwards.
    fn line_at(&mut self, byte: u64) -> usize;

    /// The error that made a read fail (invalid UTF-8, a failed read), once.
    fn take_error(&mut self) -> Option<IngestError>;
}

/// Text already in memory. Lines are counted forward once from record offsets: csv's own
/// `Position::line` undercounts in CRLF files, and its byte offset there points at the LF ending
/// the previous record, so the offset is moved past line ends before counting.
pub(crate) struct TextSlice<'a> {
    text: &'a [u8],
    /// What csv has not read yet.
    rest: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> TextSlice<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        TextSlice {
            text: text.as_bytes(),
            rest: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }
}

impl Read for TextSlice<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.rest.read(buf)
    }
}

impl TextSource for TextSlice<'_> {
    fn line_at(&mut self, byte: u64) -> usize {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        let between = self.text.get(self.pos..start).unwrap_or(&[]);
        self.line += between.iter().filter(|&&b| b == b'\n').count();
        self.pos = start;
        self.line
    }

    fn take_error(&mut self) -> Option<IngestError> {
        None
    }
}

/// Bytes read from the file per chunk.
const CHUNK: usize = 1 << 16;

/// A UTF-8 capture streamed from its file (see the module's text).
pub(crate) struct TextStream<R> {
    inner: R,
    /// Bytes read per chunk ([`CHUNK`]; tests cut characters and CRLFs with tiny ones).
    chunk: usize,
    /// Read but not yet handed on: an incomplete character or a CR at a chunk's end.
    pending: Vec<u8>,
    /// Offset in the file of `pending[0]` (the BOM counts, as `decode` counts it).
    raw_offset: u64,
    /// The chunk being handed out, and how much of it has been.
    out: Vec<u8>,
    pos: usize,
    /// Bytes handed out before `out[0]`: the offsets csv reports.
    out_offset: u64,
    /// `\n`s in the text before `pending`, for an error's line.
    newlines: usize,
    eof: bool,
    /// Drop a CR before an LF (the long-form CSV's in-memory path does so before parsing).
    drop_cr: bool,
    /// Runs of consecutive CR and LF bytes in the output not yet passed by [`Self::line_at`]:
    /// (start, end, LFs in it). One run per line end in practice; blank lines make one run.
    breaks: VecDeque<(u64, u64, usize)>,
    line: usize,
    line_pos: u64,
    error: Option<IngestError>,
}

/// A capture file as a [`TextStream`] (`drop_cr` as there), unless the input is not a file or
/// the file may be UTF-16 (a BOM, or NUL-interleaved ASCII), which [`crate::text::decode`]
/// reads whole: then the input, untouched.
pub(crate) fn file_text(input: Input<'_>, drop_cr: bool) -> Result<TextStream<File>, Input<'_>> {
    match input {
        Input::File(f) if !crate::text::utf16_signature(&f.head) => {
            Ok(TextStream::new(f.head, f.rest, drop_cr))
        }
        other => Err(other),
    }
}

impl<R: Read> TextStream<R> {
    /// The text of a file whose first bytes `head` were read already and whose remainder is
    /// `rest`.
    fn new(head: Vec<u8>, rest: R, drop_cr: bool) -> Self {
        let (pending, raw_offset) = match head.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            Some(body) => (body.to_vec(), 3),
            None => (head, 0),
        };
        TextStream {
            inner: rest,
            chunk: CHUNK,
            pending,
            raw_offset,
            out: Vec::new(),
            pos: 0,
            out_offset: 0,
            newlines: 0,
            eof: false,
            drop_cr,
            breaks: VecDeque::new(),
            line: 1,
            line_pos: 0,
            error: None,
        }
    }

    /// Fails the read with `e`, kept for [`TextSource::take_error`].
    fn fail(&mut self, e: IngestError) -> io::Error {
        self.error = Some(e);
        io::Error::other("capture text unreadable")
    }

    /// Reads the next chunk into `out`; `Ok(false)` at the end of the file.
    fn refill(&mut self) -> io::Result<bool> {
        self.out_offset += self.out.len() as u64;
        self.out.clear();
        self.pos = 0;
        let mut raw = std::mem::take(&mut self.pending);
        // Up to a chunk more than what was pending, so every call reads something new.
        let want = raw.len() + self.chunk;
        while !self.eof && raw.len() < want {
            let keep = raw.len();
            raw.resize(keep + self.chunk, 0);
            match self.inner.read(&mut raw[keep..]) {
                Ok(0) => {
                    self.eof = true;
                    raw.truncate(keep);
                }
                Ok(n) => raw.truncate(keep + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => raw.truncate(keep),
                Err(e) => return Err(self.fail(IngestError::new(IngestErrorKind::Io(e)))),
            }
        }
        if self.raw_offset + raw.len() as u64 > MAX_CAPTURE_BYTES {
            // As the whole-file way refuses it: a record that never ends (an unclosed quote)
            // must not gather an unbounded file into memory.
            return Err(self.fail(IngestError::invalid(format!(
                "file is larger than the {MAX_CAPTURE_BYTES}-byte limit"
            ))));
        }
        if raw.is_empty() {
            return Ok(false);
        }
        let mut valid = match std::str::from_utf8(&raw) {
            Ok(_) => raw.len(),
            // A character cut by the chunk's end: its first bytes wait for the rest.
            Err(e) if e.error_len().is_none() && !self.eof => e.valid_up_to(),
            Err(e) => {
                let at = e.valid_up_to();
                let line = self.newlines + count_lf(&raw[..at]) + 1;
                let offset = self.raw_offset + at as u64;
                return Err(self.fail(
                    IngestError::syntax(format!(
                        "not UTF-8 text (invalid byte at offset {offset})"
                    ))
                    .line(line),
                ));
            }
        };
        // A CR ending the chunk may be the first half of a CRLF.
        if self.drop_cr && !self.eof && valid > 0 && raw[valid - 1] == b'\r' {
            valid -= 1;
        }
        // Line ends are found with `memchr` and the text between them copied whole: byte by
        // byte, this loop was a sixth of `wisp check`'s CPU on the dense floor (#16).
        let body = &raw[..valid];
        self.out.reserve(body.len());
        let mut copied = 0;
        for i in memchr::memchr2_iter(b'\r', b'\n', body) {
            let b = body[i];
            if b == b'\n' {
                self.newlines += 1;
            }
            if self.drop_cr && b == b'\r' && raw.get(i + 1) == Some(&b'\n') {
                self.out.extend_from_slice(&body[copied..i]);
                copied = i + 1;
                continue;
            }
            let at = self.out_offset + (self.out.len() + i - copied) as u64;
            let lf = usize::from(b == b'\n');
            match self.breaks.back_mut() {
                Some(run) if run.1 == at => {
                    run.1 += 1;
                    run.2 += lf;
                }
                _ => self.breaks.push_back((at, at + 1, lf)),
            }
        }
        self.out.extend_from_slice(&body[copied..]);
        self.pending = raw.split_off(valid);
        self.raw_offset += valid as u64;
        Ok(true)
    }
}

fn count_lf(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

impl<R: Read> Read for TextStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.error.is_some() || !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl<R: Read> TextSource for TextStream<R> {
    fn line_at(&mut self, byte: u64) -> usize {
        // As `TextSlice::line_at`: every LF before `byte` counts, and so does a line-end run
        // `byte` falls in (its whole run is passed over).
        let byte = byte.max(self.line_pos);
        let mut start = byte;
        while let Some(&(s, e, lf)) = self.breaks.front() {
            if s > start {
                break;
            }
            self.breaks.pop_front();
            self.line += lf;
            start = start.max(e);
        }
        self.line_pos = start;
        self.line
    }

    fn take_error(&mut self) -> Option<IngestError> {
        self.error.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// `bytes` through a [`TextStream`] reading `chunk` bytes at a time: the text, or the error.
    fn streamed(bytes: &[u8], chunk: usize, drop_cr: bool) -> Result<Vec<u8>, String> {
        let cut = bytes.len().min(5);
        let mut s = TextStream::new(bytes[..cut].to_vec(), &bytes[cut..], drop_cr);
        s.chunk = chunk;
        let mut out = Vec::new();
        match s.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => Err(s.take_error().map(|e| e.to_string()).unwrap_or_default()),
        }
    }

    /// What the whole-file way makes of `bytes`: `decode`, then CRLF → LF when asked.
    fn whole(bytes: &[u8], drop_cr: bool) -> Result<Vec<u8>, String> {
        let t = crate::text::decode(bytes).map_err(|e| e.to_string())?;
        Ok(if drop_cr { t.replace("\r\n", "\n") } else { t }.into_bytes())
    }

    #[test]
    fn streamed_text_equals_decoded_text_whatever_the_chunks() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let pieces: &[&[u8]] = &[
            b"a",
            b",",
            b"\r",
            b"\n",
            b"\r\n",
            b"\"",
            "é".as_bytes(),
            "漢".as_bytes(),
            "🛜".as_bytes(),
            b"Ward 7",
            b"\xff",
            b"\xe6\xbc",
            b"\0",
        ];
        for case in 0..3000 {
            let mut bytes: Vec<u8> = if case % 7 == 0 {
                vec![0xEF, 0xBB, 0xBF]
            } else {
                vec![]
            };
            for _ in 0..rng.random_range(0..24) {
                // Invalid bytes in one case in five.
                let p = pieces[rng.random_range(0..pieces.len())];
                if case % 5 != 0 && (p == b"\xff" || p == b"\xe6\xbc") {
                    continue;
                }
                bytes.extend_from_slice(p);
            }
            if crate::text::utf16_signature(&bytes) {
                continue;
            }
            for drop_cr in [false, true] {
                let want = whole(&bytes, drop_cr);
                for chunk in [1, 2, 3, 5, 64] {
                    assert_eq!(
                        streamed(&bytes, chunk, drop_cr),
                        want,
                        "{bytes:?} by {chunk}"
                    );
                }
            }
        }
    }

    #[test]
    fn stream_and_slice_number_lines_alike() {
        let text = "MAC,SSID\r\n\r\n\na,b\r\nc,d\n\n\ne\r\r\nf\n";
        let offsets: Vec<u64> = (0..=text.len() as u64).collect();
        // Any rising sequence of offsets: every start, and every other one.
        for step in [1, 2, 3] {
            let mut slice = TextSlice::new(text);
            let mut s = TextStream::new(text.as_bytes().to_vec(), io::empty(), false);
            s.chunk = 4;
            io::copy(&mut s, &mut io::sink()).unwrap();
            for &o in offsets.iter().step_by(step) {
                assert_eq!(s.line_at(o), slice.line_at(o), "offset {o} step {step}");
            }
        }
    }
}
