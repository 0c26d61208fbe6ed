//! The local web server: the page (compiled in), the plan image, a small JSON API and
//! server-sent events for live updates.
//!
//! Every request must carry the session's token (`?token=` in the page's address, or the
//! `X-Wisp-Token` header the page sends); a request with an `Origin` must come from the page's
//! own origin; bodies are small JSON ([`BODY_LIMIT`]). A refused request writes nothing.

use crate::{Collector, Entry, Error, ErrorKind, Exported, Mode, PointKind};
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, Notify};

/// The page: plain HTML, CSS and JavaScript, no CDN, works offline.
pub const PAGE: &str = include_str!("page.html");

/// Largest request body (bytes): the API's bodies are a few numbers; 16 KiB is generous.
pub const BODY_LIMIT: usize = 16 << 10;

/// The header the page sends its token in.
pub const TOKEN_HEADER: &str = "x-wisp-token";

/// The server's shared state.
pub struct App {
    pub collector: Arc<Collector>,
    token: String,
    events: broadcast::Sender<String>,
    /// One scan at a time: stop-and-go points and the continuous loop take turns.
    scan_lock: tokio::sync::Mutex<()>,
    map_cache: Mutex<Option<(MapKey, Arc<Value>)>>,
    plan: (Vec<u8>, &'static str),
    shutdown: Notify,
}

type MapKey = (u64, String, Option<String>);

/// A random session token: 128 bits from the operating system's random source, as hex.
pub fn new_token() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(
            ErrorKind::Server,
            format!("no random source for the token: {e}"),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl App {
    /// The server state for `collector` with `token`. Reads the floor's plan image (bounded).
    pub fn new(collector: Collector, token: String) -> Result<Arc<App>, Error> {
        let path = &collector.floor().plan_path;
        // A compressed plan file is never larger than the decoding limit of its pixels.
        let bytes = wisp_ingest::read_limited(path, wisp_ingest::plan::MAX_PLAN_ALLOC)?;
        let kind = if bytes.starts_with(b"\x89PNG") {
            "image/png"
        } else if bytes.starts_with(&[0xff, 0xd8]) {
            "image/jpeg"
        } else {
            "application/octet-stream"
        };
        Ok(Arc::new(App {
            collector: Arc::new(collector),
            token,
            events: broadcast::channel(256).0,
            scan_lock: tokio::sync::Mutex::new(()),
            map_cache: Mutex::new(None),
            plan: (bytes, kind),
            shutdown: Notify::new(),
        }))
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    fn tell(&self, kind: &str, what: Value) {
        let _ = self
            .events
            .send(json!({ "event": kind, "data": what }).to_string());
    }

    /// Stops the server (after `POST /api/finish`).
    pub fn stop(&self) {
        self.shutdown.notify_one();
    }
}

/// The routes, behind the token, origin and body-size checks.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/plan", get(plan))
        .route("/api/state", get(state))
        .route("/api/point", post(add_point))
        .route("/api/move", post(move_point))
        .route("/api/undo", post(undo))
        .route("/api/pause", post(pause))
        .route("/api/resume", post(resume))
        .route("/api/mode", post(set_mode))
        .route("/api/export", post(export))
        .route("/api/finish", post(finish))
        .route("/api/survey", get(survey))
        .route("/api/map", get(map))
        .route("/api/events", get(events))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Equal strings, compared in time independent of where they differ.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let from_query = req
        .uri()
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|kv| kv.strip_prefix("token="));
    let from_header = req
        .headers()
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok());
    if !from_query
        .chain(from_header)
        .any(|t| same_token(t, &app.token))
    {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token: open the address wisp collect printed",
        );
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        let own = host.map(|h| format!("http://{h}"));
        if own
            .as_deref()
            .map(HeaderValue::from_str)
            .and_then(Result::ok)
            .as_ref()
            != Some(origin)
        {
            return refuse(StatusCode::FORBIDDEN, "request from another origin");
        }
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "request body too large");
    }
    next.run(req).await
}

/// An error as an HTTP answer: bad input 422, anything else 500.
struct ApiError(Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.0.kind() {
            ErrorKind::Input => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        refuse(status, &self.0.to_string())
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn plan(State(app): State<Arc<App>>) -> Response {
    ([(header::CONTENT_TYPE, app.plan.1)], app.plan.0.clone()).into_response()
}

/// Runs blocking collector work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::output(format!("internal error: {e}")))?
}

async fn state(State(app): State<Arc<App>>) -> Json<Value> {
    let c = &app.collector;
    let s = c.session();
    let f = &c.floor().floor;
    let track = s.track();
    let points: Vec<Value> = s
        .points
        .values()
        .filter(|p| !p.undone)
        .map(|p| {
            let scans = s.scans.iter().filter(|x| x.point == Some(p.id)).count();
            json!({ "id": p.id, "kind": p.kind, "x_m": p.at.x, "y_m": p.at.y, "t": p.t, "scans": scans })
        })
        .collect();
    let scans: Vec<Value> = s
        .scans
        .iter()
        .map(|x| {
            let at = s.position_of(x, track.as_ref());
            json!({ "id": x.id, "point": x.point, "t": x.t, "format": x.format,
                    "radios": x.observations.len(), "x_m": at.map(|p| p.x), "y_m": at.map(|p| p.y) })
        })
        .collect();
    let zones: Vec<Value> = f
        .zones
        .iter()
        .map(|z| {
            let ring: Vec<[f64; 2]> = z.polygon.corners().iter().map(|p| [p.x, p.y]).collect();
            json!({ "name": z.name, "profile": z.profile, "ring": ring })
        })
        .collect();
    let mut ssids: Vec<&str> = s
        .scans
        .iter()
        .flat_map(|x| &x.observations)
        .filter_map(|o| o.ssid.as_deref())
        .filter(|s| !s.is_empty())
        .collect();
    ssids.sort_unstable();
    ssids.dedup();
    let layers: Vec<&str> = crate::map::LIVE_LAYERS.iter().map(|m| m.name()).collect();
    Json(json!({
        "site": c.site().name,
        "floor": { "id": f.id, "name": f.name, "plan_px": [f.plan_size_px.0, f.plan_size_px.1],
                   "metres_per_pixel": f.calibration.to_metres(wisp_model::Point::new(1.0, 0.0)).x },
        "mode": s.mode, "paused": s.paused,
        "scans_per_point": c.options().scans_per_point,
        "scanner": c.scanner_description(),
        "points": points, "scans": scans, "pending": s.pending(),
        "failures": s.failures, "pings": s.pings, "zones": zones,
        "ssids": ssids, "layers": layers,
        "samples": s.samples().len(),
        "resumed": { "points": c.resumed().points, "scans": c.resumed().scans,
                     "skipped_lines": c.resumed().skipped_lines },
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct At {
    x_px: f64,
    y_px: f64,
}

/// A click: in stop-and-go mode, a point and its scans (answered when the scans are in and on
/// disk); in continuous mode, a waypoint.
async fn add_point(State(app): State<Arc<App>>, Json(at): Json<At>) -> ApiResult {
    let c = app.collector.clone();
    let p = c.plan_point(at.x_px, at.y_px)?;
    if c.mode().0 == Mode::Continuous {
        let id = blocking(move || c.add_point(PointKind::Waypoint, p)).await?;
        let v = json!({ "point": id, "kind": "waypoint", "x_m": p.x, "y_m": p.y, "scans": [] });
        app.tell("point", v.clone());
        return Ok(Json(v));
    }
    let _turn = app.scan_lock.lock().await;
    let id = blocking({
        let c = c.clone();
        move || c.add_point(PointKind::Stop, p)
    })
    .await?;
    app.tell("point", json!({ "point": id, "x_m": p.x, "y_m": p.y }));
    let mut outcomes = Vec::new();
    for _ in 0..c.options().scans_per_point {
        let c = c.clone();
        let o = blocking(move || c.scan_once(Some(id))).await?;
        app.tell("scan", serde_json::to_value(&o).unwrap_or_default());
        outcomes.push(o);
    }
    let ping = blocking({
        let c = c.clone();
        move || c.ping_once(Some(id))
    })
    .await?;
    if let Some(e) = &ping {
        app.tell("ping", serde_json::to_value(e).unwrap_or_default());
    }
    Ok(Json(json!({
        "point": id, "kind": "stop", "x_m": p.x, "y_m": p.y, "scans": outcomes, "ping": ping
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveTo {
    point: u64,
    x_px: f64,
    y_px: f64,
}

async fn move_point(State(app): State<Arc<App>>, Json(m): Json<MoveTo>) -> ApiResult {
    let c = app.collector.clone();
    let p = c.plan_point(m.x_px, m.y_px)?;
    blocking(move || c.move_point(m.point, p)).await?;
    let v = json!({ "point": m.point, "x_m": p.x, "y_m": p.y });
    app.tell("move", v.clone());
    Ok(Json(v))
}

async fn undo(State(app): State<Arc<App>>) -> ApiResult {
    let _turn = app.scan_lock.lock().await;
    let c = app.collector.clone();
    let id = blocking(move || c.undo()).await?;
    let v = json!({ "undone": id });
    app.tell("undo", v.clone());
    Ok(Json(v))
}

async fn record(app: &Arc<App>, e: Entry, what: &str) -> ApiResult {
    let c = app.collector.clone();
    let v = serde_json::to_value(&e).unwrap_or_default();
    blocking(move || c.record(e)).await?;
    app.tell(what, v.clone());
    Ok(Json(v))
}

async fn pause(State(app): State<Arc<App>>) -> ApiResult {
    record(&app, Entry::Pause { t: crate::now() }, "pause").await
}

async fn resume(State(app): State<Arc<App>>) -> ApiResult {
    record(&app, Entry::Resume { t: crate::now() }, "resume").await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetMode {
    mode: Mode,
}

async fn set_mode(State(app): State<Arc<App>>, Json(m): Json<SetMode>) -> ApiResult {
    let e = Entry::Mode {
        mode: m.mode,
        t: crate::now(),
    };
    record(&app, e, "mode").await
}

async fn export(State(app): State<Arc<App>>) -> ApiResult {
    let c = app.collector.clone();
    let x: Exported = blocking(move || c.export()).await?;
    Ok(Json(serde_json::to_value(&x).unwrap_or_default()))
}

/// Exports and stops the server.
async fn finish(State(app): State<Arc<App>>) -> ApiResult {
    let _turn = app.scan_lock.lock().await;
    let answer = export(State(app.clone())).await?;
    app.tell("finished", answer.0.clone());
    app.stop();
    Ok(answer)
}

async fn survey(State(app): State<Arc<App>>) -> Response {
    let s = app.collector.session().survey();
    (
        [(header::CONTENT_TYPE, "application/json")],
        wisp_ingest::capture::native::survey_json(&s),
    )
        .into_response()
}

#[derive(Deserialize)]
struct MapQuery {
    layer: Option<String>,
    ssid: Option<String>,
}

/// The live map of a layer (and SSID), computed once per change of the survey.
async fn map(State(app): State<Arc<App>>, Query(q): Query<MapQuery>) -> ApiResult {
    let layer = crate::map::live_layer(q.layer.as_deref().unwrap_or("primary"))?;
    let ssid = q.ssid.filter(|s| !s.is_empty());
    let session = app.collector.session();
    let key: MapKey = (session.revision, layer.name().to_string(), ssid.clone());
    if let Some((k, v)) = app
        .map_cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        if *k == key {
            return Ok(Json((**v).clone()));
        }
    }
    let c = app.collector.clone();
    let m = blocking(move || {
        let samples = session.samples();
        crate::map::live_map(c.site(), c.floor(), &samples, layer, ssid.as_deref())
    })
    .await?;
    let v = Arc::new(serde_json::to_value(&m).unwrap_or_default());
    *app.map_cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, v.clone()));
    Ok(Json((*v).clone()))
}

async fn events(
    State(app): State<Arc<App>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let rx = app.events.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(msg) => return Some((Ok(Event::default().data(msg)), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Scans back to back while the session is in continuous mode and not paused.
async fn continuous_loop(app: Arc<App>) {
    loop {
        let (mode, paused) = app.collector.mode();
        if mode != Mode::Continuous || paused {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            continue;
        }
        let started = std::time::Instant::now();
        {
            let _turn = app.scan_lock.lock().await;
            let c = app.collector.clone();
            match blocking(move || c.scan_once(None)).await {
                Ok(o) => app.tell("scan", serde_json::to_value(&o).unwrap_or_default()),
                Err(e) => app.tell("error", json!({ "message": e.to_string() })),
            }
        }
        let interval = app.collector.options().continuous_interval;
        tokio::time::sleep(interval.saturating_sub(started.elapsed())).await;
    }
}

/// Serves `app` on `listener` until `POST /api/finish`.
pub async fn serve(listener: tokio::net::TcpListener, app: Arc<App>) -> Result<(), Error> {
    let scanning = tokio::spawn(continuous_loop(app.clone()));
    let stopping = app.clone();
    let served = axum::serve(listener, router(app))
        .with_graceful_shutdown(async move { stopping.shutdown.notified().await })
        .await;
    scanning.abort();
    served.map_err(|e| Error::new(ErrorKind::Server, e))
}

/// The page's address with the token.
pub fn address(addr: SocketAddr, token: &str) -> String {
    format!("http://{addr}/?token={token}")
}

/// Runs the collector's server on `listen` until the page's "Finish", on a runtime of its own;
/// `ready` hears the page's address (with the token) once the socket is bound. Returns the last
/// export.
pub fn serve_blocking(
    collector: Collector,
    listen: SocketAddr,
    ready: impl FnOnce(&str),
) -> Result<Exported, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Server, e))?;
    let token = new_token()?;
    let app = App::new(collector, token)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
            Error::new(ErrorKind::Server, format!("cannot listen on {listen}: {e}"))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorKind::Server, e))?;
        ready(&address(addr, app.token()));
        serve(listener, app.clone()).await?;
        app.collector.export()
    })
}
