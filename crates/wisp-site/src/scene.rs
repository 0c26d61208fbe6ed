//! A report run: every floor analysed once into its scene (its part of the PDF and of a bundle,
//! and its floor of the HTML report, every map drawn once), then the site's report laid out.

use crate::check::SiteCheck;
use crate::maps::{survey_channel_slots, ChannelSlots, FloorPictures};
use crate::pipeline::{self, FloorAnalysis, FloorJob, FloorOutcome, Loaded, Progress, RunOptions};
use crate::plan::PlanFile;
use crate::report::{assemble, extras, floor_part_with, FloorPart, SiteFacts};
use crate::Error;
use wisp_ingest::{FileReport, Site};
use wisp_render::{Paper, Report};

/// What a report run asks for beyond the site: the plan to illustrate, whether to make the
/// HTML report too, paper size and the report's date (the caller reads the clock).
#[derive(Debug, Clone, Copy)]
pub struct ReportRequest<'a> {
    pub plan: Option<&'a PlanFile>,
    pub html: bool,
    pub paper: Paper,
    pub date: &'a str,
    /// Where each floor's pictures wait for the PDF (a temporary file beside the output), so
    /// that a report's memory does not grow with its floors; None keeps them in memory.
    pub spool: Option<&'a std::sync::Arc<wisp_render::PngSpool>>,
    /// The run writes a shard bundle (`wisp report --shard`), whose zone results keep every
    /// dead zone's outline for `wisp merge`'s check JSON. A PDF or HTML report needs the
    /// outlines only while the floor's maps are drawn, so its parts keep none.
    pub bundle: bool,
}

/// One floor of a report run: its part of the PDF (and of a bundle) and, when asked for, its
/// floor of the HTML report, made from one analysis with every map drawn once.
pub struct FloorScene {
    pub part: FloorPart,
    pub html: Option<wisp_render::HtmlFloor>,
}

/// The scene of the floor a run's worker holds.
/// `channel_slots` colours the channel map, the same for every floor of the run.
pub fn floor_scene(
    job: &FloorJob<'_>,
    analysis: &FloorAnalysis,
    request: &ReportRequest<'_>,
    channel_slots: Option<&ChannelSlots>,
) -> Result<FloorScene, Error> {
    let pictures = FloorPictures::new(job.site, job.floor, analysis, job.samples)
        .with_channel_slots(channel_slots);
    let plan = request.plan.and_then(|p| p.floor(&job.floor.floor.id));
    job.step("drawing heatmaps");
    let mut part = floor_part_with(&pictures, job.index, plan, request.bundle)?;
    if let Some(spool) = request.spool {
        part = part.spooled(spool)?;
    }
    let html = if request.html {
        job.step("drawing the interactive map");
        // The same charts as the PDF's, computed once.
        let mut floor = crate::html::html_floor(&pictures, plan)?;
        floor.charts = crate::html::html_charts(&part.charts);
        Some(floor)
    } else {
        None
    };
    Ok(FloorScene { part, html })
}

/// Every floor of the site (or of `opts.shard`) analysed once, in parallel, into its scene;
/// each floor's layers are dropped as soon as its scene is made. Every floor's channel map
/// takes its colours from the channels heard anywhere in the survey, so a channel has one
/// colour throughout the report.
pub fn report_floors(
    site: &Site,
    survey: Option<&wisp_model::Survey>,
    opts: &RunOptions,
    progress: &dyn Progress,
    request: &ReportRequest<'_>,
) -> Vec<FloorOutcome<FloorScene>> {
    let channel_slots = survey.map(survey_channel_slots);
    pipeline::analyse_site_with(site, survey, opts, progress, |job, analysis| {
        floor_scene(job, &analysis, request, channel_slots.as_ref())
    })
}

/// A site's report: its facts, every floor's part in manifest order, the laid-out report and,
/// when asked for, the HTML document.
pub struct SiteReport {
    pub facts: SiteFacts,
    pub parts: Vec<FloorPart>,
    pub report: Report,
    /// The HTML report's content, when asked for ([`SiteReport::html_document`] writes it).
    pub html: Option<wisp_render::HtmlReport>,
}

impl SiteReport {
    /// The HTML report as one self-contained document, when it was asked for.
    pub fn html_document(&self) -> Result<Option<String>, Error> {
        Ok(self
            .html
            .as_ref()
            .map(wisp_render::report_html)
            .transpose()?)
    }

    /// The PDF, with each floor's dead-zone close-ups and plan page.
    pub fn pdf(&self) -> Result<Vec<u8>, Error> {
        Ok(wisp_render::report_pdf_with(
            &self.report,
            &extras(self.parts.clone()),
        )?)
    }

    /// [`SiteReport::pdf`] written to `path` as it is drawn, never held whole in memory
    /// (atomically: a reader sees the old file or the new one). Consumes the report: its
    /// floors' parts are moved into the PDF's extras rather than copied (see [`extras`]).
    pub fn write_pdf(self, path: &std::path::Path) -> Result<(), Error> {
        wisp_render::write_report_pdf(path, &self.report, &extras(self.parts))
            .map_err(Error::output)
    }
}

/// Lays out the report of a run's scenes (from [`report_floors`]); floors that failed get a note.
pub fn site_report(
    site: &Site,
    outcomes: Vec<FloorOutcome<FloorScene>>,
    request: &ReportRequest<'_>,
) -> Result<SiteReport, Error> {
    let facts = SiteFacts::of(site, &outcomes).with_plan(request.plan);
    let mut parts = Vec::new();
    let mut html_floors = Vec::new();
    for o in outcomes {
        match o.result {
            Ok(scene) => {
                parts.push(scene.part);
                html_floors.extend(scene.html);
            }
            Err(e) => parts.push(FloorPart::failed(site, o.index, &o.id, &e)),
        }
    }
    lay_out(facts, parts, html_floors, request)
}

/// The report of a checked site, every floor's analysis in hand (as `wisp demo` has them after
/// `wisp check`'s run): each floor's scene made from its analysis, as a run makes it.
pub fn checked_site_report(
    loaded: &Loaded,
    check: &SiteCheck,
    request: &ReportRequest<'_>,
) -> Result<SiteReport, Error> {
    let site = &loaded.site;
    let channel_slots = survey_channel_slots(&loaded.survey);
    let mut parts = Vec::new();
    let mut html_floors = Vec::new();
    for (index, sf) in site.floors.iter().enumerate() {
        let id = &sf.floor.id;
        if let Some((_, analysis)) = check.floors.iter().find(|(f, _)| f == id) {
            let samples = pipeline::samples_of(&loaded.survey, id);
            let job = FloorJob::alone(index, site, sf, samples);
            let scene = floor_scene(&job, analysis, request, Some(&channel_slots))?;
            parts.push(scene.part);
            html_floors.extend(scene.html);
        } else if let Some((_, e)) = check.failed.iter().find(|(f, _)| f == id) {
            parts.push(FloorPart::failed(site, index, id, e));
        }
    }
    let reports: Vec<&FileReport> = loaded.reports.iter().collect();
    let facts = SiteFacts::with_reports(site, &reports).with_plan(request.plan);
    lay_out(facts, parts, html_floors, request)
}

/// The site's report from its facts and its floors' parts (in manifest order) and HTML floors.
fn lay_out(
    facts: SiteFacts,
    parts: Vec<FloorPart>,
    html_floors: Vec<wisp_render::HtmlFloor>,
    request: &ReportRequest<'_>,
) -> Result<SiteReport, Error> {
    let report = assemble(&facts, &parts, request.paper, request.date)?;
    let html = if request.html {
        // The HTML shows the floors that could be drawn, each with its own text.
        let drawn: Vec<usize> = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.error.is_none())
            .map(|(i, _)| i)
            .collect();
        let mut text = report.clone();
        text.floors = drawn.iter().map(|&i| report.floors[i].clone()).collect();
        Some(crate::html::html_of(html_floors, &text))
    } else {
        None
    };
    Ok(SiteReport {
        facts,
        parts,
        report,
        html,
    })
}
