//! Matching diagnostics: propensity-score overlap histograms and the
//! covariate balance ("love") plot.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    colour, frame, label_size, render, render_err, text_style, Chart, ChartOptions, Check, Draw,
    LegendItem, Swatch, GREY, MAX_ABS_VALUE,
};
use crate::error::{Error, Result};

/// Most histogram bins accepted.
pub const MAX_BINS: usize = 200;

/// Most covariates a balance plot accepts.
pub const MAX_COVARIATES: usize = 100;

/// One panel of the overlap chart: the share of each group in each bin.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlapPanel {
    /// Share of the treated group in each bin, as a proportion in [0, 1].
    pub treated: Vec<f64>,
    /// Share of the control group in each bin, as a proportion in [0, 1].
    pub control: Vec<f64>,
}

/// Input of [`propensity_overlap`]: binned propensity scores of treated and
/// control units, before and after matching, on the same bins.
///
/// The chart takes **binned shares, not scores**: the report layer bins the
/// scores, applies disclosure control to the bin counts (suppression,
/// rounding) and passes each group's share per bin (count in bin ÷ group
/// total, or ÷ the cleared total). The caller must pass
/// disclosure-controlled values only.
#[derive(Debug, Clone, PartialEq)]
pub struct PropensityOverlap {
    /// Bin edges, strictly increasing, within [0, 1]; `k + 1` edges for `k`
    /// bins (at most [`MAX_BINS`]).
    pub bin_edges: Vec<f64>,
    /// Label of the treated group, e.g. "Programme".
    pub treated_label: String,
    /// Label of the control group, e.g. "Comparison".
    pub control_label: String,
    /// Shares before matching (the full samples).
    pub before: OverlapPanel,
    /// Shares after matching (the matched samples, weighted if the matching
    /// produces weights).
    pub after: OverlapPanel,
}

struct OverlapPrepared<'a> {
    data: &'a PropensityOverlap,
    title: String,
    y_max: f64,
}

/// Propensity-score overlap: for each of "Before matching" and "After
/// matching", two semi-transparent histograms (treated, control) on the same
/// bins, y axis in percent of each group, shared between panels.
///
/// # Errors
/// If there are fewer than 2 or more than `MAX_BINS + 1` edges, an edge is
/// outside [0, 1] or NaN or edges are not strictly increasing, a panel's
/// share vectors do not have one entry per bin, a share is outside [0, 1] or
/// NaN, a label is blank, or rendering fails.
pub fn propensity_overlap(data: &PropensityOverlap, options: &ChartOptions) -> Result<Chart> {
    let check = Check {
        chart: "propensity_overlap",
    };
    let edges = &data.bin_edges;
    if edges.len() < 2 || edges.len() > MAX_BINS + 1 {
        return Err(Error::invalid_parameter(
            "bin_edges",
            edges.len(),
            format!("need between 2 and {} bin edges", MAX_BINS + 1),
        ));
    }
    for (i, &e) in edges.iter().enumerate() {
        check.within("bin_edges", i, e, 0.0, 1.0, "a propensity score in [0, 1]")?;
        if i > 0 && edges.get(i - 1).is_some_and(|&prev| e <= prev) {
            return Err(Error::invalid_value(
                check.loc("bin_edges", i),
                e.to_string(),
                "bin edges must be strictly increasing",
            ));
        }
    }
    check.label("treated_label", 0, &data.treated_label)?;
    check.label("control_label", 0, &data.control_label)?;
    let bins = edges.len() - 1;
    let mut y_max: f64 = 0.0;
    for (name, panel) in [("before", &data.before), ("after", &data.after)] {
        for (group, shares) in [("treated", &panel.treated), ("control", &panel.control)] {
            let field = format!("{name}.{group}");
            check.same_len("bins", bins, &field, shares.len())?;
            for (i, &s) in shares.iter().enumerate() {
                check.within(&field, i, s, 0.0, 1.0, "a share between 0 and 1")?;
                y_max = y_max.max(s);
            }
        }
    }
    let y_max = if y_max > 0.0 {
        (y_max * 100.0 * 1.1).min(100.0)
    } else {
        10.0
    };
    let prepared = OverlapPrepared {
        data,
        title: options
            .title
            .clone()
            .unwrap_or_else(|| "Propensity-score overlap before and after matching".to_string()),
        y_max,
    };
    render(&prepared, options.size)
}

impl Draw for OverlapPrepared<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let treated_c = colour(1);
        let control_c = colour(0);
        let legend = vec![
            LegendItem::new(
                self.data.treated_label.clone(),
                Swatch::Fill(treated_c, 0.5),
            ),
            LegendItem::new(
                self.data.control_label.clone(),
                Swatch::Fill(control_c, 0.5),
            ),
        ];
        let area = frame(root, &self.title, &legend)?;
        let panels = area.split_evenly((1, 2));
        let edges = &self.data.bin_edges;
        let x0 = edges.first().copied().unwrap_or(0.0);
        let x1 = edges.last().copied().unwrap_or(1.0);
        let ydec = if self.y_max >= 5.0 { 0 } else { 1 };
        let captions = ["Before matching", "After matching"];
        let data_panels = [&self.data.before, &self.data.after];
        for ((panel_area, caption), panel) in panels.iter().zip(captions).zip(data_panels) {
            let mut chart = ChartBuilder::on(panel_area)
                .caption(caption, text_style(ls * 1.05))
                .margin(8)
                .margin_right(16)
                .x_label_area_size((ls * 3.2) as u32)
                .y_label_area_size((ls * 4.2) as u32)
                .build_cartesian_2d(x0..x1, 0.0..self.y_max)
                .map_err(render_err)?;
            chart
                .configure_mesh()
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .x_labels(6)
                .x_desc("Propensity score")
                .y_desc("Share of group (%)")
                .axis_desc_style(text_style(ls))
                .label_style(text_style(ls * 0.9))
                .x_label_formatter(&|v| super::fmt_num(*v, 1))
                .y_label_formatter(&|v| super::fmt_num(*v, ydec))
                .draw()
                .map_err(render_err)?;
            for (shares, c) in [(&panel.control, control_c), (&panel.treated, treated_c)] {
                let bars = edges
                    .windows(2)
                    .zip(shares.iter())
                    .filter(|(_, &s)| s > 0.0)
                    .filter_map(|(e, &s)| match e {
                        [a, b] => Some((*a, *b, s * 100.0)),
                        _ => None,
                    });
                for (a, b, h) in bars {
                    chart
                        .draw_series([
                            Rectangle::new([(a, 0.0), (b, h)], c.mix(0.5).filled()),
                            Rectangle::new([(a, 0.0), (b, h)], c.stroke_width(1)),
                        ])
                        .map_err(render_err)?;
                }
            }
        }
        Ok(())
    }
}

/// How the balance plot shows standardised mean differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmdScale {
    /// Absolute SMD, |d|, with a reference line at the threshold.
    #[default]
    Absolute,
    /// Signed SMD with reference lines at ±threshold and at zero.
    Signed,
}

/// One covariate's standardised mean difference before and after matching.
#[derive(Debug, Clone, PartialEq)]
pub struct CovariateBalance {
    /// Covariate name as shown, e.g. "Age at referral".
    pub name: String,
    /// SMD in the unmatched sample (signed).
    pub before: f64,
    /// SMD in the matched sample (signed).
    pub after: f64,
}

/// Input of [`balance_plot`]: SMD per covariate before and after matching.
///
/// A balance table (`covariate, smd_unmatched, smd_matched`, as from
/// MatchIt's `summary()`) converts row by row. SMDs are summaries and need
/// no small-number suppression, but the caller must still pass only values
/// cleared for release.
#[derive(Debug, Clone, PartialEq)]
pub struct BalancePlot {
    /// Covariates, drawn top to bottom in this order (1 to [`MAX_COVARIATES`]).
    pub covariates: Vec<CovariateBalance>,
    /// Absolute or signed SMDs.
    pub scale: SmdScale,
    /// Reference threshold, conventionally 0.1 (must be > 0).
    pub threshold: f64,
}

impl BalancePlot {
    /// A plot of |SMD| with the conventional 0.1 threshold.
    pub fn new(covariates: Vec<CovariateBalance>) -> Self {
        BalancePlot {
            covariates,
            scale: SmdScale::Absolute,
            threshold: 0.1,
        }
    }
}

struct BalancePrepared<'a> {
    data: &'a BalancePlot,
    title: String,
    x_range: (f64, f64),
}

/// Covariate balance ("love") plot: one row per covariate, SMD before
/// matching (hollow circle) and after (filled circle) joined by a line, with
/// a dashed reference line at the threshold (±threshold when signed).
///
/// # Errors
/// If there are no covariates or more than [`MAX_COVARIATES`], an SMD is NaN,
/// infinite or above [`MAX_ABS_VALUE`] in magnitude, the threshold is not a
/// positive finite number, a name is blank, or rendering fails.
pub fn balance_plot(data: &BalancePlot, options: &ChartOptions) -> Result<Chart> {
    let check = Check {
        chart: "balance_plot",
    };
    check.non_empty("covariates", data.covariates.len())?;
    if data.covariates.len() > MAX_COVARIATES {
        return Err(Error::invalid_parameter(
            "covariates",
            data.covariates.len(),
            format!("at most {MAX_COVARIATES} covariates can be shown"),
        ));
    }
    if !(data.threshold.is_finite() && data.threshold > 0.0 && data.threshold <= MAX_ABS_VALUE) {
        return Err(Error::invalid_parameter(
            "threshold",
            data.threshold,
            "must be a positive finite number (conventionally 0.1)",
        ));
    }
    let mut m = data.threshold;
    for (i, c) in data.covariates.iter().enumerate() {
        check.label("name", i, &c.name)?;
        check.finite("before", i, c.before)?;
        check.finite("after", i, c.after)?;
        m = m.max(c.before.abs()).max(c.after.abs());
    }
    let x_range = match data.scale {
        SmdScale::Absolute => (0.0, m * 1.1),
        SmdScale::Signed => (-m * 1.1, m * 1.1),
    };
    let prepared = BalancePrepared {
        data,
        title: options
            .title
            .clone()
            .unwrap_or_else(|| "Covariate balance before and after matching".to_string()),
        x_range,
    };
    render(&prepared, options.size)
}

impl BalancePrepared<'_> {
    fn shown(&self, smd: f64) -> f64 {
        match self.data.scale {
            SmdScale::Absolute => smd.abs(),
            SmdScale::Signed => smd,
        }
    }
}

/// Shorten `s` to at most `max` characters, ending in "…" if cut.
fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

impl Draw for BalancePrepared<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let before_c = colour(3);
        let after_c = colour(0);
        let thr = self.data.threshold;
        let thr_text = match self.data.scale {
            SmdScale::Absolute => format!("|SMD| = {thr} threshold"),
            SmdScale::Signed => format!("SMD = ±{thr} threshold"),
        };
        let legend = vec![
            LegendItem::new("Before matching", Swatch::Hollow(before_c)),
            LegendItem::new("After matching", Swatch::Point(after_c)),
            LegendItem::new(thr_text, Swatch::Dashed(GREY)),
        ];
        let area = frame(root, &self.title, &legend)?;
        let n = self.data.covariates.len();
        let (_, area_h) = area.dim_in_pixel();
        // Name font shrinks so rows do not overlap.
        let pitch = (area_h as f64 - ls * 4.0) / n as f64;
        let name_font = text_style((ls * 0.9).min(pitch * 0.8).max(6.0));
        let names: Vec<String> = self
            .data
            .covariates
            .iter()
            .map(|c| ellipsize(&c.name, 40))
            .collect();
        let mut name_w = 0u32;
        for name in &names {
            let (tw, _) = area
                .estimate_text_size(name, &name_font)
                .map_err(render_err)?;
            name_w = name_w.max(tw);
        }
        let name_w = (name_w + 12).min(w * 2 / 5);
        let (x0, x1) = self.x_range;
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size((ls * 3.2) as u32)
            .y_label_area_size(name_w)
            .build_cartesian_2d(x0..x1, 0.0..n as f64)
            .map_err(render_err)?;
        let x_desc = match self.data.scale {
            SmdScale::Absolute => "Absolute standardised mean difference |SMD|",
            SmdScale::Signed => "Standardised mean difference (SMD)",
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_desc(x_desc)
            .axis_desc_style(text_style(ls))
            .label_style(text_style(ls * 0.9))
            .x_label_formatter(&|v| super::fmt_num(*v, 2))
            .draw()
            .map_err(render_err)?;
        let n_f = n as f64;
        let mut refs = vec![thr];
        if self.data.scale == SmdScale::Signed {
            refs.push(-thr);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, 0.0), (0.0, n_f)],
                    GREY.stroke_width(1),
                )))
                .map_err(render_err)?;
        }
        for r in refs {
            chart
                .draw_series(std::iter::once(plotters::element::DashedPathElement::new(
                    vec![(r, 0.0), (r, n_f)],
                    6,
                    4,
                    GREY.stroke_width(2),
                )))
                .map_err(render_err)?;
        }
        let radius = (pitch * 0.3).clamp(2.0, 5.0) as i32;
        for (i, c) in self.data.covariates.iter().enumerate() {
            let y = n_f - i as f64 - 0.5;
            let (b, a) = (self.shown(c.before), self.shown(c.after));
            chart
                .draw_series([PathElement::new(
                    vec![(b, y), (a, y)],
                    GREY.mix(0.6).stroke_width(1),
                )])
                .map_err(render_err)?;
            chart
                .draw_series([Circle::new((b, y), radius, before_c.stroke_width(2))])
                .map_err(render_err)?;
            chart
                .draw_series([Circle::new((a, y), radius, after_c.filled())])
                .map_err(render_err)?;
        }
        // Covariate names, right-aligned against the plot's left edge.
        for (i, name) in names.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(x0, n_f - i as f64 - 0.5));
            root.draw(&Text::new(
                name.clone(),
                (px - 6, py),
                name_font.pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(render_err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_svg_contains, png_dims};
    use super::*;

    pub(crate) fn overlap() -> PropensityOverlap {
        let edges: Vec<f64> = (0..=20).map(|i| i as f64 / 20.0).collect();
        let bump = |centre: f64, spread: f64| -> Vec<f64> {
            let raw: Vec<f64> = (0..20)
                .map(|i| {
                    let x = (i as f64 + 0.5) / 20.0;
                    (-((x - centre) / spread).powi(2) / 2.0).exp()
                })
                .collect();
            let total: f64 = raw.iter().sum();
            raw.iter().map(|r| r / total).collect()
        };
        PropensityOverlap {
            bin_edges: edges,
            treated_label: "Programme".into(),
            control_label: "Comparison".into(),
            before: OverlapPanel {
                treated: bump(0.6, 0.15),
                control: bump(0.3, 0.15),
            },
            after: OverlapPanel {
                treated: bump(0.55, 0.13),
                control: bump(0.53, 0.13),
            },
        }
    }

    pub(crate) fn balance() -> BalancePlot {
        let c = |name: &str, before: f64, after: f64| CovariateBalance {
            name: name.into(),
            before,
            after,
        };
        BalancePlot::new(vec![
            c("Age at referral", 0.35, 0.04),
            c("Female", -0.12, 0.02),
            c("Prior convictions (count)", 0.52, 0.08),
            c("Rough sleeping in last year", 0.41, -0.06),
            c("Mental health contact in last year", 0.22, 0.11),
            c("Substance misuse treatment", -0.30, -0.03),
        ])
    }

    #[test]
    fn overlap_renders() {
        let chart = propensity_overlap(&overlap(), &ChartOptions::default()).unwrap();
        assert_svg_contains(
            &chart,
            &[
                "Propensity-score overlap before and after matching",
                "Before matching",
                "After matching",
                "Programme",
                "Comparison",
                "Propensity score",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn overlap_rejects_bad_input() {
        let o = ChartOptions::default();
        let mut d = overlap();
        d.bin_edges[3] = d.bin_edges[2];
        assert!(propensity_overlap(&d, &o).is_err());
        let mut d = overlap();
        d.after.control.pop();
        assert!(propensity_overlap(&d, &o).is_err());
        let mut d = overlap();
        d.before.treated[0] = f64::NAN;
        assert!(propensity_overlap(&d, &o).is_err());
        let mut d = overlap();
        d.bin_edges[20] = 1.5;
        assert!(propensity_overlap(&d, &o).is_err());
        let mut d = overlap();
        d.bin_edges.truncate(1);
        assert!(propensity_overlap(&d, &o).is_err());
    }

    #[test]
    fn balance_renders_absolute_and_signed() {
        let chart = balance_plot(&balance(), &ChartOptions::default()).unwrap();
        assert_svg_contains(
            &chart,
            &[
                "Covariate balance before and after matching",
                "Before matching",
                "After matching",
                "|SMD| = 0.1 threshold",
                "Prior convictions (count)",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
        let mut d = balance();
        d.scale = SmdScale::Signed;
        let chart = balance_plot(&d, &ChartOptions::default()).unwrap();
        assert_svg_contains(&chart, &["SMD = ±0.1 threshold"]);
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn balance_rejects_bad_input() {
        let o = ChartOptions::default();
        let mut d = balance();
        d.threshold = 0.0;
        assert!(balance_plot(&d, &o).is_err());
        let mut d = balance();
        d.covariates[0].after = f64::NAN;
        assert!(balance_plot(&d, &o).is_err());
        let mut d = balance();
        d.covariates.clear();
        assert!(balance_plot(&d, &o).is_err());
    }
}
