//! `outcomes ndt`: NDT assessments, baseline against follow-up.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use outcomes::cohort::Group;
use outcomes::measures::ndt::{self, NdtItem, PartialPolicy, SelectionCounts, SelectionRule};
use outcomes::{Error, Result};
use serde::Serialize;

use crate::common::{self, Done, SpecData, TextTable};
use crate::progress::Reporter;

/// NDT assessments: each person's baseline (nearest the start, within 90
/// days) and follow-up (the spec's `outcomes.ndt_follow_up_months`, within
/// 90 days), with mean scores per item and in total, for each group. Higher
/// scores mean more need.
///
/// The data, key and window come from the spec (default: the bundled
/// sample). The NDT Assessment is copyright South West London and St
/// George's Mental Health NHS Trust.
#[derive(Debug, Args)]
pub(crate) struct NdtCmd {
    /// The evaluation spec whose data to use (default: the bundled sample).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Mean scores of one item (or the total) among people with both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ItemMeans {
    /// The item's label, or `Total (0-48)`.
    pub(crate) item: String,
    /// People with both scores.
    pub(crate) n: usize,
    /// Mean at baseline.
    pub(crate) baseline: Option<f64>,
    /// Mean at follow-up.
    pub(crate) follow_up: Option<f64>,
    /// Follow-up minus baseline.
    pub(crate) change: Option<f64>,
}

fn means(item: &str, pairs: &[(f64, f64)]) -> ItemMeans {
    let n = pairs.len();
    let (b, f) = if n == 0 {
        (None, None)
    } else {
        (
            Some(pairs.iter().map(|p| p.0).sum::<f64>() / n as f64),
            Some(pairs.iter().map(|p| p.1).sum::<f64>() / n as f64),
        )
    };
    ItemMeans {
        item: item.to_string(),
        n,
        baseline: b,
        follow_up: f,
        change: b.zip(f).map(|(b, f)| f - b),
    }
}

/// One group's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GroupNdt {
    /// `programme` or `comparison`.
    pub(crate) group: String,
    /// Who had a baseline and follow-up.
    pub(crate) counts: SelectionCounts,
    /// The ten items, then the total.
    pub(crate) items: Vec<ItemMeans>,
}

/// Run `ndt`.
///
/// # Errors
/// A missing NDT file in the spec, an unreadable file or missing column.
pub(crate) fn run(cmd: &NdtCmd, r: &Reporter) -> Result<Done> {
    let data = SpecData::load(common::spec_or_sample(cmd.spec.as_deref())?, true, r)?;
    let Some(assessments) = &data.ndt else {
        return Err(Error::invalid_parameter(
            "data.ndt",
            "(missing)",
            "the spec names no NDT file",
        ));
    };
    let rule = SelectionRule {
        follow_up_months: data.spec.outcomes.ndt_follow_up_months,
        ..SelectionRule::default()
    };
    r.stage("NDT baseline and follow-up");
    let mut groups = Vec::new();
    for group in [Group::Programme, Group::Comparison] {
        let starts = data
            .cohort
            .data
            .group(group)
            .map(|m| (&m.person, m.index_date));
        let (changes, counts) = ndt::baseline_follow_up(
            starts,
            &assessments.data.assessments,
            rule,
            PartialPolicy::Undefined,
        )?;
        let mut items = Vec::new();
        for item in NdtItem::ALL {
            let i = item.index();
            let pairs: Vec<(f64, f64)> = changes
                .iter()
                .filter_map(|c| Some((f64::from(c.baseline[i]?), f64::from(c.follow_up[i]?))))
                .collect();
            items.push(means(item.label(), &pairs));
        }
        let totals: Vec<(f64, f64)> = changes
            .iter()
            .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
            .collect();
        items.push(means("Total (0-48)", &totals));
        groups.push(GroupNdt {
            group: group.code().to_string(),
            counts,
            items,
        });
    }
    if cmd.json {
        return Ok(Done::ok(common::json(&groups)?));
    }
    let mut s = data.accounts();
    for g in &groups {
        let c = &g.counts;
        let _ = writeln!(
            s,
            "\n{} group: {} people, {} with baseline and follow-up ({} no baseline, {} no follow-up)",
            g.group, c.people, c.with_both, c.no_baseline, c.no_follow_up
        );
        let mut t = TextTable::new(&["item", "n", "baseline", "follow-up", "change"]);
        for m in &g.items {
            t.row(vec![
                m.item.clone(),
                m.n.to_string(),
                common::opt(m.baseline, 2),
                common::opt(m.follow_up, 2),
                m.change.map_or_else(|| "-".into(), |v| format!("{v:+.2}")),
            ]);
        }
        s.push_str(&t.render());
    }
    let _ = writeln!(s, "\n{}", ndt::NDT_COPYRIGHT);
    Ok(Done::ok(s))
}
