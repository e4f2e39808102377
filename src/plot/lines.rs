//! Line charts: NDT total over time (mean with CI band per group) and
//! anti-social behaviour per 1,000 by month with the start month marked.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    ci_text, colour, frame, frame_with_note, label_size, padded_range, render, render_err,
    text_style, tick_decimals, Chart, ChartOptions, Check, Draw, LegendItem, Swatch, ValueWithCi,
    GREY,
};
use crate::error::Result;
use crate::stats::ConfidenceLevel;

/// Attribution the NDT's copyright holder requires on any output using the
/// NDT Assessment (MEAM, <http://meam.org.uk/service-pilots-2/>; see
/// `../shared/reference/domain.md` §1). Printed under the NDT chart.
pub const NDT_ATTRIBUTION: &str =
    "NDT Assessment © South West London and St George's Mental Health Trust";

/// Highest possible New Directions Team (Chaos Index) assessment total.
pub const NDT_MAX: f64 = 48.0;

/// Largest magnitude accepted for a time since start (months or quarters).
pub const MAX_TIME: f64 = 10_000.0;

/// The unit of time since the start of support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeUnit {
    /// Months since start.
    #[default]
    Months,
    /// Quarters since start.
    Quarters,
}

impl TimeUnit {
    fn axis_label(self) -> &'static str {
        match self {
            TimeUnit::Months => "Months since start of support",
            TimeUnit::Quarters => "Quarters since start of support",
        }
    }
}

/// One group's mean NDT total at successive times since start.
#[derive(Debug, Clone, PartialEq)]
pub struct NdtGroupSeries {
    /// Group label, e.g. "Programme" or "Comparison".
    pub label: String,
    /// Times since start, strictly increasing, in [`NdtOverTime::time_unit`].
    pub time: Vec<f64>,
    /// Mean NDT total (0–48) at each time, with its CI when known.
    pub mean: Vec<ValueWithCi>,
}

/// Input of [`ndt_over_time`]: the mean NDT total (0–48; higher means more
/// need) by time since start, one series per group.
///
/// A cleared table with columns `group, time, mean, ci_lower, ci_upper`
/// converts directly: one [`NdtGroupSeries`] per group, rows in time order.
/// The caller must pass disclosure-controlled values only.
#[derive(Debug, Clone, PartialEq)]
pub struct NdtOverTime {
    /// Unit of the time axis.
    pub time_unit: TimeUnit,
    /// Level of the intervals (for the legend).
    pub ci_level: ConfidenceLevel,
    /// One series per group (at most 8).
    pub groups: Vec<NdtGroupSeries>,
}

struct NdtPrepared<'a> {
    data: &'a NdtOverTime,
    title: String,
    x_range: (f64, f64),
}

/// NDT total over time since start: mean line with shaded CI band per group,
/// y axis fixed at 0–48.
///
/// CI bands are drawn clipped to 0–48. The chart carries the
/// [`NDT_ATTRIBUTION`] note along its bottom edge.
///
/// # Errors
/// If there are no groups or more than 8, a group has no points, `time` and
/// `mean` differ in length, a time is not finite or times are not strictly
/// increasing or outside ±[`MAX_TIME`], a mean or CI bound is outside 0–48 or NaN, an interval has
/// lower > upper, a label is blank, or rendering fails.
pub fn ndt_over_time(data: &NdtOverTime, options: &ChartOptions) -> Result<Chart> {
    let check = Check {
        chart: "ndt_over_time",
    };
    check.non_empty("groups", data.groups.len())?;
    if data.groups.len() > 8 {
        return Err(crate::error::Error::invalid_parameter(
            "groups",
            data.groups.len(),
            "at most 8 groups can be told apart by colour",
        ));
    }
    let mut x_min = f64::INFINITY;
    let mut x_max = f64::NEG_INFINITY;
    for (g, group) in data.groups.iter().enumerate() {
        check.label("groups.label", g, &group.label)?;
        check.non_empty("groups.time", group.time.len())?;
        check.same_len(
            "groups.time",
            group.time.len(),
            "groups.mean",
            group.mean.len(),
        )?;
        for (i, &t) in group.time.iter().enumerate() {
            check.within(
                "time",
                i,
                t,
                -MAX_TIME,
                MAX_TIME,
                "a time since start within ±10,000 months or quarters",
            )?;
            if i > 0 && group.time.get(i - 1).is_some_and(|&prev| t <= prev) {
                return Err(crate::error::Error::invalid_value(
                    check.loc("time", i),
                    t.to_string(),
                    "times must be strictly increasing",
                ));
            }
            x_min = x_min.min(t);
            x_max = x_max.max(t);
        }
        for (i, m) in group.mean.iter().enumerate() {
            check.value_ci("mean", i, m, 0.0, NDT_MAX, "an NDT total between 0 and 48")?;
        }
    }
    let (lo, hi) = padded_range(x_min, x_max, false);
    let prepared = NdtPrepared {
        data,
        title: options
            .title
            .clone()
            .unwrap_or_else(|| "NDT assessment total over time since start".to_string()),
        x_range: (lo, hi),
    };
    render(&prepared, options.size)
}

impl Draw for NdtPrepared<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let mut legend: Vec<LegendItem> = self
            .data
            .groups
            .iter()
            .enumerate()
            .map(|(g, s)| LegendItem::new(format!("{} (mean)", s.label), Swatch::Line(colour(g))))
            .collect();
        if self
            .data
            .groups
            .iter()
            .any(|g| g.mean.iter().any(|m| m.ci.is_some()))
        {
            legend.push(LegendItem::new(
                format!("Shaded: {}", ci_text(self.data.ci_level)),
                Swatch::Fill(GREY, 0.25),
            ));
        }
        let area = frame_with_note(root, &self.title, &legend, Some(NDT_ATTRIBUTION))?;
        let (x0, x1) = self.x_range;
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size((ls * 3.2) as u32)
            .y_label_area_size((ls * 4.0) as u32)
            .build_cartesian_2d(x0..x1, 0.0..NDT_MAX)
            .map_err(render_err)?;
        let xdec = if x1 - x0 >= 5.0 { 0 } else { 1 };
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_desc(self.data.time_unit.axis_label())
            .y_desc("NDT total (0–48, higher = more need)")
            .axis_desc_style(text_style(ls))
            .label_style(text_style(ls * 0.9))
            .x_label_formatter(&|v| super::fmt_num(*v, xdec))
            .y_label_formatter(&|v| super::fmt_num(*v, 0))
            .draw()
            .map_err(render_err)?;
        // Bands first so lines sit on top.
        for (g, group) in self.data.groups.iter().enumerate() {
            let pts: Vec<(f64, f64, f64)> = group
                .time
                .iter()
                .zip(&group.mean)
                .filter_map(|(&t, m)| {
                    m.ci.map(|ci| {
                        (
                            t,
                            ci.lower.clamp(0.0, NDT_MAX),
                            ci.upper.clamp(0.0, NDT_MAX),
                        )
                    })
                })
                .collect();
            if pts.len() >= 2 {
                let mut poly: Vec<(f64, f64)> = pts.iter().map(|&(t, _, u)| (t, u)).collect();
                poly.extend(pts.iter().rev().map(|&(t, l, _)| (t, l)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        poly,
                        colour(g).mix(0.2).filled(),
                    )))
                    .map_err(render_err)?;
            } else {
                // A single CI: draw a whisker.
                for &(t, l, u) in &pts {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(t, l), (t, u)],
                            colour(g).mix(0.5).stroke_width(6),
                        )))
                        .map_err(render_err)?;
                }
            }
        }
        for (g, group) in self.data.groups.iter().enumerate() {
            let pts: Vec<(f64, f64)> = group
                .time
                .iter()
                .zip(&group.mean)
                .map(|(&t, m)| (t, m.value))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour(g).stroke_width(3)))
                .map_err(render_err)?;
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour(g).filled())))
                .map_err(render_err)?;
        }
        Ok(())
    }
}

/// One area type's monthly ASB rate.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlySeries {
    /// Series label, e.g. "Pilot areas".
    pub label: String,
    /// ASB incidents per 1,000 residents, one per month of
    /// [`AsbByMonth::months`] (non-negative).
    pub values: Vec<f64>,
}

/// Input of [`asb_by_month`]: anti-social behaviour incidents per 1,000
/// residents by calendar month, one line per area type.
///
/// A cleared table with columns `month, pilot_rate, comparison_rate` converts
/// directly. The caller must pass disclosure-controlled values only.
#[derive(Debug, Clone, PartialEq)]
pub struct AsbByMonth {
    /// Month labels in order, e.g. `"2024-01"` (at least two).
    pub months: Vec<String>,
    /// One series per area type (at most 8), each with one value per month.
    pub series: Vec<MonthlySeries>,
    /// Index into `months` of the first month of the programme.
    pub start_index: usize,
    /// Text beside the start line, e.g. "Pilot starts".
    pub start_label: String,
}

struct AsbPrepared<'a> {
    data: &'a AsbByMonth,
    title: String,
    y_range: (f64, f64),
}

/// ASB per 1,000 residents by month: one line per series, with a dashed
/// vertical line and label at the start month.
///
/// # Errors
/// If there are fewer than two months, no series or more than 8, a series'
/// length differs from the number of months, a value is negative or not
/// finite, `start_index` is past the last month, a label is blank, or
/// rendering fails.
pub fn asb_by_month(data: &AsbByMonth, options: &ChartOptions) -> Result<Chart> {
    let check = Check {
        chart: "asb_by_month",
    };
    if data.months.len() < 2 {
        return Err(crate::error::Error::insufficient_data(
            "asb_by_month chart",
            format!(
                "{} month(s) given; at least 2 are needed for a line",
                data.months.len()
            ),
        ));
    }
    for (i, m) in data.months.iter().enumerate() {
        check.label("months", i, m)?;
    }
    check.non_empty("series", data.series.len())?;
    if data.series.len() > 8 {
        return Err(crate::error::Error::invalid_parameter(
            "series",
            data.series.len(),
            "at most 8 series can be told apart by colour",
        ));
    }
    let mut y_max: f64 = 0.0;
    for (s, series) in data.series.iter().enumerate() {
        check.label("series.label", s, &series.label)?;
        check.same_len(
            "months",
            data.months.len(),
            "series.values",
            series.values.len(),
        )?;
        for (i, &v) in series.values.iter().enumerate() {
            check.within(
                "values",
                i,
                v,
                0.0,
                super::MAX_ABS_VALUE,
                "a non-negative rate",
            )?;
            y_max = y_max.max(v);
        }
    }
    if data.start_index >= data.months.len() {
        return Err(crate::error::Error::invalid_parameter(
            "start_index",
            data.start_index,
            format!(
                "must be less than the number of months ({})",
                data.months.len()
            ),
        ));
    }
    let (lo, hi) = padded_range(0.0, y_max * 1.08, true);
    let prepared = AsbPrepared {
        data,
        title: options
            .title
            .clone()
            .unwrap_or_else(|| "Anti-social behaviour per 1,000 residents by month".to_string()),
        y_range: (lo, hi),
    };
    render(&prepared, options.size)
}

impl Draw for AsbPrepared<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let mut legend: Vec<LegendItem> = self
            .data
            .series
            .iter()
            .enumerate()
            .map(|(s, series)| LegendItem::new(series.label.clone(), Swatch::Line(colour(s))))
            .collect();
        legend.push(LegendItem::new(
            self.data.start_label.clone(),
            Swatch::Dashed(GREY),
        ));
        let area = frame(root, &self.title, &legend)?;
        let n = self.data.months.len();
        let last = (n as f64 - 1.0).max(1.0);
        let (y0, y1) = self.y_range;
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(25)
            .x_label_area_size((ls * 3.2) as u32)
            .y_label_area_size((ls * 4.0) as u32)
            .build_cartesian_2d(0.0..last, y0..y1)
            .map_err(render_err)?;
        let (plot_w, _) = chart.plotting_area().dim_in_pixel();
        // Label every `step` months, the smallest calendar-friendly step at
        // which the labels fit side by side.
        let tick_font = text_style(ls * 0.9);
        let mut longest = 0u32;
        for m in &self.data.months {
            let (tw, _) = root.estimate_text_size(m, &tick_font).map_err(render_err)?;
            longest = longest.max(tw);
        }
        let per_label = f64::from(longest) + 12.0;
        let step = [1usize, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120]
            .into_iter()
            .find(|&s| (n.div_ceil(s) as f64) * per_label <= f64::from(plot_w))
            .unwrap_or(n.max(1));
        let ydec = tick_decimals(y1 - y0);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_desc("Month")
            .y_desc("ASB incidents per 1,000 residents")
            .axis_desc_style(text_style(ls))
            .label_style(text_style(ls * 0.9))
            .y_label_formatter(&|v| super::fmt_num(*v, ydec))
            .draw()
            .map_err(render_err)?;
        for (i, month) in self.data.months.iter().enumerate().step_by(step) {
            let x = i as f64;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, y0), (x, y1)],
                    BLACK.mix(0.08).stroke_width(1),
                )))
                .map_err(render_err)?;
            let (px, py) = chart.backend_coord(&(x, y0));
            root.draw(&PathElement::new(
                vec![(px, py), (px, py + 5)],
                BLACK.stroke_width(1),
            ))
            .map_err(render_err)?;
            root.draw(&Text::new(
                month.clone(),
                (px, py + 7),
                tick_font.pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(render_err)?;
        }
        let start = self.data.start_index as f64;
        chart
            .draw_series(std::iter::once(plotters::element::DashedPathElement::new(
                vec![(start, y0), (start, y1)],
                6,
                4,
                GREY.stroke_width(2),
            )))
            .map_err(render_err)?;
        // Label at the top of the start line, on whichever side has room.
        let (px, py) = chart.backend_coord(&(start, y1));
        let (plot_x0, _) = chart.backend_coord(&(0.0, y1));
        let right_side = (px - plot_x0) < (plot_w as i32) / 2;
        let pos = if right_side {
            Pos::new(HPos::Left, VPos::Top)
        } else {
            Pos::new(HPos::Right, VPos::Top)
        };
        let dx = if right_side { 5 } else { -5 };
        root.draw(&Text::new(
            self.data.start_label.clone(),
            (px + dx, py + 4),
            text_style(ls * 0.9).color(&GREY).pos(pos),
        ))
        .map_err(render_err)?;
        for (s, series) in self.data.series.iter().enumerate() {
            let pts: Vec<(f64, f64)> = series
                .values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour(s).stroke_width(3)))
                .map_err(render_err)?;
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, colour(s).filled())))
                .map_err(render_err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_svg_contains, png_dims};
    use super::*;

    fn ndt() -> NdtOverTime {
        NdtOverTime {
            time_unit: TimeUnit::Months,
            ci_level: ConfidenceLevel::NINETY_FIVE,
            groups: vec![
                NdtGroupSeries {
                    label: "Programme".into(),
                    time: vec![0.0, 3.0, 6.0, 9.0, 12.0],
                    mean: vec![
                        ValueWithCi::with_ci(30.0, 28.0, 32.0),
                        ValueWithCi::with_ci(27.0, 25.0, 29.5),
                        ValueWithCi::with_ci(24.5, 22.0, 27.0),
                        ValueWithCi::with_ci(22.0, 19.5, 24.5),
                        ValueWithCi::with_ci(21.0, 18.0, 24.0),
                    ],
                },
                NdtGroupSeries {
                    label: "Comparison".into(),
                    time: vec![0.0, 3.0, 6.0, 9.0, 12.0],
                    mean: vec![
                        ValueWithCi::with_ci(29.5, 27.5, 31.5),
                        ValueWithCi::with_ci(29.0, 27.0, 31.0),
                        ValueWithCi::with_ci(28.0, 26.0, 30.0),
                        ValueWithCi::with_ci(28.5, 26.0, 31.0),
                        ValueWithCi::with_ci(27.5, 25.0, 30.0),
                    ],
                },
            ],
        }
    }

    pub(crate) fn asb() -> AsbByMonth {
        let months: Vec<String> = (0..18)
            .map(|i| format!("{}-{:02}", 2023 + (i / 12), i % 12 + 1))
            .collect();
        AsbByMonth {
            series: vec![
                MonthlySeries {
                    label: "Pilot areas".into(),
                    values: (0..18)
                        .map(|i| 4.0 + (i as f64 * 0.9).sin() - if i >= 9 { 1.2 } else { 0.0 })
                        .collect(),
                },
                MonthlySeries {
                    label: "Comparison areas".into(),
                    values: (0..18)
                        .map(|i| 3.6 + (i as f64 * 0.7).cos() * 0.6)
                        .collect(),
                },
            ],
            months,
            start_index: 9,
            start_label: "Pilot starts (2023-10)".into(),
        }
    }

    #[test]
    fn ndt_renders_svg_and_png() {
        let chart = ndt_over_time(&ndt(), &ChartOptions::default()).unwrap();
        assert_svg_contains(
            &chart,
            &[
                "NDT assessment total over time since start",
                "Programme (mean)",
                "Comparison (mean)",
                "95% confidence interval",
                "Months since start of support",
                "South West London and St George",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn ndt_rejects_bad_input() {
        let opts = ChartOptions::default();
        let mut d = ndt();
        d.groups[0].mean[2].value = f64::NAN;
        assert!(ndt_over_time(&d, &opts).is_err());
        let mut d = ndt();
        d.groups[0].mean[2].value = 49.0;
        assert!(ndt_over_time(&d, &opts).is_err());
        let mut d = ndt();
        d.groups[1].time.pop();
        assert!(ndt_over_time(&d, &opts).is_err());
        let mut d = ndt();
        d.groups[1].time[2] = 1.0;
        assert!(ndt_over_time(&d, &opts).is_err());
        let mut d = ndt();
        d.groups.clear();
        assert!(ndt_over_time(&d, &opts).is_err());
        let mut d = ndt();
        d.groups[0].mean[0] = ValueWithCi::with_ci(30.0, 32.0, 28.0);
        assert!(ndt_over_time(&d, &opts).is_err());
    }

    #[test]
    fn ndt_single_point_and_custom_size() {
        let mut d = ndt();
        d.groups.truncate(1);
        d.groups[0].time.truncate(1);
        d.groups[0].mean.truncate(1);
        let opts = ChartOptions {
            size: super::super::ChartSize::new(400, 300).unwrap(),
            title: Some("Custom title".into()),
        };
        let chart = ndt_over_time(&d, &opts).unwrap();
        assert_svg_contains(&chart, &["Custom title"]);
        assert_eq!(png_dims(&chart), (400, 300));
    }

    #[test]
    fn asb_renders_svg_and_png() {
        let chart = asb_by_month(&asb(), &ChartOptions::default()).unwrap();
        assert_svg_contains(
            &chart,
            &[
                "Anti-social behaviour per 1,000 residents by month",
                "Pilot areas",
                "Comparison areas",
                "Pilot starts (2023-10)",
                "2023-01",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn asb_rejects_bad_input() {
        let opts = ChartOptions::default();
        let mut d = asb();
        d.start_index = 18;
        assert!(asb_by_month(&d, &opts).is_err());
        let mut d = asb();
        d.series[0].values[0] = -1.0;
        assert!(asb_by_month(&d, &opts).is_err());
        let mut d = asb();
        d.series[1].values.push(1.0);
        assert!(asb_by_month(&d, &opts).is_err());
        let mut d = asb();
        d.months.truncate(1);
        assert!(asb_by_month(&d, &opts).is_err());
        let mut d = asb();
        d.series[0].values[3] = f64::INFINITY;
        assert!(asb_by_month(&d, &opts).is_err());
    }
}
