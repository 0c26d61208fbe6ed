//! Colour scales: a fixed, documented mapping from a metric's value to a colour, so that two
//! maps of the same metric can be compared by eye.
//!
//! Continuous scales ([`Palette`]) run from a poor end to a good end over a fixed range.
//! Categorical scales ([`ColourScale::categorical`], e.g. the serving radio's channel) give each
//! category one colour of [`CATEGORICAL`], in the order the categories are listed or in a slot
//! each category names ([`ColourScale::categorical_in_slots`]: a channel keeps its colour on every
//! map); the layer then holds category indices (0, 1, 2…) and is painted cell by cell, never
//! blended between cells.

use wisp_model::Band;

/// Which ramp of colours a scale uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Palette {
    /// Red (poor) → yellow → green (good), the convention surveyors know from survey tools.
    ///
    /// The nine stops are ColorBrewer's diverging scheme RdYlGn, 9 classes (Cynthia Brewer,
    /// colorbrewer2.org), interpolated linearly in sRGB.
    #[default]
    Survey,
    /// Dark blue (poor) → grey → yellow (good), readable with red–green colour-vision deficiency
    /// and in greyscale print.
    ///
    /// Cividis: Nuñez, Anderton & Renslow (2018), "Optimizing colormaps with consideration for
    /// color vision deficiency", PLoS ONE 13(7): e0199239. Six evenly spaced samples of the
    /// published map, interpolated linearly in sRGB; its lightness rises steadily end to end.
    Cividis,
}

/// ColorBrewer RdYlGn, 9 classes, from red to green.
const RDYLGN_9: [[u8; 3]; 9] = [
    [0xd7, 0x30, 0x27],
    [0xf4, 0x6d, 0x43],
    [0xfd, 0xae, 0x61],
    [0xfe, 0xe0, 0x8b],
    [0xff, 0xff, 0xbf],
    [0xd9, 0xef, 0x8b],
    [0xa6, 0xd9, 0x6a],
    [0x66, 0xbd, 0x63],
    [0x1a, 0x98, 0x50],
];

/// Cividis sampled at 0, 0.2, 0.4, 0.6, 0.8 and 1.
const CIVIDIS_6: [[u8; 3]; 6] = [
    [0, 34, 78],
    [53, 69, 108],
    [102, 105, 112],
    [148, 142, 119],
    [200, 184, 102],
    [254, 232, 56],
];

impl Palette {
    /// The colour at position `t` along the ramp (0 = poor end, 1 = good end); `t` is clamped and
    /// NaN reads as the middle.
    pub fn sample(self, t: f64) -> [u8; 3] {
        let stops: &[[u8; 3]] = match self {
            Palette::Survey => &RDYLGN_9,
            Palette::Cividis => &CIVIDIS_6,
        };
        let t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
        let position = t * (stops.len() - 1) as f64;
        let lower = (position.floor() as usize).min(stops.len() - 2);
        let frac = position - lower as f64;
        let (a, b) = (stops[lower], stops[lower + 1]);
        let mix = |i: usize| {
            (a[i] as f64 + (b[i] as f64 - a[i] as f64) * frac)
                .round()
                .clamp(0.0, 255.0) as u8
        };
        [mix(0), mix(1), mix(2)]
    }
}

/// Colours of categorical maps, in order: the seven colours of Okabe & Ito's colour-universal-
/// design palette without its black (Okabe & Ito 2008, "Color Universal Design (CUD): how to
/// make figures and presentations that are friendly to colorblind people", jfly.uni-koeln.de),
/// which stay distinct under the common colour-vision deficiencies, then Paul Tol's nine "muted"
/// qualitative colours (Tol 2021, "Colour schemes", SRON/EPS/TN/09-002) for maps with more than
/// seven categories, then eight more from the same report's "pale", "vibrant" and
/// "medium-contrast" schemes, picked one by one as the farthest (CIE76 ΔE) from those already
/// listed, leaving out its dark and grey colours. Every pair differs by ΔE ≥ 14 (tested).
/// Black and greys are left out because contours, text and measured APs are near-black and
/// unsurveyed cells grey. Beyond 24 the colours repeat, hatched ([`Category::hatched`]).
pub const CATEGORICAL: [[u8; 3]; 24] = [
    [0xe6, 0x9f, 0x00], // orange
    [0x56, 0xb4, 0xe9], // sky blue
    [0x00, 0x9e, 0x73], // bluish green
    [0xf0, 0xe4, 0x42], // yellow
    [0x00, 0x72, 0xb2], // blue
    [0xd5, 0x5e, 0x00], // vermillion
    [0xcc, 0x79, 0xa7], // reddish purple
    [0xcc, 0x66, 0x77], // rose
    [0x33, 0x22, 0x88], // indigo
    [0xdd, 0xcc, 0x77], // sand
    [0x11, 0x77, 0x33], // green
    [0x88, 0xcc, 0xee], // cyan
    [0x88, 0x22, 0x55], // wine
    [0x44, 0xaa, 0x99], // teal
    [0x99, 0x99, 0x33], // olive
    [0xaa, 0x44, 0x99], // purple
    [0xff, 0xcc, 0xcc], // pale red
    [0xee, 0x33, 0x77], // vibrant magenta
    [0xcc, 0xdd, 0xaa], // pale green
    [0x99, 0x77, 0x00], // medium-contrast dark yellow
    [0xcc, 0x33, 0x11], // vibrant red
    [0xaa, 0xaa, 0x00], // light olive
    [0xee, 0x99, 0xaa], // medium-contrast light red
    [0x99, 0x44, 0x55], // medium-contrast dark red
];

/// The fixed order channels take colours in: 1, 6 and 11 (the only 2.4 GHz plan) first, then
/// other 2.4 GHz channels, then 5 GHz and 6 GHz channels by number, so neighbouring channels of
/// a plan get neighbouring (distinct) slots.
pub fn channel_order(band: Band, channel: u16) -> (u8, Band, u16) {
    let first = match (band, channel) {
        (Band::G2_4, 1 | 6 | 11) => 0,
        _ => 1,
    };
    (first, band, channel)
}

/// Colour slots for the channels of a site: each channel's rank in [`channel_order`] among all
/// the site's channels. Computed once per site and used for every map of it, a channel has one
/// colour everywhere; with up to 24 channels on the site no two share a colour (past that,
/// repeats are hatched).
pub fn channel_slots(
    channels: impl IntoIterator<Item = (Band, u16)>,
) -> std::collections::BTreeMap<(Band, u16), usize> {
    let mut all: Vec<(Band, u16)> = channels.into_iter().collect();
    all.sort_by_key(|&(b, c)| channel_order(b, c));
    all.dedup();
    all.into_iter().enumerate().map(|(i, k)| (k, i)).collect()
}

/// One category of a categorical scale: its legend label and its colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Shown beside the swatch, e.g. "5 GHz ch 36".
    pub label: String,
    /// Fill colour.
    pub colour: [u8; 3],
    /// Drawn with dark diagonal stripes: the second encoding that tells apart categories
    /// whose slots are 24 apart and so share a colour.
    pub hatched: bool,
}

/// A fixed colour scale for one metric: its range, unit, title and palette.
///
/// Values below `min` take the `min` colour and above `max` the `max` colour, so a map never
/// changes its scale to suit its data.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourScale {
    /// Value shown in the poor-end colour (the good end if `reverse`).
    pub min: f64,
    /// Value shown in the good-end colour (the poor end if `reverse`).
    pub max: f64,
    /// Unit printed on the legend, e.g. "dBm".
    pub unit: &'static str,
    /// Legend heading, e.g. "Primary signal".
    pub title: String,
    /// The colour ramp.
    pub palette: Palette,
    /// For metrics where less is better (e.g. co-channel interferers): `min` takes the good end.
    pub reverse: bool,
    /// Non-empty for a categorical scale: value `i` (rounded) is category `i`; the range and
    /// palette are then unused.
    pub categories: Vec<Category>,
}

/// Range of every signal-strength map, in dBm.
///
/// −30 dBm is about the strongest level a client reads beside an access point and −90 dBm is
/// at or below the receive sensitivity of common clients at their lowest rate, so the range holds
/// every level a survey reports; voice-grade thresholds around −65 to −67 dBm fall in the
/// yellow-green part of the Survey palette. The same range serves primary, secondary and
/// tertiary signal so their maps compare.
pub const SIGNAL_RANGE_DBM: (f64, f64) = (-90.0, -30.0);

/// Range of every SNR map, in dB.
///
/// 0 dB is unusable; about 35 dB is what the highest 802.11ax rates (1024-QAM) need, so 50 dB
/// leaves headroom and nothing above it changes what a client can do.
pub const SNR_RANGE_DB: (f64, f64) = (0.0, 50.0);

impl ColourScale {
    /// Signal strength, −90 … −30 dBm ([`SIGNAL_RANGE_DBM`]): strong is green, weak is red.
    pub fn signal(palette: Palette) -> Self {
        ColourScale {
            min: SIGNAL_RANGE_DBM.0,
            max: SIGNAL_RANGE_DBM.1,
            unit: "dBm",
            title: "Signal".to_string(),
            palette,
            reverse: false,
            categories: Vec::new(),
        }
    }

    /// Signal-to-noise ratio, 0 … 50 dB ([`SNR_RANGE_DB`]): high is green, low is red.
    pub fn snr(palette: Palette) -> Self {
        ColourScale {
            min: SNR_RANGE_DB.0,
            max: SNR_RANGE_DB.1,
            unit: "dB",
            title: "SNR".to_string(),
            palette,
            reverse: false,
            categories: Vec::new(),
        }
    }

    /// Change between two surveys, −20 … +20 dB: worse is red, better is green, no change yellow.
    /// ±20 dB spans the difference between a voice-grade cell (−65 dBm) and an unusable one
    /// (−85 dBm); larger changes saturate.
    pub fn difference(palette: Palette) -> Self {
        ColourScale {
            min: -20.0,
            max: 20.0,
            unit: "dB",
            title: "Change".to_string(),
            palette,
            reverse: false,
            categories: Vec::new(),
        }
    }

    /// A count of radios, 0 … `max`: more is better (green) unless `reverse` (co-channel, where
    /// more is worse).
    pub fn count(title: &str, max: f64, reverse: bool, palette: Palette) -> Self {
        ColourScale {
            min: 0.0,
            max,
            unit: "radios",
            title: title.to_string(),
            palette,
            reverse,
            categories: Vec::new(),
        }
    }

    /// Distance to the nearest scan, 0 … 10 m: near is green (confident), far is red. 10 m is
    /// twice the default survey range, past which nothing is painted as surveyed anyway.
    pub fn distance(palette: Palette) -> Self {
        ColourScale {
            min: 0.0,
            max: 10.0,
            unit: "m",
            title: "Distance to nearest scan".to_string(),
            palette,
            reverse: true,
            categories: Vec::new(),
        }
    }

    /// The map's standard deviation, 0 … 8 dB: sure is green, unsure red. 8 dB is the top of
    /// indoor shadow fading's spread without line of sight (σ 4–8 dB, shared/reference.md §2),
    /// what a map knows far from every scan; larger deviations saturate.
    pub fn std_dev(palette: Palette) -> Self {
        ColourScale {
            min: 0.0,
            max: 8.0,
            unit: "dB",
            title: "Standard deviation".to_string(),
            palette,
            reverse: true,
            categories: Vec::new(),
        }
    }

    /// A categorical scale: category `i` (a layer value of `i`) is labelled `labels[i]` and
    /// coloured as slot `i` of [`ColourScale::categorical_in_slots`]. Its range is −½ … n − ½ so that it is valid whatever n.
    pub fn categorical(title: &str, unit: &'static str, labels: Vec<String>) -> Self {
        let slots = labels
            .into_iter()
            .enumerate()
            .map(|(i, l)| (l, i))
            .collect();
        Self::categorical_in_slots(title, unit, slots)
    }

    /// A categorical scale whose categories name their colour: `(label, slot)` is coloured
    /// `CATEGORICAL[slot % 24]`, hatched when `slot / 24` is odd. For categories that must keep their colour from map to map
    /// (a channel is the same colour on every floor, whichever other channels are present).
    pub fn categorical_in_slots(
        title: &str,
        unit: &'static str,
        slots: Vec<(String, usize)>,
    ) -> Self {
        let n = slots.len().max(1);
        ColourScale {
            min: -0.5,
            max: n as f64 - 0.5,
            unit,
            title: title.to_string(),
            palette: Palette::Survey,
            reverse: false,
            categories: slots
                .into_iter()
                .map(|(label, slot)| Category {
                    label,
                    colour: CATEGORICAL[slot % CATEGORICAL.len()],
                    hatched: (slot / CATEGORICAL.len()) % 2 == 1,
                })
                .collect(),
        }
    }

    /// Whether the scale is categorical (painted cell by cell, legend of swatches).
    pub fn is_categorical(&self) -> bool {
        !self.categories.is_empty()
    }

    /// The same scale with another legend heading.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Whether the range is usable: both ends finite and `min < max`.
    pub fn is_valid(&self) -> bool {
        self.min.is_finite() && self.max.is_finite() && self.min < self.max
    }

    /// Position of `value` along the scale, 0 at `min` and 1 at `max`, clamped; NaN or an
    /// invalid range read as the middle.
    pub fn position(&self, value: f64) -> f64 {
        if !self.is_valid() || value.is_nan() {
            return 0.5;
        }
        ((value - self.min) / (self.max - self.min)).clamp(0.0, 1.0)
    }

    /// The colour of `value`. Values outside the range are clamped to its ends. Callers mask
    /// missing values before asking; NaN gets the middle colour rather than a panic.
    pub fn colour(&self, value: f64) -> [u8; 3] {
        if let Some(last) = self.categories.len().checked_sub(1) {
            let i = if value.is_finite() {
                value.round().clamp(0.0, last as f64) as usize
            } else {
                0
            };
            return self.categories[i].colour;
        }
        let t = self.position(value);
        self.palette.sample(if self.reverse { 1.0 - t } else { t })
    }

    /// Whether `value`'s category is hatched (never, on a continuous scale).
    pub fn hatched(&self, value: f64) -> bool {
        let Some(last) = self.categories.len().checked_sub(1) else {
            return false;
        };
        let i = if value.is_finite() {
            value.round().clamp(0.0, last as f64) as usize
        } else {
            0
        };
        self.categories[i].hatched
    }

    /// Round tick values for the legend: steps of 1, 2 or 5 × 10ⁿ, about six of them, all
    /// within the range. Empty for an invalid range.
    pub fn ticks(&self) -> Vec<f64> {
        if self.is_categorical() {
            return Vec::new();
        }
        let Some(step) = self.tick_step() else {
            return Vec::new();
        };
        let first = (self.min / step).ceil();
        let last = (self.max / step).floor();
        // Integer tick indices, so the values do not drift by accumulated rounding.
        let count = (last - first).max(-1.0) as i64 + 1;
        (0..count.min(100))
            .map(|k| (first + k as f64) * step)
            .collect()
    }

    /// A tick value as printed on the legend, with a true minus sign.
    pub fn format_tick(&self, value: f64) -> String {
        let decimals = match self.tick_step() {
            Some(step) if step < 1.0 => (-step.log10().floor()).clamp(0.0, 6.0) as usize,
            _ => 0,
        };
        format_number(value, decimals)
    }

    fn tick_step(&self) -> Option<f64> {
        if !self.is_valid() {
            return None;
        }
        let raw = (self.max - self.min) / 6.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw * 0.999)?;
        (step.is_finite() && step > 0.0).then_some(step)
    }
}

/// `value` with `decimals` places and U+2212 MINUS SIGN instead of a hyphen; never "−0".
pub(crate) fn format_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let negative_zero = text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    if negative_zero {
        text.trim_start_matches('-').to_string()
    } else {
        text.replacen('-', "\u{2212}", 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hue_degrees([r, g, b]: [u8; 3]) -> f64 {
        let (r, g, b) = (r as f64 / 255.0, g as f64 / 255.0, b as f64 / 255.0);
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let d = max - min;
        if d == 0.0 {
            return 0.0;
        }
        let h = if max == r {
            ((g - b) / d).rem_euclid(6.0)
        } else if max == g {
            (b - r) / d + 2.0
        } else {
            (r - g) / d + 4.0
        };
        h * 60.0
    }

    fn luminance([r, g, b]: [u8; 3]) -> f64 {
        0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64
    }

    #[test]
    fn signal_endpoints_are_red_and_green() {
        let s = ColourScale::signal(Palette::Survey);
        assert_eq!(s.colour(-90.0), [0xd7, 0x30, 0x27]);
        assert_eq!(s.colour(-30.0), [0x1a, 0x98, 0x50]);
        // Clamped beyond the ends.
        assert_eq!(s.colour(-120.0), s.colour(-90.0));
        assert_eq!(s.colour(0.0), s.colour(-30.0));
        let [r, g, _] = s.colour(-40.0);
        assert!(g > r, "strong signal should be green");
        let [r, g, _] = s.colour(-85.0);
        assert!(r > g, "weak signal should be red");
    }

    #[test]
    fn survey_hue_rises_from_red_to_green() {
        let s = ColourScale::signal(Palette::Survey);
        let mut previous = -1.0;
        for i in 0..=240 {
            let v = -90.0 + 60.0 * i as f64 / 240.0;
            let h = hue_degrees(s.colour(v));
            assert!(
                h >= previous - 1.0,
                "hue fell from {previous} to {h} at {v} dBm"
            );
            previous = previous.max(h);
        }
        assert!(previous > 120.0);
    }

    #[test]
    fn cividis_lightness_rises_and_reverse_flips() {
        let s = ColourScale::snr(Palette::Cividis);
        let mut previous = -1.0;
        for i in 0..=200 {
            let l = luminance(s.colour(50.0 * i as f64 / 200.0));
            assert!(l > previous, "lightness must rise steadily");
            previous = l;
        }
        let reversed = ColourScale {
            reverse: true,
            ..s.clone()
        };
        assert_eq!(reversed.colour(0.0), s.colour(50.0));
        assert_eq!(reversed.colour(50.0), s.colour(0.0));
    }

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            ColourScale::signal(Palette::Survey).ticks(),
            vec![-90.0, -80.0, -70.0, -60.0, -50.0, -40.0, -30.0]
        );
        assert_eq!(
            ColourScale::snr(Palette::Survey).ticks(),
            vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
        let odd = ColourScale {
            min: -0.3,
            max: 0.9,
            ..ColourScale::snr(Palette::Survey)
        };
        assert_eq!(odd.ticks().len(), 6); // −0.2 … 0.8 in steps of 0.2
        assert_eq!(odd.format_tick(-0.2), "\u{2212}0.2");
        let broken = ColourScale {
            min: 1.0,
            max: 1.0,
            ..ColourScale::snr(Palette::Survey)
        };
        assert!(broken.ticks().is_empty());
        assert_eq!(broken.colour(1.0), Palette::Survey.sample(0.5));
    }

    #[test]
    fn categories_take_the_documented_colours_in_order() {
        let s = ColourScale::categorical("Channel", "", vec!["a".into(), "b".into(), "c".into()]);
        assert!(s.is_valid() && s.is_categorical() && s.ticks().is_empty());
        // Okabe–Ito orange, sky blue, bluish green.
        assert_eq!(s.colour(0.0), [230, 159, 0]);
        assert_eq!(s.colour(1.0), [86, 180, 233]);
        assert_eq!(s.colour(2.2), [0, 158, 115]);
        assert_eq!(s.colour(9.0), s.colour(2.0));
        // Twenty-five categories: the twenty-fifth repeats the first's colour, hatched.
        let many = ColourScale::categorical("C", "", (0..25).map(|i| i.to_string()).collect());
        assert_eq!(many.categories[24].colour, many.categories[0].colour);
        assert!(many.categories[24].hatched && !many.categories[23].hatched);
        // Named slots: the category keeps its slot's colour whatever its position.
        let slotted =
            ColourScale::categorical_in_slots("C", "", vec![("x".into(), 2), ("y".into(), 25)]);
        assert_eq!(slotted.colour(0.0), CATEGORICAL[2]);
        assert_eq!(slotted.colour(1.0), CATEGORICAL[1]);
    }

    /// CIE L*a*b* (D65) of an sRGB colour.
    fn lab([r, g, b]: [u8; 3]) -> [f64; 3] {
        let linear = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (linear(r), linear(g), linear(b));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    #[test]
    fn twenty_four_categorical_colours_all_differ() {
        for (i, a) in CATEGORICAL.iter().enumerate() {
            let la = lab(*a);
            // Not grey (unsurveyed) and not near-black (text, contours, APs).
            assert!(la[1].hypot(la[2]) > 15.0, "colour {i} is greyish");
            assert!(la[0] > 20.0, "colour {i} is too dark");
            for (j, b) in CATEGORICAL.iter().enumerate().skip(i + 1) {
                let lb = lab(*b);
                let delta =
                    ((la[0] - lb[0]).powi(2) + (la[1] - lb[1]).powi(2) + (la[2] - lb[2]).powi(2))
                        .sqrt();
                assert!(delta >= 14.0, "colours {i} and {j}: ΔE {delta:.1}");
            }
        }
    }

    #[test]
    fn channels_of_a_site_get_distinct_slots_in_the_fixed_order() {
        use Band::*;
        // Eighteen channels, the collisions among them (1 = 52 = 149, 6 = 60 = 157).
        let mut channels = vec![
            (G5, 149),
            (G5, 52),
            (G2_4, 6),
            (G5, 60),
            (G5, 157),
            (G2_4, 1),
        ];
        channels.extend([36, 40, 44, 48, 56, 64, 100, 104, 108, 112, 116].map(|c| (G5, c)));
        channels.extend([(G2_4, 11), (G2_4, 1)]);
        let slots = channel_slots(channels.clone());
        assert_eq!(slots.len(), 18);
        assert_eq!(slots[&(G2_4, 1)], 0);
        assert_eq!(slots[&(G2_4, 6)], 1);
        assert_eq!(slots[&(G2_4, 11)], 2);
        assert_eq!(slots[&(G5, 36)], 3);
        let scale = ColourScale::categorical_in_slots(
            "Channel",
            "",
            slots.iter().map(|(k, s)| (format!("{k:?}"), *s)).collect(),
        );
        let colours: std::collections::BTreeSet<[u8; 3]> =
            scale.categories.iter().map(|c| c.colour).collect();
        assert_eq!(colours.len(), 18);
        // Thirty channels: colours repeat from the 25th, but never with the same hatching.
        let wide = channel_slots((0..30u16).map(|i| (G6, 1 + 4 * i)));
        let scale = ColourScale::categorical_in_slots(
            "Channel",
            "",
            wide.iter().map(|(k, s)| (format!("{k:?}"), *s)).collect(),
        );
        let looks: std::collections::BTreeSet<([u8; 3], bool)> = scale
            .categories
            .iter()
            .map(|c| (c.colour, c.hatched))
            .collect();
        assert_eq!(looks.len(), 30);
    }

    #[test]
    fn minus_sign_and_no_negative_zero() {
        assert_eq!(format_number(-65.0, 0), "\u{2212}65");
        assert_eq!(format_number(-0.01, 0), "0");
        assert_eq!(format_number(12.5, 1), "12.5");
    }
}
