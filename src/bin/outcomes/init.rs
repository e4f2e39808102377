//! `outcomes init`: recognise the datasets in a folder by their columns and
//! write a starter `evaluation.toml`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use outcomes::measures::ndt::NdtItem;
use outcomes::{Error, Result};

use crate::common::{self, Done};
use crate::progress::Reporter;

/// Look at the CSV files in a folder, recognise which datasets they are by
/// their header rows (cohort, service use, NDT long or wide, the school
/// register, enrolment counts, police.uk, population), and write a starter
/// `evaluation.toml` there with every key commented, for you to edit. Then
/// run `outcomes validate` on each file and `outcomes evaluate --spec`.
///
/// Only header rows are read; no data value is printed.
#[derive(Debug, Args)]
pub(crate) struct InitCmd {
    /// The folder of data files.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The evaluation's name (letters, digits, `-`, `_`, `.`).
    #[arg(long, value_name = "NAME", default_value = "my-evaluation")]
    name: String,
    /// Overwrite an existing evaluation.toml.
    #[arg(long)]
    force: bool,
}

/// The files recognised in a folder (names relative to it).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Recognised {
    /// The cohort file and its covariate columns.
    pub(crate) cohort: Option<(String, Vec<String>)>,
    /// Service-use events.
    pub(crate) service_use: Option<String>,
    /// NDT assessments, long layout.
    pub(crate) ndt_long: Option<String>,
    /// NDT assessments, wide layout.
    pub(crate) ndt_wide: Option<String>,
    /// The school and ASB files found (register, enrolment counts,
    /// police.uk, population), by what they are.
    pub(crate) school: SchoolFiles,
    /// Every recognised file with what it is.
    pub(crate) seen: Vec<(String, &'static str)>,
    /// CSV files not recognised.
    pub(crate) unknown: Vec<String>,
}

/// The school and ASB files recognised in a folder, the first of each kind.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SchoolFiles {
    /// A session register.
    pub(crate) register: Option<String>,
    /// DfE-style enrolment counts.
    pub(crate) enrolment_counts: Option<String>,
    /// A police.uk street-level file.
    pub(crate) police_uk: Option<String>,
    /// A population table.
    pub(crate) population: Option<String>,
}

const COHORT_CANONICAL: [&str; 5] = ["person_id", "index_date", "group", "end_date", "end_reason"];

fn kind_of(headers: &[String]) -> Option<&'static str> {
    let has = |c: &str| headers.iter().any(|h| h == c);
    if has("index_date") && has("group") {
        Some("cohort")
    } else if has("category") && has("date") {
        Some("service use")
    } else if headers.iter().any(|h| h.starts_with("NDTDATE_")) {
        Some("NDT (wide)")
    } else if has("date") && NdtItem::ALL.iter().all(|i| has(i.column())) {
        Some("NDT")
    } else if has("session") && has("code") && has("school_urn") {
        Some("school register")
    } else if has("sess_possible") {
        Some("enrolment counts")
    } else if has("Crime type") && has("LSOA code") {
        Some("police.uk street")
    } else if has("area") && has("year") && has("population") {
        Some("population")
    } else {
        None
    }
}

/// Read the header row of every `.csv` file in `dir` and sort them.
///
/// # Errors
/// If the folder cannot be listed or a file's header row cannot be read.
pub(crate) fn recognise(dir: &Path) -> Result<Recognised> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    names.sort();
    let mut found = Recognised::default();
    for path in names {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let mut rdr = csv::Reader::from_path(&path)
            .map_err(|e| Error::io(&path, std::io::Error::other(e.to_string())))?;
        let headers: Vec<String> = match rdr.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            // Not readable as CSV: reported as not recognised, never echoed.
            Err(_) => Vec::new(),
        };
        let Some(kind) = kind_of(&headers) else {
            found.unknown.push(name);
            continue;
        };
        let first = match kind {
            "cohort" if found.cohort.is_none() => {
                let covs = headers
                    .iter()
                    .filter(|h| !COHORT_CANONICAL.contains(&h.as_str()))
                    .cloned()
                    .collect();
                found.cohort = Some((name.clone(), covs));
                true
            }
            "service use" if found.service_use.is_none() => {
                found.service_use = Some(name.clone());
                true
            }
            "NDT" if found.ndt_long.is_none() => {
                found.ndt_long = Some(name.clone());
                true
            }
            "NDT (wide)" if found.ndt_wide.is_none() => {
                found.ndt_wide = Some(name.clone());
                true
            }
            "school register" | "enrolment counts" | "police.uk street" | "population" => {
                let slot = match kind {
                    "school register" => &mut found.school.register,
                    "enrolment counts" => &mut found.school.enrolment_counts,
                    "police.uk street" => &mut found.school.police_uk,
                    _ => &mut found.school.population,
                };
                if slot.is_none() {
                    *slot = Some(name.clone());
                    true
                } else {
                    false
                }
            }
            _ => false,
        };
        if first {
            found.seen.push((name, kind));
        } else {
            found.unknown.push(name);
        }
    }
    Ok(found)
}

fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `[data.school]` block, commented out: its design (schools, LSOAs,
/// dates, population years) is not in the files' header rows, so the user
/// fills it in; the files found are named.
fn school_template(s: &mut String, f: &SchoolFiles) {
    let found: Vec<&str> = [
        &f.register,
        &f.enrolment_counts,
        &f.police_uk,
        &f.population,
    ]
    .into_iter()
    .filter_map(|x| x.as_deref())
    .collect();
    let file = |x: &Option<String>, default: &str| toml_str(x.as_deref().unwrap_or(default));
    let _ = writeln!(
        s,
        "# School attendance and anti-social behaviour, pilot against comparison areas\n\
         # ({}). Uncomment and fill in the design: every school and\n\
         # LSOA named must be in the files, and every ASB rate uses the population year\n\
         # named (a year the population file lacks is an error, never a neighbour).\n\
         # Name a register and/or enrolment_counts for attendance, police_uk and\n\
         # population for ASB; each phase key is needed exactly when its file is named.\n\
         # Without [data.cohort] the evaluation is this section alone.\n\
         # [data.school]\n\
         # Session marks: pupil_id, school_urn, date, session, code.\n\
         # register = {}\n\
         # DfE-style counts per enrolment and academic year (the source without a register).\n\
         # enrolment_counts = {}\n\
         # police.uk street-level rows (only Anti-social behaviour is kept).\n\
         # police_uk = {}\n\
         # Residents: area, year, population, source.\n\
         # population = {}\n\
         # The programme's first day (inside data_window). CHECK.\n\
         # programme_start = \"2024-09-02\"\n\
         # First month of the effect on ASB (default: programme_start's month).\n\
         # asb_start_month = \"2024-09\"\n\
         # Persistent absence: this % of possible sessions or more (1 to 100; DfE 10).\n\
         # persistent_absence_percent = 10\n\
         # Monthly/quarterly ASB rates: \"calendar_year\" (each month's) or \"phase\".\n\
         # period_population_year = \"calendar_year\"\n\
         # [data.school.pilot]\n\
         # How the report names the arm.\n\
         # name = \"Pilot town\"\n\
         # school_urn values of its schools, and its LSOA codes.\n\
         # schools = [\"100001\", \"100002\"]\n\
         # lsoas = [\"E01000001\", \"E01000002\"]\n\
         # [data.school.comparison]\n\
         # Never also in the pilot.\n\
         # name = \"Comparison town\"\n\
         # schools = [\"100003\"]\n\
         # lsoas = [\"E01000003\"]\n\
         # [data.school.before]\n\
         # Register dates, ending before programme_start.\n\
         # first_day = \"2023-09-01\"\n\
         # last_day = \"2024-09-01\"\n\
         # The enrolment_counts academic year.\n\
         # academic_year = \"2023/24\"\n\
         # ASB months, ending before asb_start_month.\n\
         # first_month = \"2023-09\"\n\
         # last_month = \"2024-08\"\n\
         # The population year of this phase's ASB rates.\n\
         # population_year = 2023\n\
         # [data.school.after]\n\
         # From programme_start (and asb_start_month).\n\
         # first_day = \"2024-09-02\"\n\
         # last_day = \"2025-08-31\"\n\
         # academic_year = \"2024/25\"\n\
         # first_month = \"2024-09\"\n\
         # last_month = \"2025-08\"\n\
         # population_year = 2024\n",
        if found.is_empty() {
            "no school or ASB file found here".to_string()
        } else {
            format!("found: {}", found.join(", "))
        },
        file(&f.register, "register.csv"),
        file(&f.enrolment_counts, "enrolment_counts.csv"),
        file(&f.police_uk, "police_uk_street.csv"),
        file(&f.population, "population.csv"),
    );
}

/// A starter spec for what was found, every key with a comment.
pub(crate) fn starter_spec(name: &str, f: &Recognised, dir: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# A starter evaluation spec written by `outcomes init` for {}.\n\
         # Edit it, then run:\n\
         #   outcomes validate --spec evaluation.toml --dataset cohort <cohort file>\n\
         #   outcomes evaluate --spec evaluation.toml\n\
         # Paths are relative to this file. A misspelt key is an error naming the key.\n",
        dir.display()
    );
    let _ = writeln!(
        s,
        "# The report folder is report/<name>.\nname = {}",
        toml_str(name)
    );
    let _ = writeln!(
        s,
        "# Seed of every random step (bootstrap resampling).\nseed = 20240101\n"
    );
    let _ = writeln!(
        s,
        "[data_window]\n# First day your extracts cover, and the day they were taken (\"YYYY-MM-DD\").\n\
         # CHECK: these are the bundled sample's dates.\nstart = \"2021-04-01\"\n# The day the extracts were taken.\nextract_date = \"2025-03-31\"\n"
    );
    let _ = writeln!(s, "[data.cohort]");
    match &f.cohort {
        Some((file, _)) => {
            let _ = writeln!(s, "# One row per person: person_id, index_date, group, end_date, end_reason, covariates.\npath = {}", toml_str(file));
        }
        None => {
            let _ = writeln!(s, "# NOT FOUND: no file with index_date and group columns. Set the path.\npath = \"cohort.csv\"");
        }
    }
    let _ = writeln!(
        s,
        "# Map canonical column names to your file's own, e.g.\n\
         # columns = {{ person_id = \"Client ID\", index_date = \"Start date\" }}\n"
    );
    match &f.service_use {
        Some(file) => {
            let _ = writeln!(s, "[data.service_use]\n# Service-use events: person_id, date, category, count.\npath = {}\n# columns = {{ category = \"Event type\" }}\n", toml_str(file));
        }
        None => {
            let _ = writeln!(s, "# No service-use file found (person_id, date, category, count).\n# [data.service_use]\n# path = \"service_use.csv\"\n");
        }
    }
    let _ = writeln!(
        s,
        "# Service use as counts per period (exact or banded), beside or instead of the events:\n\
         # [data.period_counts]\n# path = \"period_counts.csv\"\n\
         # Which value of a band the analyses read: \"low\", \"mid\" or \"high\".\n# scenario = \"mid\"\n\
         # The open band `10 or more`: assumed middle and upper value.\n# open_band_mid = 12\n# open_band_high = 20\n"
    );
    match (&f.ndt_long, &f.ndt_wide) {
        (Some(file), _) | (None, Some(file)) => {
            let layout = if f.ndt_long.is_some() { "long" } else { "wide" };
            let _ = writeln!(s, "[data.ndt]\n# NDT assessments.\npath = {}\n# \"long\" (one row per assessment) or \"wide\" (Fulfilling Lives CDF).\nlayout = \"{layout}\"\n# columns = {{ date = \"Assessment date\" }}\n", toml_str(file));
        }
        (None, None) => {
            let _ = writeln!(
                s,
                "# No NDT file found.\n# [data.ndt]\n# path = \"ndt.csv\"\n# layout = \"long\"\n"
            );
        }
    }
    school_template(&mut s, &f.school);
    let _ = writeln!(
        s,
        "# With no key the built-in DEMONSTRATION key is used: fine for synthetic data only.\n\
         # For real data set one of:\n# [pseudonymisation]\n# key_env = \"OUTCOMES_KEY\"     # an environment variable holding the key\n\
         # key_file = \"secret.key\"      # or a file holding it (keep it out of the data folder)\n"
    );
    let _ = writeln!(
        s,
        "[windows]\n# Whole months before each person's start.\nmonths_before = 12\n# Whole months after it.\nmonths_after = 12\n\
         # \"rate_per_observed_time\" (keep the partly observed, as a rate) or \"exclude\".\ncoverage = \"rate_per_observed_time\"\n\
         # Smallest observed share of each window kept, in (0, 1].\nmin_fraction = 0.5\n"
    );
    let _ = writeln!(
        s,
        "[outcomes]\n# Service-use categories reported (default: every built-in category).\n# categories = [\"ae_attendance\", \"arrest\"]\n\
         # Categories of your own, with their unit (\"events\" or \"days\").\n\
         # custom_categories = [{{ code = \"gp_visit\", unit = \"events\" }}]\n\
         # The category whose any/none change is tested with McNemar.\nbinary_category = \"rough_sleeping_night\"\n\
         # NDT follow-up point, in months.\nndt_follow_up_months = 12\n\
         # NDT baseline: the assessment nearest the start within this many days before it...\n\
         ndt_baseline_days_before = 90\n# ...or this many days after it.\nndt_baseline_days_after = 90\n\
         # NDT follow-up: the assessment nearest its point within this many days either side.\n\
         ndt_follow_up_tolerance_days = 90\n\
         # NDT test-retest reliability assumed for reliable change (no published value).\nndt_reliability = 0.8\n"
    );
    let covs: Vec<String> = f
        .cohort
        .as_ref()
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let cov_list = covs
        .iter()
        .map(|c| toml_str(c))
        .collect::<Vec<_>>()
        .join(", ");
    let on = if covs.is_empty() { "# " } else { "" };
    if covs.is_empty() {
        let _ = writeln!(
            s,
            "# The cohort has no covariate columns, so no matched comparison is set up."
        );
    }
    let _ = writeln!(
        s,
        "{on}[comparison]\n# Cohort covariates of the propensity score; `name:numeric` or `name:categorical` declares a kind.\n\
         {on}covariates = [{cov_list}]\n# A service-use category code (use per quarter after the start) or \"total_cost\".\n\
         {on}outcome = \"ae_attendance\"\n# Controls per programme person.\n{on}ratio = 1\n\
         # Caliper in standard deviations of the score (default none).\n# caliper_sd = 0.2\n\
         # Match with replacement.\n{on}replace = false\n# Equal-width score bins of the overlap table (2 to 50).\n{on}overlap_bins = 10\n\
         # Estimators of the effect on the treated, side by side.\n\
         {on}estimators = [\"matching\", \"ipw\", \"entropy_balancing\", \"doubly_robust\"]\n\
         # Cohort columns matched exactly (MatchIt's exact =; compared as text), e.g. [\"sex\"].\n# exact = []\n\
         # Order programme people choose controls: \"largest\" score, \"smallest\", \"data\" or \"random\" (seeded).\n\
         {on}order = \"largest\"\n\
         # Ties between equally near controls: \"sorted_neighbour\" (MatchIt 4.5.4 and later), \"data_order\"\n\
         # (MatchIt before 4.5.1) or \"matchit_4_5_1\" (4.5.1's integer-truncated distances, to reproduce it only).\n\
         {on}tie_rule = \"sorted_neighbour\"\n"
    );
    let _ = writeln!(
        s,
        "# Difference in differences (uncomment to use): the 2x2 design on each outcome, before and after\n\
         # window x programme and comparison; outcomes are service-use category codes, \"total_cost\",\n\
         # \"ndt_total\" or \"ndt_<item>\" (e.g. \"ndt_housing\"). sample: \"matched\" (needs [comparison]) or \"all\".\n\
         # [did]\n# outcomes = [\"ae_attendance\"]\n# sample = \"matched\"\n\
         # Event study in periods relative to the start (period_months divides both windows; at least\n\
         # two periods before the start), with the pre-trend test.\n\
         # [did.event_study]\n# outcome = \"ae_attendance\"\n# period_months = 3\n\
         # Staggered starts (Callaway & Sant'Anna) in calendar periods from data_window.start.\n\
         # [did.staggered]\n# outcome = \"ae_attendance\"\n# period_months = 6\n\
         # comparison_group = \"never_treated\"   # or \"not_yet_treated\"\n\
         # base_period = \"varying\"              # or \"universal\"\n\
         # aggregations = [\"simple\", \"group\", \"dynamic\"]\n"
    );
    let _ = writeln!(
        s,
        "# A time-to-event outcome: the first event of these categories after the start.\n\
         # [time_to_event]\n# categories = [\"arrest\"]\n\
         # Or an end reason as the event (engagement sustained): end_reasons = [\"exit\"]\n\
         # Follow-up is censored this many months after the start.\n# horizon_months = 24\n\
         # Survival is reported at these months.\n# at_months = [6, 12, 24]\n"
    );
    let _ = writeln!(
        s,
        "[costs]\n# Unit-cost CSV (default: the shipped ILLUSTRATIVE GMCA table).\n# unit_costs = \"unit_costs.csv\"\n\
         # Or a GMCA Unit Cost Database workbook with the row pricing each category:\n\
         # unit_costs = \"GMCA_UCD.xlsx\"\n# gmca_codes = {{ ae_attendance = \"HE4.0\", arrest = \"CR7.0\" }}\n\
         # GDP-deflator CSV (default: the shipped ILLUSTRATIVE series).\n# deflators = \"gdp_deflators.csv\"\n\
         # Price year of every amount.\nprice_year = \"2024/25\"\n\
         # The programme's cost per person supported, in that price year. CHECK: an assumption.\nprogramme_cost_per_person = 3500.0\n"
    );
    let _ = writeln!(
        s,
        "[cba]\n# Benefit years.\nhorizon_years = 5\n# Annual drop-off of the benefit, in [0, 1].\ndropoff = 0.2\n\
         # Share of the outcome attributable to others, in [0, 1].\nattribution = 0.1\n\
         # Confidence grade of the evidence (1 to 6), for optimism bias.\nconfidence_grade = 3\n\
         # The counterfactual: \"matched_comparison\" (needs [comparison]), \"comparison_group\"\n\
         # (the whole comparison group's change) or \"deadweight\" (then: deadweight = 0.3).\n\
         counterfactual = {counterfactual}\n\
         # Discounting: \"standard\" (Green Book), \"health\", \"health_flat\" or \"constant\"\n\
         # (then: discount_rate = 0.035).\ndiscounting = \"standard\"\n\
         # Optimism bias off the benefits by confidence grade 1..6, and the uplift to costs.\n\
         # optimism_bias = [0.0, 0.05, 0.10, 0.15, 0.25, 0.40]\ncost_optimism_bias = 0.0\n\
         # Sensitivity ranges [low, high] replacing the defaults, e.g.\n\
         # sensitivity = {{ dropoff = [0.0, 0.5], discount_rate = [0.015, 0.07] }}\n",
        counterfactual = if covs.is_empty() {
            "\"comparison_group\""
        } else {
            "\"matched_comparison\""
        }
    );
    let _ = writeln!(
        s,
        "[disclosure]\n# \"minimum_cell_size\", \"nhs_digital_2018\" or \"nhs_legacy\".\npolicy = \"minimum_cell_size\"\n\
         # For minimum_cell_size: the smallest count shown (at least 2).\nmin_cell_size = 10\n\
         # Symbol for suppressed cells (default c).\n# symbol = \"*\"\n"
    );
    let _ = writeln!(
        s,
        "[statistics]\n# Confidence level of every interval.\nconfidence_level = 0.95\n\
         # Bootstrap resamples (at least 100).\nbootstrap_resamples = 9999\n\
         # Multiplicity: each family of tests (a group's service-use categories, its NDT\n\
         # items, the headline outcomes) adjusted by \"holm\" (default) or \"bh\".\n\
         p_adjust = \"holm\"\n"
    );
    let _ = writeln!(
        s,
        "# The rejected input rows (row-level: never inside the report folder).\n\
         # [output]\n# rejected_rows = \"rejected-rows.csv\""
    );
    s
}

/// Run `init`.
///
/// # Errors
/// A folder that cannot be read, an existing `evaluation.toml` without
/// `--force`, a file that cannot be written.
pub(crate) fn run(cmd: &InitCmd, r: &Reporter) -> Result<Done> {
    r.stage(&format!("reading the header rows in {}", cmd.dir.display()));
    if !cmd.dir.is_dir() {
        return Err(Error::io(
            &cmd.dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
        ));
    }
    let out = cmd.dir.join("evaluation.toml");
    if out.exists() && !cmd.force {
        return Err(Error::invalid_parameter(
            "init",
            out.display(),
            "evaluation.toml exists already; use --force to overwrite it",
        ));
    }
    let found = recognise(&cmd.dir)?;
    let text = starter_spec(&cmd.name, &found, &cmd.dir);
    // The spec written must be one `evaluate` reads.
    outcomes::evaluate::EvaluationSpec::from_toml(&text, "evaluation.toml", &cmd.dir)?;
    common::write_file(&out, &text)?;
    let mut s = String::new();
    let mut t = common::TextTable::new(&["file", "recognised as"]);
    for (file, kind) in &found.seen {
        t.row(vec![file.clone(), (*kind).to_string()]);
    }
    for file in &found.unknown {
        t.row(vec![file.clone(), "not recognised".into()]);
    }
    s.push_str(&t.render());
    if found.cohort.is_none() {
        let _ = writeln!(s, "\nwarning: no cohort file found; set data.cohort.path");
    }
    let _ = writeln!(s, "\nwrote {}", out.display());
    Ok(Done::ok(s))
}
