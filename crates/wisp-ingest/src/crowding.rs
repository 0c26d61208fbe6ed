//! Positions that are surely a units or scale mistake, judged together: a walk's scans or a set
//! of stop-and-go points all crowded into one corner of the plan (metres read as pixels), or a
//! walk shrunk into a small patch (a wrong scale). One rule for placement and the manifest.
//! Placement asks it only of walks that do not move at walking pace: a shrunk walk is slowed by
//! the factor that shrank it (`placement::WALKING_PACE_MPS`).

use wisp_model::Point;

/// Why a set of positions (plan metres) is surely a units or scale mistake: every one within
/// one of the plan's corner tenths (metres read as pixels, measured from that corner), or in a
/// patch far smaller than the plan (a wrong scale; only with `patch_rule`: a walk spans its
/// floor, but a surveyor's stop-and-go points may all be in one room); `None` for fewer than
/// three distinct positions, which say nothing about their spread. `what` names them ("scans",
/// "stop-and-go points"); `set_units` and `units_px` as for [`crate::placement::placement_mistake`].
pub fn crowding_mistake(
    points: &[Point],
    size: Point,
    what: &str,
    patch_rule: bool,
    (set_units, units_px): (&str, bool),
) -> Option<String> {
    let mut distinct: Vec<(u64, u64)> = points
        .iter()
        .map(|p| (p.x.to_bits(), p.y.to_bits()))
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 3 {
        return None;
    }
    let (mut lo, mut hi) = (
        Point::new(f64::INFINITY, f64::INFINITY),
        Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
    );
    for p in points {
        lo = Point::new(lo.x.min(p.x), lo.y.min(p.y));
        hi = Point::new(hi.x.max(p.x), hi.y.max(p.y));
    }
    let (tenth_x, tenth_y) = (size.x / CROWDED_SHARE, size.y / CROWDED_SHARE);
    let fix_metres = if units_px {
        format!(
            "if the positions are metres, set {}",
            set_units.replace("{}", "m")
        )
    } else {
        "check the positions' units".to_string()
    };
    let west = hi.x <= tenth_x;
    let east = lo.x >= size.x - tenth_x;
    let north = hi.y <= tenth_y;
    let south = lo.y >= size.y - tenth_y;
    let corner = match (north, south, west, east) {
        (true, _, true, _) => Some("top-left"),
        (true, _, _, true) => Some("top-right"),
        (_, true, true, _) => Some("bottom-left"),
        (_, true, _, true) => Some("bottom-right"),
        _ => None,
    };
    let plan = format!(
        "({:.1} m × {:.1} m of a {:.1} m × {:.1} m plan)",
        tenth_x, tenth_y, size.x, size.y
    );
    match corner {
        Some("top-left") => Some(format!(
            "every one of the {} {what} lies within the plan's top-left tenth {plan}: the positions look like metres read as pixels; {fix_metres}",
            points.len()
        )),
        Some(corner) => Some(format!(
            "every one of the {} {what} lies within the plan's {corner} tenth {plan}: the positions look measured from that corner (wisp's are from the plan's top-left, x right, y down) and shrunk, as metres read as pixels are; measure x from the left and y downwards, and {fix_metres}",
            points.len()
        )),
        None if patch_rule
            && hi.x - lo.x <= size.x / CLUSTER_SHARE
            && hi.y - lo.y <= size.y / CLUSTER_SHARE =>
        {
            Some(format!(
                "every one of the {} {what} lies in a {:.1} m × {:.1} m patch at ({:.1}, {:.1}) m of a {:.1} m × {:.1} m plan, far smaller than a walk of the floor: the positions' units or the floor's metres_per_pixel look wrong; {fix_metres}, or check metres_per_pixel{}",
                points.len(),
                hi.x - lo.x,
                hi.y - lo.y,
                (lo.x + hi.x) / 2.0,
                (lo.y + hi.y) / 2.0,
                size.x,
                size.y,
                " (a survey of one spot is a stop-and-go capture: give it --at or FILE@X,Y)"
            ))
        }
        None => None,
    }
}

/// A walk all of whose scans lie within this fraction (1/10) of the plan's width and height
/// from one of its corners is refused as shrunk (metres read as pixels shrink it 20-fold at
/// 0.05 m/px). An *estimate*: a real walk of a floor reaches further than a tenth of it.
const CROWDED_SHARE: f64 = 10.0;

/// A walk anywhere spanning no more than this fraction (1/20) of the plan in both directions is
/// refused as a wrong scale. An *estimate*, stricter than the corner rule because a surveyor may
/// walk one room: on a 72 m × 30 m floor, 3.6 m × 1.5 m.
const CLUSTER_SHARE: f64 = 20.0;
