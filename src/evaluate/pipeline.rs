//! The evaluation from end to end: load and validate, measure, compare,
//! cost, clear every table through the disclosure policy, and draw the
//! charts from the cleared tables.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::charts;
use super::spec::{CoverageRule, EvaluationSpec, NdtLayout};
use super::tables::{
    cnt, count, money_of, rate_of, rate_per_cell, stat, stat_of, stat_per_cell, val, NamedTable,
};
use crate::cohort::{months_between, Covariate as CohortCovariate, DataWindow, Group};
use crate::compare::pre_post::{self, CoveragePolicy, PairedStatistics};
use crate::compare::report::{
    matched_comparison, CovariateKind, CovariateSpec, CovariateUsed, MatchedComparisonSpec,
    MatchedInputs, RowAccounting,
};
use crate::compare::{Caliper, Covariate, MatchOrder, Ratio, Replacement};
use crate::costs::{
    self, CbaParameters, ConfidenceGrade, CostingOptions, DeflatorSeries, Gbp, PriceYear,
    Proportion, SensitivitySpec, UnitCostTable,
};
use crate::disclosure::{
    Cell, Column, Policy, PublishedCell, RelationKind, RelationTerm, Release, Table,
};
use crate::error::{Error, Location, Result};
use crate::io::{self, Source, WindowCounts};
use crate::measures::asb::{read_police_uk_street, read_population_csv, AreaMonthCounts, Month};
use crate::measures::ndt::{self, NdtAssessment, NdtItem, PartialPolicy, SelectionRule};
use crate::measures::sample_report::{self, Phase, POLICE_UK_FILE, POPULATION_FILE};
use crate::measures::service_use::{CategorySet, Window};
use crate::measures::synthetic_school::{school_sample_design, Arm};
use crate::plot::Chart;
use crate::stats::{self, BootstrapConfig, ConfidenceLevel, Direction, ReliableChangeParams};

/// Prints each stage with the time elapsed since the start, to stderr
/// (or nowhere, when quiet).
#[derive(Debug)]
pub struct Progress {
    start: Instant,
    quiet: bool,
}

impl Progress {
    /// Progress printed to stderr.
    pub fn stderr() -> Self {
        Progress {
            start: Instant::now(),
            quiet: false,
        }
    }

    /// No progress output.
    pub fn quiet() -> Self {
        Progress {
            start: Instant::now(),
            quiet: true,
        }
    }

    /// Report a stage.
    pub fn stage(&self, what: &str) {
        if !self.quiet {
            eprintln!("[{:>7.1}s] {what}", self.start.elapsed().as_secs_f64());
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
    /// The rendered chart.
    pub chart: Chart,
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
}

struct Ctx<'a> {
    spec: &'a EvaluationSpec,
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
    let cf = &spec.data.cohort;
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

    let cats = CategorySet::default();
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

    let events = match &spec.data.service_use {
        Some(f) => {
            progress.stage("loading service use");
            let l = io::load_service_events(
                &Source::new(spec.resolve(&f.path))
                    .columns(f.column_map())
                    .pseudonymise(key.clone()),
                &cohort_data,
                &cats,
            )?;
            validation.push(summary(&l.summary, &l.rejections));
            Some(l.data)
        }
        None => None,
    };
    let ndt_data = match &spec.data.ndt {
        Some(f) => {
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
            Some(l.data)
        }
        None => None,
    };

    let mut sections = Vec::new();
    let mut validation_items = Vec::new();

    // ---- NDT ----------------------------------------------------------
    if let Some(nd) = &ndt_data {
        progress.stage("NDT baseline and follow-up");
        sections.push(ndt_section(&cx, &cohort_data, &nd.assessments)?);
    }

    // ---- service use --------------------------------------------------
    let mut wc: Option<WindowCounts> = None;
    if let Some(ev) = &events {
        progress.stage("service use before and after");
        let windows = [
            Window::new("before", -(spec.windows.months_before as i32), 0)?,
            Window::new("after", 0, spec.windows.months_after as i32)?,
        ];
        let counts = io::window_counts(&cohort_data, ev, &windows, &wanted)?;
        sections.push(service_use_section(&cx, &cohort_data, &counts, &codes)?);
        wc = Some(counts);
    }

    // ---- costs --------------------------------------------------------
    let mut post_cost: HashMap<String, f64> = HashMap::new();
    if let (Some(cs), Some(ev)) = (&spec.costs, &events) {
        progress.stage("costs and cost-benefit analysis");
        let (section, post) = cost_section(&cx, cs, &cohort_data, ev, &codes)?;
        sections.push(section);
        post_cost = post;
    }

    // ---- matched comparison -------------------------------------------
    if let Some(cmp) = &spec.comparison {
        progress.stage("matched comparison");
        let outcome: HashMap<String, f64> = if cmp.outcome == "total_cost" {
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
            pv.people
                .iter()
                .zip(&pv.after)
                .map(|(p, a)| (p.pseudonym().to_string(), *a))
                .collect()
        };
        // The people with an outcome: the costed (whole windows observed) or
        // those kept for service use; the tables above show their numbers.
        let outcome_key = if cmp.outcome == "total_cost" {
            link::fully_observed
        } else {
            link::service_use_kept
        };
        sections.push(matched_section(
            &cx,
            cmp,
            &cohort_data,
            &outcome,
            outcome_key,
        )?);
    }

    // ---- school attendance and ASB ------------------------------------
    if let Some(school) = &spec.data.school {
        progress.stage("school attendance and anti-social behaviour");
        let dir = spec.resolve(&school.dir);
        let (section, accounts) = school_section(&cx, &dir)?;
        sections.push(section);
        validation.extend(accounts);
    }

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
    let (tables, published_validation) = validation_tables(&cx, &validation)?;
    validation_items.extend(tables);
    sections.insert(
        0,
        Section {
            title: "Inputs and validation".into(),
            items: validation_items,
        },
    );

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

/// The before and after values of the people in group `g`, in cohort order
/// (the pre/post example's "programme group" selection).
///
/// # Errors
/// As [`pre_post::PairedValues::check_lengths`]: `before` or `after` does not
/// hold one value per person.
pub fn group_pairs(
    pv: &pre_post::PairedValues,
    cohort: &io::Cohort,
    g: Group,
) -> Result<(Vec<f64>, Vec<f64>)> {
    pv.check_lengths()?;
    Ok(pv
        .people
        .iter()
        .zip(pv.before.iter().zip(&pv.after))
        .filter(|(p, _)| cohort.get(p).is_some_and(|m| m.group == g))
        .map(|(_, (b, a))| (*b, *a))
        .unzip())
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

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// The validation tables, and the same counts as published (for
/// `run.json`, which is part of the release).
fn validation_tables(
    cx: &Ctx<'_>,
    files: &[FileValidation],
) -> Result<(Vec<Item>, Vec<PublishedValidation>)> {
    let mut t = Table::new(
        "Input files: rows read, accepted and rejected",
        vec![
            Column::label("File"),
            count("Rows read"),
            count("Accepted"),
            count("Rejected"),
        ],
    )?;
    t.declare_column_total("Rows read", &["Accepted", "Rejected"])?;
    let rejected_key = |f: &FileValidation| format!("rejected rows: {}", f.file);
    for f in files {
        let row = t.push_row(vec![
            Cell::text(&f.file),
            Cell::Count(f.rows_read),
            Cell::Count(f.accepted),
            Cell::Count(f.rejected),
        ])?;
        t.link_count(row, "Rejected", rejected_key(f))?;
    }
    let mut r = Table::new(
        "Rejected rows by reason",
        vec![
            Column::label("File"),
            Column::label("Reason"),
            count("Rows"),
        ],
    )?;
    let mut reason_rows = Vec::with_capacity(files.len());
    for f in files {
        let mut rows = Vec::new();
        for (reason, n) in &f.by_reason {
            rows.push(r.push_row(vec![
                Cell::text(&f.file),
                Cell::text(reason),
                Cell::Count(*n),
            ])?);
        }
        // The reasons of a file add up to its rejected rows in the table
        // above: a reader can subtract, so the audit must too.
        if !rows.is_empty() {
            r.declare_population_total(&rejected_key(f), "Rows", &rows)?;
        }
        reason_rows.push(rows);
    }
    let t = cx.cleared("validation", t)?;
    let r = cx.cleared("validation_reasons", r)?;
    let shown = |c: Option<&PublishedCell>| match c {
        Some(PublishedCell::Count(v)) => Some(*v),
        _ => None,
    };
    let published = files
        .iter()
        .zip(&reason_rows)
        .enumerate()
        .map(|(i, (f, rows))| PublishedValidation {
            file: f.file.clone(),
            rows_read: shown(t.table.cell(i, 1)),
            accepted: shown(t.table.cell(i, 2)),
            rejected: shown(t.table.cell(i, 3)),
            by_reason: f
                .by_reason
                .keys()
                .zip(rows)
                .map(|(reason, &row)| (reason.clone(), shown(r.table.cell(row, 2))))
                .collect(),
        })
        .collect();
    Ok((vec![Item::Table(t), Item::Table(r)], published))
}

// ---------------------------------------------------------------------------
// Paired statistics rows
// ---------------------------------------------------------------------------

fn paired_columns(title: &str) -> Result<Table> {
    Table::new(
        title,
        vec![
            Column::label("Outcome"),
            Column::label("Group"),
            count("People"),
            stat_of("Mean before", "People", 2),
            stat_of("Mean after", "People", 2),
            stat_of("Mean change", "People", 2),
            stat_of("Change CI lower", "People", 2),
            stat_of("Change CI upper", "People", 2),
            stat_of("Paired t", "People", 3),
            stat_of("p (paired t)", "People", 4),
            stat_of("p (Wilcoxon)", "People", 4),
            stat_of("p (sign test)", "People", 4),
            stat_of("Cohen's d_z", "People", 3),
            stat_of("Bootstrap BCa lower", "People", 2),
            stat_of("Bootstrap BCa upper", "People", 2),
        ],
    )
}

fn paired_row(outcome: &str, group: &str, s: Option<&PairedStatistics>, n: usize) -> Vec<Cell> {
    let Some(s) = s else {
        let mut row = vec![Cell::text(outcome), Cell::text(group), cnt(n)];
        row.extend(std::iter::repeat_n(Cell::NotAvailable, 12));
        return row;
    };
    let n = s.n;
    let bca = s
        .bootstrap
        .as_ref()
        .map(|b| b.bca.as_ref().unwrap_or(&b.percentile).ci);
    vec![
        Cell::text(outcome),
        Cell::text(group),
        cnt(n),
        val(Some(s.mean_before), n),
        val(Some(s.mean_after), n),
        val(Some(s.mean_change.value), n),
        val(Some(s.mean_change.ci.lower), n),
        val(Some(s.mean_change.ci.upper), n),
        val(s.paired_t.as_ref().map(|t| t.test.statistic), n),
        val(s.paired_t.as_ref().map(|t| t.test.p_value), n),
        val(s.wilcoxon.as_ref().map(|t| t.test.p_value), n),
        val(s.sign_test.as_ref().map(|t| t.test.p_value), n),
        val(s.cohens_dz.as_ref().map(|d| d.value), n),
        val(bca.map(|c| c.lower), n),
        val(bca.map(|c| c.upper), n),
    ]
}

fn paired(
    before: &[f64],
    after: &[f64],
    level: ConfidenceLevel,
    boot: Option<BootstrapConfig>,
) -> Option<PairedStatistics> {
    if before.len() < 2 {
        return None;
    }
    pre_post::paired_statistics(before, after, level, boot).ok()
}

// ---------------------------------------------------------------------------
// NDT
// ---------------------------------------------------------------------------

fn ndt_section(
    cx: &Ctx<'_>,
    cohort: &io::Cohort,
    assessments: &[NdtAssessment],
) -> Result<Section> {
    let rule = SelectionRule {
        follow_up_months: cx.spec.outcomes.ndt_follow_up_months,
        ..SelectionRule::default()
    };
    let mut items = vec![Item::Text(format!(
        "NDT assessments (10 items, total 0-48, higher = more need). Baseline: the assessment \
         nearest the start within {} days before or {} days after; follow-up: nearest {} months \
         after the start within {} days. Totals are undefined when an item is missing. {}",
        rule.baseline_before_days,
        rule.baseline_after_days,
        rule.follow_up_months,
        rule.follow_up_tolerance_days,
        ndt::NDT_COPYRIGHT
    ))];
    let mut sel = Table::new(
        "NDT: people with a baseline and a follow-up assessment",
        vec![
            Column::label("Group"),
            count("People"),
            count("Baseline and follow-up"),
            count("No baseline"),
            count("No follow-up"),
        ],
    )?;
    sel.declare_column_total(
        "People",
        &["Baseline and follow-up", "No baseline", "No follow-up"],
    )?;
    let mut item_t = Table::new(
        "NDT items: baseline and follow-up means",
        vec![
            Column::label("Group"),
            Column::label("Item"),
            count("People"),
            stat_of("Baseline mean", "People", 2),
            stat_of("Follow-up mean", "People", 2),
            stat_of("Mean change", "People", 2),
        ],
    )?;
    let mut totals = paired_columns("NDT total: paired change from baseline to follow-up")?;
    let mut rci = Table::new(
        "NDT total: reliable change",
        vec![
            Column::label("Group"),
            count("People"),
            count("Reliably improved"),
            count("No reliable change"),
            count("Reliably deteriorated"),
        ],
    )?;
    rci.declare_column_total(
        "People",
        &[
            "Reliably improved",
            "No reliable change",
            "Reliably deteriorated",
        ],
    )?;
    let mut over_time = Table::new(
        "NDT total by quarter since the start",
        vec![
            Column::label("Group"),
            Column::label("Quarter"),
            count("People"),
            stat_of("Mean total", "People", 2),
            stat_of("CI lower", "People", 2),
            stat_of("CI upper", "People", 2),
        ],
    )?;
    let mut by_person: HashMap<&str, Vec<&NdtAssessment>> = HashMap::new();
    for a in assessments {
        by_person.entry(a.person.pseudonym()).or_default().push(a);
    }
    let last_q = (cx.spec.outcomes.ndt_follow_up_months as i32)
        .div_euclid(3)
        .max(4);
    for (gi, g) in GROUPS.into_iter().enumerate() {
        let starts = cohort.group(g).map(|m| (&m.person, m.index_date));
        let (changes, counts) =
            ndt::baseline_follow_up(starts, assessments, rule, PartialPolicy::Undefined)?;
        let r = sel.push_row(vec![
            Cell::text(group_label(g)),
            cnt(counts.people),
            cnt(counts.with_both),
            cnt(counts.no_baseline),
            cnt(counts.no_follow_up),
        ])?;
        sel.link_count(r, "People", link::cohort(g))?;
        for item in NdtItem::ALL {
            let i = item.index();
            let pairs: Vec<(f64, f64)> = changes
                .iter()
                .filter_map(|c| Some((f64::from(c.baseline[i]?), f64::from(c.follow_up[i]?))))
                .collect();
            let n = pairs.len();
            let mean = |f: fn(&(f64, f64)) -> f64| {
                (n > 0).then(|| pairs.iter().map(f).sum::<f64>() / n as f64)
            };
            let (b, a) = (mean(|p| p.0), mean(|p| p.1));
            item_t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(item.label()),
                cnt(n),
                val(b, n),
                val(a, n),
                val(b.zip(a).map(|(b, a)| a - b), n),
            ])?;
        }
        let (b, a): (Vec<f64>, Vec<f64>) = changes
            .iter()
            .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
            .unzip();
        let s = paired(&b, &a, cx.level, Some(cx.boot(100 + gi as u64)?));
        let r = totals.push_row(paired_row(
            "NDT total (0-48)",
            group_label(g),
            s.as_ref(),
            b.len(),
        ))?;
        totals.link_count(r, "People", link::ndt_pairs(g))?;
        let rc = (b.len() >= 2)
            .then(|| {
                let sd = stats::describe(&b).ok()?.sd?;
                let p = ReliableChangeParams::new(
                    sd,
                    cx.spec.outcomes.ndt_reliability,
                    Direction::LowerIsBetter,
                )
                .ok()?;
                stats::reliable_change(&b, &a, p, cx.level).ok()
            })
            .flatten();
        match rc {
            Some(r) => {
                let row = rci.push_row(vec![
                    Cell::text(group_label(g)),
                    cnt(r.n),
                    cnt(r.improved),
                    cnt(r.no_reliable_change),
                    cnt(r.deteriorated),
                ])?;
                rci.link_count(row, "People", link::ndt_pairs(g))?;
                row
            }
            None => rci.push_row(vec![
                Cell::text(group_label(g)),
                cnt(0),
                cnt(0),
                cnt(0),
                cnt(0),
            ])?,
        };
        // Mean total by quarter since start: each person's first assessment
        // with a defined total in each quarter.
        let mut per_q: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
        for m in cohort.group(g) {
            let Some(list) = by_person.get(m.person.pseudonym()) else {
                continue;
            };
            let mut sorted: Vec<&&NdtAssessment> = list.iter().collect();
            sorted.sort_by_key(|a| a.date);
            let mut seen = std::collections::BTreeSet::new();
            for a in sorted {
                let q = months_between(m.index_date, a.date).div_euclid(3);
                if !(-1..=last_q).contains(&q) || seen.contains(&q) {
                    continue;
                }
                if let Ok(Some(t)) = a.total(PartialPolicy::Undefined) {
                    seen.insert(q);
                    per_q.entry(q).or_default().push(t.value());
                }
            }
        }
        for q in -1..=last_q {
            let v = per_q.get(&q).map(Vec::as_slice).unwrap_or(&[]);
            let n = v.len();
            let e = (n >= 2).then(|| stats::mean_ci(v, cx.level).ok()).flatten();
            over_time.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(format!("Q{q}")),
                cnt(n),
                val(e.as_ref().map(|e| e.value), n),
                val(e.as_ref().map(|e| e.ci.lower), n),
                val(e.as_ref().map(|e| e.ci.upper), n),
            ])?;
        }
    }
    items.push(cx.clear("ndt_selection", sel)?);
    items.push(cx.clear("ndt_total_change", totals)?);
    items.push(Item::Text(format!(
        "Reliable change uses the baseline SD and an ASSUMED test-retest reliability of {} \
         (the NDT has no published value); lower totals are better.",
        cx.spec.outcomes.ndt_reliability
    )));
    items.push(cx.clear("ndt_reliable_change", rci)?);
    items.push(cx.clear("ndt_items", item_t)?);
    let over = cx.cleared("ndt_over_time", over_time)?;
    if let Some(c) = charts::ndt_over_time(&over.table, cx.level)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(over));
    Ok(Section {
        title: "NDT assessments".into(),
        items,
    })
}

// ---------------------------------------------------------------------------
// Service use
// ---------------------------------------------------------------------------

fn service_use_section(
    cx: &Ctx<'_>,
    cohort: &io::Cohort,
    counts: &WindowCounts,
    codes: &[String],
) -> Result<Section> {
    let spec = cx.spec;
    let cats = CategorySet::default();
    let cov = coverage(spec);
    let group_of =
        |p: &crate::cohort::PersonId| -> Option<Group> { cohort.get(p).map(|m| m.group) };
    let mut items = vec![Item::Text(format!(
        "Service use per person per quarter in the {} months before and the {} months after each \
         person's start (count x 91.31 / days observed). {}",
        spec.windows.months_before,
        spec.windows.months_after,
        match cov {
            CoveragePolicy::Exclude =>
                "People not observed for the whole of both windows are left out.".to_string(),
            CoveragePolicy::RatePerObservedTime { min_fraction } => format!(
                "People observed for less than {:.0}% of either window are left out; the others' \
                 use is a rate per day observed.",
                min_fraction * 100.0
            ),
        }
    ))];

    // Coverage per group.
    let mut cov_t = Table::new(
        "Service use: people kept under the coverage rule",
        vec![
            Column::label("Group"),
            count("People"),
            count("Kept"),
            count("Left out"),
            count("Kept, whole windows observed"),
            count("Kept, part of a window observed"),
        ],
    )?;
    cov_t.declare_column_total("People", &["Kept", "Left out"])?;
    cov_t.declare_column_total(
        "Kept",
        &[
            "Kept, whole windows observed",
            "Kept, part of a window observed",
        ],
    )?;
    let first = codes
        .first()
        .cloned()
        .unwrap_or_else(|| "ae_attendance".into());
    let pv0 = pre_post::service_use_per_quarter(counts, &first, "before", "after", cov)?;
    let (ob, wb) = (
        counts.observed_days("before")?,
        counts.window_days("before")?,
    );
    let (oa, wa) = (counts.observed_days("after")?, counts.window_days("after")?);
    let index: HashMap<&str, usize> = counts
        .people()
        .iter()
        .enumerate()
        .map(|(i, p)| (p.pseudonym(), i))
        .collect();
    for g in GROUPS {
        let people = counts
            .people()
            .iter()
            .filter(|p| group_of(p) == Some(g))
            .count();
        let kept: Vec<usize> = pv0
            .people
            .iter()
            .filter(|p| group_of(p) == Some(g))
            .filter_map(|p| index.get(p.pseudonym()).copied())
            .collect();
        let partly = kept
            .iter()
            .filter(|&&i| ob[i] < wb[i] || oa[i] < wa[i])
            .count();
        let r = cov_t.push_row(vec![
            Cell::text(group_label(g)),
            cnt(people),
            cnt(kept.len()),
            cnt(people - kept.len()),
            cnt(kept.len() - partly),
            cnt(partly),
        ])?;
        cov_t.link_count(r, "People", link::cohort(g))?;
        cov_t.link_count(r, "Kept", link::service_use_kept(g))?;
        cov_t.link_count(r, "Kept, whole windows observed", link::fully_observed(g))?;
    }
    items.push(cx.clear("service_use_coverage", cov_t)?);

    let mut t = Table::new(
        "Service use per person per quarter, before and after, by group and category",
        vec![
            Column::label("Group"),
            Column::label("Category"),
            count("People"),
            stat_of("Before", "People", 3),
            stat_of("Before CI lower", "People", 3),
            stat_of("Before CI upper", "People", 3),
            stat_of("After", "People", 3),
            stat_of("After CI lower", "People", 3),
            stat_of("After CI upper", "People", 3),
            stat_of("Mean change", "People", 3),
            stat_of("Change CI lower", "People", 3),
            stat_of("Change CI upper", "People", 3),
            stat_of("p (paired t)", "People", 4),
            stat_of("p (Wilcoxon)", "People", 4),
        ],
    )?;
    for g in GROUPS {
        for code in codes {
            let pv = pre_post::service_use_per_quarter(counts, code, "before", "after", cov)?;
            let (b, a) = group_pairs(&pv, cohort, g)?;
            let n = b.len();
            let ci = |x: &[f64]| (n >= 2).then(|| stats::mean_ci(x, cx.level).ok()).flatten();
            let (eb, ea) = (ci(&b), ci(&a));
            let s = paired(&b, &a, cx.level, None);
            let label = cats.get(code).map_or(code.as_str(), |c| c.label());
            let r = t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(label),
                cnt(n),
                val(eb.as_ref().map(|e| e.value), n),
                val(eb.as_ref().map(|e| e.ci.lower), n),
                val(eb.as_ref().map(|e| e.ci.upper), n),
                val(ea.as_ref().map(|e| e.value), n),
                val(ea.as_ref().map(|e| e.ci.lower), n),
                val(ea.as_ref().map(|e| e.ci.upper), n),
                val(s.as_ref().map(|s| s.mean_change.value), n),
                val(s.as_ref().map(|s| s.mean_change.ci.lower), n),
                val(s.as_ref().map(|s| s.mean_change.ci.upper), n),
                val(
                    s.as_ref()
                        .and_then(|s| s.paired_t.as_ref())
                        .map(|t| t.test.p_value),
                    n,
                ),
                val(
                    s.as_ref()
                        .and_then(|s| s.wilcoxon.as_ref())
                        .map(|t| t.test.p_value),
                    n,
                ),
            ])?;
            t.link_count(r, "People", link::service_use_kept(g))?;
        }
    }
    let t = cx.cleared("service_use", t)?;
    if let Some(c) = charts::service_use(&t.table, cx.level)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(t));

    // Binary outcome (rough sleeping): any use in the window, McNemar.
    let code = &spec.outcomes.binary_category;
    let label = cats.get(code).map_or(code.as_str(), |c| c.label());
    let pv = pre_post::service_use_per_quarter(counts, code, "before", "after", cov)?;
    let mut bt = Table::new(
        format!("{label}: any in the window, before and after (McNemar)"),
        vec![
            Column::label("Group"),
            count("People"),
            count("Any before"),
            rate_of("% before", "People", "Any before", 1),
            rate_of("% before CI lower", "People", "Any before", 1),
            rate_of("% before CI upper", "People", "Any before", 1),
            count("Any after"),
            rate_of("% after", "People", "Any after", 1),
            rate_of("% after CI lower", "People", "Any after", 1),
            rate_of("% after CI upper", "People", "Any after", 1),
            count("Stopped"),
            count("Started"),
            stat_of("p (McNemar exact)", "People", 4),
            stat_of("p (McNemar chi-square)", "People", 4),
        ],
    )?;
    let mut confidential = Vec::new();
    for g in GROUPS {
        let (b, a) = group_pairs(&pv, cohort, g)?;
        let (b, a) = (any(&b), any(&a));
        let n = b.len();
        let nb = b.iter().filter(|x| **x).count();
        let na = a.iter().filter(|x| **x).count();
        let stopped = b.iter().zip(&a).filter(|(b, a)| **b && !**a).count();
        let started = b.iter().zip(&a).filter(|(b, a)| !**b && **a).count();
        let bc = (n > 0)
            .then(|| pre_post::binary_change(&b, &a, cx.level).ok())
            .flatten();
        let pct = |x: Option<f64>| x.map(|v| v * 100.0);
        let r = bt.push_row(vec![
            Cell::text(group_label(g)),
            cnt(n),
            cnt(nb),
            val(pct(bc.as_ref().map(|c| c.before.value)), n),
            val(pct(bc.as_ref().map(|c| c.before.ci.lower)), n),
            val(pct(bc.as_ref().map(|c| c.before.ci.upper)), n),
            cnt(na),
            val(pct(bc.as_ref().map(|c| c.after.value)), n),
            val(pct(bc.as_ref().map(|c| c.after.ci.lower)), n),
            val(pct(bc.as_ref().map(|c| c.after.ci.upper)), n),
            cnt(stopped),
            cnt(started),
            val(
                bc.as_ref()
                    .and_then(|c| c.mcnemar.as_ref())
                    .map(|m| m.exact.p_value),
                n,
            ),
            val(
                bc.as_ref()
                    .and_then(|c| c.mcnemar.as_ref())
                    .map(|m| m.chi_square.p_value),
                n,
            ),
        ])?;
        // The McNemar p-values are functions of the discordant counts: withhold
        // them when either count is withheld.
        if (cx.small(stopped as u64) || cx.small(started as u64))
            && n > 0
            && bc.as_ref().is_some_and(|c| c.mcnemar.is_some())
        {
            confidential.push((r, 12));
            confidential.push((r, 13));
        }
    }
    for (r, c) in confidential {
        bt.mark_confidential(r, c)?;
    }
    for (r, g) in GROUPS.into_iter().enumerate() {
        bt.link_count(r, "People", link::service_use_kept(g))?;
    }
    items.push(cx.clear("binary_outcome", bt)?);
    Ok(Section {
        title: "Service use before and after".into(),
        items,
    })
}

// ---------------------------------------------------------------------------
// Costs and CBA
// ---------------------------------------------------------------------------

fn cost_section(
    cx: &Ctx<'_>,
    cs: &super::spec::CostsSpec,
    cohort: &io::Cohort,
    events: &io::ServiceEvents,
    codes: &[String],
) -> Result<(Section, HashMap<String, f64>)> {
    let spec = cx.spec;
    let table = match &cs.unit_costs {
        Some(p) => UnitCostTable::from_csv_path(spec.resolve(p))?,
        None => UnitCostTable::illustrative()?,
    };
    let deflators = match &cs.deflators {
        Some(p) => DeflatorSeries::from_csv_path(spec.resolve(p))?,
        None => DeflatorSeries::illustrative()?,
    };
    let target = PriceYear::parse(&cs.price_year)
        .map_err(|e| Error::invalid_parameter("costs.price_year", &cs.price_year, e.to_string()))?;
    let options = CostingOptions::new(target);
    let windows = [
        Window::new("before", -(spec.windows.months_before as i32), 0)?,
        Window::new("after", 0, spec.windows.months_after as i32)?,
    ];
    let offset = super::offset::cost_offset(
        cohort,
        events,
        &windows,
        codes,
        &table,
        &deflators,
        &options,
        cs.programme_cost_per_person,
    )?;
    let not_costed = &offset.not_costed;
    let mut items = vec![Item::Text(format!(
        "Service use in the {} months before and after each start, priced with {} and re-based \
         to {target} prices with {}. Only people observed for the whole of both windows are \
         costed. Categories with no unit cost are not costed (never priced at zero silently): {}. \
         The programme cost per person ({:.0} in {target} prices) is an assumption of this spec.",
        spec.windows.months_before,
        if cs.unit_costs.is_some() {
            "the unit costs given"
        } else {
            "the shipped ILLUSTRATIVE GMCA UCD v1.4 unit costs"
        },
        if cs.deflators.is_some() {
            "the deflators given"
        } else {
            "the shipped ILLUSTRATIVE GDP deflators"
        },
        if not_costed.is_empty() {
            "none".to_string()
        } else {
            not_costed.join(", ")
        },
        cs.programme_cost_per_person
    ))];
    let mut post_cost = HashMap::new();
    if offset.costed.is_empty() {
        items.push(Item::Text(
            "No category has a unit cost: nothing to cost.".into(),
        ));
        return Ok((
            Section {
                title: "Costs".into(),
                items,
            },
            post_cost,
        ));
    }
    let mut agency_t = Table::new(
        format!("Cost per person by agency, before and after ({target} prices)"),
        vec![
            Column::label("Group"),
            Column::label("Agency"),
            count("People"),
            money_of("Before", "People", 0),
            money_of("After", "People", 0),
            money_of("Change", "People", 0),
        ],
    )?;
    let mut offset_t = Table::new(
        format!("Cost offset per person ({target} prices)"),
        vec![
            Column::label("Group"),
            count("People"),
            money_of("Mean before", "People", 0),
            money_of("Mean after", "People", 0),
            money_of("Mean change", "People", 0),
            money_of("Change BCa lower", "People", 0),
            money_of("Change BCa upper", "People", 0),
            money_of("Programme cost per person", "People", 0),
            money_of("Mean net saving", "People", 0),
        ],
    )?;
    for (gi, g) in GROUPS.into_iter().enumerate() {
        let Some(cmp) = offset.by_group.get(&g) else {
            agency_t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text("All agencies"),
                cnt(0),
                Cell::NotAvailable,
                Cell::NotAvailable,
                Cell::NotAvailable,
            ])?;
            continue;
        };
        let n = cmp.n;
        for pch in &cmp.people {
            post_cost.insert(pch.person.clone(), pch.post.amount());
        }
        for (agency, a) in &cmp.by_agency {
            let r = agency_t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(agency.to_string()),
                cnt(n),
                val(Some(a.pre.amount() / n as f64), n),
                val(Some(a.post.amount() / n as f64), n),
                val(Some(a.change.amount() / n as f64), n),
            ])?;
            agency_t.link_count(r, "People", link::fully_observed(g))?;
        }
        let r = agency_t.push_row(vec![
            Cell::text(group_label(g)),
            Cell::text("All agencies"),
            cnt(n),
            val(Some(cmp.mean_pre.amount()), n),
            val(Some(cmp.mean_post.amount()), n),
            val(Some(cmp.mean_change.amount()), n),
        ])?;
        agency_t.link_count(r, "People", link::fully_observed(g))?;
        let boot = (n >= 2)
            .then(|| {
                stats::bootstrap_mean(&cmp.change_vector(), cx.boot(200 + gi as u64).ok()?).ok()
            })
            .flatten();
        let ci = boot
            .as_ref()
            .map(|b| b.bca.as_ref().unwrap_or(&b.percentile).ci);
        let r = offset_t.push_row(vec![
            Cell::text(group_label(g)),
            cnt(n),
            val(Some(cmp.mean_pre.amount()), n),
            val(Some(cmp.mean_post.amount()), n),
            val(Some(cmp.mean_change.amount()), n),
            val(ci.map(|c| c.lower), n),
            val(ci.map(|c| c.upper), n),
            val(Some(cmp.programme_cost_per_person.amount()), n),
            val(Some(cmp.mean_net_saving.amount()), n),
        ])?;
        offset_t.link_count(r, "People", link::fully_observed(g))?;
    }
    let agency_t = cx.cleared("cost_by_agency", agency_t)?;
    if let Some(c) = charts::cost_by_agency(&agency_t.table, &target.to_string())? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(agency_t));
    items.push(cx.clear("cost_offset", offset_t)?);

    // Cost-benefit analysis, as examples/cost_offset.rs.
    if let (Some(prog), Some(comp)) = (
        offset.by_group.get(&Group::Programme),
        offset.by_group.get(&Group::Comparison),
    ) {
        let n_prog = &prog.n;
        if prog.n > 0 && comp.n > 0 {
            let cba = &spec.cba;
            let streams = super::offset::comparison_group_streams(
                prog,
                comp,
                Proportion::new(cba.attribution).map_err(|e| {
                    Error::invalid_parameter("cba.attribution", cba.attribution, e.to_string())
                })?,
                ConfidenceGrade::new(cba.confidence_grade).map_err(|e| {
                    Error::invalid_parameter(
                        "cba.confidence_grade",
                        cba.confidence_grade,
                        e.to_string(),
                    )
                })?,
            )?;
            let costs_by_year = vec![Gbp::non_negative(
                cs.programme_cost_per_person * *n_prog as f64,
                target,
            )?];
            let params = CbaParameters {
                horizon_years: cba.horizon_years,
                dropoff: Proportion::new(cba.dropoff).map_err(|e| {
                    Error::invalid_parameter("cba.dropoff", cba.dropoff, e.to_string())
                })?,
                ..CbaParameters::default()
            };
            let r = costs::cba::appraise(&streams, &costs_by_year, &params)?;
            let n = *n_prog;
            let money = format!("£, {target} prices");
            let mut st = Table::new(
                format!("Cost-benefit summary (programme group, {})", r.discounting),
                vec![
                    Column::label("Measure"),
                    stat_per_cell("Value", 2),
                    Column::label("Unit"),
                ],
            )?;
            let rows: Vec<(&str, Option<f64>, &str)> = vec![
                (
                    "Present value of benefits",
                    Some(r.pv_benefits.amount()),
                    money.as_str(),
                ),
                (
                    "Present value of costs",
                    Some(r.pv_costs.amount()),
                    money.as_str(),
                ),
                ("Net present value", Some(r.npv.amount()), money.as_str()),
                ("Benefit-cost ratio", r.benefit_cost_ratio, "ratio"),
                ("Fiscal return on investment", r.fiscal_roi, "ratio"),
                ("Economic return on investment", r.economic_roi, "ratio"),
                (
                    "Public value return on investment",
                    r.public_value_roi,
                    "ratio",
                ),
                ("Payback year", r.payback_year.map(f64::from), "year"),
            ];
            for (m, v, u) in rows {
                st.push_row(vec![Cell::text(m), stat(v, n), Cell::text(u)])?;
            }
            for (agency, pv) in &r.pv_by_agency {
                st.push_row(vec![
                    Cell::text(format!("Present value of benefits to {agency}")),
                    stat(Some(pv.amount()), n),
                    Cell::text(money.as_str()),
                ])?;
            }
            items.push(Item::Text(format!(
                "Cost-benefit analysis (Green Book discounting): benefits are the programme group's \
                 fall in cost by agency less the comparison group's fall per person; horizon {} \
                 years, drop-off {:.0}% a year, attribution {:.0}%, confidence grade {}.",
                cba.horizon_years,
                cba.dropoff * 100.0,
                cba.attribution * 100.0,
                cba.confidence_grade
            )));
            items.push(cx.clear("cba_summary", st)?);
            let sens = costs::cba::sensitivity(
                &streams,
                &costs_by_year,
                &params,
                &SensitivitySpec::default_set(),
            )?;
            let mut sv = Table::new(
                "Cost-benefit sensitivity (one assumption at a time)",
                vec![
                    Column::label("Assumption"),
                    stat_per_cell("Low", 3),
                    stat_per_cell("High", 3),
                    stat_per_cell("NPV at low", 0),
                    stat_per_cell("NPV at high", 0),
                    stat_per_cell("BCR at low", 2),
                    stat_per_cell("BCR at high", 2),
                ],
            )?;
            for row in &sens.rows {
                sv.push_row(vec![
                    Cell::text(format!("{:?}", row.parameter)),
                    stat(Some(row.low), n),
                    stat(Some(row.high), n),
                    stat(Some(row.npv_at_low.amount()), n),
                    stat(Some(row.npv_at_high.amount()), n),
                    stat(row.bcr_at_low, n),
                    stat(row.bcr_at_high, n),
                ])?;
            }
            items.push(cx.clear("cba_sensitivity", sv)?);
        }
    }
    Ok((
        Section {
            title: "Costs and cost-benefit analysis".into(),
            items,
        },
        post_cost,
    ))
}

// ---------------------------------------------------------------------------
// Matched comparison
// ---------------------------------------------------------------------------

fn matched_section(
    cx: &Ctx<'_>,
    cmp: &super::spec::ComparisonSpec,
    cohort: &io::Cohort,
    outcome: &HashMap<String, f64>,
    outcome_key: fn(Group) -> String,
) -> Result<Section> {
    let types = cmp.covariate_types()?;
    let names: Vec<String> = types.iter().map(|(n, _)| n.clone()).collect();
    for c in &names {
        if !cohort
            .members()
            .iter()
            .any(|m| m.covariates.contains_key(c))
        {
            return Err(Error::invalid_parameter(
                "comparison.covariates",
                c,
                "no cohort row has this covariate (is it a column of the cohort file?)",
            ));
        }
    }
    // Numeric or categorical: as declared; undeclared, numeric when every
    // value is a number, categorical when none is, and an error (naming no
    // value) when the column holds both.
    let mut numeric: Vec<bool> = Vec::with_capacity(types.len());
    for (c, kind) in &types {
        let values: Vec<&CohortCovariate> = cohort
            .members()
            .iter()
            .filter_map(|m| m.covariates.get(c))
            .collect();
        let is_number = |v: &&CohortCovariate| match v {
            CohortCovariate::Number(_) => true,
            CohortCovariate::Category(s) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        };
        numeric.push(match kind {
            CovariateKind::Numeric => true,
            CovariateKind::Categorical => false,
            CovariateKind::Auto => {
                let numbers = values.iter().filter(|v| is_number(v)).count();
                if numbers == values.len() {
                    true
                } else if numbers == 0 {
                    false
                } else {
                    return Err(Error::invalid_parameter(
                        "comparison.covariates",
                        c,
                        format!(
                            "the column holds numbers and also {} values that are not numbers; \
                             declare `{c}:numeric` (rows with other values are then rejected) \
                             or `{c}:categorical`",
                            values.len() - numbers
                        ),
                    ));
                }
            }
        });
    }
    // Units: programme or comparison, every covariate present, outcome known.
    let units: Vec<&crate::cohort::CohortMember> = cohort
        .members()
        .iter()
        .filter(|m| GROUPS.contains(&m.group))
        .filter(|m| names.iter().all(|c| m.covariates.contains_key(c)))
        .filter(|m| outcome.contains_key(m.person.pseudonym()))
        .collect();
    let treated: Vec<bool> = units.iter().map(|m| m.group == Group::Programme).collect();
    // A level of a categorical covariate is named in the balance table (and
    // in any model message): one held by 1 to k people is refused, without
    // naming it, so that no small group (or an identifier put in a column)
    // is ever published.
    let k = cx.policy.suppress_max();
    for (c, _) in names.iter().zip(&numeric).filter(|(_, n)| !**n) {
        let mut held: BTreeMap<String, u64> = BTreeMap::new();
        for m in &units {
            if let Some(v) = m.covariates.get(c) {
                *held.entry(text_of_covariate(v)).or_insert(0) += 1;
            }
        }
        let small = held.values().filter(|&&n| (1..=k).contains(&n)).count();
        if small > 0 {
            return Err(Error::invalid_parameter(
                "comparison.covariates",
                c,
                format!(
                    "{small} of its {} levels are held by fewer than {} of the people matched \
                     (the disclosure threshold), and a level is named in the balance table; \
                     group the rare levels into wider ones in the cohort file, or leave the \
                     covariate out (the levels are not listed here)",
                    held.len(),
                    k + 1
                ),
            ));
        }
    }
    // The population each group's matching count describes: the people with
    // an outcome (shown in earlier tables) when none lacked a covariate,
    // else a subset of them.
    let all_key = |g: Group| -> (String, bool) {
        let with_outcome = cohort
            .members()
            .iter()
            .filter(|m| m.group == g && outcome.contains_key(m.person.pseudonym()))
            .count();
        let in_units = units.iter().filter(|m| m.group == g).count();
        if in_units == with_outcome {
            (outcome_key(g), false)
        } else {
            (link::matching_all(g), true)
        }
    };
    let text_of = text_of_covariate;
    // The typed inputs, straight from the cohort: one score fit and one
    // matching serve every table of the section.
    let mut covs: Vec<Covariate> = Vec::with_capacity(names.len());
    let mut used: Vec<CovariateUsed> = Vec::with_capacity(names.len());
    for (c, n) in names.iter().zip(&numeric) {
        if *n {
            let v = units
                .iter()
                .map(|m| match m.covariates.get(c) {
                    Some(CohortCovariate::Number(x)) => Ok(*x),
                    _ => Err(Error::invalid_parameter(
                        "comparison.covariates",
                        c,
                        "a matched-comparison unit's value of this numeric covariate is not a \
                         number",
                    )),
                })
                .collect::<Result<Vec<f64>>>()?;
            covs.push(Covariate::numeric(c, v));
            used.push(CovariateUsed {
                column: c.clone(),
                kind: "numeric".into(),
                levels: None,
            });
        } else {
            let v: Vec<String> = units
                .iter()
                .map(|m| m.covariates.get(c).map(text_of).unwrap_or_default())
                .collect();
            let levels: std::collections::BTreeSet<String> = v.iter().cloned().collect();
            covs.push(Covariate::categorical(c, v));
            used.push(CovariateUsed {
                column: c.clone(),
                kind: "categorical".into(),
                levels: Some(levels.into_iter().collect()),
            });
        }
    }
    let caliper = cmp
        .caliper_sd
        .map(Caliper::standard_deviations)
        .transpose()
        .map_err(|e| {
            Error::invalid_parameter(
                "comparison.caliper_sd",
                format!("{:?}", cmp.caliper_sd),
                e.to_string(),
            )
        })?;
    let ratio = Ratio::new(cmp.ratio)?;
    let replacement = if cmp.replace {
        Replacement::With
    } else {
        Replacement::Without
    };
    let mspec = MatchedComparisonSpec {
        treatment: "programme".into(),
        covariates: names
            .iter()
            .zip(&numeric)
            .map(|(c, n)| CovariateSpec {
                column: c.clone(),
                kind: if *n {
                    CovariateKind::Numeric
                } else {
                    CovariateKind::Categorical
                },
            })
            .collect(),
        outcome: cmp.outcome.clone(),
        ratio,
        caliper,
        replacement,
        exact: Vec::new(),
        order: MatchOrder::Largest,
        level: cx.level,
    };
    let run = matched_comparison(
        MatchedInputs {
            source: "matched-comparison units".into(),
            rows: RowAccounting {
                read: units.len(),
                used: units.len(),
                rejected: 0,
                rejected_rows: Vec::new(),
            },
            treated: treated.clone(),
            outcome: units
                .iter()
                .map(|m| outcome[m.person.pseudonym()])
                .collect(),
            covariates: covs,
            covariates_used: used,
            exact: Vec::new(),
            row_of: (0..units.len()).collect(),
        },
        &mspec,
    )?;
    let (rep, score, matching) = (run.report, run.score, run.matching);

    let outcome_label = if cmp.outcome == "total_cost" {
        "total cost in the after window".to_string()
    } else {
        format!(
            "{} per quarter in the after window",
            CategorySet::default()
                .get(&cmp.outcome)
                .map_or(cmp.outcome.as_str(), |c| c.label())
        )
    };
    let mut items = vec![Item::Text(format!(
        "Propensity score: logistic regression of programme membership on {}; {}:1 nearest \
         neighbour matching {} replacement{}, largest score first (MatchIt conventions). \
         Outcome: {outcome_label}. Effect on the treated with cluster-robust standard errors \
         by matched set.",
        names.join(", "),
        cmp.ratio,
        if cmp.replace { "with" } else { "without" },
        cmp.caliper_sd
            .map_or(String::new(), |c| format!(", caliper {c} SD of the score"))
    ))];

    let mut counts_t = Table::new(
        "Matched comparison: people matched",
        vec![
            Column::label("Group"),
            count("People"),
            count("Matched"),
            count("Unmatched"),
            count("Discarded"),
        ],
    )?;
    counts_t.declare_column_total("People", &["Matched", "Unmatched", "Discarded"])?;
    for (label, g, counts) in [
        ("Programme", Group::Programme, &rep.counts.treated),
        ("Comparison", Group::Comparison, &rep.counts.control),
    ] {
        let r = counts_t.push_row(vec![
            Cell::text(label),
            cnt(counts.all),
            cnt(counts.matched),
            cnt(counts.unmatched),
            cnt(counts.discarded),
        ])?;
        let (key, subset) = all_key(g);
        counts_t.link_count(r, "People", &key)?;
        counts_t.link_count(r, "Matched", link::matched(g))?;
        if subset {
            // Matched on a subset of the people with an outcome.
            counts_t.relate(
                vec![
                    (1, RelationTerm::Cell(r, "People")),
                    (-1, RelationTerm::Population(&outcome_key(g))),
                ],
                RelationKind::AtMost,
            )?;
        }
    }
    // What the design tells a reader: each matched programme member has
    // between 1 and `ratio` controls; without replacement, 1:1 matching
    // matches as many controls as programme members.
    let (mp, mc) = (
        link::matched(Group::Programme),
        link::matched(Group::Comparison),
    );
    let ratio_k = i64::from(u32::try_from(cmp.ratio).unwrap_or(u32::MAX));
    counts_t.relate(
        vec![
            (1, RelationTerm::Population(&mc)),
            (-ratio_k, RelationTerm::Population(&mp)),
        ],
        RelationKind::AtMost,
    )?;
    if !cmp.replace {
        counts_t.relate(
            vec![
                (1, RelationTerm::Population(&mp)),
                (-1, RelationTerm::Population(&mc)),
            ],
            RelationKind::AtMost,
        )?;
    }
    items.push(cx.clear("matched_counts", counts_t)?);

    let n_all = rep.counts.treated.all + rep.counts.control.all;
    let n_matched = rep.counts.matched_units;
    let mut bal = Table::new(
        "Covariate balance before and after matching",
        vec![
            Column::label("Variable"),
            stat_per_cell("SMD before", 3),
            stat_per_cell("SMD after", 3),
            stat_per_cell("Variance ratio before", 3),
            stat_per_cell("Variance ratio after", 3),
            stat_per_cell("eCDF max before", 3),
            stat_per_cell("eCDF max after", 3),
        ],
    )?;
    for b in &rep.balance.before {
        let a = rep.balance.after.iter().find(|a| a.variable == b.variable);
        bal.push_row(vec![
            Cell::text(&b.variable),
            stat(b.smd_treated_sd, n_all),
            stat(a.and_then(|a| a.smd_treated_sd), n_matched),
            stat(b.variance_ratio, n_all),
            stat(a.and_then(|a| a.variance_ratio), n_matched),
            stat(b.ecdf_max, n_all),
            stat(a.and_then(|a| a.ecdf_max), n_matched),
        ])?;
    }
    let bal = cx.cleared("balance", bal)?;
    if let Some(c) = charts::balance(&bal.table)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(bal));

    // Overlap: counts of units by score bin, before and after matching.
    let k = cmp.overlap_bins;
    let bin = |s: f64| ((s * k as f64).floor() as usize).min(k - 1);
    let mut ov = vec![[0usize; 4]; k];
    for (i, s) in score.iter().enumerate() {
        let b = bin(*s);
        let matched = matching.weights.get(i).is_some_and(|w| *w > 0.0);
        let col = if treated[i] { 0 } else { 1 };
        ov[b][col] += 1;
        if matched {
            ov[b][col + 2] += 1;
        }
    }
    let mut ov_t = Table::new(
        "Propensity scores by bin, before and after matching",
        vec![
            Column::label("Score bin"),
            count("Programme, all"),
            count("Comparison, all"),
            count("Programme, matched"),
            count("Comparison, matched"),
        ],
    )?;
    let mut total = [0usize; 4];
    for (b, row) in ov.iter().enumerate() {
        ov_t.push_row(vec![
            Cell::text(format!(
                "{:.2}-{:.2}",
                b as f64 / k as f64,
                (b + 1) as f64 / k as f64
            )),
            cnt(row[0]),
            cnt(row[1]),
            cnt(row[2]),
            cnt(row[3]),
        ])?;
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
    }
    // The group totals are published elsewhere: declare them here so that
    // secondary suppression protects the bins against subtraction.
    let tr = ov_t.push_row(vec![
        Cell::text("Total"),
        cnt(total[0]),
        cnt(total[1]),
        cnt(total[2]),
        cnt(total[3]),
    ])?;
    ov_t.declare_row_total(tr, &(0..k).collect::<Vec<_>>())?;
    // The totals are the matching table's populations, and in every bin the
    // matched are some of all.
    for (g, all, matched) in [
        (Group::Programme, "Programme, all", "Programme, matched"),
        (Group::Comparison, "Comparison, all", "Comparison, matched"),
    ] {
        ov_t.link_count(tr, all, all_key(g).0)?;
        ov_t.link_count(tr, matched, link::matched(g))?;
        for b in 0..=k {
            ov_t.declare_at_most((b, matched), (b, all))?;
        }
    }
    let ov_t = cx.cleared("propensity_overlap", ov_t)?;
    if let Some(c) = charts::overlap(&ov_t.table, k)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(ov_t));

    let mut eff = Table::new(
        format!("Effect on the treated: {outcome_label}"),
        vec![
            Column::label("Estimate"),
            count("People"),
            stat_of("Effect", "People", 3),
            stat_of("Standard error", "People", 3),
            stat_of("CI lower", "People", 3),
            stat_of("CI upper", "People", 3),
            stat_of("p", "People", 4),
        ],
    )?;
    for (label, e) in
        std::iter::once(("Difference in means", Some(&rep.effect.difference_in_means))).chain(
            std::iter::once((
                "Regression-adjusted",
                rep.effect.regression_adjusted.as_ref(),
            )),
        )
    {
        let Some(e) = e else { continue };
        let n = e.n;
        let r = eff.push_row(vec![
            Cell::text(label),
            cnt(n),
            val(Some(e.estimate), n),
            val(Some(e.std_error), n),
            val(Some(e.ci.lower), n),
            val(Some(e.ci.upper), n),
            val(e.p_value, n),
        ])?;
        if n == rep.counts.treated.matched + rep.counts.control.matched {
            // The people analysed are the matched of both groups.
            eff.relate(
                vec![
                    (1, RelationTerm::Cell(r, "People")),
                    (-1, RelationTerm::Population(&mp)),
                    (-1, RelationTerm::Population(&mc)),
                ],
                RelationKind::Equal,
            )?;
        }
    }
    items.push(cx.clear("matched_effect", eff)?);

    let mut coef = Table::new(
        "Propensity-score model (logistic regression)",
        vec![
            Column::label("Term"),
            stat_per_cell("Estimate", 4),
            stat_per_cell("Standard error", 4),
            stat_per_cell("z", 3),
            stat_per_cell("p", 4),
        ],
    )?;
    for c in &rep.score_model.coefficients {
        coef.push_row(vec![
            Cell::text(&c.term),
            stat(Some(c.estimate), n_all),
            stat(Some(c.std_error), n_all),
            stat(Some(c.z), n_all),
            stat(Some(c.p_value), n_all),
        ])?;
    }
    items.push(cx.clear("propensity_model", coef)?);
    Ok(Section {
        title: "Matched comparison".into(),
        items,
    })
}

// ---------------------------------------------------------------------------
// School attendance and ASB
// ---------------------------------------------------------------------------

/// A covariate value as text (a level, or a number written as read back).
fn text_of_covariate(v: &CohortCovariate) -> String {
    match v {
        CohortCovariate::Number(x) => format!("{x}"),
        CohortCovariate::Category(s) => s.clone(),
    }
}

/// How the school loaders' rejections are named in the validation account.
fn disposition_word(d: crate::measures::attendance::RowDisposition) -> &'static str {
    match d {
        crate::measures::attendance::RowDisposition::Invalid => "invalid",
        crate::measures::attendance::RowDisposition::FilteredByRule => "filtered by rule",
    }
}

fn school_section(cx: &Ctx<'_>, dir: &Path) -> Result<(Section, Vec<FileValidation>)> {
    let design = school_sample_design()?;
    let rep = sample_report::sample_report(dir, &design)?;
    let town = |a: Arm| match a {
        Arm::Pilot => design.pilot.town.clone(),
        Arm::Comparison => design.comparison.town.clone(),
    };
    let arm_label = |a: Arm| match a {
        Arm::Pilot => format!("Pilot ({})", town(a)),
        Arm::Comparison => format!("Comparison ({})", town(a)),
    };
    let accounts: Vec<FileValidation> = rep
        .inputs
        .iter()
        .map(|i| {
            let mut by_reason = BTreeMap::new();
            for r in i.reasons() {
                *by_reason
                    .entry(format!(
                        "{}: column `{}`: {}",
                        disposition_word(r.disposition),
                        r.column,
                        r.reason
                    ))
                    .or_insert(0) += r.rows;
            }
            let rejections = i
                .excluded
                .iter()
                .map(|r| io::Rejection {
                    source_row: r.source_row,
                    column: r.column.clone(),
                    value: r.value.clone(),
                    reason: format!(
                        "{}: column `{}`: {}",
                        disposition_word(r.disposition),
                        r.column,
                        r.reason
                    ),
                })
                .collect();
            FileValidation {
                file: i.file.clone(),
                rows_read: i.rows_read,
                accepted: i.accepted,
                rejected: i.excluded.len() as u64,
                by_reason,
                rejections,
            }
        })
        .collect();
    let mut items = vec![Item::Text(format!(
        "School attendance (unit: the enrolment, as the DfE counts it) from the session register, \
         pilot versus comparison town, before and after the programme start on {}; persistent \
         absence = 10% or more of possible sessions missed, severe = 50% or more. Anti-social \
         behaviour from police.uk street-level data per 1,000 residents, programme start {}.",
        design.programme_start, design.asb_start_month
    ))];
    let mut att = Table::new(
        "School attendance by arm and phase (register)",
        vec![
            Column::label("Arm"),
            Column::label("Phase"),
            Column::label("Period"),
            count("Enrolments"),
            count("Possible sessions"),
            stat_of("Overall absence %", "Enrolments", 2),
            stat_of("Authorised absence %", "Enrolments", 2),
            stat_of("Unauthorised absence %", "Enrolments", 2),
            count("Persistent absentees"),
            rate_of(
                "Persistent absence %",
                "Enrolments",
                "Persistent absentees",
                1,
            ),
            count("Severe absentees"),
            rate_of("Severe absence %", "Enrolments", "Severe absentees", 1),
        ],
    )?;
    for c in &rep.attendance_register {
        let s = &c.summary;
        let n = s.units_with_possible_sessions as usize;
        let pct = |x: Option<f64>| x.map(|v| v * 100.0);
        att.push_row(vec![
            Cell::text(arm_label(c.arm)),
            Cell::text(match c.phase {
                Phase::Before => "Before",
                Phase::After => "After",
            }),
            Cell::text(format!("{} to {}", c.period.start(), c.period.end())),
            cnt(n),
            Cell::Count(s.possible),
            val(pct(s.overall_absence_rate), n),
            val(pct(s.authorised_absence_rate), n),
            val(pct(s.unauthorised_absence_rate), n),
            Cell::Count(s.persistent_absentees),
            val(pct(s.persistent_absence_rate), n),
            Cell::Count(s.severe_absentees),
            val(pct(s.severe_absence_rate), n),
        ])?;
    }
    let att = cx.cleared("attendance", att)?;
    if let Some(c) = charts::persistent_absence(&att.table, cx.level)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(att));

    let mut asb = Table::new(
        "Anti-social behaviour per 1,000 residents per year, by arm and phase",
        vec![
            Column::label("Arm"),
            Column::label("Phase"),
            count("Incidents"),
            count("Residents"),
            rate_per_cell("Rate per 1,000 per year", "Incidents", 2),
            rate_per_cell("Rate CI lower", "Incidents", 2),
            rate_per_cell("Rate CI upper", "Incidents", 2),
        ],
    )?;
    let a = &rep.asb;
    for (arm, phase, g) in [
        (Arm::Pilot, "Before", &a.pilot_before),
        (Arm::Pilot, "After", &a.pilot_after),
        (Arm::Comparison, "Before", &a.comparison_before),
        (Arm::Comparison, "After", &a.comparison_after),
    ] {
        let n = g.population as usize;
        asb.push_row(vec![
            Cell::text(arm_label(arm)),
            Cell::text(phase),
            Cell::Count(g.incidents),
            Cell::Count(g.population),
            stat(Some(g.rate_per_1000_per_year), n),
            stat(Some(g.exact_ci.lower), n),
            stat(Some(g.exact_ci.upper), n),
        ])?;
    }
    items.push(cx.clear("asb_rates", asb)?);
    let mut rr = Table::new(
        "Anti-social behaviour rate ratios",
        vec![
            Column::label("Comparison"),
            count("Incidents"),
            stat_of("Rate ratio", "Incidents", 3),
            stat_of("CI lower", "Incidents", 3),
            stat_of("CI upper", "Incidents", 3),
            stat_of("p (exact)", "Incidents", 4),
        ],
    )?;
    let mut conf = Vec::new();
    for (label, r) in [
        ("Pilot: after / before", &a.pilot_after_vs_before),
        ("Comparison: after / before", &a.comparison_after_vs_before),
        ("Pilot / comparison, before", &a.pilot_vs_comparison_before),
        ("Pilot / comparison, after", &a.pilot_vs_comparison_after),
    ] {
        let n = (r.numerator_events + r.denominator_events) as usize;
        let ci = r.exact_conditional.filter(|c| c.upper.is_finite());
        let row = rr.push_row(vec![
            Cell::text(label),
            cnt(n),
            val(r.ratio, n),
            val(ci.map(|c| c.lower), n),
            val(ci.map(|c| c.upper), n),
            val(r.exact_test.as_ref().map(|t| t.p_value), n),
        ])?;
        // A ratio of two counts reveals either when one is small.
        if cx.small(r.numerator_events) || cx.small(r.denominator_events) {
            for c in 2..=5 {
                if rr
                    .cell(row, c)
                    .is_some_and(|x| matches!(x, Cell::Statistic { .. }))
                {
                    conf.push((row, c));
                }
            }
        }
    }
    let row = rr.push_row(vec![
        Cell::text("Ratio of rate ratios (pilot / comparison change)"),
        cnt((a.pilot_before.incidents
            + a.pilot_after.incidents
            + a.comparison_before.incidents
            + a.comparison_after.incidents) as usize),
        val(a.ratio_of_rate_ratios.ratio, 1),
        val(a.ratio_of_rate_ratios.wald_log.map(|c| c.lower), 1),
        val(a.ratio_of_rate_ratios.wald_log.map(|c| c.upper), 1),
        Cell::NotApplicable,
    ])?;
    if [
        a.pilot_before.incidents,
        a.pilot_after.incidents,
        a.comparison_before.incidents,
        a.comparison_after.incidents,
    ]
    .iter()
    .any(|n| cx.small(*n))
    {
        for c in 2..=4 {
            if rr
                .cell(row, c)
                .is_some_and(|x| matches!(x, Cell::Statistic { .. }))
            {
                conf.push((row, c));
            }
        }
    }
    for (r, c) in conf {
        rr.mark_confidential(r, c)?;
    }
    items.push(cx.clear("asb_rate_ratios", rr)?);

    // Monthly rates for the chart.
    let street = read_police_uk_street(
        POLICE_UK_FILE,
        std::io::BufReader::new(
            std::fs::File::open(dir.join(POLICE_UK_FILE))
                .map_err(|e| Error::io(dir.join(POLICE_UK_FILE), e))?,
        ),
    )?;
    let pop = read_population_csv(
        POPULATION_FILE,
        std::io::BufReader::new(
            std::fs::File::open(dir.join(POPULATION_FILE))
                .map_err(|e| Error::io(dir.join(POPULATION_FILE), e))?,
        ),
    )?;
    let counts = AreaMonthCounts::from_incidents(&street.accepted)?;
    let pop_of = |area: &crate::measures::asb::AreaCode, year: i32| -> Option<u64> {
        pop.accepted
            .iter()
            .filter(|r| &r.area == area)
            .min_by_key(|r| ((r.year - year).abs(), r.year))
            .map(|r| r.population)
    };
    // Incidents and residents per month for each arm.
    let (first, last) = (rep.asb_before.first(), rep.asb_after.last());
    let mut months: Vec<(Month, [(u64, u64); 2])> = Vec::new();
    let mut m: Month = first;
    while m <= last {
        let mut arms = [(0u64, 0u64); 2];
        for (slot, areas) in arms
            .iter_mut()
            .zip([&design.pilot.areas, &design.comparison.areas])
        {
            slot.0 = areas.iter().map(|a| counts.get(a, m)).sum();
            slot.1 = areas.iter().filter_map(|a| pop_of(a, m.year())).sum();
        }
        months.push((m, arms));
        m = m.plus(1)?;
    }
    let rate_cells = |arms: &[(u64, u64); 2]| -> Vec<Cell> {
        let mut row = Vec::new();
        for (incidents, residents) in arms {
            row.push(Cell::Count(*incidents));
            row.push(if *residents > 0 {
                Cell::statistic(*incidents as f64 / *residents as f64 * 1000.0, *residents)
            } else {
                Cell::NotAvailable
            });
        }
        row
    };
    let columns = |first: &str| {
        vec![
            Column::label(first),
            count("Pilot incidents"),
            rate_per_cell("Pilot per 1,000", "Pilot incidents", 3),
            count("Comparison incidents"),
            rate_per_cell("Comparison per 1,000", "Comparison incidents", 3),
        ]
    };
    let mut monthly = Table::new(
        "Anti-social behaviour per 1,000 residents by month",
        columns("Month"),
    )?;
    for (m, arms) in &months {
        let mut row = vec![Cell::text(m.to_string())];
        row.extend(rate_cells(arms));
        monthly.push_row(row)?;
    }
    // By calendar quarter, for the chart: monthly counts in small areas are
    // often suppressed, quarterly ones much less often.
    let mut quarterly = Table::new(
        "Anti-social behaviour per 1,000 residents by calendar quarter",
        columns("Quarter"),
    )?;
    let quarter_of = |m: Month| (m.year(), (m.month() - 1) / 3);
    let start_q = quarter_of(design.asb_start_month);
    let mut start_row = None;
    let mut i = 0;
    while i < months.len() {
        let q = quarter_of(months[i].0);
        let mut arms = [(0u64, 0u64); 2];
        let mut first_month = true;
        let label = format!("{}-Q{}", q.0, q.1 + 1);
        while i < months.len() && quarter_of(months[i].0) == q {
            for (acc, (inc, res)) in arms.iter_mut().zip(months[i].1) {
                acc.0 += inc;
                if first_month {
                    acc.1 = res;
                }
            }
            first_month = false;
            i += 1;
        }
        let row_index = quarterly.n_rows();
        if q == start_q {
            start_row = Some(row_index);
        }
        let mut row = vec![Cell::text(label)];
        row.extend(rate_cells(&arms));
        quarterly.push_row(row)?;
    }
    let quarterly = cx.cleared("asb_by_quarter", quarterly)?;
    if let Some(c) = charts::asb_by_period(&quarterly.table, "Quarter", start_row.unwrap_or(0))? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(quarterly));
    items.push(cx.clear("asb_by_month", monthly)?);
    Ok((
        Section {
            title: "School attendance and anti-social behaviour".into(),
            items,
        },
        accounts,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::{CohortMember, PersonId};

    #[test]
    fn group_pairs_rejects_unequal_lengths_instead_of_truncating() {
        let person = PersonId::from_pseudonym("p1").unwrap();
        let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
        let member = CohortMember {
            person: person.clone(),
            index_date: day("2022-01-01"),
            group: Group::Programme,
            end_date: None,
            end_reason: None,
            covariates: BTreeMap::new(),
        };
        let window = DataWindow::new(day("2021-01-01"), day("2024-01-01")).unwrap();
        let cohort = io::Cohort::new(vec![member], window).unwrap();
        let mut pv = pre_post::PairedValues {
            people: vec![person],
            before: vec![1.0],
            after: vec![3.0],
            coverage: pre_post::Coverage::default(),
        };
        assert_eq!(
            group_pairs(&pv, &cohort, Group::Programme).unwrap(),
            (vec![1.0], vec![3.0])
        );
        pv.after.push(4.0);
        let e = group_pairs(&pv, &cohort, Group::Programme)
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 values") && e.contains("1 in `people`"), "{e}");
    }
}
