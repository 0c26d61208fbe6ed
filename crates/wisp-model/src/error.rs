use std::fmt;

/// A value that does not make a valid model object.
///
/// Follows ripgrep's `Error { kind }` pattern: callers match on [`ModelErrorKind`], people read
/// the `Display` text.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    kind: ModelErrorKind,
}

/// What was wrong with a value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ModelErrorKind {
    /// A BSSID that is not six hexadecimal octets.
    Bssid(String),
    /// A frequency in MHz that is not a Wi-Fi channel centre in 2.4, 5 or 6 GHz.
    Frequency(u32),
    /// A channel number that does not exist in the given band.
    Channel { band: Band, channel: u16 },
    /// A bare channel number that names no band (no band or frequency given with it).
    ChannelNumber(u16),
    /// A band name other than "2.4", "5" or "6".
    BandName(String),
    /// A number that must be finite was NaN or infinite.
    NotFinite(&'static str),
    /// A quantity outside its physical range.
    OutOfRange {
        what: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A polygon with fewer than three distinct corners or no area.
    DegeneratePolygon,
    /// A polygon whose edges cross each other, so it has no well-defined inside.
    SelfIntersecting { first: usize, second: usize },
    /// A calibration whose two points coincide or whose distance is not positive.
    DegenerateCalibration,
    /// A grid with no cells or a non-positive cell size.
    EmptyGrid,
    /// A zone kind wisp does not know.
    ZoneKind(String),
    /// An AP grouping rule wisp does not know.
    ApGroupingRule(String),
}

use crate::Band;

impl ModelError {
    pub fn new(kind: ModelErrorKind) -> Self {
        ModelError { kind }
    }
    pub fn kind(&self) -> &ModelErrorKind {
        &self.kind
    }
}

impl From<ModelErrorKind> for ModelError {
    fn from(kind: ModelErrorKind) -> Self {
        ModelError { kind }
    }
}

impl std::error::Error for ModelError {}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ModelErrorKind::*;
        match &self.kind {
            Bssid(s) => write!(
                f,
                "'{s}' is not a BSSID (expected six hex octets like aa:bb:cc:dd:ee:ff)"
            ),
            Frequency(mhz) => write!(
                f,
                "{mhz} MHz is not a Wi-Fi channel centre in the 2.4, 5 or 6 GHz band"
            ),
            Channel { band, channel } => {
                write!(f, "channel {channel} does not exist in the {band} GHz band")
            }
            ChannelNumber(n) => write!(
                f,
                "channel {n} names no band without a band or frequency (1-14: 2.4 GHz, \
                 even 32-176 and 149-177: 5 GHz, other numbers 1 modulo 4 up to 233: 6 GHz)"
            ),
            BandName(s) => write!(f, "'{s}' is not a band (expected \"2.4\", \"5\" or \"6\")"),
            NotFinite(what) => write!(f, "{what} must be a finite number"),
            OutOfRange {
                what,
                value,
                min,
                max,
            } => {
                write!(f, "{what} {value} is outside {min}..{max}")
            }
            DegeneratePolygon => write!(
                f,
                "polygon has fewer than three distinct corners or no area"
            ),
            SelfIntersecting { first, second } => write!(
                f,
                "polygon edges {first} and {second} cross each other (edge i runs from corner i to the next)"
            ),
            DegenerateCalibration => {
                write!(f, "calibration has zero length (its two points coincide or its distance is not positive)")
            }
            EmptyGrid => write!(f, "grid has no cells or a cell size that is not positive"),
            ApGroupingRule(s) => write!(
                f,
                "'{s}' is not an AP grouping rule (expected \"first-five-octets\", \"bssid\" or \"prefix-N\" with N from 1 to 48 bits)"
            ),
            ZoneKind(s) => write!(
                f,
                "'{s}' is not a zone kind (expected one of: {})",
                crate::ZoneKind::ALL
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}
