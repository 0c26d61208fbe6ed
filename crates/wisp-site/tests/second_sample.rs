//! The second sample site (samples/renal-unit): our network beside the shops next door, whose
//! two routers are heard through the party wall on the channels of our AP-G-03. Each rule of
//! issue 13 ("Our network", "One judge", "Verdicts") held on it through the library, with the
//! expectations written by hand from the site's design (samples/renal-unit/README.md).

use std::collections::BTreeMap;
use wisp_coverage::{Criterion, Verdict, ZoneResult};
use wisp_model::OurNetwork;
use wisp_site::check::check_site;
use wisp_site::pipeline::{self, Filters, Loaded};

/// The shops' APs: base BSSIDs 02:5e:77:00:0N:00 (samples/renal-unit/aps.toml).
const NEIGHBOUR_PREFIX: &str = "02:5e:77";

fn loaded() -> Loaded {
    pipeline::load(&wisp_site::second_sample_site(), None).expect("the second sample site loads")
}

/// The verdict each zone should get, from the design: the east rooms and corridor fail on the
/// shops' co-channel, Ward 9 was never walked, everything else is near one of our APs.
fn expected() -> BTreeMap<&'static str, Verdict> {
    BTreeMap::from([
        ("Ward 9 (closed)", Verdict::NotEnoughData),
        ("Dialysis bay (8 beds)", Verdict::Pass),
        ("Treatment room", Verdict::Pass),
        ("Dirty utility", Verdict::Pass),
        ("Consulting room A", Verdict::Fail),
        ("Main corridor", Verdict::Fail),
        ("Waiting", Verdict::Pass),
        ("Nurses' station", Verdict::Pass),
        ("Clinic office", Verdict::Pass),
        ("Consulting room B", Verdict::Fail),
    ])
}

fn zone<'a>(zones: &'a [ZoneResult], name: &str) -> &'a ZoneResult {
    zones
        .iter()
        .find(|z| z.zone == name)
        .unwrap_or_else(|| panic!("zone {name} missing"))
}

fn analyse(loaded: &Loaded, filters: &Filters) -> wisp_site::pipeline::FloorAnalysis {
    let floor = &loaded.site.floors[0];
    let samples = pipeline::samples_of(&loaded.survey, &floor.floor.id);
    pipeline::analyse_with(&loaded.site, floor, samples, filters).expect("floor G analyses")
}

#[test]
fn check_and_plan_give_every_zone_the_same_verdict_and_no_neighbour_is_replanned() {
    let loaded = loaded();
    let check = check_site(&loaded).unwrap();
    let checked: BTreeMap<&str, Verdict> = check
        .zones()
        .map(|(_, z)| (z.zone.as_str(), z.verdict))
        .collect();
    let want = expected();
    assert_eq!(
        checked, want,
        "wisp check's verdicts differ from the site's design"
    );
    let floors: Vec<&wisp_ingest::SiteFloor> = loaded.site.floors.iter().collect();
    let planned = wisp_site::plan::plan_floors(
        &loaded,
        &floors,
        None,
        &wisp_plan::PlanOptions::default(),
        &Default::default(),
    )
    .unwrap();
    let (_, _, plan) = &planned.floors[0];
    // One judge: the plan's "before" is check's verdict, zone by zone (compared here directly,
    // not through `plan_disagreements`, which is checked against this).
    assert_eq!(plan.zones.len(), want.len());
    let checked_zones: Vec<&ZoneResult> = check.zones().map(|(_, z)| z).collect();
    for z in &plan.zones {
        let before = z
            .verdict_before
            .as_ref()
            .expect("a survey-anchored plan judges before");
        assert_eq!(before.verdict, checked[z.zone.as_str()], "{}", z.zone);
        let c = checked_zones.iter().find(|c| c.zone == z.zone).unwrap();
        assert_eq!(before.surveyed_share, c.surveyed_share, "{}", z.zone);
        assert_eq!(before.dead_area_m2, c.dead_area_m2, "{}", z.zone);
    }
    let document = planned.document();
    assert!(check.plan_disagreements(&document).is_empty());
    // …and the helper does see a disagreement when there is one.
    let mut forged = document.clone();
    let ward = forged
        .zones
        .iter_mut()
        .find(|z| z.zone == "Waiting")
        .unwrap();
    ward.verdict_before.as_mut().unwrap().verdict = Verdict::Fail;
    assert_eq!(check.plan_disagreements(&forged).len(), 1);

    // The plan never changes a neighbour: no channel change, no AP and no BOM line of theirs.
    for c in &plan.channel_changes {
        assert!(
            !c.ap.starts_with(NEIGHBOUR_PREFIX),
            "re-channels a neighbour: {c:?}"
        );
    }
    let existing: Vec<&str> = plan
        .aps
        .iter()
        .filter(|a| !a.new)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        existing,
        [
            "AP-G-01 corridor by the dialysis bay",
            "AP-G-02 corridor by the nurses' station",
            "AP-G-03 corridor, east end"
        ]
    );
    let bom = wisp_site::plan::bom_csv(&planned.floors).unwrap();
    assert!(
        !bom.contains(NEIGHBOUR_PREFIX) && !bom.contains("Parade"),
        "{bom}"
    );
    // The channel changes the BOM counts are ours, one line each.
    let changes = bom
        .lines()
        .find(|l| l.starts_with("Channel change"))
        .map_or(0, |l| {
            l.split(',').nth(1).unwrap().parse::<usize>().unwrap()
        });
    assert_eq!(changes, plan.channel_changes.len());
    // A zone the shops' co-channel still fails after the plan says so, naming their radios.
    for name in ["Consulting room A", "Consulting room B"] {
        let z = plan.zones.iter().find(|z| z.zone == name).unwrap();
        let after = z.verdict_after.as_ref().unwrap();
        if after.verdict == Verdict::Fail {
            let limit = z
                .limits
                .iter()
                .find(|l| l.criterion == Criterion::CoChannel)
                .unwrap_or_else(|| panic!("{name} fails after with no reason: {:?}", z.limits));
            assert_eq!(limit.reason, wisp_plan::LimitReason::NeighbourCochannel);
            assert!(limit.detail.contains(NEIGHBOUR_PREFIX), "{}", limit.detail);
        }
    }
}

#[test]
fn the_neighbour_is_interference_never_coverage() {
    let loaded = loaded();
    let ours = analyse(&loaded, &Filters::default());
    let layers = ours.layers.as_ref().unwrap();
    let (theirs, mine): (Vec<_>, Vec<_>) = layers
        .radios
        .iter()
        .partition(|r| r.bssids.iter().any(|b| b.starts_with(NEIGHBOUR_PREFIX)));
    // 2 shop APs × 2 bands, 3 of ours × 2 bands; "ours" exactly as the manifest's network says.
    assert_eq!((theirs.len(), mine.len()), (4, 6));
    assert!(theirs.iter().all(|r| !r.is_ours));
    assert!(mine.iter().all(|r| r.is_ours));
    // Every surveyed cell is served by one of our radios, never a shop's.
    let g = *layers.primary.geometry();
    let mut served = 0;
    for r in 0..g.rows() {
        for c in 0..g.cols() {
            let s = *layers.serving.get(r, c).unwrap();
            if *layers.surveyed.get(r, c).unwrap() {
                assert_ne!(s, wisp_interp::layers::NO_RADIO);
                assert!(
                    layers.radios[s as usize].is_ours,
                    "cell {r},{c} served by a neighbour"
                );
                served += 1;
            }
        }
    }
    assert!(served > 1000);
    // Counted as coverage, the shops would raise the primary signal by the party wall: the
    // difference is what the network rule keeps out.
    let mut everything = loaded;
    everything.site.network = OurNetwork::everything();
    let all = analyse(&everything, &Filters::default());
    let all_layers = all.layers.as_ref().unwrap();
    let mut raised = 0;
    for (a, o) in all_layers
        .primary
        .values()
        .iter()
        .zip(layers.primary.values().iter())
    {
        if a.is_finite() && o.is_finite() {
            assert!(a >= o, "counting more radios lowered the primary");
            raised += usize::from(a > o);
        }
    }
    assert!(
        raised > 50,
        "only {raised} cells where the shops beat our APs"
    );
}

#[test]
fn the_cochannel_zone_fails_for_cochannel_from_the_neighbour_only() {
    let loaded = loaded();
    let ours = analyse(&loaded, &Filters::default());
    for name in ["Consulting room A", "Consulting room B", "Main corridor"] {
        let z = zone(&ours.zones, name);
        assert_eq!(z.verdict, Verdict::Fail, "{name}");
        assert!(z.dead_area_m2 > 0.0);
        assert!(
            z.dead_zones
                .iter()
                .all(|d| d.criterion == Criterion::CoChannel),
            "{name}: {:?}",
            z.dead_zones.iter().map(|d| d.criterion).collect::<Vec<_>>()
        );
        for c in &z.criteria {
            if c.criterion != Criterion::CoChannel {
                assert_eq!(c.pass_share, 1.0, "{name} {:?}", c.criterion);
            }
        }
        // 95th percentile of the count: 2 other radios on the serving channel (both shops').
        let co = z
            .criteria
            .iter()
            .find(|c| c.criterion == Criterion::CoChannel)
            .unwrap();
        assert_eq!(co.p5, 2.0, "{name}");
    }
    // Without the shops' SSID (our SSIDs only), the same zones pass: the interference is theirs.
    let ours_only = Filters {
        ssids: vec!["NHS-Clinical".into(), "NHS-Voice".into()],
        ..Default::default()
    };
    let quiet = analyse(&loaded, &ours_only);
    for name in ["Consulting room A", "Consulting room B", "Main corridor"] {
        assert_eq!(zone(&quiet.zones, name).verdict, Verdict::Pass, "{name}");
    }
}

#[test]
fn the_unsurveyed_zone_is_not_surveyed_and_never_dead() {
    let loaded = loaded();
    let floor = &loaded.site.floors[0];
    let ward = floor
        .floor
        .zones
        .iter()
        .find(|z| z.name == "Ward 9 (closed)")
        .unwrap();
    let (lo, hi) = ward.polygon.bounds();
    // By hand: no scan within the survey range of the ward (a rectangle).
    let samples = pipeline::samples_of(&loaded.survey, "G");
    assert!(!samples.is_empty());
    for s in samples {
        let dx = (lo.x - s.x_m).max(s.x_m - hi.x).max(0.0);
        let dy = (lo.y - s.y_m).max(s.y_m - hi.y).max(0.0);
        assert!(
            dx.hypot(dy) > floor.floor.survey_range_m,
            "{} is within {} m of Ward 9",
            s.source,
            floor.floor.survey_range_m
        );
    }
    let analysis = analyse(&loaded, &Filters::default());
    let z = zone(&analysis.zones, "Ward 9 (closed)");
    assert_eq!(z.surveyed_share, 0.0);
    assert_eq!(z.verdict, Verdict::NotEnoughData);
    assert!(z.dead_zones.is_empty());
    assert_eq!(z.dead_area_m2, 0.0);
}
