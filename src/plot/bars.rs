//! Grouped before/after bar charts: service use by category, and persistent
//! absence in pilot and comparison areas.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    category_font, ci_text, colour, draw_x_categories, frame, label_size, padded_range, render,
    render_err, text_style, tick_decimals, x_category_area, Chart, ChartOptions, Check, Draw,
    LegendItem, PeriodLabels, Swatch, ValueWithCi, MAX_ABS_VALUE,
};
use crate::error::{Error, Result};
use crate::stats::ConfidenceLevel;

/// Most groups (bar clusters) one chart accepts; more cannot be labelled legibly.
pub const MAX_BAR_GROUPS: usize = 24;

/// One cluster of a before/after bar chart: a label and the two values.
#[derive(Debug, Clone, PartialEq)]
pub struct BeforeAfterGroup {
    /// Cluster label, e.g. a service category or "Pilot areas".
    pub label: String,
    /// Value in the earlier period, with optional CI.
    pub before: ValueWithCi,
    /// Value in the later period, with optional CI.
    pub after: ValueWithCi,
}

/// Input of [`service_use_before_after`]: service use per person per
/// quarter, before and after, by service category.
///
/// A cleared table with columns `category, before, before_lower,
/// before_upper, after, after_lower, after_upper` converts row by row into
/// [`BeforeAfterGroup`]s. The caller must pass disclosure-controlled values
/// only.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceUseBeforeAfter {
    /// Y-axis label with units, e.g. "Contacts per person per quarter".
    pub unit: String,
    /// Labels of the two periods.
    pub periods: PeriodLabels,
    /// Level of the intervals (for the legend).
    pub ci_level: ConfidenceLevel,
    /// One cluster per service category (1 to [`MAX_BAR_GROUPS`]); values
    /// non-negative.
    pub categories: Vec<BeforeAfterGroup>,
}

/// Input of [`persistent_absence`]: the persistent-absence rate before and
/// after, for pilot and comparison areas (or any groups).
///
/// Rates are **proportions in [0, 1]** (pupils persistently absent ÷ pupils
/// enrolled); they are drawn as percentages. The caller must pass
/// disclosure-controlled values only.
#[derive(Debug, Clone, PartialEq)]
pub struct PersistentAbsence {
    /// Labels of the two periods, e.g. "2022/23" and "2023/24".
    pub periods: PeriodLabels,
    /// Level of the intervals (for the legend).
    pub ci_level: ConfidenceLevel,
    /// One cluster per group, e.g. "Pilot areas" and "Comparison areas".
    pub groups: Vec<BeforeAfterGroup>,
}

/// A validated grouped bar chart ready to draw.
struct GroupedBars<'a> {
    title: String,
    y_desc: String,
    periods: &'a PeriodLabels,
    ci_level: ConfidenceLevel,
    /// Values already scaled for display.
    groups: Vec<(&'a str, [ValueWithCi; 2])>,
    y_max: f64,
}

/// Service use per person per quarter before and after, by category:
/// grouped bars (one pair per category) with CI whiskers where given.
///
/// # Errors
/// If there are no categories or more than [`MAX_BAR_GROUPS`], a value or
/// CI bound is negative, NaN, infinite or above [`MAX_ABS_VALUE`], an
/// interval has lower > upper, a label is blank, or rendering fails.
pub fn service_use_before_after(
    data: &ServiceUseBeforeAfter,
    options: &ChartOptions,
) -> Result<Chart> {
    let check = Check {
        chart: "service_use_before_after",
    };
    check.label("unit", 0, &data.unit)?;
    let groups = validate_groups(
        &check,
        "categories",
        &data.categories,
        &data.periods,
        MAX_ABS_VALUE,
        "a non-negative number",
        1.0,
    )?;
    let y_max = max_shown(&groups);
    let chart = GroupedBars {
        title: options.title.clone().unwrap_or_else(|| {
            "Service use per person per quarter, before and after, by category".to_string()
        }),
        y_desc: data.unit.clone(),
        periods: &data.periods,
        ci_level: data.ci_level,
        groups,
        y_max,
    };
    render(&chart, options.size)
}

/// Persistent absence before and after for each group (pilot and comparison
/// areas): grouped bars in percent with CI whiskers where given.
///
/// # Errors
/// If there are no groups or more than [`MAX_BAR_GROUPS`], a rate or CI
/// bound is outside [0, 1] or NaN, an interval has lower > upper, a label is
/// blank, or rendering fails.
pub fn persistent_absence(data: &PersistentAbsence, options: &ChartOptions) -> Result<Chart> {
    let check = Check {
        chart: "persistent_absence",
    };
    let groups = validate_groups(
        &check,
        "groups",
        &data.groups,
        &data.periods,
        1.0,
        "a proportion between 0 and 1",
        100.0,
    )?;
    let y_max = max_shown(&groups).min(100.0);
    let chart = GroupedBars {
        title: options.title.clone().unwrap_or_else(|| {
            "Persistent absence before and after, pilot and comparison areas".to_string()
        }),
        y_desc: "Pupils persistently absent (%)".to_string(),
        periods: &data.periods,
        ci_level: data.ci_level,
        groups,
        y_max,
    };
    render(&chart, options.size)
}

/// Validate clusters and scale them for display.
fn validate_groups<'a>(
    check: &Check,
    field: &str,
    groups: &'a [BeforeAfterGroup],
    periods: &PeriodLabels,
    hi: f64,
    what: &str,
    scale: f64,
) -> Result<Vec<(&'a str, [ValueWithCi; 2])>> {
    check.non_empty(field, groups.len())?;
    if groups.len() > MAX_BAR_GROUPS {
        return Err(Error::invalid_parameter(
            field,
            groups.len(),
            format!("at most {MAX_BAR_GROUPS} clusters can be labelled legibly"),
        ));
    }
    check.label("periods.before", 0, &periods.before)?;
    check.label("periods.after", 0, &periods.after)?;
    let scaled = |v: &ValueWithCi| ValueWithCi {
        value: v.value * scale,
        ci: v
            .ci
            .map(|ci| crate::stats::Interval::new(ci.lower * scale, ci.upper * scale)),
    };
    let mut out = Vec::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        check.label(&format!("{field}.label"), i, &g.label)?;
        check.value_ci("before", i, &g.before, 0.0, hi, what)?;
        check.value_ci("after", i, &g.after, 0.0, hi, what)?;
        out.push((g.label.as_str(), [scaled(&g.before), scaled(&g.after)]));
    }
    Ok(out)
}

/// Largest value or upper CI bound shown.
fn max_shown(groups: &[(&str, [ValueWithCi; 2])]) -> f64 {
    groups
        .iter()
        .flat_map(|(_, vs)| vs.iter())
        .map(|v| v.ci.map_or(v.value, |ci| ci.upper.max(v.value)))
        .fold(0.0, f64::max)
}

/// Colours of the before and after bars: sky blue and blue (light vs dark,
/// so they also differ in greyscale).
fn period_colour(p: usize) -> RGBColor {
    if p == 0 {
        colour(5)
    } else {
        colour(0)
    }
}

impl Draw for GroupedBars<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let mut legend = vec![
            LegendItem::new(
                self.periods.before.clone(),
                Swatch::Fill(period_colour(0), 1.0),
            ),
            LegendItem::new(
                self.periods.after.clone(),
                Swatch::Fill(period_colour(1), 1.0),
            ),
        ];
        let any_ci = self
            .groups
            .iter()
            .any(|(_, vs)| vs.iter().any(|v| v.ci.is_some()));
        if any_ci {
            legend.push(LegendItem::new(
                format!("Whiskers: {}", ci_text(self.ci_level)),
                Swatch::Whisker(BLACK),
            ));
        }
        let area = frame(root, &self.title, &legend)?;
        let n = self.groups.len();
        let (_, y1) = padded_range(0.0, self.y_max * 1.05, true);
        let y_area = (ls * 4.5) as u32;
        let names: Vec<&str> = self.groups.iter().map(|(label, _)| *label).collect();
        let (area_w, _) = area.dim_in_pixel();
        let plot_w = area_w.saturating_sub(y_area + 30);
        let label_font = category_font(
            &area,
            &names,
            plot_w / (names.len().max(1) as u32),
            ls * 0.9,
        )?;
        let x_area = x_category_area(&area, &names, plot_w, &label_font)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..n as f64, 0.0..y1)
            .map_err(render_err)?;
        let ydec = tick_decimals(y1);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .y_desc(self.y_desc.as_str())
            .axis_desc_style(text_style(ls))
            .label_style(text_style(ls * 0.9))
            .y_label_formatter(&|v| super::fmt_num(*v, ydec))
            .draw()
            .map_err(render_err)?;
        // Whisker caps 8 px either side at most, in x units.
        let unit_px =
            (chart.backend_coord(&(1.0, 0.0)).0 - chart.backend_coord(&(0.0, 0.0)).0).max(1) as f64;
        let cap = (8.0 / unit_px).min(0.09);
        for (i, (_, vs)) in self.groups.iter().enumerate() {
            let base = i as f64;
            for (p, v) in vs.iter().enumerate() {
                let x0 = base + 0.12 + 0.38 * p as f64;
                let x1 = x0 + 0.36;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x1, v.value)],
                        period_colour(p).filled(),
                    )))
                    .map_err(render_err)?;
                if let Some(ci) = v.ci {
                    let xm = (x0 + x1) / 2.0;
                    let style = BLACK.stroke_width(2);
                    chart
                        .draw_series([
                            PathElement::new(vec![(xm, ci.lower), (xm, ci.upper)], style),
                            PathElement::new(
                                vec![(xm - cap, ci.lower), (xm + cap, ci.lower)],
                                style,
                            ),
                            PathElement::new(
                                vec![(xm - cap, ci.upper), (xm + cap, ci.upper)],
                                style,
                            ),
                        ])
                        .map_err(render_err)?;
                }
            }
        }
        // Category labels under each cluster, wrapped to the cluster width.
        let (px0, py) = chart.backend_coord(&(0.0, 0.0));
        let (px1, _) = chart.backend_coord(&(n as f64, 0.0));
        let slot = ((px1 - px0) as f64 / n as f64).max(1.0) as u32;
        let labels: Vec<(i32, &str)> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, (label, _))| (chart.backend_coord(&(i as f64 + 0.5, 0.0)).0, *label))
            .collect();
        draw_x_categories(root, &labels, py + 6, slot, &label_font)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_svg_contains, png_dims};
    use super::*;

    pub(crate) fn service() -> ServiceUseBeforeAfter {
        let g = |label: &str, b: f64, a: f64| BeforeAfterGroup {
            label: label.into(),
            before: ValueWithCi::with_ci(b, b * 0.8, b * 1.2),
            after: ValueWithCi::with_ci(a, a * 0.8, a * 1.2),
        };
        ServiceUseBeforeAfter {
            unit: "Contacts per person per quarter".into(),
            periods: PeriodLabels {
                before: "Year before support".into(),
                after: "Year after start".into(),
            },
            ci_level: ConfidenceLevel::NINETY_FIVE,
            categories: vec![
                g("A&E attendances", 1.4, 0.9),
                g("Hospital admissions", 0.5, 0.35),
                g("Police custody", 0.8, 0.4),
                g("Mental health crisis team contacts", 0.6, 0.7),
                g("Rough sleeping nights", 12.0, 4.0),
            ],
        }
    }

    pub(crate) fn absence() -> PersistentAbsence {
        PersistentAbsence {
            periods: PeriodLabels {
                before: "2022/23".into(),
                after: "2023/24".into(),
            },
            ci_level: ConfidenceLevel::NINETY_FIVE,
            groups: vec![
                BeforeAfterGroup {
                    label: "Pilot areas".into(),
                    before: ValueWithCi::with_ci(0.24, 0.22, 0.26),
                    after: ValueWithCi::with_ci(0.19, 0.17, 0.21),
                },
                BeforeAfterGroup {
                    label: "Comparison areas".into(),
                    before: ValueWithCi::with_ci(0.23, 0.215, 0.245),
                    after: ValueWithCi::with_ci(0.22, 0.205, 0.235),
                },
            ],
        }
    }

    #[test]
    fn service_use_renders() {
        let chart = service_use_before_after(&service(), &ChartOptions::default()).unwrap();
        assert_svg_contains(
            &chart,
            &[
                "Service use per person per quarter",
                "Year before support",
                "Year after start",
                "A&amp;E attendances",
                "Contacts per person per quarter",
                "Whiskers: 95% confidence interval",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn absence_renders() {
        let chart = persistent_absence(&absence(), &ChartOptions::default()).unwrap();
        assert_svg_contains(
            &chart,
            &[
                "Persistent absence before and after",
                "Pilot areas",
                "Comparison areas",
                "2022/23",
                "2023/24",
                "Pupils persistently absent (%)",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn bars_reject_bad_input() {
        let o = ChartOptions::default();
        let mut d = absence();
        d.groups[0].after.value = 1.5;
        assert!(persistent_absence(&d, &o).is_err());
        let mut d = absence();
        d.groups.clear();
        assert!(persistent_absence(&d, &o).is_err());
        let mut d = service();
        d.categories[1].before.value = -0.1;
        assert!(service_use_before_after(&d, &o).is_err());
        let mut d = service();
        d.categories[1].before.ci = Some(crate::stats::Interval::new(f64::NAN, 1.0));
        assert!(service_use_before_after(&d, &o).is_err());
        let mut d = service();
        d.categories[0].label = "  ".into();
        assert!(service_use_before_after(&d, &o).is_err());
    }

    #[test]
    fn bars_without_ci_and_all_zero() {
        let mut d = absence();
        for g in &mut d.groups {
            g.before = ValueWithCi::new(0.0);
            g.after = ValueWithCi::new(0.0);
        }
        let chart = persistent_absence(&d, &ChartOptions::default()).unwrap();
        assert!(!chart.svg.contains("Whiskers"));
        assert_eq!(png_dims(&chart), (800, 500));
    }
}
