//! Joins PDFs that krilla wrote, one after another, into one PDF streamed to a writer.
//!
//! krilla holds a whole document until `Document::finish` (its object chunks, then the finished
//! bytes): about twice the PDF, which for a report of 200 hospital floors grew the run by
//! 1.7 MB a floor (session 8's heap profile). The report is therefore drawn in segments of a
//! few dozen pages, each its own krilla document, and each segment is appended here as soon as
//! it is finished: its objects renumbered, its catalog and page-tree root dropped (the first
//! segment's catalog and document information are kept), every page's `/Parent` pointed at one
//! page tree written at the end, then one cross-reference table and trailer. What stays in
//! memory is 8 bytes of offset an object and 4 a page.
//!
//! It reads only what krilla 0.8 / pdf-writer 0.15 write (checked against their source): a
//! classic cross-reference table of one subsection, every object of generation 0, no object
//! streams, a flat page tree whose root has only `/Type`, `/Count` and `/Kids` (so a page
//! inherits nothing from it), a catalog with only `/Type`, `/Pages` and `/Lang` (XMP metadata
//! is turned off: its page count would be the first segment's). Anything else is a
//! [`RenderErrorKind::Pdf`] error, never a broken file.
//!
//! References are rewritten only in an object's dictionaries and arrays, found by a lexer that
//! knows comments, names, literal strings (escapes, nested parentheses) and hex strings; a
//! stream's data is copied as it is, located by the cross-reference table (an object runs to
//! the next object's offset), so its `/Length` need not be read.

use crate::{RenderError, RenderErrorKind};
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;

/// The page tree's object number in the joined file: reserved, written last.
const PAGE_TREE: u32 = 1;

/// The largest offset a classic cross-reference entry holds (10 digits).
const MAX_OFFSET: u64 = 9_999_999_999;

fn bad(what: impl Into<String>) -> RenderError {
    RenderErrorKind::Pdf(format!("joining PDF segments: {}", what.into())).into()
}

/// Joins krilla PDFs: [`PdfJoin::push`] each in order, then [`PdfJoin::finish`].
pub(crate) struct PdfJoin<W: Write> {
    out: W,
    /// Bytes written so far.
    written: u64,
    /// The offset of each object written, object `n` at `n - 1` (the page tree's filled last).
    offsets: Vec<u64>,
    /// The pages, in order, by their new numbers.
    kids: Vec<u32>,
    /// The first segment's header line (`%PDF-1.x`), which every segment must share.
    version: Option<Vec<u8>>,
    /// From the first segment: the catalog's and document information's new numbers, and the
    /// trailer's `/ID` as written.
    root: u32,
    info: Option<u32>,
    id: Option<Vec<u8>>,
}

impl<W: Write> PdfJoin<W> {
    pub(crate) fn new(out: W) -> Self {
        PdfJoin {
            out,
            written: 0,
            offsets: vec![0],
            kids: Vec::new(),
            version: None,
            root: 0,
            info: None,
            id: None,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), RenderError> {
        self.out
            .write_all(bytes)
            .map_err(|e| bad(format!("writing the output: {e}")))?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Appends one krilla PDF's pages and the objects they use.
    pub(crate) fn push(&mut self, pdf: &[u8]) -> Result<(), RenderError> {
        let segment = Segment::read(pdf)?;
        let first = self.version.is_none();
        let version_line = &pdf[..pdf.iter().position(|&b| b == b'\n').unwrap_or(0)];
        match &self.version {
            None => {
                // The header (version line, then the binary marker comment) as krilla wrote it.
                let header_end = segment.objects.first().map_or(0, |o| o.range.start);
                self.write(&pdf[..header_end])?;
                self.version = Some(version_line.to_vec());
            }
            Some(v) if v == version_line => {}
            Some(_) => return Err(bad("segments of different PDF versions")),
        }

        // New numbers: the page-tree root becomes the joined tree, the others follow in order;
        // after the first segment its catalog and document information are left out.
        let mut renumber = HashMap::new();
        renumber.insert(segment.tree, PAGE_TREE);
        let dropped = |n: u32| {
            n == segment.tree || (!first && (n == segment.root || Some(n) == segment.info))
        };
        let mut next = self.offsets.len() as u32 + 1;
        for o in &segment.objects {
            if !dropped(o.number) {
                renumber.insert(o.number, next);
                next += 1;
            }
        }
        for o in &segment.objects {
            if dropped(o.number) {
                continue;
            }
            let number = renumber[&o.number];
            if self.written > MAX_OFFSET {
                return Err(bad("the PDF is too large for a cross-reference table"));
            }
            self.offsets.push(self.written);
            let body = &pdf[o.body.clone()];
            self.write(format!("{number} 0 obj").as_bytes())?;
            let rewritten = rewrite_refs(body, &renumber)?;
            self.write(&rewritten)?;
            self.write(&pdf[o.body.end..o.range.end])?;
        }
        self.kids.extend(segment.pages.iter().map(|p| renumber[p]));
        if first {
            self.root = renumber[&segment.root];
            self.info = segment.info.map(|i| renumber[&i]);
            self.id = segment.id.map(|r| pdf[r].to_vec());
        }
        Ok(())
    }

    /// Writes the page tree, the cross-reference table and the trailer; returns the writer.
    pub(crate) fn finish(mut self) -> Result<W, RenderError> {
        if self.version.is_none() {
            return Err(bad("no segment"));
        }
        self.offsets[0] = self.written;
        // Written as pdf-writer writes without `pretty`.
        let mut tree = format!(
            "{PAGE_TREE} 0 obj\n<</Type/Pages/Count {}/Kids[",
            self.kids.len()
        );
        for (i, kid) in self.kids.iter().enumerate() {
            if i > 0 {
                tree.push(' ');
            }
            tree.push_str(&format!("{kid} 0 R"));
        }
        tree.push_str("]>>\nendobj\n\n");
        self.write(tree.as_bytes())?;
        let xref = self.written;
        if xref > MAX_OFFSET {
            return Err(bad("the PDF is too large for a cross-reference table"));
        }
        let size = self.offsets.len() + 1;
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f\r\n");
        for offset in &self.offsets {
            table.push_str(&format!("{offset:010} 00000 n\r\n"));
        }
        table.push_str(&format!("trailer\n<</Size {size}/Root {} 0 R", self.root));
        if let Some(info) = self.info {
            table.push_str(&format!("/Info {info} 0 R"));
        }
        self.write(table.as_bytes())?;
        if let Some(id) = self.id.take() {
            self.write(b"/ID")?;
            self.write(&id)?;
        }
        self.write(format!(">>\nstartxref\n{xref}\n%%EOF").as_bytes())?;
        Ok(self.out)
    }
}

/// An object of a segment: its number, its bytes (`N 0 obj` to the next object), and the part
/// of them to rewrite (after `N 0 obj`, up to `stream` or `endobj`).
struct Object {
    number: u32,
    range: Range<usize>,
    body: Range<usize>,
}

/// What the joiner needs of one krilla PDF.
struct Segment {
    /// In file order.
    objects: Vec<Object>,
    root: u32,
    tree: u32,
    info: Option<u32>,
    /// The trailer's `/ID` value, as bytes of the file.
    id: Option<Range<usize>>,
    pages: Vec<u32>,
}

impl Segment {
    fn read(pdf: &[u8]) -> Result<Segment, RenderError> {
        if !pdf.starts_with(b"%PDF-") {
            return Err(bad("a segment is not a PDF"));
        }
        let at = rfind(pdf, b"startxref").ok_or_else(|| bad("no startxref"))?;
        let tail = std::str::from_utf8(&pdf[at + b"startxref".len()..])
            .map_err(|_| bad("startxref is not text"))?;
        let xref: usize = tail
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("startxref has no offset"))?;
        let rest = pdf
            .get(xref..at)
            .ok_or_else(|| bad("startxref out of range"))?;
        let rest = rest
            .strip_prefix(b"xref\n")
            .ok_or_else(|| bad("not a classic cross-reference table"))?;
        let line_end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| bad("cross-reference table cut short"))?;
        let subsection = std::str::from_utf8(&rest[..line_end]).unwrap_or("");
        let count: usize = match subsection.split(' ').collect::<Vec<_>>()[..] {
            ["0", n] => n
                .parse()
                .map_err(|_| bad("bad cross-reference subsection"))?,
            _ => return Err(bad("cross-reference table not one subsection from 0")),
        };
        let entries = &rest[line_end + 1..];
        if entries.len() < count * 20 {
            return Err(bad("cross-reference table cut short"));
        }
        let mut objects = Vec::new();
        for number in 0..count {
            let e = &entries[number * 20..number * 20 + 20];
            let text =
                std::str::from_utf8(&e[..18]).map_err(|_| bad("bad cross-reference entry"))?;
            let (offset, generation) = (&text[..10], &text[11..16]);
            match e[17] {
                b'f' => continue,
                b'n' if generation == "00000" => {}
                _ => return Err(bad("an object of a generation other than 0")),
            }
            let offset: usize = offset
                .parse()
                .map_err(|_| bad("bad cross-reference offset"))?;
            objects.push((number as u32, offset));
        }
        // The trailer follows the last entry; its dictionary runs to `startxref`.
        let trailer_at = xref + b"xref\n".len() + line_end + 1 + count * 20;
        if !pdf[trailer_at..at].starts_with(b"trailer") {
            return Err(bad("no trailer"));
        }
        let trailer_tokens = lex(pdf, trailer_at + b"trailer".len()..at, false)?;
        let (trailer, _) = parse(&trailer_tokens, 0)?;
        let root = trailer
            .get(b"Root")
            .and_then(Val::as_ref)
            .ok_or_else(|| bad("trailer has no /Root"))?;
        let info = match trailer.get(b"Info") {
            None => None,
            Some(v) => Some(v.as_ref().ok_or_else(|| bad("/Info is not a reference"))?),
        };
        let id = trailer.get(b"ID").map(|v| v.span.clone());

        objects.sort_by_key(|&(_, offset)| offset);
        let mut read = Vec::with_capacity(objects.len());
        for (i, &(number, offset)) in objects.iter().enumerate() {
            let end = objects.get(i + 1).map_or(xref, |&(_, next)| next);
            if offset >= end || end > pdf.len() {
                return Err(bad("object offsets out of order"));
            }
            let bytes = &pdf[offset..end];
            let head = format!("{number} 0 obj");
            if !bytes.starts_with(head.as_bytes()) || !trim_end(bytes).ends_with(b"endobj") {
                return Err(bad(format!("object {number} is not where the table says")));
            }
            let body_start = offset + head.len();
            let tokens = lex(pdf, body_start..end, true)?;
            let body_end = tokens.last().map_or(body_start, |t| t.span.start);
            read.push((
                Object {
                    number,
                    range: offset..end,
                    body: body_start..body_end,
                },
                tokens,
            ));
        }
        let index: HashMap<u32, usize> = read
            .iter()
            .enumerate()
            .map(|(i, (o, _))| (o.number, i))
            .collect();
        let dict_of = |n: u32| -> Result<Val, RenderError> {
            let (_, tokens) = &read[*index
                .get(&n)
                .ok_or_else(|| bad(format!("object {n} missing")))?];
            // The last token is `stream` or `endobj`.
            let (v, used) = parse(&tokens[..tokens.len() - 1], 0)?;
            if !matches!(v.kind, Kind::Dict(_)) || used != tokens.len() - 1 {
                return Err(bad(format!("object {n} is not a dictionary")));
            }
            Ok(v)
        };
        let catalog = dict_of(root)?;
        only_keys(&catalog, &[b"Type", b"Pages", b"Lang"], "the catalog")?;
        let tree = catalog
            .get(b"Pages")
            .and_then(Val::as_ref)
            .ok_or_else(|| bad("the catalog has no page tree"))?;
        let tree_dict = dict_of(tree)?;
        only_keys(
            &tree_dict,
            &[b"Type", b"Count", b"Kids"],
            "the page tree's root",
        )?;
        let Some(Kind::Array(kids)) = tree_dict.get(b"Kids").map(|v| &v.kind) else {
            return Err(bad("the page tree has no /Kids"));
        };
        let mut pages = Vec::new();
        for kid in kids {
            let page = kid
                .as_ref()
                .ok_or_else(|| bad("a page tree kid is not a reference"))?;
            let d = dict_of(page)?;
            if !matches!(d.get(b"Type").map(|v| &v.kind), Some(Kind::Name(n)) if n == b"Page") {
                return Err(bad("a nested page tree"));
            }
            if d.get(b"Parent").and_then(Val::as_ref) != Some(tree) {
                return Err(bad("a page whose /Parent is not the page tree"));
            }
            pages.push(page);
        }
        Ok(Segment {
            objects: read.into_iter().map(|(o, _)| o).collect(),
            root,
            tree,
            info,
            id,
            pages,
        })
    }
}

fn only_keys(dict: &Val, keys: &[&[u8]], what: &str) -> Result<(), RenderError> {
    let Kind::Dict(entries) = &dict.kind else {
        return Err(bad(format!("{what} is not a dictionary")));
    };
    match entries.iter().find(|(k, _)| !keys.contains(&&k[..])) {
        Some((k, _)) => Err(bad(format!(
            "{what} has /{}, which the joiner does not carry over",
            String::from_utf8_lossy(k)
        ))),
        None => Ok(()),
    }
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !is_white(*b))
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    /// Reals, strings, booleans, null: copied as they are.
    Other,
    Name(Vec<u8>),
    DictOpen,
    DictClose,
    ArrayOpen,
    ArrayClose,
    Keyword(Vec<u8>),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Range<usize>,
}

/// The tokens of `pdf[range]`. With `object`, stops after the `stream` or `endobj` keyword
/// (never reading a stream's data) and fails if there is neither.
fn lex(pdf: &[u8], range: Range<usize>, object: bool) -> Result<Vec<Token>, RenderError> {
    let mut tokens = Vec::new();
    let mut i = range.start;
    let end = range.end;
    while i < end {
        let b = pdf[i];
        let start = i;
        let tok = if is_white(b) {
            i += 1;
            continue;
        } else if b == b'%' {
            while i < end && pdf[i] != b'\n' && pdf[i] != b'\r' {
                i += 1;
            }
            continue;
        } else if b == b'/' {
            i += 1;
            while i < end && !is_white(pdf[i]) && !is_delimiter(pdf[i]) {
                i += 1;
            }
            Tok::Name(pdf[start + 1..i].to_vec())
        } else if b == b'(' {
            let mut depth = 0usize;
            loop {
                if i >= end {
                    return Err(bad("a literal string runs off the object"));
                }
                match pdf[i] {
                    b'\\' => i += 1,
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Tok::Other
        } else if b == b'<' && pdf.get(i + 1) == Some(&b'<') {
            i += 2;
            Tok::DictOpen
        } else if b == b'>' && pdf.get(i + 1) == Some(&b'>') {
            i += 2;
            Tok::DictClose
        } else if b == b'<' {
            while i < end && pdf[i] != b'>' {
                i += 1;
            }
            if i >= end {
                return Err(bad("a hex string runs off the object"));
            }
            i += 1;
            Tok::Other
        } else if b == b'[' {
            i += 1;
            Tok::ArrayOpen
        } else if b == b']' {
            i += 1;
            Tok::ArrayClose
        } else if is_delimiter(b) {
            return Err(bad(format!("unexpected '{}'", b as char)));
        } else {
            while i < end && !is_white(pdf[i]) && !is_delimiter(pdf[i]) {
                i += 1;
            }
            let word = &pdf[start..i];
            if word.iter().all(u8::is_ascii_digit)
                || (word.len() > 1
                    && matches!(word[0], b'+' | b'-')
                    && word[1..].iter().all(u8::is_ascii_digit))
            {
                match std::str::from_utf8(word).ok().and_then(|s| s.parse().ok()) {
                    Some(v) => Tok::Int(v),
                    None => Tok::Other,
                }
            } else if word
                .iter()
                .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.'))
            {
                Tok::Other
            } else {
                Tok::Keyword(word.to_vec())
            }
        };
        let stop = matches!(&tok, Tok::Keyword(k) if k == b"stream" || k == b"endobj");
        tokens.push(Token {
            tok,
            span: start..i,
        });
        if object && stop {
            return Ok(tokens);
        }
    }
    if object {
        return Err(bad("an object without endobj"));
    }
    Ok(tokens)
}

/// A parsed value, for the few objects the joiner reads (trailer, catalog, page tree, pages).
#[derive(Debug)]
struct Val {
    kind: Kind,
    span: Range<usize>,
}

#[derive(Debug)]
enum Kind {
    Ref(u32),
    Name(Vec<u8>),
    Array(Vec<Val>),
    Dict(Vec<(Vec<u8>, Val)>),
    Other,
}

impl Val {
    fn get(&self, key: &[u8]) -> Option<&Val> {
        match &self.kind {
            Kind::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_ref(&self) -> Option<u32> {
        match self.kind {
            Kind::Ref(n) => Some(n),
            _ => None,
        }
    }
}

/// The value starting at `tokens[i]` and the index after it.
fn parse(tokens: &[Token], i: usize) -> Result<(Val, usize), RenderError> {
    let t = tokens.get(i).ok_or_else(|| bad("a value cut short"))?;
    match &t.tok {
        Tok::Int(n) => {
            if let (Some(Tok::Int(0)), Some(Tok::Keyword(r))) = (
                tokens.get(i + 1).map(|t| &t.tok),
                tokens.get(i + 2).map(|t| &t.tok),
            ) {
                if r == b"R" {
                    let number = u32::try_from(*n).map_err(|_| bad("a negative reference"))?;
                    let span = t.span.start..tokens[i + 2].span.end;
                    return Ok((
                        Val {
                            kind: Kind::Ref(number),
                            span,
                        },
                        i + 3,
                    ));
                }
            }
            Ok((
                Val {
                    kind: Kind::Other,
                    span: t.span.clone(),
                },
                i + 1,
            ))
        }
        Tok::Name(n) => Ok((
            Val {
                kind: Kind::Name(n.clone()),
                span: t.span.clone(),
            },
            i + 1,
        )),
        Tok::ArrayOpen => {
            let mut items = Vec::new();
            let mut j = i + 1;
            loop {
                match tokens.get(j).map(|t| &t.tok) {
                    Some(Tok::ArrayClose) => {
                        let span = t.span.start..tokens[j].span.end;
                        return Ok((
                            Val {
                                kind: Kind::Array(items),
                                span,
                            },
                            j + 1,
                        ));
                    }
                    None => return Err(bad("an array cut short")),
                    _ => {
                        let (v, next) = parse(tokens, j)?;
                        items.push(v);
                        j = next;
                    }
                }
            }
        }
        Tok::DictOpen => {
            let mut entries = Vec::new();
            let mut j = i + 1;
            loop {
                match tokens.get(j).map(|t| &t.tok) {
                    Some(Tok::DictClose) => {
                        let span = t.span.start..tokens[j].span.end;
                        return Ok((
                            Val {
                                kind: Kind::Dict(entries),
                                span,
                            },
                            j + 1,
                        ));
                    }
                    Some(Tok::Name(key)) => {
                        let (v, next) = parse(tokens, j + 1)?;
                        entries.push((key.clone(), v));
                        j = next;
                    }
                    _ => return Err(bad("a dictionary key that is not a name")),
                }
            }
        }
        Tok::Other | Tok::Keyword(_) => Ok((
            Val {
                kind: Kind::Other,
                span: t.span.clone(),
            },
            i + 1,
        )),
        Tok::DictClose | Tok::ArrayClose => Err(bad("an unbalanced dictionary or array")),
    }
}

/// `body` with every reference `N 0 R` renumbered; anything else byte for byte. `body` ends
/// before `stream` or `endobj`, so a stream's data is never read. A reference to an object
/// that is not carried over is an error, not a dangling reference.
fn rewrite_refs(body: &[u8], renumber: &HashMap<u32, u32>) -> Result<Vec<u8>, RenderError> {
    let tokens = lex(body, 0..body.len(), false)?;
    let mut out = Vec::with_capacity(body.len() + 16);
    let mut copied = 0;
    let mut i = 0;
    while i < tokens.len() {
        if let (Tok::Int(n), Some(Tok::Int(0)), Some(Tok::Keyword(r))) = (
            &tokens[i].tok,
            tokens.get(i + 1).map(|t| &t.tok),
            tokens.get(i + 2).map(|t| &t.tok),
        ) {
            if r == b"R" {
                let old = u32::try_from(*n).map_err(|_| bad("a negative reference"))?;
                let new = renumber.get(&old).ok_or_else(|| {
                    bad(format!(
                        "a reference to object {old}, which is not carried over"
                    ))
                })?;
                out.extend_from_slice(&body[copied..tokens[i].span.start]);
                out.extend_from_slice(new.to_string().as_bytes());
                copied = tokens[i].span.end;
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    out.extend_from_slice(&body[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;
    use krilla::geom::{Point, Size};
    use krilla::text::{Font, TextDirection};

    /// A krilla PDF of `pages` pages, written as the report writes its segments: text in both
    /// faces (subset per document), a picture, the same metadata.
    fn segment(pages: usize, tag: &str) -> Vec<u8> {
        let regular = Font::new(dejavu::sans::regular().into(), 0).unwrap();
        let bold = Font::new(dejavu::sans::bold().into(), 0).unwrap();
        let mut png = Vec::new();
        let picture =
            image::RgbImage::from_fn(7, 5, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 9]));
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(picture.as_raw(), 7, 5, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut document = krilla::Document::new_with(krilla::SerializeSettings {
            xmp_metadata: false,
            ..Default::default()
        });
        document.set_metadata(
            krilla::metadata::Metadata::new()
                .title("Joined (test)".into())
                .language("en-GB".into()),
        );
        for p in 0..pages {
            let mut page = document
                .start_page_with(krilla::page::PageSettings::from_wh(595.28, 841.89).unwrap());
            let mut surface = page.surface();
            let font = if p % 2 == 0 { &regular } else { &bold };
            let text = format!("{tag} page {p} (nested (brackets)) \\ 0 R");
            surface.draw_text(
                Point::from_xy(50.0, 80.0),
                font.clone(),
                12.0,
                &text,
                false,
                TextDirection::Auto,
            );
            if p % 3 == 0 {
                let image = krilla::image::Image::from_png(png.clone().into(), true).unwrap();
                surface.draw_image(image, Size::from_wh(70.0, 50.0).unwrap());
            }
            surface.finish();
            page.finish();
        }
        document.finish().unwrap()
    }

    /// An object's dictionary part and the rest (stream and `endobj`).
    type Parts = (Vec<u8>, Vec<u8>);

    /// Every object of `pdf` by number.
    fn objects(pdf: &[u8]) -> (Segment, HashMap<u32, Parts>) {
        let segment = Segment::read(pdf).unwrap();
        let map = segment
            .objects
            .iter()
            .map(|o| {
                (
                    o.number,
                    (
                        pdf[o.body.clone()].to_vec(),
                        pdf[o.body.end..o.range.end].to_vec(),
                    ),
                )
            })
            .collect();
        (segment, map)
    }

    /// The referenced object of `key` in a dictionary's bytes.
    fn reference(dict: &[u8], key: &[u8]) -> u32 {
        let tokens = lex(dict, 0..dict.len(), false).unwrap();
        let (v, _) = parse(&tokens, 0).unwrap();
        v.get(key).and_then(Val::as_ref).unwrap()
    }

    #[test]
    fn joined_segments_keep_every_page_and_every_reference_resolves() {
        let segments = [
            segment(3, "first"),
            segment(1, "second"),
            segment(5, "third"),
        ];
        let join = |segments: &[Vec<u8>]| {
            let mut joined = PdfJoin::new(Vec::new());
            for s in segments {
                joined.push(s).unwrap();
            }
            joined.finish().unwrap()
        };
        let pdf = join(&segments);
        assert_eq!(pdf, join(&segments), "deterministic");

        // Read back: the table points at every object (`N 0 obj` where it says), one flat page
        // tree holds every page, each page's parent.
        let (joined, objs) = objects(&pdf);
        assert_eq!(joined.pages.len(), 3 + 1 + 5);
        let numbers: std::collections::HashSet<u32> =
            joined.objects.iter().map(|o| o.number).collect();
        assert_eq!(numbers.len(), joined.objects.len(), "no object twice");
        assert_eq!(
            numbers.len() + 1,
            joined.objects.iter().map(|o| o.number).max().unwrap() as usize + 1
        );
        // Every reference resolves: renumbering onto itself fails on a dangling one.
        let identity: HashMap<u32, u32> = numbers.iter().map(|&n| (n, n)).collect();
        for (body, _) in objs.values() {
            rewrite_refs(body, &identity).unwrap();
        }
        // Each page's content stream (and the rest of the stream object) is the segment's.
        let mut page = 0;
        for s in &segments {
            let (seg, seg_objs) = objects(s);
            for p in &seg.pages {
                let ours = reference(&seg_objs[p].0, b"Contents");
                let theirs = reference(&objs[&joined.pages[page]].0, b"Contents");
                assert_eq!(seg_objs[&ours].1, objs[&theirs].1, "page {page}");
                assert!(seg_objs[&ours].1.len() > 20);
                page += 1;
            }
        }
        // The document information is the first segment's, once.
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(text.matches("/Title").count(), 1);
        assert_eq!(text.matches("/Type/Catalog").count(), 1);
        assert_eq!(text.matches("/Type/Pages").count(), 1);
    }

    #[test]
    fn a_segment_the_joiner_does_not_understand_is_an_error_not_a_broken_file() {
        let good = segment(2, "ok");
        let mut joined = PdfJoin::new(Vec::new());
        assert!(joined.push(b"not a pdf").is_err());
        // Cut anywhere, a segment fails cleanly (no panic).
        for cut in (0..good.len()).step_by(97) {
            let _ = PdfJoin::new(Vec::new()).push(&good[..cut]);
        }
        // A page-tree root with a key a page would inherit is refused (same length, so the
        // offsets still hold).
        let at = rfind(&good, b"/Type/Pages/Count").unwrap();
        let mut inherits = good.clone();
        inherits[at..at + 17].copy_from_slice(b"/Type/Pages/Rotat");
        let e = PdfJoin::new(Vec::new()).push(&inherits).unwrap_err();
        assert!(e.to_string().contains("/Rotat"), "{e}");
        assert!(PdfJoin::new(Vec::new()).finish().is_err(), "no segment");
    }

    #[test]
    fn references_are_renumbered_in_dictionaries_and_arrays_but_not_in_strings_or_names() {
        let body = b" <</A 3 0 R /B [3 0 R 4 0 R] /S (3 0 R \\) (4 0 R)) /H <33203020 52> /N /3#200R /C 7 %3 0 R\n /R 3.0 0 R>>\n";
        let renumber = HashMap::from([(3, 30), (4, 41)]);
        let out = rewrite_refs(body, &renumber).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            " <</A 30 0 R /B [30 0 R 41 0 R] /S (3 0 R \\) (4 0 R)) /H <33203020 52> /N /3#200R /C 7 %3 0 R\n /R 3.0 0 R>>\n"
        );
        // A reference to an object that is not carried over is an error.
        assert!(rewrite_refs(b"<</A 5 0 R>>", &renumber).is_err());
    }

    #[test]
    fn an_object_stops_at_stream_and_its_data_is_never_lexed() {
        let pdf = b"<</Length 9>>\nstream\n(((<<%\xff\nendstream\nendobj\n";
        let tokens = lex(pdf, 0..pdf.len(), true).unwrap();
        assert_eq!(tokens.last().unwrap().tok, Tok::Keyword(b"stream".to_vec()));
        assert!(lex(b"<</A 1>>", 0..8, true).is_err(), "no endobj");
        assert!(lex(b"(open", 0..5, false).is_err());
    }
}
