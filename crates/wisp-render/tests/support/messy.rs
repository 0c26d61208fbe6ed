//! A messy floor built in code, like a real one rather than the tidy sample: an irregular
//! outline (a notch and a bevel), 60+ zones with 60-character names down to small side rooms,
//! many separate walks and stop-and-go points, 48 APs on 18 channels with 384 BSSIDs, APs
//! clustered on one spot, and dead zones at the plan's edges.
//!
//! Everything is derived from indices (no randomness), so the fixture is the same every run.

#![allow(dead_code)]

use image::{Rgba, RgbaImage};
use wisp_model::{
    AccessPoint, ApRadio, Band, Bssid, Floor, Grid, GridGeometry, PlanCalibration, Point, Polygon,
    Sample, Zone, ZoneKind,
};
use wisp_render::{Marker, MarkerKind, Outline};

/// 120 × 60 m at 0.05 m per pixel.
pub const MESSY_W: u32 = 2400;
pub const MESSY_H: u32 = 1200;
pub const MESSY_MPP: f64 = 0.05;

/// The 18 channels the fixture's APs use: 1/6/11 and fifteen 5 GHz channels.
pub const MESSY_CHANNELS: [(Band, u16); 18] = [
    (Band::G2_4, 1),
    (Band::G2_4, 6),
    (Band::G2_4, 11),
    (Band::G5, 36),
    (Band::G5, 40),
    (Band::G5, 44),
    (Band::G5, 48),
    (Band::G5, 52),
    (Band::G5, 56),
    (Band::G5, 60),
    (Band::G5, 64),
    (Band::G5, 100),
    (Band::G5, 104),
    (Band::G5, 108),
    (Band::G5, 112),
    (Band::G5, 116),
    (Band::G5, 132),
    (Band::G5, 149),
];

pub struct Messy {
    pub floor: Floor,
    pub plan: RgbaImage,
    pub samples: Vec<Sample>,
    pub markers: Vec<Marker>,
    pub outlines: Vec<Outline>,
    /// A signal layer over the floor, −90 … −35 dBm.
    pub layer: Grid<f32>,
}

const WORDS: [&str; 12] = [
    "Acute Medical Unit",
    "Paediatric Outpatients",
    "Haematology Day Case",
    "Respiratory Support",
    "Maternity Assessment",
    "Cardiology Investigations",
    "Elderly Care Rehabilitation",
    "Orthopaedic Trauma",
    "Renal Dialysis",
    "Endoscopy Recovery",
    "Stroke Unit Hyperacute",
    "Ophthalmology Clinic",
];

/// A zone name of exactly 60 characters.
pub fn zone_name(i: usize) -> String {
    let base = format!(
        "{} - Room {:02} ({} side, isolation capable)",
        WORDS[i % WORDS.len()],
        i,
        if i.is_multiple_of(2) {
            "north"
        } else {
            "south"
        }
    );
    let mut name: String = base.chars().take(60).collect();
    while name.chars().count() < 60 {
        name.push('.');
    }
    name
}

fn outline() -> Polygon {
    Polygon::new(vec![
        Point::new(0.0, 0.0),
        Point::new(100.0, 0.0),
        Point::new(100.0, 15.0),
        Point::new(120.0, 15.0),
        Point::new(120.0, 60.0),
        Point::new(12.0, 60.0),
        Point::new(0.0, 48.0),
    ])
    .unwrap()
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon {
    Polygon::rectangle(Point::new(x0, y0), Point::new(x1, y1)).unwrap()
}

fn zones(outline: &Polygon) -> Vec<Zone> {
    let mut polygons = Vec::new();
    // Ten columns of 12 m by six rows of 10 m; every third cell split into four side rooms.
    for row in 0..6usize {
        for col in 0..10 {
            let (x0, y0) = (col as f64 * 12.0, row as f64 * 10.0);
            let cell = rect(x0 + 0.2, y0 + 0.2, x0 + 11.8, y0 + 9.8);
            if !cell.corners().iter().all(|c| outline.contains(*c)) {
                continue;
            }
            if (row * 10 + col).is_multiple_of(3) {
                for (dx, dy) in [(0.0, 0.0), (6.0, 0.0), (0.0, 5.0), (6.0, 5.0)] {
                    polygons.push(rect(
                        x0 + dx + 0.2,
                        y0 + dy + 0.2,
                        x0 + dx + 5.8,
                        y0 + dy + 4.8,
                    ));
                }
            } else {
                polygons.push(cell);
            }
        }
    }
    // An L-shaped ward whose centroid falls outside it.
    polygons.push(
        Polygon::new(vec![
            Point::new(100.5, 16.0),
            Point::new(119.5, 16.0),
            Point::new(119.5, 18.0),
            Point::new(102.5, 18.0),
            Point::new(102.5, 29.5),
            Point::new(100.5, 29.5),
        ])
        .unwrap(),
    );
    polygons
        .into_iter()
        .enumerate()
        .map(|(i, polygon)| Zone {
            name: zone_name(i),
            kind: ZoneKind::ALL[i % ZoneKind::ALL.len()],
            polygon,
            profile: "nhs-minimum".into(),
            no_ap: false,
        })
        .collect()
}

fn aps() -> Vec<AccessPoint> {
    let mut aps = Vec::new();
    for i in 0..48usize {
        // Three on almost one spot (as NEW-F4-05/06/07 were), the rest on a loose lattice.
        let at = if i < 3 {
            Point::new(60.0 + i as f64 * 0.3, 30.0 + i as f64 * 0.2)
        } else {
            Point::new(
                4.0 + (i % 9) as f64 * 12.5 + (i % 4) as f64,
                5.0 + (i / 9) as f64 * 10.5,
            )
        };
        let channel_24 = MESSY_CHANNELS[i % 3].1;
        let channel_5 = MESSY_CHANNELS[3 + i % 15].1;
        aps.push(AccessPoint {
            name: format!("NEW-F4-{i:02}"),
            position: at,
            radios: vec![
                ApRadio {
                    band: Band::G2_4,
                    channel: channel_24,
                    tx_dbm: 14.0,
                },
                ApRadio {
                    band: Band::G5,
                    channel: channel_5,
                    tx_dbm: 17.0,
                },
            ],
            ssids: vec![
                "NHS-Clinical".into(),
                "NHS-Voice".into(),
                "Guest".into(),
                "eduroam".into(),
            ],
            base_bssid: Some(Bssid([0x00, 0x3a, 0x99, 0x10, i as u8, 0x00])),
        });
    }
    aps
}

/// The survey: twelve walks along the corridors between rows (20 scans each, one capture
/// file per walk) and forty stop-and-go points (one capture each, three scans on one spot).
fn samples() -> Vec<Sample> {
    let mut samples = Vec::new();
    for w in 0..12usize {
        let y = 5.0 + (w % 6) as f64 * 10.0;
        let (x0, x1) = if w < 6 { (13.0, 58.0) } else { (62.0, 98.0) };
        for k in 0..20 {
            samples.push(Sample {
                x_m: x0 + (x1 - x0) * k as f64 / 19.0,
                y_m: y,
                t: None,
                source: format!("walk-{w:02}.csv:{}", k + 2),
                observations: Vec::new(),
                stale: Vec::new(),
            });
        }
    }
    for p in 0..40usize {
        let at = Point::new(14.0 + (p % 10) as f64 * 10.0, 8.0 + (p / 10) as f64 * 13.0);
        for scan in 0..3 {
            samples.push(Sample {
                x_m: at.x,
                y_m: at.y,
                t: None,
                source: format!("spot-{p:02}.pcap#{}", scan + 1),
                observations: Vec::new(),
                stale: Vec::new(),
            });
        }
    }
    samples
}

pub fn messy() -> Messy {
    let outline = outline();
    let zones = zones(&outline);
    let aps = aps();
    let floor = Floor {
        id: "F4".into(),
        name: "Level 4 - Acute Medical, Paediatrics, Haematology, Maternity".into(),
        calibration: PlanCalibration::new(MESSY_MPP).unwrap(),
        plan_size_px: (MESSY_W, MESSY_H),
        outline,
        materials: vec![],
        walls: vec![],
        zones,
        aps: aps.clone(),
        walk: None,
        survey_range_m: 5.0,
    };
    let plan = RgbaImage::from_fn(MESSY_W, MESSY_H, |x, y| {
        if x % 240 < 3 || y % 200 < 3 {
            Rgba([60, 60, 70, 255])
        } else {
            Rgba([245, 243, 238, 255])
        }
    });
    let geometry =
        GridGeometry::covering(Point::new(0.0, 0.0), Point::new(120.0, 60.0), 0.5).unwrap();
    let layer = Grid::from_fn(geometry, |r, c| {
        let p = Point::new(c as f64 * 0.5 + 0.25, r as f64 * 0.5 + 0.25);
        let nearest = aps
            .iter()
            .map(|ap| ap.position.distance(p))
            .fold(f64::INFINITY, f64::min);
        (-35.0 - 30.0 * (nearest.max(1.0)).log10()).clamp(-90.0, -35.0) as f32
    });
    let markers = aps
        .iter()
        .map(|ap| Marker {
            at: ap.position,
            label: format!("{} ch {}", ap.name, ap.radios[1].channel),
            kind: MarkerKind::MeasuredAp,
        })
        .collect();
    let square = |x: f64, y: f64, s: f64| {
        vec![
            Point::new(x, y),
            Point::new(x + s, y),
            Point::new(x + s, y + s),
            Point::new(x, y + s),
        ]
    };
    // Dead zones, two of them against the plan's edges.
    let outlines = vec![
        Outline {
            ring: square(0.5, 20.0, 4.0),
            label: "DZ-1 primary 16 m²".into(),
        },
        Outline {
            ring: square(115.0, 55.0, 4.5),
            label: "DZ-2 secondary 20 m²".into(),
        },
        Outline {
            ring: square(59.0, 29.0, 3.0),
            label: "DZ-3 co-channel 9 m²".into(),
        },
        Outline {
            ring: square(30.0, 0.5, 6.0),
            label: "DZ-4 primary 36 m²".into(),
        },
    ];
    Messy {
        floor,
        plan,
        samples: samples(),
        markers,
        outlines,
        layer,
    }
}
