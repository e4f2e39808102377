//! Charts of an evaluation report, rendered to SVG and PNG.
//!
//! Every chart function takes a plain input struct of labelled `f64` series
//! (with optional confidence intervals) and a [`ChartOptions`], and returns a
//! [`Chart`] holding both an SVG document and PNG bytes, ready to be written
//! to disk ([`Chart::write_files`]) or embedded in an HTML report
//! ([`Chart::png_data_uri`], or the SVG inline).
//!
//! | Chart | Function | Input |
//! |---|---|---|
//! | NDT total over time, mean and CI band per group | [`ndt_over_time`] | [`NdtOverTime`] |
//! | Service use before/after by category (grouped bars) | [`service_use_before_after`] | [`ServiceUseBeforeAfter`] |
//! | Cost per person by agency (stacked bars or waterfall) | [`cost_by_agency`] | [`CostByAgency`] |
//! | Propensity-score overlap, before and after matching | [`propensity_overlap`] | [`PropensityOverlap`] |
//! | Covariate balance (love) plot | [`balance_plot`] | [`BalancePlot`] |
//! | Persistent absence before/after, pilot vs comparison | [`persistent_absence`] | [`PersistentAbsence`] |
//! | ASB per 1,000 by month with the start marked | [`asb_by_month`] | [`AsbByMonth`] |
//! | Survival curves by group with intervals and numbers at risk | [`survival_curves`] | [`SurvivalCurves`] |
//!
//! # Disclosure control
//! These functions draw exactly the numbers they are given. **The caller must
//! pass disclosure-controlled values only**: the report layer converts the
//! cleared (suppressed, rounded) output tables into these structs. Nothing
//! here sees or can recover person-level data; in particular the
//! propensity-score overlap chart takes binned shares, not scores.
//!
//! # Rendering
//! Rendering is pure Rust ([`plotters`] with its SVG and bitmap backends,
//! the `png` crate for encoding). Text in PNGs is rasterised with `ab_glyph`
//! (by this module's own text renderer, which places glyphs at their side
//! bearings; plotters 0.3.7's does not) from DejaVu Sans, embedded in the crate (`assets/fonts/`, licence in
//! `assets/fonts/LICENSE`), so no system font, fontconfig or freetype is
//! needed. SVG text is plain `<text>` elements in the `sans-serif` family.
//! Colours are the Okabe–Ito palette ([`OKABE_ITO`]), distinguishable under
//! the common colour-vision deficiencies.
//!
//! # Errors
//! Invalid input (empty series, NaN or infinite values, values outside a
//! chart's domain, mismatched lengths, a bad size) returns an [`Error`];
//! no input makes these functions panic.

use std::fmt::Display;
use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Location, Result};
use crate::stats::{ConfidenceLevel, Interval};

mod bars;
mod cost;
mod lines;
mod matching;
mod raster;
mod survival;

pub use bars::{
    persistent_absence, service_use_before_after, BeforeAfterGroup, PersistentAbsence,
    ServiceUseBeforeAfter, MAX_BAR_GROUPS,
};
pub use cost::{cost_by_agency, AgencyCost, CostByAgency, CostChartStyle, MAX_AGENCIES};
pub use lines::{
    asb_by_month, ndt_over_time, AsbByMonth, MonthlySeries, NdtGroupSeries, NdtOverTime, TimeUnit,
    MAX_TIME, NDT_ATTRIBUTION, NDT_MAX,
};
pub use matching::{
    balance_plot, propensity_overlap, BalancePlot, CovariateBalance, OverlapPanel,
    PropensityOverlap, SmdScale, MAX_BINS, MAX_COVARIATES,
};
pub use survival::{survival_curves, SurvivalCurves, SurvivalSeries};

/// The Okabe–Ito colour-blind-safe palette as `(r, g, b)`, in the order the
/// charts use it for series: blue, orange, bluish green, vermillion, reddish
/// purple, sky blue, yellow, black.
///
/// Okabe, M. and Ito, K. (2008) *Color Universal Design*.
pub const OKABE_ITO: [(u8, u8, u8); 8] = [
    (0, 114, 178),   // blue
    (230, 159, 0),   // orange
    (0, 158, 115),   // bluish green
    (213, 94, 0),    // vermillion
    (204, 121, 167), // reddish purple
    (86, 180, 233),  // sky blue
    (240, 228, 66),  // yellow
    (0, 0, 0),       // black
];

/// Largest magnitude accepted for any plotted value. Larger finite values
/// cannot be a per-person or per-1,000 statistic and would break axis
/// arithmetic, so they are rejected.
pub const MAX_ABS_VALUE: f64 = 1e12;

/// Smallest and largest accepted chart width or height, in pixels.
pub const SIZE_LIMITS: (u32, u32) = (200, 4000);

/// Pixel size of a chart (the PNG's dimensions and the SVG's viewport).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSize {
    width: u32,
    height: u32,
}

impl ChartSize {
    /// A chart size.
    ///
    /// # Errors
    /// If `width` or `height` is outside [`SIZE_LIMITS`] (200–4000 pixels).
    pub fn new(width: u32, height: u32) -> Result<Self> {
        let (lo, hi) = SIZE_LIMITS;
        if !(lo..=hi).contains(&width) {
            return Err(Error::invalid_parameter(
                "width",
                width,
                format!("chart width must be between {lo} and {hi} pixels"),
            ));
        }
        if !(lo..=hi).contains(&height) {
            return Err(Error::invalid_parameter(
                "height",
                height,
                format!("chart height must be between {lo} and {hi} pixels"),
            ));
        }
        Ok(ChartSize { width, height })
    }

    /// Width in pixels.
    pub fn width(self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(self) -> u32 {
        self.height
    }
}

impl Default for ChartSize {
    /// 800 × 500 pixels.
    fn default() -> Self {
        ChartSize {
            width: 800,
            height: 500,
        }
    }
}

/// Options common to every chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartOptions {
    /// Pixel size; default 800 × 500.
    pub size: ChartSize,
    /// Title replacing the chart's default title.
    pub title: Option<String>,
}

/// A rendered chart: the same picture as SVG text and as PNG bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The SVG document.
    pub svg: String,
    /// The PNG file contents (8-bit RGB).
    pub png: Vec<u8>,
    /// The size both were rendered at.
    pub size: ChartSize,
}

impl Chart {
    /// Write `<dir>/<stem>.svg` and `<dir>/<stem>.png`, creating `dir` if needed.
    ///
    /// # Errors
    /// If the directory cannot be created or a file cannot be written.
    pub fn write_files(&self, dir: &Path, stem: &str) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let svg_path = dir.join(format!("{stem}.svg"));
        std::fs::write(&svg_path, &self.svg).map_err(|e| Error::io(&svg_path, e))?;
        let png_path = dir.join(format!("{stem}.png"));
        std::fs::write(&png_path, &self.png).map_err(|e| Error::io(&png_path, e))?;
        Ok(())
    }

    /// The PNG as a `data:image/png;base64,...` URI for an `<img src>`.
    pub fn png_data_uri(&self) -> String {
        crate::report::png_data_uri(&self.png)
    }
}

/// A plotted value with an optional confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueWithCi {
    /// The point estimate.
    pub value: f64,
    /// Its confidence interval, drawn as a whisker or band when present.
    pub ci: Option<Interval>,
}

impl ValueWithCi {
    /// A value without an interval.
    pub fn new(value: f64) -> Self {
        ValueWithCi { value, ci: None }
    }

    /// A value with an interval `[lower, upper]`.
    pub fn with_ci(value: f64, lower: f64, upper: f64) -> Self {
        ValueWithCi {
            value,
            ci: Some(Interval::new(lower, upper)),
        }
    }
}

/// Labels for the two periods of a before/after chart.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodLabels {
    /// Label of the earlier period (default "Before").
    pub before: String,
    /// Label of the later period (default "After").
    pub after: String,
}

impl Default for PeriodLabels {
    fn default() -> Self {
        PeriodLabels {
            before: "Before".to_string(),
            after: "After".to_string(),
        }
    }
}

// ---------------------------------------------------------------------------
// Internal machinery shared by the chart modules.
// ---------------------------------------------------------------------------

/// The embedded DejaVu Sans font (see `assets/fonts/LICENSE`).
static FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));

/// Font family name used for all text; registered with plotters' `ab_glyph`
/// font table so PNG text needs no system font, and written as the SVG
/// `font-family` so browsers use their own sans-serif.
const FAMILY: &str = "sans-serif";

static FONT_REGISTERED: OnceLock<bool> = OnceLock::new();

/// Register the embedded font once per process.
fn ensure_font() -> Result<()> {
    let ok = *FONT_REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::numerical(
            "chart rendering",
            "the embedded font could not be parsed",
        ))
    }
}

/// Map any rendering error into the crate's error.
fn render_err(e: impl Display) -> Error {
    Error::numerical("chart rendering", e.to_string())
}

/// Something that can draw itself onto any plotters backend.
trait Draw {
    /// Draw the whole chart onto `root` (already white-filled).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Render `chart` to SVG and PNG.
fn render(chart: &impl Draw, size: ChartSize) -> Result<Chart> {
    ensure_font()?;
    let (w, h) = (size.width, size.height);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(render_err)?;
        chart.draw(&root)?;
        root.present().map_err(render_err)?;
    }
    let len = (w as usize)
        .checked_mul(h as usize)
        .and_then(|n| n.checked_mul(3))
        .ok_or_else(|| Error::invalid_parameter("size", format!("{w}x{h}"), "too large"))?;
    let mut rgb = vec![0u8; len];
    {
        let root =
            raster::TextBitmap(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
        root.fill(&WHITE).map_err(render_err)?;
        chart.draw(&root)?;
        root.present().map_err(render_err)?;
    }
    let png = encode_png(&rgb, w, h)?;
    Ok(Chart { svg, png, size })
}

/// Encode an 8-bit RGB buffer as PNG.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| Error::numerical("PNG encoding", e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| Error::numerical("PNG encoding", e.to_string()))?;
        writer
            .finish()
            .map_err(|e| Error::numerical("PNG encoding", e.to_string()))?;
    }
    Ok(out)
}

/// Palette colour `i` (cycling) as a plotters colour.
fn colour(i: usize) -> RGBColor {
    let (r, g, b) = OKABE_ITO[i % OKABE_ITO.len()];
    RGBColor(r, g, b)
}

/// Neutral grey for axes, reference lines and connectors.
const GREY: RGBColor = RGBColor(90, 90, 90);

/// A text style in the embedded family.
fn text_style(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&BLACK)
}

/// Title font size for a chart of this width.
fn title_size(width: u32) -> f64 {
    (width as f64 / 40.0).clamp(13.0, 24.0)
}

/// Label font size for a chart of this width.
fn label_size(width: u32) -> f64 {
    (width as f64 / 60.0).clamp(10.0, 16.0)
}

/// The swatch drawn beside a legend label.
#[derive(Debug, Clone, Copy)]
enum Swatch {
    /// A solid line with a point marker.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box; alpha in 0–1.
    Fill(RGBColor, f64),
    /// A hollow circle marker.
    Hollow(RGBColor),
    /// A filled circle marker.
    Point(RGBColor),
    /// A vertical whisker with caps (confidence interval).
    Whisker(RGBColor),
}

/// One legend entry.
#[derive(Debug, Clone)]
struct LegendItem {
    label: String,
    swatch: Swatch,
}

impl LegendItem {
    fn new(label: impl Into<String>, swatch: Swatch) -> Self {
        LegendItem {
            label: label.into(),
            swatch,
        }
    }
}

/// Fill `root`, draw the title and a horizontal legend (wrapping onto more
/// rows if needed) across the top, and return the area left for the plot.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[LegendItem],
) -> Result<DrawingArea<DB, Shift>> {
    frame_with_note(root, title, legend, None)
}

/// [`frame`] with an optional small grey note (source or attribution) along
/// the bottom-left edge; the returned area excludes the note's line.
fn frame_with_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[LegendItem],
    note: Option<&str>,
) -> Result<DrawingArea<DB, Shift>> {
    let (w, h) = root.dim_in_pixel();
    let root = match note {
        Some(note) => {
            let size = label_size(w) * 0.8;
            let note_h = (size * 1.6).ceil() as i32;
            root.draw(&Text::new(
                note.to_string(),
                (6, h as i32 - note_h / 2),
                text_style(size)
                    .color(&GREY)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(render_err)?;
            root.split_vertically(h as i32 - note_h).0
        }
        None => root.clone(),
    };
    let body = root
        .titled(title, text_style(title_size(w)))
        .map_err(render_err)?;
    let ls = label_size(w);
    let style = text_style(ls);
    let swatch_w = 22_i32;
    let gap = 6_i32;
    let spacing = 20_i32;
    let row_h = (ls * 1.6).ceil() as i32;
    let max_w = (w as i32 - 40).max(50);
    if legend.is_empty() {
        return Ok(body);
    }
    // Lay out items into rows: (items with their x offsets, row width).
    let mut rows: Vec<(Vec<(&LegendItem, i32)>, i32)> = Vec::new();
    for item in legend {
        let (tw, _) = body
            .estimate_text_size(&item.label, &style)
            .map_err(render_err)?;
        let item_w = swatch_w + gap + tw as i32;
        match rows.last_mut() {
            Some((row, row_w)) if *row_w + spacing + item_w <= max_w => {
                let start = *row_w + spacing;
                row.push((item, start));
                *row_w = start + item_w;
            }
            _ => rows.push((vec![(item, 0)], item_w)),
        }
    }
    let legend_h = row_h * rows.len() as i32 + 4;
    for (r, (row, row_w)) in rows.iter().enumerate() {
        let x0 = ((w as i32 - row_w) / 2).max(0);
        let yc = row_h * r as i32 + row_h / 2 + 2;
        for &(item, x) in row {
            let sx = x0 + x;
            match item.swatch {
                Swatch::Line(c) => {
                    body.draw(&PathElement::new(
                        vec![(sx, yc), (sx + swatch_w, yc)],
                        c.stroke_width(3),
                    ))
                    .map_err(render_err)?;
                    body.draw(&Circle::new((sx + swatch_w / 2, yc), 3, c.filled()))
                        .map_err(render_err)?;
                }
                Swatch::Dashed(c) => {
                    body.draw(&PathElement::new(
                        vec![(sx, yc), (sx + 7, yc)],
                        c.stroke_width(2),
                    ))
                    .map_err(render_err)?;
                    body.draw(&PathElement::new(
                        vec![(sx + 12, yc), (sx + swatch_w, yc)],
                        c.stroke_width(2),
                    ))
                    .map_err(render_err)?;
                }
                Swatch::Fill(c, a) => {
                    body.draw(&Rectangle::new(
                        [(sx + 2, yc - 6), (sx + swatch_w - 2, yc + 6)],
                        c.mix(a).filled(),
                    ))
                    .map_err(render_err)?;
                    body.draw(&Rectangle::new(
                        [(sx + 2, yc - 6), (sx + swatch_w - 2, yc + 6)],
                        c.stroke_width(1),
                    ))
                    .map_err(render_err)?;
                }
                Swatch::Point(c) => {
                    body.draw(&Circle::new((sx + swatch_w / 2, yc), 5, c.filled()))
                        .map_err(render_err)?;
                }
                Swatch::Whisker(c) => {
                    let xm = sx + swatch_w / 2;
                    for path in [
                        vec![(xm, yc - 7), (xm, yc + 7)],
                        vec![(xm - 5, yc - 7), (xm + 5, yc - 7)],
                        vec![(xm - 5, yc + 7), (xm + 5, yc + 7)],
                    ] {
                        body.draw(&PathElement::new(path, c.stroke_width(2)))
                            .map_err(render_err)?;
                    }
                }
                Swatch::Hollow(c) => {
                    body.draw(&Circle::new((sx + swatch_w / 2, yc), 5, c.stroke_width(2)))
                        .map_err(render_err)?;
                }
            }
            body.draw(&Text::new(
                item.label.clone(),
                (sx + swatch_w + gap, yc),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(render_err)?;
        }
    }
    let (_, rest) = body.split_vertically(legend_h);
    Ok(rest)
}

/// The pieces a label may be broken into: words, and within a word the parts
/// after each hyphen ("Mental-health" → "Mental-", "health"); the flag says
/// whether a space goes before the piece when it joins the previous one.
fn wrap_pieces(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let mut rest = word;
        let mut first = true;
        while let Some(i) = rest.find('-').filter(|&i| i > 0 && i + 1 < rest.len()) {
            out.push((first, &rest[..=i]));
            rest = &rest[i + 1..];
            first = false;
        }
        out.push((first, rest));
    }
    out
}

/// Greedy word wrap of `text` into lines no wider than `max_w` pixels, at
/// most `max_lines` lines (the last one ends in "…" if text was cut). Lines
/// break between words or after a hyphen.
fn wrap_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: u32,
    max_lines: usize,
) -> Result<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (space, word) in wrap_pieces(text) {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else if space {
            format!("{cur} {word}")
        } else {
            format!("{cur}{word}")
        };
        let (cw, _) = area
            .estimate_text_size(&candidate, style)
            .map_err(render_err)?;
        if cw > max_w && !cur.is_empty() {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        } else {
            cur = candidate;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines.max(1) {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    Ok(lines)
}

/// Draw wrapped category labels centred at pixel x positions, starting at
/// pixel row `top`, on `root` (whose pixel coordinates are the backend's).
fn draw_x_categories<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: &[(i32, &str)],
    top: i32,
    slot_w: u32,
    style: &TextStyle,
) -> Result<()> {
    let line_h = (style.font.get_size() * 1.25).ceil() as i32;
    for &(x, label) in labels {
        let lines = wrap_text(
            root,
            label,
            style,
            slot_w.saturating_sub(6).max(20),
            CATEGORY_LINES,
        )?;
        for (k, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (x, top + k as i32 * line_h),
                style.pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(render_err)?;
        }
    }
    Ok(())
}

/// Most lines a category label under an x axis may take.
const CATEGORY_LINES: usize = 4;

/// A label font of at most `size` px, shrunk (to no less than 70% of it) so
/// that the widest unbreakable piece of any label fits a category slot of
/// `slot_w` pixels.
fn category_font<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[&str],
    slot_w: u32,
    size: f64,
) -> Result<TextStyle<'static>> {
    let room = f64::from(slot_w.saturating_sub(8).max(20));
    let mut widest = 0u32;
    for label in labels {
        for (_, piece) in wrap_pieces(label) {
            let (w, _) = area
                .estimate_text_size(piece, &text_style(size))
                .map_err(render_err)?;
            widest = widest.max(w);
        }
    }
    let scale = if widest == 0 {
        1.0
    } else {
        (room / f64::from(widest)).clamp(0.7, 1.0)
    };
    Ok(text_style(size * scale))
}

/// Height in pixels to reserve under a categorical x axis for labels
/// wrapped by [`draw_x_categories`], given the plot's approximate width
/// `plot_w` shared equally by `labels`.
fn x_category_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[&str],
    plot_w: u32,
    style: &TextStyle,
) -> Result<u32> {
    let slot = plot_w / (labels.len().max(1) as u32);
    let mut lines = 1;
    for label in labels {
        lines = lines.max(
            wrap_text(
                area,
                label,
                style,
                slot.saturating_sub(6).max(20),
                CATEGORY_LINES,
            )?
            .len(),
        );
    }
    let line_h = style.font.get_size() * 1.25;
    Ok((line_h * lines as f64 + 14.0).ceil() as u32)
}

/// Axis range `[lo, hi]` covering `min..max` with 5% padding, always of
/// positive width; with `from_zero` the lower end is 0 when all values are
/// non-negative.
fn padded_range(min: f64, max: f64, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (min, max);
    if from_zero && lo >= 0.0 {
        lo = 0.0;
    }
    let span = hi - lo;
    if span > 0.0 {
        let pad = span * 0.05;
        if !(from_zero && lo == 0.0) {
            lo -= pad;
        }
        hi += pad;
    } else {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        if !(from_zero && lo == 0.0) {
            lo -= pad;
        }
        hi += pad;
    }
    (lo, hi)
}

/// Format a number with thousands separators and `decimals` decimals.
fn fmt_num(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s, None),
    };
    let mut grouped = String::new();
    let n = int.len();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let neg = v < 0.0
        && format!("{:.*}", decimals, v.abs())
            .chars()
            .any(|c| c > '0' && c <= '9');
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// Decimals that suit axis ticks spanning `span`.
fn tick_decimals(span: f64) -> usize {
    if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    }
}

/// Validation of caller data: every check names the chart, the field and
/// the 1-based position, never anything about a person.
struct Check<'a> {
    chart: &'a str,
}

impl Check<'_> {
    fn loc(&self, field: &str, pos: usize) -> Location {
        Location::source(format!("{} chart input", self.chart))
            .row(pos as u64 + 1)
            .column(field)
    }

    /// A finite value of magnitude at most [`MAX_ABS_VALUE`].
    fn finite(&self, field: &str, pos: usize, v: f64) -> Result<()> {
        if !v.is_finite() {
            return Err(Error::invalid_value(
                self.loc(field, pos),
                v.to_string(),
                "must be a finite number (not NaN or infinite)",
            ));
        }
        if v.abs() > MAX_ABS_VALUE {
            return Err(Error::invalid_value(
                self.loc(field, pos),
                v.to_string(),
                format!("magnitude must not exceed {MAX_ABS_VALUE:e}"),
            ));
        }
        Ok(())
    }

    /// A finite value in `[lo, hi]`.
    fn within(&self, field: &str, pos: usize, v: f64, lo: f64, hi: f64, what: &str) -> Result<()> {
        self.finite(field, pos, v)?;
        if v < lo || v > hi {
            return Err(Error::invalid_value(
                self.loc(field, pos),
                v.to_string(),
                format!("must be {what}"),
            ));
        }
        Ok(())
    }

    /// A finite interval with `lower <= upper`.
    fn interval(&self, field: &str, pos: usize, ci: &Interval) -> Result<()> {
        self.finite(&format!("{field}.lower"), pos, ci.lower)?;
        self.finite(&format!("{field}.upper"), pos, ci.upper)?;
        if ci.lower > ci.upper {
            return Err(Error::invalid_value(
                self.loc(field, pos),
                format!("[{}, {}]", ci.lower, ci.upper),
                "interval lower bound must not exceed its upper bound",
            ));
        }
        Ok(())
    }

    /// A value with optional CI, both within `[lo, hi]`.
    fn value_ci(
        &self,
        field: &str,
        pos: usize,
        v: &ValueWithCi,
        lo: f64,
        hi: f64,
        what: &str,
    ) -> Result<()> {
        self.within(field, pos, v.value, lo, hi, what)?;
        if let Some(ci) = &v.ci {
            self.interval(&format!("{field}.ci"), pos, ci)?;
            self.within(&format!("{field}.ci.lower"), pos, ci.lower, lo, hi, what)?;
            self.within(&format!("{field}.ci.upper"), pos, ci.upper, lo, hi, what)?;
        }
        Ok(())
    }

    /// A non-blank label.
    fn label(&self, field: &str, pos: usize, s: &str) -> Result<()> {
        if s.trim().is_empty() {
            return Err(Error::invalid_value(
                self.loc(field, pos),
                s,
                "label must not be blank",
            ));
        }
        Ok(())
    }

    /// A non-empty collection.
    fn non_empty(&self, field: &str, n: usize) -> Result<()> {
        if n == 0 {
            return Err(Error::insufficient_data(
                format!("{} chart", self.chart),
                format!("`{field}` is empty; nothing to plot"),
            ));
        }
        Ok(())
    }

    /// Two collections of equal length.
    fn same_len(&self, a: &str, na: usize, b: &str, nb: usize) -> Result<()> {
        if na != nb {
            return Err(Error::invalid_parameter(
                b,
                nb,
                format!(
                    "{} chart: `{b}` has {nb} entries but `{a}` has {na}",
                    self.chart
                ),
            ));
        }
        Ok(())
    }
}

/// The "95% CI" style wording for a confidence level.
fn ci_text(level: ConfidenceLevel) -> String {
    let pct = level.get() * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}% confidence interval")
    } else {
        format!("{pct}% confidence interval")
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the chart tests.

    use super::Chart;

    /// PNG signature.
    pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// Decode the PNG and return (width, height); panics (test-only) if invalid.
    pub fn png_dims(chart: &Chart) -> (u32, u32) {
        assert_eq!(
            chart.png.get(..8),
            Some(&PNG_SIGNATURE[..]),
            "PNG signature"
        );
        let decoder = png::Decoder::new(std::io::Cursor::new(chart.png.as_slice()));
        let mut reader = decoder.read_info().expect("PNG header decodes");
        let size = reader.output_buffer_size().expect("buffer size");
        let mut buf = vec![0; size];
        let info = reader.next_frame(&mut buf).expect("PNG frame decodes");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        // The title band (top 24 rows) has dark pixels: the embedded font
        // rasterised the title text.
        let row = info.line_size;
        let title_band = &buf[..row * 24];
        assert!(
            title_band.iter().any(|&b| b < 100),
            "title text not rendered"
        );
        (info.width, info.height)
    }

    /// Assert the SVG is a complete document containing every text.
    pub fn assert_svg_contains(chart: &Chart, texts: &[&str]) {
        assert!(chart.svg.starts_with("<svg"), "SVG root element");
        assert!(chart.svg.trim_end().ends_with("</svg>"), "SVG closed");
        for t in texts {
            assert!(chart.svg.contains(t), "SVG lacks {t:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_break_after_hyphens_and_keep_them() {
        assert_eq!(
            wrap_pieces("Mental-health inpatient days"),
            vec![
                (true, "Mental-"),
                (false, "health"),
                (true, "inpatient"),
                (true, "days")
            ]
        );
        assert_eq!(
            wrap_pieces("A&E -x x-"),
            vec![(true, "A&E"), (true, "-x"), (true, "x-")]
        );
    }

    #[test]
    fn fmt_num_groups_thousands() {
        assert_eq!(fmt_num(1234567.0, 0), "1,234,567");
        assert_eq!(fmt_num(-1234.5, 1), "-1,234.5");
        assert_eq!(fmt_num(999.0, 0), "999");
        assert_eq!(fmt_num(-0.0001, 1), "0.0");
        assert_eq!(fmt_num(0.25, 2), "0.25");
    }

    #[test]
    fn size_is_validated() {
        assert!(ChartSize::new(800, 500).is_ok());
        assert!(ChartSize::new(199, 500).is_err());
        assert!(ChartSize::new(800, 4001).is_err());
        assert_eq!(ChartSize::default().width(), 800);
    }

    #[test]
    fn padded_range_has_positive_width() {
        for (a, b) in [
            (0.0, 0.0),
            (5.0, 5.0),
            (-3.0, -3.0),
            (0.0, 10.0),
            (-2.0, 3.0),
        ] {
            let (lo, hi) = padded_range(a, b, true);
            assert!(hi > lo && lo <= a && hi >= b);
        }
        assert_eq!(padded_range(1.0, 10.0, true).0, 0.0);
    }

    #[test]
    fn font_registers() {
        assert!(ensure_font().is_ok());
    }
}
