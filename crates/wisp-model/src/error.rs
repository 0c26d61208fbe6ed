/// A value that does not make a valid model object.
///
/// Follows ripgrep's `Error { kind }` pattern: callers match on [`ModelErrorKind`], people read
/// the `Display` text (the kind's).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct ModelError {
    kind: ModelErrorKind,
}

/// What was wrong with a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelErrorKind {
    /// A BSSID that is not six hexadecimal octets.
    #[error("'{0}' is not a BSSID (expected six hex octets like aa:bb:cc:dd:ee:ff)")]
    Bssid(String),
    /// A frequency in MHz that is not a Wi-Fi channel centre in 2.4, 5 or 6 GHz.
    #[error("{0} MHz is not a Wi-Fi channel centre in the 2.4, 5 or 6 GHz band")]
    Frequency(u32),
    /// A channel number that does not exist in the given band.
    #[error("channel {channel} does not exist in the {band} GHz band")]
    Channel {
        /// The band's name ([`crate::Band::name`]).
        band: &'static str,
        channel: u16,
    },
    /// A bare channel number that names no band (no band or frequency given with it).
    #[error(
        "channel {0} names no band without a band or frequency (1-14: 2.4 GHz, \
         even 32-176 and 149-177: 5 GHz, other numbers 1 modulo 4 up to 233: 6 GHz)"
    )]
    ChannelNumber(u16),
    /// A band name other than "2.4", "5" or "6".
    #[error("'{0}' is not a band (expected \"2.4\", \"5\" or \"6\")")]
    BandName(String),
    /// A number that must be finite was NaN or infinite.
    #[error("{0} must be a finite number")]
    NotFinite(&'static str),
    /// A quantity outside its physical range.
    #[error("{what} {value} is outside {min}..{max}")]
    OutOfRange {
        what: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A polygon with fewer than three distinct corners or no area.
    #[error("polygon has fewer than three distinct corners or no area")]
    DegeneratePolygon,
    /// A polygon whose edges cross each other, so it has no well-defined inside.
    #[error("polygon edges {first} and {second} cross each other (edge i runs from corner i to the next)")]
    SelfIntersecting { first: usize, second: usize },
    /// A calibration whose two points coincide or whose distance is not positive.
    #[error(
        "calibration has zero length (its two points coincide or its distance is not positive)"
    )]
    DegenerateCalibration,
    /// A grid with no cells or a non-positive cell size.
    #[error("grid has no cells or a cell size that is not positive")]
    EmptyGrid,
    /// A zone kind wisp does not know.
    #[error("'{name}' is not a zone kind (expected one of: {expected})")]
    ZoneKind {
        name: String,
        /// The zone kinds' names, comma-separated.
        expected: String,
    },
    /// An AP grouping rule wisp does not know.
    #[error("'{0}' is not an AP grouping rule (expected \"first-five-octets\", \"bssid\" or \"prefix-N\" with N from 1 to 48 bits)")]
    ApGroupingRule(String),
    /// An interpolation method (or choice) wisp does not know.
    #[error("'{name}' is not an interpolation method (expected one of: {expected})")]
    Method {
        name: String,
        /// The methods' names, comma-separated.
        expected: String,
    },
}

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
