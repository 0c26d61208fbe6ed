//! A manifest's text cut at its table headers into the site's own part and one part per floor,
//! so that [`super::parse_site`] parses each floor alone and drops its TOML document before the
//! next (issue 16).
//!
//! Why: the `toml` crate builds the whole document as a tree (every key and value with its span,
//! every table a map) before deserializing it, about 30 times the size of the text (heaptrack of
//! `wisp report --shard 1/50` on the estate example's 50 floors: a 1.15 MB manifest, 53 MB of
//! heap at its peak, all of it in `toml::from_str`). A hospital floor is ~23 KB of manifest, so a
//! 200-floor estate's tree was ~200 MB, made while the site loaded and kept as resident memory
//! for the rest of the run. Parsed a floor at a time, the tree is one floor's.
//!
//! The cut is made on the lexer's tokens, never on lines: a `[` that starts a line inside a
//! multi-line array, or a `[[floors]]` inside a string, is no header. Anything this does not
//! expect (a `[floors]` table, a quoted `"floors"` key, a `[floors.x]` before any `[[floors]]`,
//! a header that does not close) makes [`split`] give up, and the caller parses the whole text
//! as before, so that TOML's own message reports the mistake.

use std::ops::Range;
use toml_parser::lexer::TokenKind;
use toml_parser::Source;

/// The manifest cut into pieces, each a list of byte ranges of the text in order.
#[derive(Debug, PartialEq)]
pub(crate) struct Split {
    /// Everything but the floors: the keys before the first header and every table that is not a
    /// floor's (`[materials]`, `[[profiles]]`, `[network]`...).
    pub head: Vec<Range<usize>>,
    /// Each `[[floors]]` with its sub-tables (`[[floors.walls]]`...), in manifest order.
    pub floors: Vec<Vec<Range<usize>>>,
}

/// Part of the manifest's text, copied out, with where each of its bytes is in the manifest (so
/// that an error's line is the manifest's).
pub(crate) struct Piece {
    pub text: String,
    /// (offset in `text`, offset in the manifest) at the start of each range.
    starts: Vec<(usize, usize)>,
}

impl Piece {
    pub fn of(manifest: &str, ranges: &[Range<usize>]) -> Piece {
        let mut text = String::with_capacity(ranges.iter().map(|r| r.len()).sum());
        let mut starts = Vec::with_capacity(ranges.len());
        for r in ranges {
            starts.push((text.len(), r.start));
            text.push_str(&manifest[r.clone()]);
        }
        Piece { text, starts }
    }

    /// The manifest offset of `offset` in this piece's text.
    pub fn at(&self, offset: usize) -> usize {
        let i = self.starts.partition_point(|&(o, _)| o <= offset);
        match i.checked_sub(1) {
            Some(i) => self.starts[i].1 + (offset - self.starts[i].0),
            None => offset,
        }
    }
}

/// What a table header opens, by its first key.
enum Header {
    /// `[[floors]]`: the next floor.
    Floor,
    /// `[[floors.walls]]`, `[floors.x]`...: a table of the floor above it.
    OfFloor,
    /// Any other table: the site's.
    Site,
}

/// Cuts `text` at its table headers, or None when it is not laid out as this expects (see the
/// module's documentation) or has no `[[floors]]`.
pub(crate) fn split(text: &str) -> Option<Split> {
    let mut head = Vec::new();
    let mut floors: Vec<Vec<Range<usize>>> = Vec::new();
    // The part being read: None for the site's, Some(i) for floor i.
    let mut current: Option<usize> = None;
    let mut from = 0;
    let mut close = |at: usize, current: Option<usize>, floors: &mut Vec<Vec<Range<usize>>>| {
        if at > from {
            match current {
                Some(i) => floors[i].push(from..at),
                None => head.push(from..at),
            }
        }
        from = at;
    };

    let mut tokens = Source::new(text).lex();
    // Nothing but whitespace or a comment since the last newline.
    let mut line_start = true;
    // After a key's `=`, until the newline that ends its value.
    let mut in_value = false;
    // `[` and `{` open within the value.
    let mut depth = 0usize;
    while let Some(t) = tokens.next() {
        match t.kind() {
            TokenKind::Whitespace | TokenKind::Comment => continue,
            TokenKind::Newline => {
                if depth == 0 {
                    in_value = false;
                }
                line_start = true;
                continue;
            }
            TokenKind::Eof => break,
            TokenKind::LeftSquareBracket if line_start && !in_value => {
                let start = t.span().start();
                let header = header(text, &mut tokens)?;
                close(start, current, &mut floors);
                current = match header {
                    Header::Floor => {
                        floors.push(Vec::new());
                        Some(floors.len() - 1)
                    }
                    // A floor's table belongs to the last `[[floors]]`, whatever came between.
                    Header::OfFloor => Some(floors.len().checked_sub(1)?),
                    Header::Site => None,
                };
            }
            TokenKind::Equals if depth == 0 => in_value = true,
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket if in_value => depth += 1,
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket if in_value => {
                depth = depth.checked_sub(1)?
            }
            _ => {}
        }
        line_start = false;
    }
    close(text.len(), current, &mut floors);
    (!floors.is_empty()).then_some(Split { head, floors })
}

/// Reads a header after its first `[` up to its last `]`, and says what it opens.
fn header(text: &str, tokens: &mut toml_parser::lexer::Lexer<'_>) -> Option<Header> {
    let mut array = false;
    let mut keys: Vec<&str> = Vec::new();
    let mut dotted = true;
    loop {
        let t = tokens.next()?;
        match t.kind() {
            TokenKind::LeftSquareBracket if keys.is_empty() && !array => array = true,
            TokenKind::Whitespace => {}
            TokenKind::Atom if dotted => {
                keys.push(&text[t.span().start()..t.span().end()]);
                dotted = false;
            }
            // A quoted key: fine after the first (`[materials."lead glass"]`), but the first
            // decides the part, so it must be bare.
            TokenKind::BasicString | TokenKind::LiteralString if dotted && !keys.is_empty() => {
                keys.push("");
                dotted = false;
            }
            TokenKind::Dot if !dotted => dotted = true,
            TokenKind::RightSquareBracket if !dotted => break,
            _ => return None,
        }
    }
    if array {
        let t = tokens.next()?;
        if t.kind() != TokenKind::RightSquareBracket {
            return None;
        }
    }
    Some(match (keys.first() == Some(&"floors"), keys.len(), array) {
        (true, 1, true) => Header::Floor,
        (true, 1, false) => return None,
        (true, _, _) => Header::OfFloor,
        (false, _, _) => Header::Site,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Option<(String, Vec<String>)> {
        let s = split(text)?;
        let head = Piece::of(text, &s.head).text;
        let floors = s.floors.iter().map(|f| Piece::of(text, f).text).collect();
        Some((head, floors))
    }

    #[test]
    fn cuts_at_headers_not_at_brackets_inside_values_or_strings() {
        let text = "name = \"x\"\n\
                    [[floors]]\nid = \"A\"\nouter = [\n[1, 2],\n  [3, 4],\n]\nnote = \"\"\"\n[[floors]]\n\"\"\"\n\
                    [[floors.walls]] # a comment\npoints = [[0, 0], [1, 1]]\n\
                    [materials]\nlead = { \"2.4\" = 31.0 }\n\
                    [[ floors . zones ]]\nname = 'z'\n\
                    [[floors]]\nid = \"B\"\n\
                    [network]\nssids = [\"x\"]\n";
        let (head, floors) = pieces(text).unwrap();
        assert_eq!(
            head,
            "name = \"x\"\n[materials]\nlead = { \"2.4\" = 31.0 }\n[network]\nssids = [\"x\"]\n"
        );
        assert_eq!(
            floors,
            [
                "[[floors]]\nid = \"A\"\nouter = [\n[1, 2],\n  [3, 4],\n]\nnote = \"\"\"\n[[floors]]\n\"\"\"\n\
                 [[floors.walls]] # a comment\npoints = [[0, 0], [1, 1]]\n\
                 [[ floors . zones ]]\nname = 'z'\n",
                "[[floors]]\nid = \"B\"\n",
            ]
        );
        // Every byte is in exactly one piece.
        let s = split(text).unwrap();
        let total: usize = s
            .head
            .iter()
            .chain(s.floors.iter().flatten())
            .map(|r| r.len())
            .sum();
        assert_eq!(total, text.len());
    }

    #[test]
    fn gives_up_on_what_it_does_not_expect() {
        for text in [
            "name = \"x\"\n",                            // no floors
            "[floors]\nid = \"A\"\n",                    // a table, not an array of tables
            "[[\"floors\"]]\nid = \"A\"\n",              // a quoted first key
            "[[floors.walls]]\n[[floors]]\n",            // a floor's table before any floor
            "[[floors]]\nid = \"A\"\n[[floors\nx = 1\n", // a header that does not close
            "[[floors]]\nx = ]\n",                       // a value closing what it never opened
        ] {
            assert!(split(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn a_piece_maps_its_offsets_back_to_the_manifest() {
        let text = "0123456789";
        let p = Piece::of(text, &[1..3, 6..9]);
        assert_eq!(p.text, "12678");
        let back: Vec<usize> = (0..p.text.len()).map(|o| p.at(o)).collect();
        assert_eq!(back, [1, 2, 6, 7, 8]);
        for (o, b) in back.iter().enumerate() {
            assert_eq!(p.text.as_bytes()[o], text.as_bytes()[*b]);
        }
    }
}
