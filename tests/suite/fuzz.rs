//! A fuzz suite over every loader and the evaluation spec (issue 13), asserting
//! the crate's three promises on every generated input:
//!
//! 1. **No panic**, whatever the bytes.
//! 2. **Nothing lost**: a load that succeeds accounts for every row
//!    (`rows read = accepted + rejected`), and when the mutation kept the
//!    file's rows intact, `rows read` is exactly the number of rows written:
//!    a file is read correctly or refused, never read short.
//! 3. **Nothing disclosed**: no planted identifier appears in any error
//!    message, and no rejection shows an identifier column's value.
//!
//! Inputs are valid files of each dataset, each carrying identifiers shaped
//! `SECRETnnnnnn`, put through one or more mutations drawn from the classes
//! fuzzing of the main job found: line endings (LF, CRLF, lone CR), header
//! spellings (case, near misses, duplicates, a missing header row), ragged
//! rows, stray and unclosed quotes, bytes that are not UTF-8, huge and
//! negative numbers, blank lines, truncation, and arbitrary byte noise.
//! The number of cases is set per property below; `cargo test` runs them all.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use outcomes::cohort::{CohortMember, DataWindow, Group, PersonId};
use outcomes::evaluate::EvaluationSpec;
use outcomes::io::{self, Cohort, Source};
use outcomes::measures::ndt::PartialPolicy;
use outcomes::measures::service_use::{BandScheme, CategorySet};
use proptest::prelude::*;

const N_IDS: usize = 12;

fn secret(i: usize) -> String {
    format!("SECRET{i:06}")
}

fn window() -> DataWindow {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    DataWindow::new(d(2022, 1, 1), d(2024, 12, 31)).unwrap()
}

fn cohort() -> Cohort {
    let members = (0..N_IDS)
        .map(|i| CohortMember {
            person: PersonId::from_pseudonym(secret(i)).unwrap(),
            index_date: NaiveDate::from_ymd_opt(2023, 6, 1).unwrap(),
            group: if i % 2 == 0 {
                Group::Programme
            } else {
                Group::Comparison
            },
            end_date: None,
            end_reason: None,
            covariates: Default::default(),
        })
        .collect();
    Cohort::new(members, window()).unwrap()
}

fn tmp_file(tag: &str, bytes: &[u8]) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("outcomes-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{tag}-{}.csv", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The datasets, each with a valid file of `rows` rows built from a seed.
#[derive(Debug, Clone, Copy)]
enum Dataset {
    Cohort,
    Events,
    NdtLong,
    NdtWide,
    PeriodCounts,
    Register,
    RegisterTyped,
    Enrolments,
    PoliceUk,
    Population,
}

const DATASETS: [Dataset; 10] = [
    Dataset::Cohort,
    Dataset::Events,
    Dataset::NdtLong,
    Dataset::NdtWide,
    Dataset::PeriodCounts,
    Dataset::Register,
    Dataset::RegisterTyped,
    Dataset::Enrolments,
    Dataset::PoliceUk,
    Dataset::Population,
];

const NDT_ITEMS: [&str; 10] = [
    "engagement",
    "intentional_self_harm",
    "unintentional_self_harm",
    "risk_to_others",
    "risk_from_others",
    "stress_and_anxiety",
    "social_effectiveness",
    "alcohol_drug_misuse",
    "impulse_control",
    "housing",
];

const WIDE_PREFIXES: [&str; 10] = [
    "NDTENG_", "NDTISH_", "NDTUSH_", "NDTRTO_", "NDTRFO_", "NDTSAX_", "NDTSE_", "NDTADA_",
    "NDTIC_", "NDTHNG_",
];

impl Dataset {
    /// A valid file: the header and `rows` rows (cells without commas, quotes
    /// or line ends), person identifiers from [`secret`].
    fn file(self, rows: usize, seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
        let pick = |i: usize, k: u64| {
            ((seed.wrapping_mul(6364136223846793005) ^ (i as u64 * 31 + k)) % 1000) as usize
        };
        let id = |i: usize| secret(pick(i, 1) % N_IDS);
        let date = |i: usize| format!("2023-{:02}-{:02}", 1 + pick(i, 2) % 12, 1 + pick(i, 3) % 28);
        let header = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match self {
            Dataset::Cohort => (
                header(&[
                    "person_id",
                    "index_date",
                    "group",
                    "end_date",
                    "end_reason",
                    "age",
                ]),
                (0..rows)
                    .map(|i| {
                        vec![
                            secret(i),
                            date(i),
                            ["programme", "comparison"][i % 2].into(),
                            String::new(),
                            String::new(),
                            (18 + pick(i, 4) % 60).to_string(),
                        ]
                    })
                    .collect(),
            ),
            Dataset::Events => (
                header(&["person_id", "date", "category", "count"]),
                (0..rows)
                    .map(|i| {
                        vec![
                            id(i),
                            date(i),
                            ["ae_attendance", "arrest", "prison_night"][pick(i, 5) % 3].into(),
                            (pick(i, 6) % 5).to_string(),
                        ]
                    })
                    .collect(),
            ),
            Dataset::NdtLong => {
                let mut h = header(&["person_id", "date"]);
                h.extend(NDT_ITEMS.iter().map(|s| s.to_string()));
                let body = (0..rows)
                    .map(|i| {
                        let mut r = vec![secret(i % N_IDS), format!("2023-{:02}-15", 1 + i % 12)];
                        r.extend((0..10).map(|k| (2 * (pick(i, k) % 3)).to_string()));
                        r
                    })
                    .collect();
                (h, body)
            }
            Dataset::NdtWide => {
                let mut h = header(&["person_id"]);
                for w in ["1", "2"] {
                    h.push(format!("NDTDATE_{w}"));
                    h.extend(WIDE_PREFIXES.iter().map(|p| format!("{p}{w}")));
                }
                let body = (0..rows)
                    .map(|i| {
                        let mut r = vec![secret(i % N_IDS)];
                        for w in 0..2 {
                            r.push(format!("2023-{:02}-10", 1 + (i + 6 * w) % 12));
                            r.extend(
                                (0..10).map(|k| (2 * (pick(i, k + 20 * w as u64) % 3)).to_string()),
                            );
                        }
                        r
                    })
                    .collect();
                (h, body)
            }
            Dataset::PeriodCounts => (
                header(&[
                    "person_id",
                    "period_start",
                    "period_end",
                    "category",
                    "count",
                ]),
                (0..rows)
                    .map(|i| {
                        let q = i % 4;
                        vec![
                            secret(i % N_IDS),
                            format!("2023-{:02}-01", 1 + 3 * q),
                            format!("2023-{:02}-28", 3 + 3 * q),
                            ["arrest", "ae_attendance"][(i / 4) % 2].into(),
                            ["1", "2", "1 to 2", "3 to 4", "5 to 9", "10+"][pick(i, 7) % 6].into(),
                        ]
                    })
                    .collect(),
            ),
            Dataset::Register | Dataset::RegisterTyped => (
                header(&["pupil_id", "school_urn", "date", "session", "code"]),
                (0..rows)
                    .map(|i| {
                        vec![
                            secret(i % N_IDS),
                            "900001".into(),
                            format!("2023-10-{:02}", 2 + i / 2 % 20),
                            ["AM", "PM"][i % 2].into(),
                            ["/", "\\", "I", "M", "O"][pick(i, 8) % 5].into(),
                        ]
                    })
                    .collect(),
            ),
            Dataset::Enrolments => (
                header(&[
                    "time_period",
                    "time_identifier",
                    "school_urn",
                    "pupil_id",
                    "arm",
                    "sess_possible",
                    "sess_authorised",
                    "sess_unauthorised",
                    "sess_overall",
                ]),
                (0..rows)
                    .map(|i| {
                        let (a, u) = (pick(i, 9) % 20, pick(i, 10) % 10);
                        vec![
                            "202324".into(),
                            "Academic year".into(),
                            "900001".into(),
                            secret(i),
                            ["pilot", "comparison"][i % 2].into(),
                            "300".into(),
                            a.to_string(),
                            u.to_string(),
                            (a + u).to_string(),
                        ]
                    })
                    .collect(),
            ),
            Dataset::PoliceUk => (
                header(&[
                    "Crime ID",
                    "Month",
                    "Reported by",
                    "Falls within",
                    "Longitude",
                    "Latitude",
                    "Location",
                    "LSOA code",
                    "LSOA name",
                    "Crime type",
                    "Last outcome category",
                    "Context",
                ]),
                (0..rows)
                    .map(|i| {
                        vec![
                            secret(i),
                            format!("2023-{:02}", 1 + i % 12),
                            "Fictional Police".into(),
                            "Fictional Police".into(),
                            "-1.5".into(),
                            "52.1".into(),
                            "On or near Main Street".into(),
                            format!("E0199000{}", 1 + i % 4),
                            "Northtown 001A".into(),
                            ["Anti-social behaviour", "Burglary"][pick(i, 11) % 2].into(),
                            String::new(),
                            String::new(),
                        ]
                    })
                    .collect(),
            ),
            Dataset::Population => (
                header(&["area", "year", "population", "source"]),
                (0..rows)
                    .map(|i| {
                        vec![
                            format!("E0199{:04}", i),
                            (2020 + i % 5).to_string(),
                            (1000 + pick(i, 12)).to_string(),
                            "synthetic".into(),
                        ]
                    })
                    .collect(),
            ),
        }
    }

    /// Load `bytes` as this dataset: `Ok` with its [`Account`], or the
    /// error's message.
    fn load(self, bytes: &[u8]) -> Result<Account, String> {
        use outcomes::measures::{asb, attendance};
        let p = tmp_file(&format!("{self:?}"), bytes);
        let c = cohort();
        let cats = CategorySet::default();
        let src = Source::new(&p);
        let res = match self {
            Dataset::Cohort => io::load_cohort(&src, window()).map(Account::of),
            Dataset::Events => io::load_service_events(&src, &c, &cats).map(Account::of),
            Dataset::NdtLong => io::load_ndt(&src, &c, PartialPolicy::Undefined).map(Account::of),
            Dataset::NdtWide => {
                io::load_ndt_wide(&src, &c, PartialPolicy::Undefined).map(Account::of)
            }
            Dataset::PeriodCounts => {
                io::load_period_counts(&src, &c, &cats, &BandScheme::default()).map(Account::of)
            }
            Dataset::Register => io::attendance::RegisterMarks::read(&src).and_then(|m| {
                let threshold = attendance::AbsenceThreshold::PERSISTENT_10_PERCENT;
                let s = io::attendance::enrolment_measures(&m, None, threshold)?;
                Ok(Account::rows(s.rows_read(), s.accepted(), s.rejected()))
            }),
            Dataset::RegisterTyped => attendance::read_register_csv("register.csv", bytes)
                .map(|r| Account::rows(r.rows_read, r.accepted.len() as u64, &r.rejected)),
            Dataset::Enrolments => attendance::read_enrolment_counts_csv("enrolments.csv", bytes)
                .map(|r| Account::rows(r.rows_read, r.accepted.len() as u64, &r.rejected)),
            Dataset::PoliceUk => asb::read_police_uk_street("street.csv", bytes)
                .map(|r| Account::rows(r.rows_read, r.accepted.len() as u64, &r.excluded)),
            Dataset::Population => asb::read_population_csv("population.csv", bytes)
                .map(|r| Account::rows(r.rows_read, r.accepted.len() as u64, &r.rejected)),
        };
        std::fs::remove_file(&p).ok();
        res.map_err(|e| e.to_string())
    }
}

/// What a load accounted for: rows read, accepted and rejected, and the values
/// its rejections show for the identifier columns (`person_id`, `pupil_id`).
struct Account {
    read: u64,
    accepted: u64,
    rejected: u64,
    ids: Vec<String>,
}

impl Account {
    fn of<T>(l: io::Loaded<T>) -> Account {
        Account {
            read: l.summary.rows_read,
            accepted: l.summary.accepted,
            rejected: l.summary.rejected,
            ids: l
                .rejections
                .iter()
                .filter(|r| r.column == "person_id")
                .map(|r| r.value.clone())
                .collect(),
        }
    }

    fn rows(
        read: u64,
        accepted: u64,
        rejected: &[outcomes::measures::attendance::RejectedRow],
    ) -> Account {
        Account {
            read,
            accepted,
            rejected: rejected.len() as u64,
            ids: rejected
                .iter()
                .filter(|r| r.column == "pupil_id" || r.column == "person_id")
                .map(|r| r.value.clone())
                .collect(),
        }
    }
}

/// One mutation of a file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Line endings: 0 LF (as written), 1 CRLF, 2 lone CR.
    LineEndings(u8),
    /// A header cell's case changed (upper case).
    HeaderUpper(usize),
    /// A header cell misspelt by one letter dropped.
    HeaderDropLetter(usize),
    /// A header cell duplicated over its neighbour.
    HeaderDuplicate(usize),
    /// The header row removed.
    NoHeader,
    /// A cell removed from a row (the row is ragged).
    DropCell(usize, usize),
    /// A cell added to a row.
    AddCell(usize),
    /// A quote character put into a cell.
    Quote(usize, usize),
    /// A byte that is not UTF-8 put into a cell.
    BadByte(usize, usize),
    /// A cell replaced by a hostile value (huge, negative, blank, text).
    Hostile(usize, usize, u8),
    /// A blank line inserted before a row.
    BlankLine(usize),
    /// The file cut short at a fraction of its length.
    Truncate(u16),
    /// Random bytes spliced in at a fraction of the length.
    Noise(u16, Vec<u8>),
}

impl Mutation {
    /// Whether the rows of the file are still the rows written (the loader
    /// must then read exactly that many, or refuse the file).
    fn keeps_rows(&self) -> bool {
        matches!(
            self,
            Mutation::LineEndings(0 | 1)
                | Mutation::HeaderUpper(_)
                | Mutation::HeaderDropLetter(_)
                | Mutation::HeaderDuplicate(_)
                | Mutation::Hostile(..)
                | Mutation::BadByte(..)
        )
    }
}

const HOSTILE: [&str; 8] = [
    "4294967296",
    "2147483648",
    "99999999999999999999",
    "-1",
    "",
    "1e308",
    "NaN",
    " 3 ",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0u8..3).prop_map(Mutation::LineEndings),
        (0usize..40).prop_map(Mutation::HeaderUpper),
        (0usize..40).prop_map(Mutation::HeaderDropLetter),
        (0usize..40).prop_map(Mutation::HeaderDuplicate),
        Just(Mutation::NoHeader),
        (0usize..40, 0usize..40).prop_map(|(r, c)| Mutation::DropCell(r, c)),
        (0usize..40).prop_map(Mutation::AddCell),
        (0usize..40, 0usize..40).prop_map(|(r, c)| Mutation::Quote(r, c)),
        (0usize..40, 0usize..40).prop_map(|(r, c)| Mutation::BadByte(r, c)),
        (0usize..40, 0usize..40, 0u8..8).prop_map(|(r, c, h)| Mutation::Hostile(r, c, h)),
        (0usize..40).prop_map(Mutation::BlankLine),
        (0u16..1000).prop_map(Mutation::Truncate),
        (0u16..1000, proptest::collection::vec(any::<u8>(), 1..24))
            .prop_map(|(at, b)| Mutation::Noise(at, b)),
    ]
}

/// Apply `muts` to the file and render it as bytes.
fn render(header: &[String], rows: &[Vec<String>], muts: &[Mutation]) -> Vec<u8> {
    let mut header: Option<Vec<String>> = Some(header.to_vec());
    let mut rows: Vec<Vec<Vec<u8>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| c.as_bytes().to_vec()).collect())
        .collect();
    let mut blank_before: Vec<usize> = Vec::new();
    let mut eol: &[u8] = b"\n";
    let mut cut: Option<u16> = None;
    let mut noise: Vec<(u16, Vec<u8>)> = Vec::new();
    let n = rows.len().max(1);
    for m in muts {
        match m {
            Mutation::LineEndings(0) => eol = b"\n",
            Mutation::LineEndings(1) => eol = b"\r\n",
            Mutation::LineEndings(_) => eol = b"\r",
            Mutation::HeaderUpper(c) => {
                if let Some(h) = header.as_mut() {
                    let k = c % h.len();
                    h[k] = h[k].to_uppercase();
                }
            }
            Mutation::HeaderDropLetter(c) => {
                if let Some(h) = header.as_mut() {
                    let k = c % h.len();
                    if h[k].len() > 1 {
                        let mid = h[k].len() / 2;
                        h[k].remove(mid);
                    }
                }
            }
            Mutation::HeaderDuplicate(c) => {
                if let Some(h) = header.as_mut() {
                    let k = c % h.len();
                    let j = (k + 1) % h.len();
                    h[j] = h[k].clone();
                }
            }
            Mutation::NoHeader => header = None,
            Mutation::DropCell(r, c) => {
                if let Some(row) = rows.get_mut(r % n) {
                    if row.len() > 1 {
                        row.remove(c % row.len());
                    }
                }
            }
            Mutation::AddCell(r) => {
                if let Some(row) = rows.get_mut(r % n) {
                    row.push(b"extra".to_vec());
                }
            }
            Mutation::Quote(r, c) => {
                if let Some(row) = rows.get_mut(r % n) {
                    let k = c % row.len();
                    let at = row[k].len() / 2;
                    row[k].insert(at, b'"');
                }
            }
            Mutation::BadByte(r, c) => {
                if let Some(row) = rows.get_mut(r % n) {
                    let k = c % row.len();
                    row[k].push(0xff);
                }
            }
            Mutation::Hostile(r, c, h) => {
                if let Some(row) = rows.get_mut(r % n) {
                    let k = c % row.len();
                    row[k] = HOSTILE[*h as usize % HOSTILE.len()].as_bytes().to_vec();
                }
            }
            Mutation::BlankLine(r) => blank_before.push(r % n),
            Mutation::Truncate(f) => cut = Some(*f),
            Mutation::Noise(at, b) => noise.push((*at, b.clone())),
        }
    }
    let mut out = Vec::new();
    if let Some(h) = header {
        out.extend_from_slice(h.join(",").as_bytes());
        out.extend_from_slice(eol);
    }
    for (i, row) in rows.iter().enumerate() {
        for _ in blank_before.iter().filter(|&&b| b == i) {
            out.extend_from_slice(eol);
        }
        out.extend_from_slice(&row.join(&b','));
        out.extend_from_slice(eol);
    }
    for (at, b) in noise {
        let k = (at as usize * out.len()) / 1000;
        out.splice(k..k, b);
    }
    if let Some(f) = cut {
        out.truncate((f as usize * out.len()) / 1000);
    }
    out
}

/// The three promises for one dataset and one set of mutations.
fn promises(ds: Dataset, rows: usize, seed: u64, muts: &[Mutation]) -> Result<bool, TestCaseError> {
    let (header, body) = ds.file(rows, seed);
    let bytes = render(&header, &body, muts);
    // Promise 1: a panic fails the property (proptest catches it).
    let outcome = ds.load(&bytes);
    match &outcome {
        Ok(Account {
            read,
            accepted,
            rejected,
            ids,
        }) => {
            // Promise 2: every row accounted for.
            prop_assert_eq!(accepted + rejected, *read, "{:?} {:?}", ds, muts);
            // ... and none lost when the rows were kept.
            if muts.iter().all(Mutation::keeps_rows) {
                let per_row = if matches!(ds, Dataset::NdtWide) { 2 } else { 1 };
                prop_assert_eq!(*read, (rows * per_row) as u64, "{:?} {:?}", ds, muts);
            }
            // Promise 3: identifier columns are redacted in rejections.
            for v in ids {
                prop_assert!(!v.contains("SECRET"), "{:?}: rejection shows {}", ds, v);
            }
        }
        Err(msg) => {
            // Promise 3: no identifier in any message.
            prop_assert!(!msg.contains("SECRET"), "{:?} {:?}: {}", ds, muts, msg);
        }
    }
    Ok(outcome.is_ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every dataset, one to three mutations at once.
    #[test]
    fn every_loader_keeps_the_three_promises(
        which in 0usize..DATASETS.len(),
        rows in 1usize..30,
        seed in any::<u64>(),
        muts in proptest::collection::vec(mutation(), 1..4),
    ) {
        promises(DATASETS[which], rows, seed, &muts)?;
    }
}

/// Each dataset's valid file loads, every row accepted: the generators above
/// are valid, so the mutations are what the properties test.
#[test]
fn the_unmutated_files_load_whole() {
    for ds in DATASETS {
        let (h, b) = ds.file(20, 7);
        let bytes = render(&h, &b, &[]);
        let Account {
            read,
            accepted,
            rejected,
            ..
        } = ds.load(&bytes).unwrap_or_else(|e| panic!("{ds:?}: {e}"));
        let per_row = if matches!(ds, Dataset::NdtWide) { 2 } else { 1 };
        assert_eq!(read, 20 * per_row, "{ds:?}");
        assert_eq!(accepted + rejected, read, "{ds:?}");
    }
}

/// Each mutation class on its own, on every dataset, with the share of loads
/// that succeed stated: a loader that refused everything would fail here.
#[test]
fn each_mutation_class_is_tried_on_every_loader() {
    let classes = [
        Mutation::LineEndings(1),
        Mutation::LineEndings(2),
        Mutation::HeaderUpper(0),
        Mutation::HeaderDropLetter(1),
        Mutation::HeaderDuplicate(0),
        Mutation::NoHeader,
        Mutation::DropCell(3, 1),
        Mutation::AddCell(2),
        Mutation::Quote(4, 0),
        Mutation::BadByte(5, 1),
        Mutation::Hostile(1, 3, 0),
        Mutation::Hostile(2, 1, 2),
        Mutation::BlankLine(3),
        Mutation::Truncate(600),
    ];
    let mut ok = 0;
    let mut total = 0;
    for ds in DATASETS {
        for m in &classes {
            total += 1;
            if promises(ds, 12, 11, std::slice::from_ref(m))
                .unwrap_or_else(|e| panic!("{ds:?} {m:?}: {e}"))
            {
                ok += 1;
            }
        }
    }
    // CRLF, a hostile value, a blank line and truncation (4 of 14) read on
    // every loader at least; refusals are the rest.
    assert!(ok >= 4 * DATASETS.len(), "{ok} of {total} loads succeeded");
    assert!(ok < total, "every mutated file loaded: nothing was refused");
    crate::common::say_checked(&format!(
        "fuzz classes: {ok} of {total} mutated files loaded, the rest refused"
    ));
}

fn sample_spec() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/evaluation.toml");
    std::fs::read_to_string(p).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The spec parser, on the sample spec with a line changed, dropped or
    /// duplicated, or bytes spliced in: never a panic; an error names the
    /// spec (its source) and, for a TOML problem, the line.
    #[test]
    fn the_spec_parser_keeps_its_promises(
        line in 0usize..120,
        how in 0u8..4,
        junk in "[ -~]{0,16}",
    ) {
        let text = sample_spec();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let k = line % lines.len();
        match how {
            0 => { lines.remove(k); }
            1 => { let l = lines[k].clone(); lines.insert(k, l); }
            2 => lines[k].push_str(&junk),
            _ => lines[k] = junk.clone(),
        }
        let text = lines.join("\n");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
        if let Err(e) = EvaluationSpec::from_toml(&text, "fuzzed.toml", &dir) {
            let msg = e.to_string();
            prop_assert!(msg.contains("fuzzed.toml") || msg.contains('`'), "{}", msg);
        }
    }
}
