//! The evaluation from end to end: load and validate, measure, compare,
//! cost, clear every table through the disclosure policy, and draw the
//! charts from the cleared tables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::charts;
use super::spec::{CoverageRule, EvaluationSpec, NdtLayout};
use super::tables::{
    cnt, count, money_of, rate_of, rate_per_cell, stat, stat_of, stat_per_cell, val, NamedTable,
};
use crate::cohort::Phase;
use crate::cohort::{months_between, CovariateValue as CohortCovariate, DataWindow, Group};
use crate::compare::pre_post::{self, CoveragePolicy, PairedStatistics};
use crate::compare::report::{
    matched_comparison, CovariateKind, CovariateSpec, CovariateUsed, MatchedComparisonSpec,
    MatchedInputs, RowAccounting,
};
use crate::compare::{Caliper, Covariate, MatchOrder, Ratio, Replacement};
use crate::costs::{self, CostingOptions, DeflatorSeries, Gbp, PriceYear, UnitCostTable};
use crate::disclosure::{
    Cell, Column, Policy, PublishedCell, RelationKind, RelationTerm, Release, Table,
};
use crate::error::{Error, Location, Result};
use crate::io::{self, Source, WindowCounts};
use crate::measures::ndt::{self, NdtAssessment, NdtItem, PartialPolicy, SelectionRule};
use crate::measures::service_use::{CategorySet, Window};
use crate::stats::{self, BootstrapConfig, ConfidenceLevel, Direction, ReliableChangeParams};

/// Prints each stage with the time elapsed since the start, to stderr
/// (or nowhere, when quiet), or hands each stage to a caller's sink.
pub struct Progress {
    start: Instant,
    quiet: bool,
    sink: Option<StageSink>,
}

/// Where [`Progress::with_sink`] sends each stage.
type StageSink = Box<dyn Fn(&str) + Send + Sync>;

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("quiet", &self.quiet)
            .field("sink", &self.sink.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

impl Progress {
    /// Progress printed to stderr.
    pub fn stderr() -> Self {
        Progress {
            start: Instant::now(),
            quiet: false,
            sink: None,
        }
    }

    /// No progress output.
    pub fn quiet() -> Self {
        Progress {
            start: Instant::now(),
            quiet: true,
            sink: None,
        }
    }

    /// Each stage's description handed to `sink` (a progress bar, a log),
    /// which decides what to show and how.
    pub fn with_sink(sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Progress {
            start: Instant::now(),
            quiet: false,
            sink: Some(Box::new(sink)),
        }
    }

    /// Report a stage.
    pub fn stage(&self, what: &str) {
        if self.quiet {
            return;
        }
        match &self.sink {
            Some(sink) => sink(what),
            None => eprintln!("[{:>7.1}s] {what}", self.start.elapsed().as_secs_f64()),
        }
    }
}

/// A chart drawn from a cleared table.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedChart {
    /// File stem (`charts/<stem>.png` and `.svg`).
    pub stem: String,
    /// Title shown above it.
    pub title: String,
    /// What it shows and how suppressed values are drawn.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file contents.
    pub png: Vec<u8>,
    /// Pixel width and height of both.
    pub size: (u32, u32),
}

/// One block of a report section.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A paragraph of text (never holds a count or an identifier).
    Text(String),
    /// A cleared table.
    Table(NamedTable),
    /// A chart.
    Chart(NamedChart),
}

/// A titled section of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Its content, in order.
    pub items: Vec<Item>,
}

/// One input file's validation account (rows read = accepted + rejected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileValidation {
    /// File name.
    pub file: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected or filtered out.
    pub rejected: u64,
    /// Rejected rows by reason.
    pub by_reason: BTreeMap<String, u64>,
    /// Every rejected row: its 1-based data row, column, value (identifier
    /// columns redacted) and rule, in row order; the rule is the reason
    /// counted in `by_reason`.
    pub rejections: Vec<io::Rejection>,
}

/// An input file's name and checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// The spec key that names it.
    pub key: String,
    /// File name (no directory).
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the contents, hex.
    pub sha256: String,
}

/// What `run.json` records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    /// `outcomes`.
    pub program: String,
    /// The crate version.
    pub version: String,
    /// The spec file, if any (name only).
    pub spec_file: Option<String>,
    /// The seed.
    pub seed: u64,
    /// Every parameter (the whole spec).
    pub parameters: EvaluationSpec,
    /// How identifiers were pseudonymised.
    pub pseudonymisation: String,
    /// The disclosure policy: name and full description.
    pub disclosure_policy: PolicyRecord,
    /// Input files and checksums.
    pub inputs: Vec<InputFile>,
    /// Validation account per file, as published in the report's
    /// validation tables (suppressed counts are `null`).
    pub validation: Vec<PublishedValidation>,
}

/// One input file's validation account as the report publishes it: each
/// count is `None` where the disclosure policy suppressed it, so that
/// `run.json`, which sits in the report folder, gives away nothing the
/// tables withhold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedValidation {
    /// File name.
    pub file: String,
    /// Data rows read, if published.
    pub rows_read: Option<u64>,
    /// Rows accepted, if published.
    pub accepted: Option<u64>,
    /// Rows rejected or filtered out, if published.
    pub rejected: Option<u64>,
    /// Rejected rows by reason, each if published.
    pub by_reason: BTreeMap<String, Option<u64>>,
}

/// The policy as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyRecord {
    /// Short name.
    pub name: String,
    /// Full description.
    pub description: String,
    /// The policy's parameters.
    pub policy: Policy,
}

/// The evaluation's result: sections of cleared tables and charts, and the
/// run record. Nothing in it holds an identifier; the only row-level part is
/// the rejected rows of [`accounts`](Evaluation::accounts), which
/// [`write_report`](super::write_report) writes outside the report folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The evaluation's name.
    pub name: String,
    /// The policy every table was cleared with.
    pub policy: Policy,
    /// The report's sections.
    pub sections: Vec<Section>,
    /// The run record (what `run.json` holds).
    pub run: RunRecord,
    /// The true validation account of every input, for the evaluator's own
    /// checks: never written to the report folder (the published counts are
    /// in [`RunRecord::validation`]).
    pub accounts: Vec<FileValidation>,
    /// Where the rejected rows go, from the spec's `output.rejected_rows`
    /// (resolved against the spec's folder); `None` for the default, beside
    /// the report folder.
    pub rejected_rows: Option<PathBuf>,
}

impl Evaluation {
    /// Every table, in report order.
    pub fn tables(&self) -> Vec<&NamedTable> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .filter_map(|i| match i {
                Item::Table(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    /// Every chart, in report order.
    pub fn charts(&self) -> Vec<&NamedChart> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .filter_map(|i| match i {
                Item::Chart(c) => Some(c),
                _ => None,
            })
            .collect()
    }
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok((bytes.len() as u64, hex))
}

fn group_label(g: Group) -> &'static str {
    match g {
        Group::Programme => "Programme",
        Group::Comparison => "Comparison",
        _ => "Unknown",
    }
}

const GROUPS: [Group; 2] = [Group::Programme, Group::Comparison];

/// Keys of the populations whose counts appear in more than one table
/// (see [`Table::link_count`]).
mod link {
    use crate::cohort::Group;

    /// Everyone in the group.
    pub(super) fn cohort(g: Group) -> String {
        format!("cohort: {g:?}")
    }

    /// People with a baseline and a follow-up NDT total.
    pub(super) fn ndt_pairs(g: Group) -> String {
        format!("NDT total pairs: {g:?}")
    }

    /// People kept for service use under the coverage rule.
    pub(super) fn service_use_kept(g: Group) -> String {
        format!("service use kept: {g:?}")
    }

    /// Kept people observed for the whole of both windows (the costed).
    pub(super) fn fully_observed(g: Group) -> String {
        format!("whole windows observed: {g:?}")
    }

    /// People with an outcome and every covariate, when some lacked one.
    pub(super) fn matching_all(g: Group) -> String {
        format!("matching population: {g:?}")
    }

    /// People matched.
    pub(super) fn matched(g: Group) -> String {
        format!("matched: {g:?}")
    }

    /// People with follow-up time for the time-to-event outcome.
    pub(super) fn time_to_event_followed(g: Group) -> String {
        format!("time to event followed: {g:?}")
    }
}

struct Ctx<'a> {
    spec: &'a EvaluationSpec,
    /// The service-use categories: the built-ins and the spec's own.
    cats: CategorySet,
    policy: Policy,
    level: ConfidenceLevel,
    /// Every table of the report, cleared together as one release.
    release: std::cell::RefCell<Release>,
}

impl Ctx<'_> {
    fn boot(&self, salt: u64) -> Result<BootstrapConfig> {
        BootstrapConfig::new(
            self.spec.statistics.bootstrap_resamples,
            self.spec.seed.wrapping_add(salt),
            self.level,
        )
    }

    fn clear(&self, stem: &str, t: Table) -> Result<Item> {
        Ok(Item::Table(self.cleared(stem, t)?))
    }

    /// Clear `t` under the policy as the next table of this report's
    /// release: linked population counts are suppressed together across
    /// tables, and the release audit keeps every suppressed count of every
    /// table so far from being worked out ([`Release`]).
    fn cleared(&self, stem: &str, t: Table) -> Result<NamedTable> {
        Ok(NamedTable {
            stem: stem.to_string(),
            table: self.release.borrow_mut().clear(&t)?,
        })
    }

    fn k(&self) -> u64 {
        self.policy.suppress_max()
    }

    /// The spec's multiplicity adjustment of one family of p-values: the
    /// defined ones are adjusted together (R `p.adjust(p[!is.na(p)],
    /// method)`), an undefined one stays undefined.
    fn adjusted(&self, p: &[Option<f64>]) -> Result<Vec<Option<f64>>> {
        let p: Vec<Option<f64>> = p.iter().map(|v| v.filter(|x| x.is_finite())).collect();
        let defined: Vec<f64> = p.iter().flatten().copied().collect();
        let mut adj =
            stats::p_adjust(&defined, self.spec.statistics.p_adjust.method())?.into_iter();
        Ok(p.iter().map(|v| v.and_then(|_| adj.next())).collect())
    }

    /// The adjusted p-value column's header: `"{base}, {method}"`, e.g.
    /// `p (paired t, Holm)` for `base = "p (paired t"`.
    fn adjusted_label(&self, base: &str) -> String {
        format!("{base}, {})", self.spec.statistics.p_adjust.label())
    }

    fn small(&self, n: u64) -> bool {
        (1..=self.k()).contains(&n)
    }
}

/// Run the evaluation the spec describes.
///
/// # Errors
/// A missing input file (naming it and the spec key), a data file that
/// cannot be read or lacks a required column, an invalid parameter, or too
/// few people for a statistic that is required.
pub fn run(spec: &EvaluationSpec, progress: &Progress) -> Result<Evaluation> {
    spec.check()?;
    spec.check_files()?;
    let policy = spec.disclosure.policy()?;
    let level = ConfidenceLevel::new(spec.statistics.confidence_level)?;
    let cx = Ctx {
        spec,
        cats: spec.outcomes.category_set()?,
        policy: policy.clone(),
        level,
        release: std::cell::RefCell::new(Release::new(policy.clone())),
    };

    progress.stage("checksums of the inputs");
    let mut inputs = Vec::new();
    for (key, path) in spec.input_files() {
        let (bytes, sha256) = sha256_file(&path)?;
        inputs.push(InputFile {
            key,
            file: path.file_name().map_or_else(
                || path.display().to_string(),
                |f| f.to_string_lossy().into_owned(),
            ),
            bytes,
            sha256,
        });
    }

    // A spec without a person cohort: the area-level school section only.
    let Some(cf) = &spec.data.cohort else {
        return school_only(&cx, inputs, progress);
    };

    // ---- load ---------------------------------------------------------
    let (key, key_note) = spec.pseudonymiser()?;
    let window = DataWindow::new(spec.data_window.start, spec.data_window.extract_date)?;
    let mut validation = Vec::new();
    let summary = |s: &io::ValidationSummary, rows: &[io::Rejection]| FileValidation {
        file: s.source.clone(),
        rows_read: s.rows_read,
        accepted: s.accepted,
        rejected: s.rejected,
        by_reason: s.by_reason.clone(),
        rejections: rows.to_vec(),
    };
    progress.stage("loading the cohort");
    let numeric: Vec<String> = match &spec.comparison {
        Some(c) => c
            .covariate_types()?
            .into_iter()
            .filter(|(_, k)| *k == CovariateKind::Numeric)
            .map(|(n, _)| n)
            .collect(),
        None => Vec::new(),
    };
    let cohort = io::load_cohort_numeric(
        &Source::new(spec.resolve(&cf.path))
            .columns(cf.column_map())
            .pseudonymise(key.clone()),
        window,
        &numeric,
    )?;
    validation.push(summary(&cohort.summary, &cohort.rejections));
    let cohort_file = cohort.summary.source.clone();
    if cohort.summary.accepted == 0 {
        let reasons: Vec<String> = cohort
            .summary
            .by_reason
            .iter()
            .map(|(reason, n)| format!("{reason} ({n})"))
            .collect();
        return Err(Error::malformed(
            Location::source(cohort_file),
            format!(
                "every row of the cohort file was rejected ({} read), so there is no one to \
                 evaluate; reasons: {}",
                cohort.summary.rows_read,
                reasons.join("; ")
            ),
        ));
    }
    let cohort_data = cohort.data;
    if spec.comparison.is_some() {
        for g in [Group::Programme, Group::Comparison] {
            if !cohort_data.members().iter().any(|m| m.group == g) {
                return Err(Error::malformed(
                    Location::source(cohort_file.clone()).column(
                        cf.columns
                            .get("group")
                            .cloned()
                            .unwrap_or_else(|| "group".into()),
                    ),
                    format!(
                        "no accepted row is in the {} group, and the spec's [comparison] \
                         compares the programme group with the comparison group",
                        g.code()
                    ),
                ));
            }
        }
    }

    let cats = &cx.cats;
    let mut codes: Vec<String> = match &spec.outcomes.categories {
        Some(list) => list.clone(),
        None => cats.codes(),
    };
    let mut seen = std::collections::BTreeSet::new();
    codes.retain(|c| seen.insert(c.clone()));
    for c in &codes {
        if cats.get(c).is_none() {
            return Err(Error::invalid_parameter(
                "outcomes.categories",
                c,
                format!(
                    "unknown service-use category (known: {})",
                    cats.codes().join(", ")
                ),
            ));
        }
    }
    if cats.get(&spec.outcomes.binary_category).is_none() {
        return Err(Error::invalid_parameter(
            "outcomes.binary_category",
            &spec.outcomes.binary_category,
            "unknown service-use category",
        ));
    }
    let mut wanted = codes.clone();
    for extra in std::iter::once(spec.outcomes.binary_category.clone()).chain(
        spec.comparison
            .as_ref()
            .map(|c| c.outcome.clone())
            .filter(|o| o != "total_cost"),
    ) {
        if cats.get(&extra).is_none() {
            return Err(Error::invalid_parameter(
                "comparison.outcome",
                &extra,
                "must be a service-use category code or `total_cost`",
            ));
        }
        if !wanted.contains(&extra) {
            wanted.push(extra);
        }
    }
    // The `[did]` outcomes that are service-use categories are in the same
    // per-person frame (one aggregation of the events).
    if let Some(d) = &spec.did {
        for o in did_section::did_outcomes(spec, d) {
            if cats.get(&o).is_some() && !wanted.contains(&o) {
                wanted.push(o);
            }
        }
    }

    // Service use is aggregated into the per-person frame (person x window
    // x category) as soon as it is loaded, and the events are dropped: every
    // analysis after this reads the frame, and the largest input is not held
    // while the next one loads.
    let mut wc: Option<WindowCounts> = None;
    // Each member's first event and their events in the first year, for the
    // time-to-event section.
    let mut first_events: Option<io::FirstEvents> = None;
    // The matched comparison's sets (cohort position, set), for the
    // time-to-event section's matched-sample hazard ratio.
    let mut matched_sets: Option<Vec<(usize, usize)>> = None;
    let mut did_inputs = did_section::DidInputs::default();
    let mut matched: Option<matched_section::MatchedSample> = None;
    let windows = [
        Window::new("before", -(spec.windows.months_before as i32), 0)?,
        Window::new("after", 0, spec.windows.months_after as i32)?,
    ];
    if let Some(f) = &spec.data.service_use {
        progress.stage("loading service use");
        let l = io::load_service_events(
            &Source::new(spec.resolve(&f.path))
                .columns(f.column_map())
                .pseudonymise(key.clone()),
            &cohort_data,
            cats,
        )?;
        validation.push(summary(&l.summary, &l.rejections));
        progress.stage("service use by person and window");
        wc = Some(io::window_counts(&cohort_data, &l.data, &windows, &wanted)?);
        did_inputs.service(spec, &cohort_data, &l.data)?;
        if let Some(t) = &spec.time_to_event {
            for c in &t.categories {
                if cats.get(c).is_none() {
                    return Err(Error::invalid_parameter(
                        "time_to_event.categories",
                        c,
                        format!(
                            "unknown service-use category (known: {})",
                            cats.codes().join(", ")
                        ),
                    ));
                }
            }
            first_events = Some(io::first_events(&cohort_data, &l.data, &t.categories, 12)?);
        }
    }
    // Counts per period (exact or banded) go into the same frame.
    if let Some(pcs) = &spec.data.period_counts {
        progress.stage("loading service use counts per period");
        let l = io::load_period_counts(
            &Source::new(spec.resolve(&pcs.path))
                .columns(pcs.column_map())
                .pseudonymise(key.clone()),
            &cohort_data,
            cats,
            &pcs.bands()?,
        )?;
        validation.push(summary(&l.summary, &l.rejections));
        let frame =
            wc.get_or_insert_with(|| io::empty_window_counts(&cohort_data, &windows, &wanted));
        io::add_period_counts(frame, &cohort_data, &l.data, pcs.scenario())?;
    }
    let mut sections = Vec::new();
    if let Some(f) = &spec.data.ndt {
        progress.stage("loading NDT assessments");
        let src = Source::new(spec.resolve(&f.path))
            .columns(
                f.columns
                    .iter()
                    .fold(io::ColumnMap::new(), |m, (k, v)| m.map(k, v)),
            )
            .pseudonymise(key.clone());
        let l = match f.layout {
            NdtLayout::Long => io::load_ndt(&src, &cohort_data, PartialPolicy::Undefined)?,
            NdtLayout::Wide => io::load_ndt_wide(&src, &cohort_data, PartialPolicy::Undefined)?,
        };
        validation.push(summary(&l.summary, &l.rejections));
        did_inputs.ndt(spec, &cohort_data, &l.data.assessments)?;
        // ---- NDT ------------------------------------------------------
        progress.stage("NDT baseline and follow-up");
        sections.push(ndt_section(&cx, &cohort_data, &l.data.assessments)?);
    }

    // ---- service use --------------------------------------------------
    if let Some(counts) = &wc {
        progress.stage("service use before and after");
        sections.push(service_use_section(&cx, counts, &codes)?);
    }

    // ---- costs --------------------------------------------------------
    // Each cohort member's cost after the start (frame order); `None` for
    // the people not costed.
    let mut post_cost: Vec<Option<f64>> = vec![None; cohort_data.len()];
    // Each cohort member's change in cost (after - before); `None` for the
    // people not costed.
    let mut cost_change: Vec<Option<f64>> = vec![None; cohort_data.len()];
    // Each cohort member's (before, after) cost; `None` for the people not
    // costed.
    let mut cost_pre_post: Vec<Option<(f64, f64)>> = vec![None; cohort_data.len()];
    // The costing, for the cost-benefit analysis (after the matched
    // comparison, whose matched sets it may use), and where its items go.
    let mut cost_basis: Option<(usize, costs_section::CostBasis)> = None;
    if let (Some(cs), Some(counts)) = (&spec.costs, &wc) {
        progress.stage("costs and cost-benefit analysis");
        let costs_section::CostSection {
            section,
            costed,
            basis,
        } = cost_section(&cx, cs, counts, &codes)?;
        cost_basis = basis.map(|b| (sections.len(), b));
        sections.push(section);
        post_cost = costed.iter().map(|c| c.map(|(_, post)| post)).collect();
        cost_pre_post.clone_from(&costed);
        cost_change = costed
            .iter()
            .map(|c| c.map(|(pre, post)| post - pre))
            .collect();
    }
    // The headline: the programme's effect against the matched comparison.
    let mut headline: Option<Section> = None;

    // ---- matched comparison -------------------------------------------
    if let Some(cmp) = &spec.comparison {
        progress.stage("matched comparison");
        // Each cohort member's outcome, in frame order (`None`: no outcome).
        let outcome: Vec<Option<f64>> = if cmp.outcome == "total_cost" {
            post_cost.clone()
        } else {
            let counts = wc.as_ref().ok_or_else(|| {
                Error::invalid_parameter(
                    "comparison.outcome",
                    &cmp.outcome,
                    "a service-use outcome needs data.service_use",
                )
            })?;
            let pv = pre_post::service_use_per_quarter(
                counts,
                &cmp.outcome,
                "before",
                "after",
                coverage(spec),
            )?;
            pv.check_lengths()?;
            let mut by_row = vec![None; counts.people().len()];
            for (&row, a) in pv.rows.iter().zip(&pv.after) {
                if let Some(slot) = by_row.get_mut(row) {
                    *slot = Some(*a);
                }
            }
            by_row
        };
        // The people with an outcome: the costed (whole windows observed) or
        // those kept for service use; the tables above show their numbers.
        let outcome_key = if cmp.outcome == "total_cost" {
            link::fully_observed
        } else {
            link::service_use_kept
        };
        let m = matched_section(&cx, cmp, &cohort_data, &outcome, outcome_key)?;
        sections.push(m.section);
        matched_sets = Some(m.sample.sets.clone());
        progress.stage("the programme's effect against the matched comparison");
        headline = Some(headline_section(
            &cx,
            cmp,
            &m.sample.units,
            wc.as_ref(),
            &codes,
            &cost_change,
        )?);
        matched = Some(m.sample);
    }

    // ---- cost-benefit analysis ----------------------------------------
    if let (Some(cs), Some(counts), Some((at, basis))) = (&spec.costs, &wc, &cost_basis) {
        progress.stage("cost-benefit analysis");
        let items = costs_section::cba_items(
            &cx,
            cs,
            basis,
            counts,
            &codes,
            matched.as_ref().map(|m| m.units.as_slice()),
            &cost_change,
        )?;
        if let Some(s) = sections.get_mut(*at) {
            s.items.extend(items);
        }
    }

    // ---- difference in differences ------------------------------------
    if let Some(d) = &spec.did {
        progress.stage("difference in differences");
        let m = matched.as_ref();
        sections.push(did_section(
            &cx,
            d,
            &cohort_data,
            &did_inputs,
            wc.as_ref(),
            &cost_pre_post,
            m,
        )?);
    }

    // ---- time to event ------------------------------------------------
    if let Some(t) = &spec.time_to_event {
        progress.stage("time to event");
        // With end reasons only, no service-use event is timed.
        let none = io::FirstEvents {
            first: vec![None; cohort_data.len()],
            within: vec![0.0; cohort_data.len()],
        };
        sections.push(time_to_event_section(
            &cx,
            t,
            &cohort_data,
            first_events.as_ref().unwrap_or(&none),
            matched_sets.as_deref(),
        )?);
    }

    // ---- school attendance and ASB ------------------------------------
    if let Some(school) = &spec.data.school {
        progress.stage("school attendance and anti-social behaviour");
        let (section, accounts) = school_section(&cx, school)?;
        sections.push(section);
        validation.extend(accounts);
    }

    // A value shifted out of its identifier column (a row with a missing
    // field, an identifier pasted into `group` or `category`) is still an
    // identifier: the rejected rows never show one.
    {
        let id_column = |columns: &BTreeMap<String, String>| {
            columns
                .get("person_id")
                .cloned()
                .unwrap_or_else(|| "person_id".into())
        };
        let mut files = vec![(spec.resolve(&cf.path), id_column(&cf.columns))];
        if let Some(f) = &spec.data.service_use {
            files.push((spec.resolve(&f.path), id_column(&f.columns)));
        }
        if let Some(f) = &spec.data.period_counts {
            files.push((spec.resolve(&f.path), id_column(&f.columns)));
        }
        if let Some(f) = &spec.data.ndt {
            files.push((spec.resolve(&f.path), id_column(&f.columns)));
        }
        let mut values: Vec<&mut String> = validation
            .iter_mut()
            .flat_map(|f| f.rejections.iter_mut().map(|r| &mut r.value))
            .collect();
        io::redact_identifiers(&mut values, &files)?;
    }

    finish(
        &cx,
        Report { headline, sections },
        validation,
        inputs,
        key_note,
        progress,
    )
}

/// The validation section (first), the run record and the evaluation.
/// The report's sections in run order, and the headline that leads them.
struct Report {
    headline: Option<Section>,
    sections: Vec<Section>,
}

fn finish(
    cx: &Ctx<'_>,
    report: Report,
    validation: Vec<FileValidation>,
    inputs: Vec<InputFile>,
    key_note: String,
    progress: &Progress,
) -> Result<Evaluation> {
    let (spec, policy) = (cx.spec, cx.policy.clone());
    let Report {
        headline,
        mut sections,
    } = report;
    let mut validation_items = Vec::new();
    // ---- validation table ---------------------------------------------
    progress.stage("validation account");
    validation_items.push(Item::Text(
        "Every input row is either accepted or rejected with its reason; rows read = accepted + \
         rejected for every file. Counts in this table pass through the same disclosure policy \
         as every other table. The rejected rows themselves (file, row, column, value, rule) \
         are written for the evaluator to a file outside this report folder, not for \
         publication."
            .into(),
    ));
    let (tables, published_validation) = validation_tables(cx, &validation)?;
    validation_items.extend(tables);
    sections.insert(
        0,
        Section {
            title: "Inputs and validation".into(),
            items: validation_items,
        },
    );
    // The report leads with the answer: what difference the programme made,
    // against what, with what uncertainty.
    if let Some(h) = headline {
        sections.insert(0, h);
    }

    let run = RunRecord {
        program: "outcomes".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        spec_file: spec.spec_file.as_ref().map(|f| {
            Path::new(f)
                .file_name()
                .map_or_else(|| f.clone(), |n| n.to_string_lossy().into_owned())
        }),
        seed: spec.seed,
        parameters: {
            let mut p = spec.clone();
            p.base_dir = Default::default();
            p
        },
        pseudonymisation: key_note,
        disclosure_policy: PolicyRecord {
            name: policy.name(),
            description: policy.description(),
            policy: policy.clone(),
        },
        inputs,
        validation: published_validation,
    };
    progress.stage("evaluation complete");
    Ok(Evaluation {
        name: spec.name.clone(),
        policy,
        sections,
        run,
        accounts: validation,
        rejected_rows: spec.output.rejected_rows.as_ref().map(|p| spec.resolve(p)),
    })
}

/// The before and after values of the people in group `g`, in frame order
/// (the pre/post example's "programme group" selection): `groups` is the
/// frame's group column ([`WindowCounts::groups`]), `pv.rows` the frame row
/// of each pair.
///
/// # Errors
/// As [`pre_post::PairedValues::check_lengths`]: `rows`, `before` or `after`
/// does not hold one value per person; a row outside `groups`.
pub fn group_pairs(
    pv: &pre_post::PairedValues,
    groups: &[Group],
    g: Group,
) -> Result<(Vec<f64>, Vec<f64>)> {
    pv.check_lengths()?;
    let mut out = (Vec::new(), Vec::new());
    for (&row, (b, a)) in pv.rows.iter().zip(pv.before.iter().zip(&pv.after)) {
        let Some(&group) = groups.get(row) else {
            return Err(Error::invalid_parameter(
                "rows",
                row,
                format!("outside the frame's {} rows", groups.len()),
            ));
        };
        if group == g {
            out.0.push(*b);
            out.1.push(*a);
        }
    }
    Ok(out)
}

/// Whether each value is above zero (any use in the window).
pub fn any(values: &[f64]) -> Vec<bool> {
    values.iter().map(|v| *v > 0.0).collect()
}

fn coverage(spec: &EvaluationSpec) -> CoveragePolicy {
    match spec.windows.coverage {
        CoverageRule::Exclude => CoveragePolicy::Exclude,
        CoverageRule::RatePerObservedTime => CoveragePolicy::RatePerObservedTime {
            min_fraction: spec.windows.min_fraction,
        },
    }
}

mod costs_section;
mod did_section;
mod headline_section;
mod matched_section;
mod ndt_section;
mod paired;
mod school_section;
mod service_use_section;
mod time_to_event_section;
mod validation_section;

use costs_section::cost_section;
use did_section::did_section;
use headline_section::headline_section;
use matched_section::{matched_section, MatchCluster, MatchedUnit};
use ndt_section::ndt_section;
use paired::{paired, paired_columns, paired_row};
use school_section::{school_only, school_section};
use service_use_section::service_use_section;
use time_to_event_section::time_to_event_section;
use validation_section::validation_tables;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::PersonId;

    #[test]
    fn group_pairs_rejects_unequal_lengths_instead_of_truncating() {
        let person = PersonId::from_pseudonym("p1").unwrap();
        let groups = [Group::Programme];
        let mut pv = pre_post::PairedValues {
            people: vec![person],
            rows: vec![0],
            before: vec![1.0],
            after: vec![3.0],
            coverage: pre_post::Coverage::default(),
        };
        assert_eq!(
            group_pairs(&pv, &groups, Group::Programme).unwrap(),
            (vec![1.0], vec![3.0])
        );
        assert_eq!(
            group_pairs(&pv, &groups, Group::Comparison).unwrap(),
            (vec![], vec![])
        );
        pv.rows = vec![1];
        let e = group_pairs(&pv, &groups, Group::Programme)
            .unwrap_err()
            .to_string();
        assert!(e.contains("outside the frame"), "{e}");
        pv.rows = vec![0];
        pv.after.push(4.0);
        let e = group_pairs(&pv, &groups, Group::Programme)
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 values") && e.contains("1 in `people`"), "{e}");
    }
}
