use crate::{CliError, ExitCode};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wisp_interp::{
    Idw, Interpolator, NaturalNeighbour, Nearest, OrdinaryKriging, ScatteredPoint, ThinPlateSpline,
};
use wisp_model::words::count;
use wisp_model::{GridGeometry, Method, MethodChoice};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scattered points: CSV with header x,y,value.
    points: PathBuf,
    /// Grid extent XMIN,YMIN,XMAX,YMAX.
    #[arg(long, value_parser = parse_extent)]
    extent: Option<[f64; 4]>,
    /// Cell size: columns of exactly M from XMIN, rows of M from YMAX down.
    #[arg(long, conflicts_with = "size")]
    cell: Option<f64>,
    /// Grid size WxH (cells), as gdal_grid -outsize.
    #[arg(long, value_parser = parse_size)]
    size: Option<(usize, usize)>,
    /// Interpolation method: idw (inverse distance), nearest (nearest sample), natural (Sibson's
    /// natural neighbours, IDW outside the points' hull), kriging (ordinary kriging with a fitted
    /// exponential semivariogram), spline (smoothed thin-plate spline over the nearest points),
    /// or auto (the one of these with the lowest RMSE when stretches of 20 m of the points, in
    /// file order, are left out in turn: `wisp validate`'s folds).
    #[arg(long, default_value = "idw", value_parser = parse_point_choice)]
    method: MethodChoice,
    /// Neighbours per estimate [default: 12 for idw and natural's fallback, 64 for kriging, 50
    /// for spline].
    #[arg(long)]
    k: Option<usize>,
    /// Spline smoothing λ (spline only; 0 passes through every point) [default: chosen by
    /// leave-one-out cross-validation on the points among 0.01, 0.1, 1, 10, 100].
    #[arg(long)]
    smoothing: Option<f64>,
    /// IDW distance exponent (idw, and natural's fallback).
    #[arg(long, default_value_t = 2.0)]
    power: f64,
    /// Also write the kriging standard deviation grid here (as --out: GeoTIFF for .tif/.tiff,
    /// else ESRI ASCII). Kriging only; with --at,
    /// kriging adds a std_dev column to the CSV instead.
    #[arg(long, conflicts_with = "at")]
    std_dev_out: Option<PathBuf>,
    /// Predict at these points (CSV header x,y) instead of a grid; writes x,y,value CSV
    /// (x,y,value,std_dev with kriging).
    #[arg(long)]
    at: Option<PathBuf>,
    /// Output: GeoTIFF (.tif or .tiff: 32-bit float, georeferenced in plan metres), else an
    /// ESRI ASCII grid (.asc); CSV with --at.
    #[arg(long)]
    out: PathBuf,
}

fn parse_extent(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("'{s}' is not XMIN,YMIN,XMAX,YMAX"))?;
    match v[..] {
        [a, b, c, d] if v.iter().all(|x| x.is_finite()) && c > a && d > b => Ok([a, b, c, d]),
        _ => Err(format!(
            "'{s}' is not XMIN,YMIN,XMAX,YMAX with XMAX > XMIN and YMAX > YMIN"
        )),
    }
}

fn parse_size(s: &str) -> Result<(usize, usize), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not WxH"))?;
    let w: usize = w
        .parse()
        .map_err(|_| format!("'{w}' is not a whole number"))?;
    let h: usize = h
        .parse()
        .map_err(|_| format!("'{h}' is not a whole number"))?;
    if w == 0 || h == 0 || w.saturating_mul(h) > 400_000_000 {
        return Err(format!(
            "'{s}': the grid must have between 1 and 400 million cells"
        ));
    }
    Ok((w, h))
}

/// Reads a CSV of numeric columns `names` (by header), naming file and line on error.
fn read_columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<f64>>, CliError> {
    Ok(wisp_ingest::points::load_columns(path, names)?)
}

/// Method `name` with the `--k` and `--power` of `a`.
fn interpolator(a: &Args, method: Method) -> Result<Box<dyn Interpolator>, CliError> {
    if a.k == Some(0) || !a.power.is_finite() || a.power <= 0.0 {
        return Err(CliError::input(
            "--k must be at least 1 and --power a positive number",
        ));
    }
    if a.smoothing.is_some_and(|s| !(s.is_finite() && s >= 0.0)) {
        return Err(CliError::input(
            "--smoothing must be a finite number, 0 or more",
        ));
    }
    // A λ given to a method that has none would be dropped without a word, and the user would
    // believe the surface smoothed.
    if a.smoothing.is_some()
        && !matches!(
            a.method,
            MethodChoice::Fixed(Method::Spline) | MethodChoice::Auto
        )
    {
        return Err(CliError::input(format!(
            "--smoothing: only spline (or auto, when it picks spline) is smoothed, not --method {}",
            a.method
        )));
    }
    if a.std_dev_out.is_some() && a.method != MethodChoice::Fixed(Method::Kriging) {
        return Err(CliError::input(format!(
            "--std-dev-out: only kriging gives a standard deviation, not --method {}",
            a.method
        )));
    }
    let idw = Idw {
        k: a.k.unwrap_or(Idw::default().k),
        power: a.power,
    };
    Ok(match method {
        Method::Idw => Box::new(idw),
        Method::Nearest => Box::new(Nearest),
        Method::Natural => Box::new(NaturalNeighbour { fallback: idw }),
        Method::Kriging => Box::new(OrdinaryKriging {
            k: a.k.unwrap_or(OrdinaryKriging::default().k),
            ..Default::default()
        }),
        Method::Spline => Box::new(ThinPlateSpline {
            k: a.k.unwrap_or(ThinPlateSpline::default().k),
            smoothing: a.smoothing,
        }),
        // parse_point_choice refuses it already: a table of points has no calibrated model.
        Method::Model => {
            return Err(CliError::input(
                "--method model needs a site's calibrated model",
            ))
        }
    })
}

/// `--method auto`: every point method (with `--k` and `--power`) cross-validated on walk-out
/// folds of the points in file order; the lowest RMSE wins (ties as `wisp validate` breaks
/// them). Returns the method and the line saying why.
fn auto_method(
    a: &Args,
    points: &[ScatteredPoint],
    values: &[f32],
) -> Result<(Box<dyn Interpolator>, String), CliError> {
    let methods: Vec<Box<dyn Interpolator>> = Method::POINT
        .iter()
        .map(|m| interpolator(a, *m))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&dyn Interpolator> = methods.iter().map(|m| m.as_ref()).collect();
    let cv = wisp_interp::CrossValidation::default();
    let v = wisp_interp::cross_validate_points(points, values, &refs, &cv).map_err(|e| {
        CliError::input(format!(
            "{}: --method auto cannot cross-validate these points ({e}); choose a method",
            a.points.display()
        ))
    })?;
    let best = v.best().ok_or_else(|| {
        CliError::input(format!(
            "{}: --method auto: no method predicted any left-out point",
            a.points.display()
        ))
    })?;
    let others: Vec<String> = v
        .methods
        .iter()
        .filter(|m| m.method != best.method)
        .map(|m| format!("{} {:.2}", m.method, m.overall.rmse_db()))
        .collect();
    let why = format!(
        "auto: {} (lowest walk-out RMSE, {:.2} dB vs {}; {}, {} of 20 m, {})",
        best.method,
        best.overall.rmse_db(),
        others.join(", "),
        count(v.samples, "point", "points"),
        count(v.blocks, "stretch", "stretches"),
        count(v.folds, "fold", "folds")
    );
    Ok((interpolator(a, best.method)?, why))
}

/// `--method`: a point method or `auto` (`model` needs a site's calibration, which a table of
/// points has not).
fn parse_point_choice(s: &str) -> Result<MethodChoice, String> {
    let choice: MethodChoice = s
        .parse()
        .map_err(|e: wisp_model::ModelError| e.to_string())?;
    match choice {
        MethodChoice::Fixed(m) if !Method::POINT.contains(&m) => Err(format!(
            "'{m}' needs a site's calibrated model; a table of points takes one of: {}, auto",
            Method::point_names().join(", ")
        )),
        _ => Ok(choice),
    }
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    // Parameters are checked before the file is read.
    let given = match a.method {
        MethodChoice::Auto => {
            interpolator(&a, Method::Idw)?;
            None
        }
        MethodChoice::Fixed(m) => Some(interpolator(&a, m)?),
    };
    let rows = read_columns(&a.points, &["x", "y", "value"])?;
    let points: Vec<ScatteredPoint> = rows
        .iter()
        .map(|r| ScatteredPoint { x: r[0], y: r[1] })
        .collect();
    let values: Vec<f32> = rows.iter().map(|r| r[2] as f32).collect();
    let method = match given {
        Some(m) => m,
        None => {
            let (m, why) = auto_method(&a, &points, &values)?;
            println!("{why}");
            m
        }
    };
    let prepared = method.prepare(&points).map_err(CliError::input)?;
    if let Some(q) = &a.at {
        let queries: Vec<ScatteredPoint> = read_columns(q, &["x", "y"])?
            .iter()
            .map(|r| ScatteredPoint { x: r[0], y: r[1] })
            .collect();
        let est = prepared
            .at(&[&values], &queries)
            .map_err(CliError::input)?
            .remove(0);
        let sd = est.std_dev;
        let mut out = String::from(if sd.is_some() {
            "x,y,value,std_dev\n"
        } else {
            "x,y,value\n"
        });
        for (i, (p, v)) in queries.iter().zip(&est.value).enumerate() {
            let _ = write!(out, "{},{},{}", p.x, p.y, v);
            if let Some(sd) = &sd {
                let _ = write!(out, ",{}", sd[i]);
            }
            out.push('\n');
        }
        super::write_output(&a.out, out.as_bytes())?;
        println!("wrote {} ({} predictions)", a.out.display(), queries.len());
        return Ok(ExitCode::Ok);
    }
    let Some([xmin, ymin, xmax, ymax]) = a.extent else {
        return Err(CliError::input(
            "--extent XMIN,YMIN,XMAX,YMAX is needed for a grid (or give --at QUERY.csv)",
        ));
    };
    let geometry = match (a.cell, a.size) {
        (Some(m), None) if m.is_finite() && m > 0.0 => {
            let cols = ((xmax - xmin) / m).ceil() as usize;
            let rows = ((ymax - ymin) / m).ceil() as usize;
            if cols.saturating_mul(rows) > 400_000_000 {
                return Err(CliError::input("--cell gives more than 400 million cells"));
            }
            GridGeometry::new(xmin, ymax, m, -m, cols, rows)
        }
        (None, Some((w, h))) => GridGeometry::new(
            xmin,
            ymax,
            (xmax - xmin) / w as f64,
            -(ymax - ymin) / h as f64,
            w,
            h,
        ),
        _ => {
            return Err(CliError::input(
                "give exactly one of --cell M (positive) or --size WxH",
            ))
        }
    }
    .map_err(CliError::input)?;
    let compute = |band_done: &wisp_interp::BandDone<'_>| {
        prepared
            .grid_many_banded(&[&values], &geometry, &|_, _| true, band_done)
            .map(|mut surfaces| surfaces.remove(0))
    };
    let surface = if is_tiff(&a.out) {
        // Each band of rows goes to the file as it is finished (issue 16).
        wisp_render::geotiff_while_computed(
            &a.out,
            &geometry,
            |sink| compute(&|r0, rows| sink(r0, rows[0])),
            |s| &s.value,
        )
        .map_err(CliError::output)?
        .map_err(CliError::input)?
    } else {
        let surface = compute(&|_, _| {}).map_err(CliError::input)?;
        write_raster(&a.out, &surface.value)?;
        surface
    };
    println!(
        "wrote {} ({}×{} cells)",
        a.out.display(),
        geometry.cols(),
        geometry.rows()
    );
    if let (Some(path), Some(sd)) = (&a.std_dev_out, &surface.std_dev) {
        write_raster(path, sd)?;
        println!("wrote {} (kriging standard deviation)", path.display());
    }
    Ok(ExitCode::Ok)
}

/// Writes the grid atomically in the format `path`'s extension names: GeoTIFF for
/// `.tif`/`.tiff` (streamed from the grid to the file), else ESRI ASCII.
fn write_raster(path: &Path, grid: &wisp_model::Grid<f32>) -> Result<(), CliError> {
    if is_tiff(path) {
        wisp_render::write_atomic_with(path, |out| wisp_render::geotiff_into(grid, out))
            .map_err(CliError::output)
    } else {
        super::write_output(path, &wisp_render::esri_ascii(grid))
    }
}

/// Whether `path` names a GeoTIFF (`.tif`/`.tiff`, any case).
fn is_tiff(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"))
}
