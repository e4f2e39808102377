//! Survival curves: the Kaplan–Meier estimate by group as steps, with its
//! interval as a shaded band and the numbers at risk in a strip under the
//! time axis.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    ci_text, colour, frame, label_size, render, render_err, text_style, Chart, ChartOptions, Check,
    Draw, LegendItem, Swatch, ValueWithCi, GREY,
};
use crate::error::{Error, Result};
use crate::stats::ConfidenceLevel;

/// One group's survival curve, read at successive times.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalSeries {
    /// Group label, e.g. "Programme".
    pub label: String,
    /// Times (months since the start), strictly increasing, the first 0.
    pub time: Vec<f64>,
    /// Survival in % (0–100) at each time, with its interval when known.
    pub survival: Vec<ValueWithCi>,
    /// The number at risk at each time, `None` where it is withheld.
    pub at_risk: Vec<Option<u64>>,
}

/// Input of [`survival_curves`]: one curve per group (at most 8), read at
/// the same times or not, and the times at which the numbers at risk are
/// printed under the axis. The caller passes disclosure-controlled values
/// only: a curve read at fixed times from a cleared table, never the event
/// times themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalCurves {
    /// What the event is, for the y axis ("without a first arrest").
    pub event: String,
    /// Level of the intervals (for the legend).
    pub ci_level: ConfidenceLevel,
    /// One curve per group.
    pub groups: Vec<SurvivalSeries>,
    /// Times at which the numbers at risk are printed (each one of a
    /// group's times; others are left blank for that group).
    pub risk_times: Vec<f64>,
}

struct Prepared<'a> {
    data: &'a SurvivalCurves,
    title: String,
    x_max: f64,
}

/// Survival curves by group: steps at the times given, the interval as a
/// band, y axis 0–100 %, and a strip of numbers at risk under the axis
/// (`c` where a number is withheld).
///
/// # Errors
/// No groups or more than 8; a group with no points, lengths that differ,
/// a time that is not finite, negative, above 10,000 or not strictly
/// increasing; a survival value or bound outside 0–100 or NaN; a blank
/// label; a risk time that is not finite; or rendering fails.
pub fn survival_curves(data: &SurvivalCurves, options: &ChartOptions) -> Result<Chart> {
    let check = Check {
        chart: "survival_curves",
    };
    check.non_empty("groups", data.groups.len())?;
    if data.groups.len() > 8 {
        return Err(Error::invalid_parameter(
            "groups",
            data.groups.len(),
            "at most 8 groups can be told apart by colour",
        ));
    }
    let mut x_max = 0.0_f64;
    for (g, s) in data.groups.iter().enumerate() {
        check.label("groups.label", g, &s.label)?;
        check.non_empty("groups.time", s.time.len())?;
        check.same_len(
            "groups.time",
            s.time.len(),
            "groups.survival",
            s.survival.len(),
        )?;
        check.same_len(
            "groups.time",
            s.time.len(),
            "groups.at_risk",
            s.at_risk.len(),
        )?;
        for (i, &t) in s.time.iter().enumerate() {
            check.within(
                "time",
                i,
                t,
                0.0,
                super::MAX_TIME,
                "a time from 0 to 10,000",
            )?;
            if i > 0 && s.time.get(i - 1).is_some_and(|&p| t <= p) {
                return Err(Error::invalid_value(
                    check.loc("time", i),
                    t.to_string(),
                    "times must be strictly increasing",
                ));
            }
            x_max = x_max.max(t);
        }
        for (i, v) in s.survival.iter().enumerate() {
            check.value_ci("survival", i, v, 0.0, 100.0, "a percentage from 0 to 100")?;
        }
    }
    for (i, &t) in data.risk_times.iter().enumerate() {
        check.finite("risk_times", i, t)?;
    }
    let prepared = Prepared {
        data,
        title: options
            .title
            .clone()
            .unwrap_or_else(|| "Survival by group".to_string()),
        x_max: if x_max > 0.0 { x_max } else { 1.0 },
    };
    render(&prepared, options.size)
}

impl Draw for Prepared<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (w, _) = root.dim_in_pixel();
        let ls = label_size(w);
        let mut legend: Vec<LegendItem> = self
            .data
            .groups
            .iter()
            .enumerate()
            .map(|(g, s)| LegendItem::new(s.label.clone(), Swatch::Line(colour(g))))
            .collect();
        if self
            .data
            .groups
            .iter()
            .any(|g| g.survival.iter().any(|m| m.ci.is_some()))
        {
            legend.push(LegendItem::new(
                format!("Shaded: {}", ci_text(self.data.ci_level)),
                Swatch::Fill(GREY, 0.25),
            ));
        }
        let area = frame(root, &self.title, &legend)?;
        // The strip of numbers at risk: a heading line and one line per group.
        let line = (ls * 1.5).ceil() as u32;
        let strip = line * (self.data.groups.len() as u32 + 1) + line / 2;
        let (_, ah) = area.dim_in_pixel();
        let (plot, risk) = area.split_vertically(ah.saturating_sub(strip));
        let y_area = (ls * 4.0) as u32;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .margin_right(20)
            .x_label_area_size((ls * 3.2) as u32)
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..self.x_max, 0.0..100.0)
            .map_err(render_err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_desc("Months since start of support")
            .y_desc(format!("% {}", self.data.event))
            .axis_desc_style(text_style(ls))
            .label_style(text_style(ls * 0.9))
            .x_label_formatter(&|v| super::fmt_num(*v, 0))
            .y_label_formatter(&|v| super::fmt_num(*v, 0))
            .draw()
            .map_err(render_err)?;
        // Each value holds until the next time: a step function.
        let steps = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
            let mut out = Vec::with_capacity(pts.len() * 2);
            for (i, &(t, v)) in pts.iter().enumerate() {
                if i > 0 {
                    out.push((t, pts[i - 1].1));
                }
                out.push((t, v));
            }
            out
        };
        for (g, s) in self.data.groups.iter().enumerate() {
            let band: Vec<(f64, f64, f64)> = s
                .time
                .iter()
                .zip(&s.survival)
                .filter_map(|(&t, v)| {
                    v.ci.map(|c| (t, c.lower.clamp(0.0, 100.0), c.upper.clamp(0.0, 100.0)))
                })
                .collect();
            if band.len() >= 2 {
                let lower: Vec<(f64, f64)> = band.iter().map(|&(t, l, _)| (t, l)).collect();
                let upper: Vec<(f64, f64)> = band.iter().map(|&(t, _, u)| (t, u)).collect();
                let mut poly = steps(&upper);
                poly.extend(steps(&lower).into_iter().rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        poly,
                        colour(g).mix(0.18).filled(),
                    )))
                    .map_err(render_err)?;
            }
        }
        for (g, s) in self.data.groups.iter().enumerate() {
            let pts: Vec<(f64, f64)> = s
                .time
                .iter()
                .zip(&s.survival)
                .map(|(&t, v)| (t, v.value))
                .collect();
            chart
                .draw_series(LineSeries::new(steps(&pts), colour(g).stroke_width(3)))
                .map_err(render_err)?;
        }
        // Numbers at risk, placed under the axis at each risk time.
        let (rw, _) = risk.dim_in_pixel();
        let left = 10 + y_area as i32;
        let width = (rw as i32 - left - 20).max(1) as f64;
        let x_of = |t: f64| left + (t / self.x_max * width).round() as i32;
        let head = text_style(ls * 0.9).pos(Pos::new(HPos::Left, VPos::Center));
        risk.draw(&Text::new("Number at risk", (10, (line / 2) as i32), head))
            .map_err(render_err)?;
        for (g, s) in self.data.groups.iter().enumerate() {
            let y = (line * (g as u32 + 1) + line / 2) as i32;
            let c = colour(g);
            let style = text_style(ls * 0.85)
                .color(&c)
                .pos(Pos::new(HPos::Center, VPos::Center));
            for &t in &self.data.risk_times {
                if !(0.0..=self.x_max).contains(&t) {
                    continue;
                }
                let Some(i) = s.time.iter().position(|&x| x == t) else {
                    continue;
                };
                let text = s.at_risk[i].map_or_else(|| "c".to_string(), |n| n.to_string());
                risk.draw(&Text::new(text, (x_of(t), y), style.clone()))
                    .map_err(render_err)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(label: &str) -> SurvivalSeries {
        SurvivalSeries {
            label: label.into(),
            time: vec![0.0, 6.0, 12.0],
            survival: vec![
                ValueWithCi::new(100.0),
                ValueWithCi::with_ci(80.0, 70.0, 90.0),
                ValueWithCi::with_ci(60.0, 50.0, 70.0),
            ],
            at_risk: vec![Some(100), Some(80), None],
        }
    }

    #[test]
    fn draws_and_refuses_bad_input() {
        let level = ConfidenceLevel::new(0.95).unwrap();
        let data = SurvivalCurves {
            event: "without an arrest".into(),
            ci_level: level,
            groups: vec![series("Programme"), series("Comparison")],
            risk_times: vec![0.0, 6.0, 12.0],
        };
        let c = survival_curves(&data, &ChartOptions::default()).unwrap();
        // The numbers at risk are printed, a withheld one as c.
        assert!(c.svg.contains("Number at risk"));
        assert!(c.svg.contains(">\n80\n<") && c.svg.contains(">\nc\n<"));
        assert!(!c.png.is_empty());
        let mut bad = data.clone();
        bad.groups[0].time[1] = 0.0;
        assert!(survival_curves(&bad, &ChartOptions::default()).is_err());
        let mut bad = data.clone();
        bad.groups[0].survival[1] = ValueWithCi::new(120.0);
        assert!(survival_curves(&bad, &ChartOptions::default()).is_err());
        let mut bad = data;
        bad.groups[0].at_risk.pop();
        assert!(survival_curves(&bad, &ChartOptions::default()).is_err());
    }
}
