//! Cost per person before and after, by agency: stacked bars or a waterfall.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    colour, draw_x_categories, frame, label_size, padded_range, render, render_err, text_style,
    x_category_area, Chart, ChartOptions, Check, Draw, LegendItem, PeriodLabels, Swatch, GREY,
    MAX_ABS_VALUE,
};
use crate::error::{Error, Result};

/// Most agencies one cost chart accepts (one Okabe–Ito colour each).
pub const MAX_AGENCIES: usize = 8;

/// One agency's cost per person in each period.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyCost {
    /// Agency, e.g. "NHS", "Police", "Local authority".
    pub agency: String,
    /// Cost per person in the earlier period (£, non-negative).
    pub before: f64,
    /// Cost per person in the later period (£, non-negative).
    pub after: f64,
}

/// Input of [`cost_by_agency`]: fiscal cost per person in each period,
/// split by the agency that bears it.
///
/// A cleared table with columns `agency, cost_before, cost_after` converts
/// row by row. The caller must pass disclosure-controlled values only.
#[derive(Debug, Clone, PartialEq)]
pub struct CostByAgency {
    /// Price base shown in the axis label, e.g. "2024/25 prices".
    pub price_base: String,
    /// Labels of the two periods.
    pub periods: PeriodLabels,
    /// One entry per agency (1 to [`MAX_AGENCIES`]).
    pub agencies: Vec<AgencyCost>,
}

/// How [`cost_by_agency`] draws the costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CostChartStyle {
    /// Two bars (before, after), each stacked by agency, total above.
    #[default]
    Stacked,
    /// Before total, then each agency's change (after − before) as a
    /// floating bar, then the after total.
    Waterfall,
}

struct CostPrepared<'a> {
    data: &'a CostByAgency,
    style: CostChartStyle,
    title: String,
}

/// Cost per person before and after by agency, as stacked bars or a
/// waterfall (see [`CostChartStyle`]).
///
/// # Errors
/// If there are no agencies or more than [`MAX_AGENCIES`], a cost is
/// negative, NaN, infinite or above [`MAX_ABS_VALUE`], a label is blank, or
/// rendering fails.
pub fn cost_by_agency(
    data: &CostByAgency,
    style: CostChartStyle,
    options: &ChartOptions,
) -> Result<Chart> {
    let check = Check {
        chart: "cost_by_agency",
    };
    check.non_empty("agencies", data.agencies.len())?;
    if data.agencies.len() > MAX_AGENCIES {
        return Err(Error::invalid_parameter(
            "agencies",
            data.agencies.len(),
            format!(
                "at most {MAX_AGENCIES} agencies can be told apart by colour; \
                 group the smallest into \"Other\""
            ),
        ));
    }
    check.label("price_base", 0, &data.price_base)?;
    check.label("periods.before", 0, &data.periods.before)?;
    check.label("periods.after", 0, &data.periods.after)?;
    for (i, a) in data.agencies.iter().enumerate() {
        check.label("agency", i, &a.agency)?;
        check.within(
            "before",
            i,
            a.before,
            0.0,
            MAX_ABS_VALUE,
            "a non-negative cost",
        )?;
        check.within(
            "after",
            i,
            a.after,
            0.0,
            MAX_ABS_VALUE,
            "a non-negative cost",
        )?;
    }
    let title = options.title.clone().unwrap_or_else(|| match style {
        CostChartStyle::Stacked => "Cost per person before and after, by agency".to_string(),
        CostChartStyle::Waterfall => "Change in cost per person, by agency".to_string(),
    });
    render(&CostPrepared { data, style, title }, options.size)
}

/// "£1,234" / "-£1,234" / "+£1,234".
fn money(v: f64, signed: bool) -> String {
    let body = format!("£{}", super::fmt_num(v.abs(), 0));
    if v.round() < 0.0 {
        format!("-{body}")
    } else if signed && v.round() > 0.0 {
        format!("+{body}")
    } else {
        body
    }
}

impl CostPrepared<'_> {
    fn y_desc(&self) -> String {
        format!("Cost per person (£, {})", self.data.price_base)
    }

    fn stacked<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let legend: Vec<LegendItem> = self
            .data
            .agencies
            .iter()
            .enumerate()
            .map(|(i, a)| LegendItem::new(a.agency.clone(), Swatch::Fill(colour(i), 1.0)))
            .collect();
        let area = frame(root, &self.title, &legend)?;
        let before: f64 = self.data.agencies.iter().map(|a| a.before).sum();
        let after: f64 = self.data.agencies.iter().map(|a| a.after).sum();
        let (_, y1) = padded_range(0.0, before.max(after) * 1.08, true);
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size((ls * 3.0) as u32)
            .y_label_area_size((ls * 5.5) as u32)
            .build_cartesian_2d(0.0..2.0, 0.0..y1)
            .map_err(render_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .y_desc(self.y_desc())
            .axis_desc_style(text_style(ls))
            .label_style(text_style(ls * 0.9))
            .y_label_formatter(&|v| money(*v, false))
            .draw()
            .map_err(render_err)?;
        for (p, total) in [(0usize, before), (1, after)] {
            let (x0, x1) = (p as f64 + 0.25, p as f64 + 0.75);
            let mut base = 0.0;
            for (i, a) in self.data.agencies.iter().enumerate() {
                let v = if p == 0 { a.before } else { a.after };
                if v > 0.0 {
                    chart
                        .draw_series([
                            Rectangle::new([(x0, base), (x1, base + v)], colour(i).filled()),
                            Rectangle::new([(x0, base), (x1, base + v)], WHITE.stroke_width(1)),
                        ])
                        .map_err(render_err)?;
                }
                base += v;
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("Total {}", money(total, false)),
                    (p as f64 + 0.5, total),
                    text_style(ls).pos(Pos::new(HPos::Center, VPos::Bottom)),
                )))
                .map_err(render_err)?;
        }
        let (px0, py) = chart.backend_coord(&(0.0, 0.0));
        let (px1, _) = chart.backend_coord(&(2.0, 0.0));
        let slot = ((px1 - px0) / 2).max(1) as u32;
        let labels = [
            (
                chart.backend_coord(&(0.5, 0.0)).0,
                self.data.periods.before.as_str(),
            ),
            (
                chart.backend_coord(&(1.5, 0.0)).0,
                self.data.periods.after.as_str(),
            ),
        ];
        draw_x_categories(root, &labels, py + 6, slot, &text_style(ls))?;
        Ok(())
    }

    fn waterfall<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let total_c = colour(0);
        let up_c = colour(3);
        let down_c = colour(2);
        let legend = vec![
            LegendItem::new("Total", Swatch::Fill(total_c, 1.0)),
            LegendItem::new("Increase", Swatch::Fill(up_c, 1.0)),
            LegendItem::new("Decrease", Swatch::Fill(down_c, 1.0)),
        ];
        let area = frame(root, &self.title, &legend)?;
        let k = self.data.agencies.len();
        let before: f64 = self.data.agencies.iter().map(|a| a.before).sum();
        // Running totals: level before and after each agency's change.
        let mut levels = Vec::with_capacity(k);
        let mut run = before;
        let mut peak = before;
        for a in &self.data.agencies {
            let next = run + (a.after - a.before);
            levels.push((run, next));
            peak = peak.max(next);
            run = next;
        }
        let after = run;
        let slots = k + 2;
        let mut names: Vec<&str> = Vec::with_capacity(slots);
        names.push(self.data.periods.before.as_str());
        names.extend(self.data.agencies.iter().map(|a| a.agency.as_str()));
        names.push(self.data.periods.after.as_str());
        let name_font = text_style(ls * 0.9);
        let y_area = (ls * 5.5) as u32;
        let (area_w, _) = area.dim_in_pixel();
        let x_area = x_category_area(
            &area,
            &names,
            area_w.saturating_sub(y_area + 30),
            &name_font,
        )?;
        let (_, y1) = padded_range(0.0, peak * 1.12, true);
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..slots as f64, 0.0..y1)
            .map_err(render_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .y_desc(self.y_desc())
            .axis_desc_style(text_style(ls))
            .label_style(text_style(ls * 0.9))
            .y_label_formatter(&|v| money(*v, false))
            .draw()
            .map_err(render_err)?;
        let value_font = text_style(ls * 0.9).pos(Pos::new(HPos::Center, VPos::Bottom));
        // (slot, bottom, top, colour, label)
        let mut bars: Vec<(usize, f64, f64, RGBColor, String)> = Vec::with_capacity(slots);
        bars.push((0, 0.0, before, total_c, money(before, false)));
        for (j, &(from, to)) in levels.iter().enumerate() {
            let c = if to >= from { up_c } else { down_c };
            bars.push((j + 1, from.min(to), from.max(to), c, money(to - from, true)));
        }
        bars.push((k + 1, 0.0, after, total_c, money(after, false)));
        for (slot, lo, hi, c, label) in &bars {
            let x0 = *slot as f64 + 0.2;
            let x1 = *slot as f64 + 0.8;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, *lo), (x1, *hi)],
                    c.filled(),
                )))
                .map_err(render_err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (*slot as f64 + 0.5, *hi),
                    value_font.clone(),
                )))
                .map_err(render_err)?;
        }
        // Connectors at the running level between consecutive bars.
        let mut level = before;
        for s in 0..=k {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(s as f64 + 0.8, level), (s as f64 + 1.2, level)],
                    GREY.stroke_width(1),
                )))
                .map_err(render_err)?;
            if let Some(&(_, to)) = levels.get(s) {
                level = to;
            }
        }
        let (px0, py) = chart.backend_coord(&(0.0, 0.0));
        let (px1, _) = chart.backend_coord(&(slots as f64, 0.0));
        let slot_w = ((px1 - px0) as f64 / slots as f64).max(1.0) as u32;
        let labels: Vec<(i32, &str)> = names
            .iter()
            .enumerate()
            .map(|(s, n)| (chart.backend_coord(&(s as f64 + 0.5, 0.0)).0, *n))
            .collect();
        draw_x_categories(root, &labels, py + 6, slot_w, &name_font)?;
        Ok(())
    }
}

impl Draw for CostPrepared<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        match self.style {
            CostChartStyle::Stacked => self.stacked(root),
            CostChartStyle::Waterfall => self.waterfall(root),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_svg_contains, png_dims};
    use super::*;

    pub(crate) fn costs() -> CostByAgency {
        let a = |agency: &str, before: f64, after: f64| AgencyCost {
            agency: agency.into(),
            before,
            after,
        };
        CostByAgency {
            price_base: "2024/25 prices".into(),
            periods: PeriodLabels {
                before: "Year before".into(),
                after: "Year after".into(),
            },
            agencies: vec![
                a("NHS", 6200.0, 4100.0),
                a("Police", 3100.0, 1900.0),
                a("Criminal justice", 4500.0, 2600.0),
                a("Local authority housing", 2500.0, 3300.0),
                a("DWP", 1200.0, 1150.0),
            ],
        }
    }

    #[test]
    fn money_formats() {
        assert_eq!(money(1234.4, false), "£1,234");
        assert_eq!(money(-1234.4, true), "-£1,234");
        assert_eq!(money(50.0, true), "+£50");
        assert_eq!(money(0.2, true), "£0");
    }

    #[test]
    fn stacked_renders_with_totals() {
        let chart =
            cost_by_agency(&costs(), CostChartStyle::Stacked, &ChartOptions::default()).unwrap();
        // Totals are the column sums: 17,500 before and 13,050 after.
        assert_svg_contains(
            &chart,
            &[
                "Cost per person before and after, by agency",
                "NHS",
                "Local authority housing",
                "Total £17,500",
                "Total £13,050",
                "Cost per person (£, 2024/25 prices)",
                "Year before",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn waterfall_renders_changes_that_sum() {
        let chart = cost_by_agency(
            &costs(),
            CostChartStyle::Waterfall,
            &ChartOptions::default(),
        )
        .unwrap();
        // 17,500 - 2,100 - 1,200 - 1,900 + 800 - 50 = 13,050.
        assert_svg_contains(
            &chart,
            &[
                "Change in cost per person, by agency",
                "£17,500",
                "-£2,100",
                "+£800",
                "-£50",
                "£13,050",
                "Increase",
                "Decrease",
            ],
        );
        assert_eq!(png_dims(&chart), (800, 500));
    }

    #[test]
    fn cost_rejects_bad_input() {
        let o = ChartOptions::default();
        let mut d = costs();
        d.agencies[0].after = -1.0;
        assert!(cost_by_agency(&d, CostChartStyle::Stacked, &o).is_err());
        let mut d = costs();
        d.agencies[0].before = f64::NAN;
        assert!(cost_by_agency(&d, CostChartStyle::Waterfall, &o).is_err());
        let mut d = costs();
        d.agencies.clear();
        assert!(cost_by_agency(&d, CostChartStyle::Waterfall, &o).is_err());
        let mut d = costs();
        for i in 0..5 {
            d.agencies.push(AgencyCost {
                agency: format!("Extra {i}"),
                before: 1.0,
                after: 1.0,
            });
        }
        assert!(cost_by_agency(&d, CostChartStyle::Stacked, &o).is_err());
    }
}
