//! School attendance and absence (England), following the DfE definitions.
//!
//! The unit is the **session** (half a day; registers are taken at the start
//! of the morning session and once in the afternoon). Each session carries a
//! register **code**; the code's category decides whether the session counts
//! as attendance, authorised absence, unauthorised absence, or is not a
//! possible session at all.
//!
//! * Register codes are **versioned** ([`CodeSet`]): the 2006 regulations'
//!   set as described in DfE *Absence and attendance codes* (Jan 2009)
//!   ([`CodeSet::Pre2024`]) and the set in the School Attendance (Pupil
//!   Registration) (England) Regulations 2024, in force from 19 August 2024
//!   ([`CodeSet::From2024`]). The set is chosen by the session's date. A code
//!   that is not in the set in force on its date is a rejected row with its
//!   reason, never a guess.
//! * Measures are computed per **enrolment** (pupil × school) for a
//!   [`LabelledPeriod`], with a per-pupil view that sums across enrolments. Group
//!   rates sum sessions first and divide once ([`GroupSummary`]); pupils'
//!   rates are never averaged.
//! * Persistent absence compares the enrolment's own overall absence with a
//!   threshold share of its own possible sessions in exact integer arithmetic
//!   ([`AbsenceThreshold`]), so an enrolment at exactly 10% counts.
//!
//! Rates are fractions in `[0, 1]` (multiply by 100 for the DfE percentages)
//! and are `None` when there are no possible sessions.
//!
//! Definitions and sources: METHODS.md (attendance section) and the shared
//! domain notes §4.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::cohort::Period;
use crate::error::{Error, Result};

// ---------------------------------------------------------------------------
// Rejection table (shared with `asb`)
// ---------------------------------------------------------------------------

/// Why a row did not reach the accepted output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum RowDisposition {
    /// The row broke a validation rule (unknown code, bad date, ...).
    Invalid,
    /// The row is valid but outside the measure's scope by a stated rule
    /// (e.g. a police.uk row whose crime type is not anti-social behaviour).
    FilteredByRule,
}

/// One row that was not accepted, with where and why.
///
/// `source_row` is the 1-based data row (header not counted) or the 1-based
/// position in the input slice. The value is never a person identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// 1-based data row in the source.
    pub source_row: u64,
    /// The column whose value decided the outcome.
    pub column: String,
    /// The value found (never a person identifier).
    pub value: String,
    /// The rule, in words.
    pub reason: String,
    /// Invalid, or filtered out by a scope rule.
    pub disposition: RowDisposition,
}

// ---------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------

/// What a register code counts as in DfE absence statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AttendanceCategory {
    /// Present at the school (`/`, `\`, `L`).
    Present,
    /// Attending approved educational activity off-site; counts as
    /// attendance, not absence (e.g. `B`, `P`, `V`, `W`, 2024 `K`).
    ApprovedEducationalActivity,
    /// Authorised absence (e.g. `I` illness, `M` medical).
    AuthorisedAbsence,
    /// Unauthorised absence (e.g. `O`, `N`, `G`, `U`).
    UnauthorisedAbsence,
    /// Not a possible session (e.g. `X`, `Z`, `#`, `D`, 2024 `Y1`–`Y7`):
    /// excluded from possible sessions.
    NotPossible,
}

impl AttendanceCategory {
    /// True for the two categories that count as attendance.
    pub fn is_attendance(self) -> bool {
        matches!(
            self,
            AttendanceCategory::Present | AttendanceCategory::ApprovedEducationalActivity
        )
    }

    /// True for authorised or unauthorised absence.
    pub fn is_absence(self) -> bool {
        matches!(
            self,
            AttendanceCategory::AuthorisedAbsence | AttendanceCategory::UnauthorisedAbsence
        )
    }

    /// True unless the category is [`AttendanceCategory::NotPossible`].
    pub fn is_possible(self) -> bool {
        !matches!(self, AttendanceCategory::NotPossible)
    }
}

/// One register code in one code set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RegisterCode {
    /// The set this code belongs to.
    pub set: CodeSet,
    /// The code as written in the register (`"/"`, `"J1"`, ...).
    pub code: &'static str,
    /// The DfE description, abridged.
    pub meaning: &'static str,
    /// What the code counts as.
    pub category: AttendanceCategory,
}

/// A versioned national set of register codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CodeSet {
    /// The Education (Pupil Registration) (England) Regulations 2006 codes
    /// as described in DfE *Absence and attendance codes: guidance for
    /// schools and local authorities* (January 2009). In force for sessions
    /// before 19 August 2024.
    Pre2024,
    /// The School Attendance (Pupil Registration) (England) Regulations 2024
    /// codes (with *Working together to improve school attendance*,
    /// August 2024). In force for sessions on or after 19 August 2024.
    From2024,
}

use AttendanceCategory::{
    ApprovedEducationalActivity as Aea, AuthorisedAbsence as Auth, NotPossible as NotPoss,
    Present as Pres, UnauthorisedAbsence as Unauth,
};

const fn code(
    set: CodeSet,
    code: &'static str,
    meaning: &'static str,
    category: AttendanceCategory,
) -> RegisterCode {
    RegisterCode {
        set,
        code,
        meaning,
        category,
    }
}

const P: CodeSet = CodeSet::Pre2024;
const N: CodeSet = CodeSet::From2024;

static PRE_2024_CODES: [RegisterCode; 26] = [
    code(P, "/", "present at registration (morning)", Pres),
    code(P, "\\", "present at registration (afternoon)", Pres),
    code(P, "L", "late but arrived before the register closed", Pres),
    code(P, "B", "educated off-site (not dual registration)", Aea),
    code(P, "J", "at interview (approved educational activity)", Aea),
    code(P, "P", "approved sporting activity", Aea),
    code(P, "V", "educational visit or trip", Aea),
    code(P, "W", "work experience", Aea),
    code(P, "C", "other authorised circumstances", Auth),
    code(P, "E", "excluded, no alternative provision made", Auth),
    code(P, "F", "agreed extended family holiday", Auth),
    code(P, "H", "agreed family holiday", Auth),
    code(P, "I", "illness (not medical or dental appointment)", Auth),
    code(P, "M", "medical or dental appointment", Auth),
    code(P, "R", "religious observance", Auth),
    code(P, "S", "study leave", Auth),
    code(P, "T", "traveller absence", Auth),
    code(
        P,
        "G",
        "family holiday not agreed, or in excess of agreement",
        Unauth,
    ),
    code(P, "N", "no reason yet provided for absence", Unauth),
    code(
        P,
        "O",
        "unauthorised absence not covered by another code",
        Unauth,
    ),
    code(P, "U", "arrived after the register closed", Unauth),
    code(
        P,
        "D",
        "dual registered: at the other school or PRU",
        NotPoss,
    ),
    code(
        P,
        "X",
        "untimetabled session, non-compulsory school age",
        NotPoss,
    ),
    code(P, "Y", "enforced closure", NotPoss),
    code(P, "Z", "pupil not yet on roll", NotPoss),
    code(P, "#", "school closed to pupils", NotPoss),
];

static FROM_2024_CODES: [RegisterCode; 34] = [
    code(N, "/", "present at the school (morning)", Pres),
    code(N, "\\", "present at the school (afternoon)", Pres),
    code(N, "L", "late arrival before the register closed", Pres),
    code(
        N,
        "K",
        "attending education provision arranged by the local authority",
        Aea,
    ),
    code(N, "V", "attending an educational visit or trip", Aea),
    code(N, "P", "participating in a sporting activity", Aea),
    code(N, "W", "attending work experience", Aea),
    code(
        N,
        "B",
        "attending any other approved educational activity",
        Aea,
    ),
    code(
        N,
        "C",
        "leave of absence for exceptional circumstances",
        Auth,
    ),
    code(
        N,
        "C1",
        "leave of absence: regulated performance or employment abroad",
        Auth,
    ),
    code(
        N,
        "C2",
        "leave of absence: temporary part-time timetable",
        Auth,
    ),
    code(
        N,
        "M",
        "leave of absence: medical or dental appointment",
        Auth,
    ),
    code(N, "J1", "leave of absence: interview", Auth),
    code(N, "S", "leave of absence: study leave", Auth),
    code(N, "T", "Gypsy, Roma and Traveller absence", Auth),
    code(N, "R", "religious observance", Auth),
    code(N, "I", "illness (not medical or dental appointment)", Auth),
    code(
        N,
        "E",
        "suspended or excluded, no alternative provision",
        Auth,
    ),
    code(N, "G", "holiday not authorised by the school", Unauth),
    code(N, "N", "reason for absence not yet established", Unauth),
    code(N, "O", "absent in other or unknown circumstances", Unauth),
    code(
        N,
        "U",
        "arrived in school after the register closed",
        Unauth,
    ),
    code(
        N,
        "D",
        "dual registered: attending the other school",
        NotPoss,
    ),
    code(
        N,
        "X",
        "non-compulsory school age, not required to attend",
        NotPoss,
    ),
    code(
        N,
        "Q",
        "unable to attend: no access arrangements by the local authority",
        NotPoss,
    ),
    code(
        N,
        "Y1",
        "unable to attend: transport normally provided not available",
        NotPoss,
    ),
    code(
        N,
        "Y2",
        "unable to attend: widespread disruption to travel",
        NotPoss,
    ),
    code(
        N,
        "Y3",
        "unable to attend: part of the school premises closed",
        NotPoss,
    ),
    code(
        N,
        "Y4",
        "unable to attend: whole school site unexpectedly closed",
        NotPoss,
    ),
    code(
        N,
        "Y5",
        "unable to attend: in criminal justice detention",
        NotPoss,
    ),
    code(
        N,
        "Y6",
        "unable to attend: public health guidance or law",
        NotPoss,
    ),
    code(
        N,
        "Y7",
        "unable to attend: any other unavoidable cause",
        NotPoss,
    ),
    code(
        N,
        "Z",
        "prospective pupil not on the admission register",
        NotPoss,
    ),
    code(N, "#", "planned whole-school closure", NotPoss),
];

/// The first date on which the 2024 code set is in force (19 August 2024).
pub const FROM_2024_START: NaiveDate = match NaiveDate::from_ymd_opt(2024, 8, 19) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

impl CodeSet {
    /// The set in force on `date`: [`CodeSet::From2024`] from
    /// [`FROM_2024_START`] (19 August 2024) on, [`CodeSet::Pre2024`] before.
    pub fn in_force_on(date: NaiveDate) -> CodeSet {
        if date >= FROM_2024_START {
            CodeSet::From2024
        } else {
            CodeSet::Pre2024
        }
    }

    /// Every code in the set, with meaning and category.
    pub fn codes(self) -> &'static [RegisterCode] {
        match self {
            CodeSet::Pre2024 => &PRE_2024_CODES,
            CodeSet::From2024 => &FROM_2024_CODES,
        }
    }

    /// The code `code` in this set, matched exactly (case-sensitive; the
    /// caller trims). `None` if the set has no such code.
    pub fn lookup(self, code: &str) -> Option<&'static RegisterCode> {
        self.codes().iter().find(|c| c.code == code)
    }

    /// A short label, `"pre-2024"` or `"2024"`.
    pub fn label(self) -> &'static str {
        match self {
            CodeSet::Pre2024 => "pre-2024 (2006 regulations)",
            CodeSet::From2024 => "2024 regulations (from 19 Aug 2024)",
        }
    }

    fn other(self) -> CodeSet {
        match self {
            CodeSet::Pre2024 => CodeSet::From2024,
            CodeSet::From2024 => CodeSet::Pre2024,
        }
    }
}

impl fmt::Display for CodeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Classify `code` for a session on `date`.
///
/// Surrounding ASCII whitespace is ignored; case is significant (`l` is not
/// `L`).
///
/// # Errors
/// An `InvalidParameter` error naming the code, the date and the set in force
/// when the code is not in that set (including a code of the other set, e.g.
/// `J1` before 19 August 2024 or `H` after).
pub fn classify_code(code: &str, date: NaiveDate) -> Result<&'static RegisterCode> {
    let set = CodeSet::in_force_on(date);
    set.lookup(code.trim())
        .ok_or_else(|| Error::invalid_parameter("code", code, code_rule(code.trim(), set, date)))
}

pub(crate) fn code_rule(code: &str, set: CodeSet, date: NaiveDate) -> String {
    if set.other().lookup(code).is_some() {
        format!(
            "not a code of the {} set in force on {date} (it belongs to the {} set)",
            set,
            set.other()
        )
    } else {
        format!("not a register code of the {set} set in force on {date}")
    }
}

// ---------------------------------------------------------------------------
// Marks
// ---------------------------------------------------------------------------

/// Morning or afternoon session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Session {
    /// Morning session.
    Am,
    /// Afternoon session.
    Pm,
}

impl Session {
    /// Parse `"AM"`/`"PM"` (any case, surrounding whitespace ignored).
    ///
    /// # Errors
    /// `InvalidParameter` for anything else.
    pub fn parse(s: &str) -> Result<Session> {
        match s.trim().to_ascii_uppercase().as_str() {
            "AM" => Ok(Session::Am),
            "PM" => Ok(Session::Pm),
            _ => Err(Error::invalid_parameter("session", s, "must be AM or PM")),
        }
    }

    /// `"AM"` or `"PM"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Session::Am => "AM",
            Session::Pm => "PM",
        }
    }
}

/// A school identifier (e.g. a URN), non-empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SchoolId(String);

impl SchoolId {
    /// A school identifier; surrounding whitespace is removed.
    ///
    /// # Errors
    /// `InvalidParameter` if it is empty after trimming.
    pub fn new(id: impl Into<String>) -> Result<SchoolId> {
        let id = id.into();
        let t = id.trim();
        if t.is_empty() {
            return Err(Error::invalid_parameter(
                "school",
                "\"\"",
                "a school identifier must not be empty",
            ));
        }
        Ok(SchoolId(t.to_string()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SchoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One register mark as read: pupil, school, date, session and raw code.
///
/// `P` is the caller's opaque pupil key (a `u64` index, a pseudonymised
/// `String`, ...). It is never printed in errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMark<P> {
    /// The pupil (opaque key).
    pub pupil: P,
    /// The school whose register holds the mark.
    pub school: SchoolId,
    /// The date of the session.
    pub date: NaiveDate,
    /// Morning or afternoon.
    pub session: Session,
    /// The code as written.
    pub code: String,
}

/// A mark whose code was found in the set in force on its date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifiedMark<P> {
    /// The pupil (opaque key).
    pub pupil: P,
    /// The school.
    pub school: SchoolId,
    /// The date of the session.
    pub date: NaiveDate,
    /// Morning or afternoon.
    pub session: Session,
    /// The code, its set and category.
    pub code: &'static RegisterCode,
}

/// The result of [`classify_marks`]: accepted marks plus a rejection table.
/// `accepted.len() + rejected.len()` equals the number of marks given.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassifiedMarks<P> {
    /// Marks with a valid code, in input order.
    pub accepted: Vec<ClassifiedMark<P>>,
    /// Marks rejected, with their 1-based position and reason.
    pub rejected: Vec<RejectedRow>,
}

/// Classify register marks against the code set in force on each mark's
/// date.
///
/// A mark is rejected (never guessed) when its code is not in the set in
/// force on its date, or when an earlier mark already recorded the same
/// pupil, school, date and session (the later one is rejected so that no
/// session is counted twice). Rejections name the 1-based position, the
/// column (`code` or `session`), the value and the rule.
pub fn classify_marks<P: Clone + Ord>(marks: &[SessionMark<P>]) -> ClassifiedMarks<P> {
    let mut accepted = Vec::with_capacity(marks.len());
    let mut rejected = Vec::new();
    let mut seen: BTreeSet<(&P, &SchoolId, NaiveDate, Session)> = BTreeSet::new();
    for (i, m) in marks.iter().enumerate() {
        let row = i as u64 + 1;
        let set = CodeSet::in_force_on(m.date);
        let trimmed = m.code.trim();
        let Some(rc) = set.lookup(trimmed) else {
            rejected.push(RejectedRow {
                source_row: row,
                column: "code".to_string(),
                value: m.code.clone(),
                reason: code_rule(trimmed, set, m.date),
                disposition: RowDisposition::Invalid,
            });
            continue;
        };
        if !seen.insert((&m.pupil, &m.school, m.date, m.session)) {
            rejected.push(RejectedRow {
                source_row: row,
                column: "session".to_string(),
                value: format!("{} {}", m.date, m.session.as_str()),
                reason: "duplicate mark: an earlier row already records this pupil's session at this school"
                    .to_string(),
                disposition: RowDisposition::Invalid,
            });
            continue;
        }
        accepted.push(ClassifiedMark {
            pupil: m.pupil.clone(),
            school: m.school.clone(),
            date: m.date,
            session: m.session,
            code: rc,
        });
    }
    ClassifiedMarks { accepted, rejected }
}

/// The result of [`read_register_csv`]: classified marks and every row that
/// was not accepted. `marks.accepted.len() + rejected.len() == rows_read`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterImport {
    /// Accepted marks (pupil keys as text).
    pub accepted: Vec<ClassifiedMark<String>>,
    /// Rejected rows; `source_row` is the 1-based data row of the file.
    pub rejected: Vec<RejectedRow>,
    /// Data rows read (header excluded).
    pub rows_read: u64,
}

/// Read register marks from CSV with (at least) the columns `pupil_id`,
/// `school_urn`, `date` (`YYYY-MM-DD`), `session` (`AM`/`PM`) and `code`,
/// the shape written by
/// [`write_register_csv`](super::synthetic_school::write_register_csv).
///
/// A row is rejected (with its 1-based data row, column, value and rule)
/// when its field count differs from the header's, a field is not UTF-8,
/// the pupil or school is empty, the date or session does not parse, the
/// code is not in the set in force on the date, or it repeats an earlier
/// row's pupil, school, date and session. Pupil identifiers are never
/// copied into the rejection table.
///
/// # Errors
/// `MissingColumn` if a required column is absent; `Io` if reading fails.
pub fn read_register_csv<R: std::io::Read>(source: &str, reader: R) -> Result<RegisterImport> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Error::io(source, std::io::Error::from(e))),
    };
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    const EXPECTED: [&str; 5] = ["pupil_id", "school_urn", "date", "session", "code"];
    crate::names::refuse_near_misses(source, &names, &EXPECTED)?;
    let find = |col: &str| -> Result<usize> {
        names
            .iter()
            .position(|n| n == col)
            .ok_or_else(|| Error::missing_column(source, col, &names, &EXPECTED))
    };
    let (i_pupil, i_school, i_date, i_session, i_code) = (
        find("pupil_id")?,
        find("school_urn")?,
        find("date")?,
        find("session")?,
        find("code")?,
    );
    let mut marks = Vec::new();
    let mut mark_rows = Vec::new();
    let mut rejected = Vec::new();
    let mut rows_read = 0u64;
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return Err(Error::io(source, std::io::Error::from(e)));
                }
                rows_read += 1;
                rejected.push(RejectedRow {
                    source_row: rows_read,
                    column: "(record)".to_string(),
                    value: String::new(),
                    reason: "unreadable CSV record".to_string(),
                    disposition: RowDisposition::Invalid,
                });
                continue;
            }
        }
        rows_read += 1;
        let row = rows_read;
        let reject = |column: &str, value: &str, reason: &str| RejectedRow {
            source_row: row,
            column: column.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
            disposition: RowDisposition::Invalid,
        };
        if record.len() != headers.len() {
            rejected.push(reject(
                "(record)",
                &record.len().to_string(),
                "record's field count differs from the header's",
            ));
            continue;
        }
        let text = |i: usize| std::str::from_utf8(record.get(i).unwrap_or(&[])).map(str::trim);
        let parsed = (|| {
            let pupil = match text(i_pupil) {
                Ok(p) if !p.is_empty() => p,
                // The value is withheld: it may be a person identifier.
                _ => return Err(reject("pupil_id", "", "pupil id must be non-empty UTF-8")),
            };
            let school = text(i_school)
                .ok()
                .and_then(|s| SchoolId::new(s).ok())
                .ok_or_else(|| reject("school_urn", "", "school must be non-empty UTF-8"))?;
            let date_txt = text(i_date).map_err(|_| reject("date", "", "not UTF-8"))?;
            let date = NaiveDate::parse_from_str(date_txt, "%Y-%m-%d")
                .map_err(|_| reject("date", date_txt, "date must be YYYY-MM-DD"))?;
            let s_txt = text(i_session).map_err(|_| reject("session", "", "not UTF-8"))?;
            let session = Session::parse(s_txt)
                .map_err(|_| reject("session", s_txt, "session must be AM or PM"))?;
            let code = text(i_code).map_err(|_| reject("code", "", "not UTF-8"))?;
            Ok(SessionMark {
                pupil: pupil.to_string(),
                school,
                date,
                session,
                code: code.to_string(),
            })
        })();
        match parsed {
            Ok(m) => {
                marks.push(m);
                mark_rows.push(row);
            }
            Err(r) => rejected.push(r),
        }
    }
    let classified = classify_marks(&marks);
    for mut r in classified.rejected {
        let pos = usize::try_from(r.source_row.saturating_sub(1)).unwrap_or(usize::MAX);
        r.source_row = mark_rows.get(pos).copied().unwrap_or(r.source_row);
        rejected.push(r);
    }
    rejected.sort_by_key(|r| r.source_row);
    Ok(RegisterImport {
        accepted: classified.accepted,
        rejected,
        rows_read,
    })
}

// ---------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------

/// An academic year, 1 September to 31 August, e.g. 2024/25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AcademicYear {
    start_year: i32,
}

impl AcademicYear {
    /// The academic year starting on 1 September `start_year`.
    ///
    /// # Errors
    /// `InvalidParameter` outside 1900..=9998.
    pub fn new(start_year: i32) -> Result<AcademicYear> {
        if (1900..=9998).contains(&start_year) {
            Ok(AcademicYear { start_year })
        } else {
            Err(Error::invalid_parameter(
                "academic_year",
                start_year,
                "start year must be between 1900 and 9998",
            ))
        }
    }

    /// The academic year containing `date`.
    ///
    /// # Errors
    /// As [`AcademicYear::new`] for dates outside the supported range.
    pub fn containing(date: NaiveDate) -> Result<AcademicYear> {
        let y = if date.month() >= 9 {
            date.year()
        } else {
            date.year() - 1
        };
        AcademicYear::new(y)
    }

    /// Parse `"2024/25"`, `"2024-25"` or the DfE `time_period` form
    /// `"202425"`.
    ///
    /// # Errors
    /// `InvalidParameter` if the text is not one of these forms or the two
    /// years are not consecutive.
    pub fn parse(s: &str) -> Result<AcademicYear> {
        let t = s.trim();
        let bad = || {
            Error::invalid_parameter(
                "academic_year",
                s,
                "expected YYYY/YY, YYYY-YY or YYYYYY with consecutive years (e.g. 2024/25)",
            )
        };
        let (a, b) = if t.len() == 7
            && (t.as_bytes().get(4) == Some(&b'/') || t.as_bytes().get(4) == Some(&b'-'))
        {
            (t.get(..4).ok_or_else(bad)?, t.get(5..).ok_or_else(bad)?)
        } else if t.len() == 6 {
            (t.get(..4).ok_or_else(bad)?, t.get(4..).ok_or_else(bad)?)
        } else {
            return Err(bad());
        };
        if !a.bytes().all(|c| c.is_ascii_digit()) || !b.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let start: i32 = a.parse().map_err(|_| bad())?;
        let end2: i32 = b.parse().map_err(|_| bad())?;
        if (start + 1).rem_euclid(100) != end2 {
            return Err(bad());
        }
        AcademicYear::new(start)
    }

    /// The calendar year in which it starts.
    pub fn start_year(self) -> i32 {
        self.start_year
    }

    /// 1 September of the start year.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year, 9, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 31 August of the following year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year + 1, 8, 31).unwrap_or(NaiveDate::MAX)
    }

    /// The label `"2024/25"`.
    pub fn label(self) -> String {
        format!(
            "{}/{:02}",
            self.start_year,
            (self.start_year + 1).rem_euclid(100)
        )
    }

    /// The whole year as a [`LabelledPeriod`].
    pub fn period(self) -> LabelledPeriod {
        LabelledPeriod {
            label: self.label(),
            span: Period::spanning(self.first_day(), self.last_day()),
        }
    }
}

impl fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A window of days relative to an index date: from `index + start_offset`
/// to `index + end_offset`, both inclusive (offsets may be negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RelativeWindow {
    start_offset_days: i64,
    end_offset_days: i64,
}

impl RelativeWindow {
    /// A window `[index + start_offset_days, index + end_offset_days]`.
    ///
    /// # Errors
    /// `InvalidParameter` if the start offset is after the end offset or
    /// either is beyond ±100,000 days.
    pub fn new(start_offset_days: i64, end_offset_days: i64) -> Result<RelativeWindow> {
        const LIMIT: i64 = 100_000;
        if start_offset_days.abs() > LIMIT || end_offset_days.abs() > LIMIT {
            return Err(Error::invalid_parameter(
                "window",
                format!("[{start_offset_days}, {end_offset_days}]"),
                "offsets must be within ±100000 days",
            ));
        }
        if start_offset_days > end_offset_days {
            return Err(Error::invalid_parameter(
                "window",
                format!("[{start_offset_days}, {end_offset_days}]"),
                "start offset must not be after end offset",
            ));
        }
        Ok(RelativeWindow {
            start_offset_days,
            end_offset_days,
        })
    }

    /// Start offset in days.
    pub fn start_offset_days(self) -> i64 {
        self.start_offset_days
    }

    /// End offset in days.
    pub fn end_offset_days(self) -> i64 {
        self.end_offset_days
    }

    /// The dated window for `index`.
    ///
    /// # Errors
    /// `InvalidParameter` if a bound falls outside the calendar range.
    pub fn around(self, index: NaiveDate) -> Result<LabelledPeriod> {
        let start = add_days(index, self.start_offset_days)?;
        let end = add_days(index, self.end_offset_days)?;
        Ok(LabelledPeriod {
            label: format!(
                "index{:+}d..index{:+}d",
                self.start_offset_days, self.end_offset_days
            ),
            span: Period::spanning(start, end),
        })
    }
}

pub(crate) fn add_days(date: NaiveDate, offset: i64) -> Result<NaiveDate> {
    let r = if offset >= 0 {
        date.checked_add_days(Days::new(offset.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    r.ok_or_else(|| {
        Error::invalid_parameter("window", offset, "date offset leaves the calendar range")
    })
}

/// A dated [`Period`] with a label (e.g. a term supplied by the caller, an
/// academic year, or a window around an index date).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LabelledPeriod {
    label: String,
    #[serde(flatten)]
    span: Period,
}

impl LabelledPeriod {
    /// A period from `start` to `end` inclusive.
    ///
    /// # Errors
    /// `InvalidParameter` if `start > end`.
    pub fn new(
        label: impl Into<String>,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<LabelledPeriod> {
        Ok(LabelledPeriod {
            label: label.into(),
            span: Period::new(start, end)?,
        })
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The dates.
    pub fn span(&self) -> Period {
        self.span
    }

    /// First day.
    pub fn start(&self) -> NaiveDate {
        self.span.start()
    }

    /// Last day (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.span.end()
    }

    /// True if `date` lies in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.span.contains(date)
    }
}

// ---------------------------------------------------------------------------
// Counts and thresholds
// ---------------------------------------------------------------------------

/// A threshold share of possible sessions, held in basis points (1/100 of a
/// percent) so that comparisons are exact integer arithmetic.
///
/// `absence × 10,000 ≥ basis_points × possible`: an enrolment absent for
/// exactly 10% of its possible sessions meets the 10% threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AbsenceThreshold {
    basis_points: u32,
}

impl AbsenceThreshold {
    /// Persistent absence at 10% of own possible sessions (DfE definition
    /// from 2015/16, the "exact" method). The default.
    pub const PERSISTENT_10_PERCENT: AbsenceThreshold = AbsenceThreshold { basis_points: 1000 };
    /// The historical 15% persistent-absence threshold (2010/11 to 2014/15).
    pub const PERSISTENT_15_PERCENT: AbsenceThreshold = AbsenceThreshold { basis_points: 1500 };
    /// The historical 20% persistent-absence threshold (2005/06 to 2009/10).
    pub const PERSISTENT_20_PERCENT: AbsenceThreshold = AbsenceThreshold { basis_points: 2000 };
    /// Severe absence: 50% or more of own possible sessions.
    pub const SEVERE_50_PERCENT: AbsenceThreshold = AbsenceThreshold { basis_points: 5000 };

    /// A threshold of `percent`% (1 to 100).
    ///
    /// # Errors
    /// `InvalidParameter` outside 1..=100.
    pub fn from_percent(percent: u32) -> Result<AbsenceThreshold> {
        if (1..=100).contains(&percent) {
            Ok(AbsenceThreshold {
                basis_points: percent * 100,
            })
        } else {
            Err(Error::invalid_parameter(
                "threshold_percent",
                percent,
                "must be between 1 and 100",
            ))
        }
    }

    /// A threshold in basis points (1 to 10,000; 1,000 = 10%).
    ///
    /// # Errors
    /// `InvalidParameter` outside 1..=10000.
    pub fn from_basis_points(basis_points: u32) -> Result<AbsenceThreshold> {
        if (1..=10_000).contains(&basis_points) {
            Ok(AbsenceThreshold { basis_points })
        } else {
            Err(Error::invalid_parameter(
                "threshold_basis_points",
                basis_points,
                "must be between 1 and 10000",
            ))
        }
    }

    /// The persistent-absence threshold DfE used for `year`'s published
    /// statistics: 10% from 2015/16, 15% from 2010/11 to 2014/15, 20% from
    /// 2005/06 to 2009/10 (domain notes §4.1). Applied here, like all
    /// thresholds, as a share of the enrolment's own possible sessions.
    ///
    /// # Errors
    /// `InvalidParameter` before 2005/06 (no persistent-absence measure).
    pub fn persistent_for(year: AcademicYear) -> Result<AbsenceThreshold> {
        match year.start_year() {
            y if y >= 2015 => Ok(Self::PERSISTENT_10_PERCENT),
            2010..=2014 => Ok(Self::PERSISTENT_15_PERCENT),
            2005..=2009 => Ok(Self::PERSISTENT_20_PERCENT),
            _ => Err(Error::invalid_parameter(
                "academic_year",
                year,
                "DfE published no persistent-absence measure before 2005/06",
            )),
        }
    }

    /// The threshold in basis points.
    pub fn basis_points(self) -> u32 {
        self.basis_points
    }

    /// Whether `absence` sessions out of `possible` meet the threshold;
    /// `None` when `possible == 0` (undefined).
    pub fn is_met(self, absence: u64, possible: u64) -> Option<bool> {
        if possible == 0 {
            return None;
        }
        Some(absence as u128 * 10_000 >= self.basis_points as u128 * possible as u128)
    }
}

impl Default for AbsenceThreshold {
    fn default() -> Self {
        AbsenceThreshold::PERSISTENT_10_PERCENT
    }
}

/// Possible, authorised and unauthorised sessions for one enrolment (or any
/// unit), as the DfE columns `sess_possible`, `sess_authorised`,
/// `sess_unauthorised`. Always `authorised + unauthorised ≤ possible`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AbsenceCounts {
    possible: u64,
    authorised: u64,
    unauthorised: u64,
}

impl AbsenceCounts {
    /// Counts from non-negative integers.
    ///
    /// # Errors
    /// `InvalidParameter` if `authorised + unauthorised > possible`.
    pub fn new(possible: u64, authorised: u64, unauthorised: u64) -> Result<AbsenceCounts> {
        match authorised.checked_add(unauthorised) {
            Some(total) if total <= possible => Ok(AbsenceCounts {
                possible,
                authorised,
                unauthorised,
            }),
            _ => Err(Error::invalid_parameter(
                "sess_authorised + sess_unauthorised",
                format!("{authorised} + {unauthorised} (sess_possible {possible})"),
                "absence sessions must not exceed possible sessions",
            )),
        }
    }

    /// Counts from the DfE columns as signed integers, as they arrive from a
    /// table.
    ///
    /// # Errors
    /// `InvalidParameter` naming the column if a value is negative, or as
    /// [`AbsenceCounts::new`].
    pub fn from_dfe(
        sess_possible: i64,
        sess_authorised: i64,
        sess_unauthorised: i64,
    ) -> Result<AbsenceCounts> {
        let nn = |name: &str, v: i64| {
            u64::try_from(v).map_err(|_| {
                Error::invalid_parameter(name, v, "session counts must not be negative")
            })
        };
        AbsenceCounts::new(
            nn("sess_possible", sess_possible)?,
            nn("sess_authorised", sess_authorised)?,
            nn("sess_unauthorised", sess_unauthorised)?,
        )
    }

    /// Possible sessions.
    pub fn possible(self) -> u64 {
        self.possible
    }

    /// Authorised absence sessions.
    pub fn authorised(self) -> u64 {
        self.authorised
    }

    /// Unauthorised absence sessions.
    pub fn unauthorised(self) -> u64 {
        self.unauthorised
    }

    /// Overall absence sessions (`sess_overall`).
    pub fn overall(self) -> u64 {
        self.authorised + self.unauthorised
    }

    /// Sessions attended (present or approved educational activity):
    /// possible − overall absence.
    pub fn attended(self) -> u64 {
        self.possible - self.overall()
    }

    /// The sum of two sets of counts (e.g. two enrolments of one pupil).
    ///
    /// # Errors
    /// `Numerical` on integer overflow.
    pub fn checked_add(self, other: AbsenceCounts) -> Result<AbsenceCounts> {
        let add = |a: u64, b: u64| {
            a.checked_add(b)
                .ok_or_else(|| Error::numerical("summing session counts", "integer overflow"))
        };
        Ok(AbsenceCounts {
            possible: add(self.possible, other.possible)?,
            authorised: add(self.authorised, other.authorised)?,
            unauthorised: add(self.unauthorised, other.unauthorised)?,
        })
    }

    /// Rates and flags for these counts, with `persistent` as the
    /// persistent-absence threshold (severe absence is always 50%).
    pub fn measures(self, persistent: AbsenceThreshold) -> AbsenceMeasures {
        let rate = |x: u64| ratio(x, self.possible);
        AbsenceMeasures {
            possible: self.possible,
            attended: self.attended(),
            authorised: self.authorised,
            unauthorised: self.unauthorised,
            overall: self.overall(),
            attendance_rate: rate(self.attended()),
            overall_absence_rate: rate(self.overall()),
            authorised_absence_rate: rate(self.authorised),
            unauthorised_absence_rate: rate(self.unauthorised),
            persistent_absentee: persistent.is_met(self.overall(), self.possible),
            severe_absentee: AbsenceThreshold::SEVERE_50_PERCENT
                .is_met(self.overall(), self.possible),
        }
    }
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    if den == 0 {
        None
    } else {
        Some(num as f64 / den as f64)
    }
}

/// Sessions and rates for one unit. Rates are fractions in `[0, 1]`, `None`
/// when there are no possible sessions; flags are `None` likewise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AbsenceMeasures {
    /// Possible sessions.
    pub possible: u64,
    /// Sessions attended (present + approved educational activity).
    pub attended: u64,
    /// Authorised absence sessions.
    pub authorised: u64,
    /// Unauthorised absence sessions.
    pub unauthorised: u64,
    /// Overall absence sessions.
    pub overall: u64,
    /// attended ÷ possible.
    pub attendance_rate: Option<f64>,
    /// overall ÷ possible.
    pub overall_absence_rate: Option<f64>,
    /// authorised ÷ possible.
    pub authorised_absence_rate: Option<f64>,
    /// unauthorised ÷ possible.
    pub unauthorised_absence_rate: Option<f64>,
    /// overall ≥ threshold × possible.
    pub persistent_absentee: Option<bool>,
    /// overall ≥ 50% × possible.
    pub severe_absentee: Option<bool>,
}

/// Sessions in each category, counted from marks. `total()` equals the
/// number of marks tallied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SessionTally {
    /// Present (`/`, `\`, `L`).
    pub present: u64,
    /// Approved educational activity (counts as attendance).
    pub approved_educational_activity: u64,
    /// Authorised absence.
    pub authorised: u64,
    /// Unauthorised absence.
    pub unauthorised: u64,
    /// Not possible sessions.
    pub not_possible: u64,
}

impl SessionTally {
    /// Count one session of `category`.
    pub fn add(&mut self, category: AttendanceCategory) {
        match category {
            AttendanceCategory::Present => self.present += 1,
            AttendanceCategory::ApprovedEducationalActivity => {
                self.approved_educational_activity += 1
            }
            AttendanceCategory::AuthorisedAbsence => self.authorised += 1,
            AttendanceCategory::UnauthorisedAbsence => self.unauthorised += 1,
            AttendanceCategory::NotPossible => self.not_possible += 1,
        }
    }

    /// Add another tally.
    pub fn merge(&mut self, other: &SessionTally) {
        self.present += other.present;
        self.approved_educational_activity += other.approved_educational_activity;
        self.authorised += other.authorised;
        self.unauthorised += other.unauthorised;
        self.not_possible += other.not_possible;
    }

    /// Every session tallied, including not-possible ones.
    pub fn total(&self) -> u64 {
        self.possible() + self.not_possible
    }

    /// Possible sessions: present + AEA + authorised + unauthorised.
    pub fn possible(&self) -> u64 {
        self.present + self.approved_educational_activity + self.authorised + self.unauthorised
    }

    /// The DfE counts implied by the tally.
    pub fn counts(&self) -> AbsenceCounts {
        AbsenceCounts {
            possible: self.possible(),
            authorised: self.authorised,
            unauthorised: self.unauthorised,
        }
    }
}

// ---------------------------------------------------------------------------
// Per-enrolment and per-pupil summaries
// ---------------------------------------------------------------------------

/// Measures for one enrolment (pupil × school) in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnrolmentSummary<P> {
    /// The pupil (opaque key).
    pub pupil: P,
    /// The school.
    pub school: SchoolId,
    /// The period's label.
    pub period: String,
    /// Sessions by category.
    pub tally: SessionTally,
    /// Sessions and rates.
    pub measures: AbsenceMeasures,
}

/// Measures for one pupil in one period, summed over the pupil's enrolments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PupilSummary<P> {
    /// The pupil (opaque key).
    pub pupil: P,
    /// Number of enrolments (schools) with marks in the period.
    pub enrolments: usize,
    /// Sessions by category, summed over enrolments.
    pub tally: SessionTally,
    /// Sessions and rates from the summed sessions.
    pub measures: AbsenceMeasures,
}

/// Tally the marks in `period` per enrolment (pupil × school) and compute
/// measures. Output is sorted by pupil then school; only enrolments with at
/// least one mark in the period appear (an enrolment whose marks are all
/// not-possible appears with `possible == 0` and `None` rates).
pub fn enrolment_summaries<P: Clone + Ord>(
    marks: &[ClassifiedMark<P>],
    period: &LabelledPeriod,
    persistent: AbsenceThreshold,
) -> Vec<EnrolmentSummary<P>> {
    let mut tallies: BTreeMap<(&P, &SchoolId), SessionTally> = BTreeMap::new();
    for m in marks.iter().filter(|m| period.contains(m.date)) {
        tallies
            .entry((&m.pupil, &m.school))
            .or_default()
            .add(m.code.category);
    }
    tallies
        .into_iter()
        .map(|((p, s), tally)| EnrolmentSummary {
            pupil: p.clone(),
            school: s.clone(),
            period: period.label().to_string(),
            tally,
            measures: tally.counts().measures(persistent),
        })
        .collect()
}

/// Tally the marks in `period` per pupil, summing across the pupil's
/// enrolments (a pupil who moved school is one row). Sorted by pupil.
pub fn pupil_summaries<P: Clone + Ord>(
    marks: &[ClassifiedMark<P>],
    period: &LabelledPeriod,
    persistent: AbsenceThreshold,
) -> Vec<PupilSummary<P>> {
    let mut tallies: BTreeMap<&P, (BTreeSet<&SchoolId>, SessionTally)> = BTreeMap::new();
    for m in marks.iter().filter(|m| period.contains(m.date)) {
        let e = tallies.entry(&m.pupil).or_default();
        e.0.insert(&m.school);
        e.1.add(m.code.category);
    }
    tallies
        .into_iter()
        .map(|(p, (schools, tally))| PupilSummary {
            pupil: p.clone(),
            enrolments: schools.len(),
            tally,
            measures: tally.counts().measures(persistent),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Group measures
// ---------------------------------------------------------------------------

/// Rates for a group of enrolments (or pupils): sessions are summed first
/// and divided once; persistent and severe absence rates are the share of
/// units with possible sessions that meet the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupSummary {
    /// Units given.
    pub units: u64,
    /// Units with at least one possible session (the denominator of the
    /// persistent and severe absence rates).
    pub units_with_possible_sessions: u64,
    /// Sum of possible sessions (`sess_possible`).
    pub possible: u64,
    /// Sum of authorised absence (`sess_authorised`).
    pub authorised: u64,
    /// Sum of unauthorised absence (`sess_unauthorised`).
    pub unauthorised: u64,
    /// Sum of overall absence (`sess_overall`).
    pub overall: u64,
    /// Σ attended ÷ Σ possible.
    pub attendance_rate: Option<f64>,
    /// Σ overall ÷ Σ possible (`sess_overall_percent` ÷ 100).
    pub overall_absence_rate: Option<f64>,
    /// Σ authorised ÷ Σ possible.
    pub authorised_absence_rate: Option<f64>,
    /// Σ unauthorised ÷ Σ possible.
    pub unauthorised_absence_rate: Option<f64>,
    /// Units that are persistent absentees (`enrolments_pa_10_exact` at the
    /// default threshold).
    pub persistent_absentees: u64,
    /// persistent_absentees ÷ units_with_possible_sessions.
    pub persistent_absence_rate: Option<f64>,
    /// Units that are severe absentees (≥ 50%).
    pub severe_absentees: u64,
    /// severe_absentees ÷ units_with_possible_sessions.
    pub severe_absence_rate: Option<f64>,
}

/// Group measures over units' counts, each unit's persistent-absence status
/// judged on its own counts against `persistent`.
///
/// # Errors
/// `Numerical` if the sums overflow `u64`.
pub fn group_summary<'a, I>(counts: I, persistent: AbsenceThreshold) -> Result<GroupSummary>
where
    I: IntoIterator<Item = &'a AbsenceCounts>,
{
    let mut total = AbsenceCounts::default();
    let mut units = 0u64;
    let mut with_possible = 0u64;
    let mut pa = 0u64;
    let mut severe = 0u64;
    for c in counts {
        units += 1;
        total = total.checked_add(*c)?;
        if c.possible > 0 {
            with_possible += 1;
        }
        if persistent.is_met(c.overall(), c.possible) == Some(true) {
            pa += 1;
        }
        if AbsenceThreshold::SEVERE_50_PERCENT.is_met(c.overall(), c.possible) == Some(true) {
            severe += 1;
        }
    }
    let m = total.measures(persistent);
    Ok(GroupSummary {
        units,
        units_with_possible_sessions: with_possible,
        possible: m.possible,
        authorised: m.authorised,
        unauthorised: m.unauthorised,
        overall: m.overall,
        attendance_rate: m.attendance_rate,
        overall_absence_rate: m.overall_absence_rate,
        authorised_absence_rate: m.authorised_absence_rate,
        unauthorised_absence_rate: m.unauthorised_absence_rate,
        persistent_absentees: pa,
        persistent_absence_rate: ratio(pa, with_possible),
        severe_absentees: severe,
        severe_absence_rate: ratio(severe, with_possible),
    })
}

/// One row of aggregated counts as read from a table (DfE column names),
/// before validation. Signed so that negative inputs can be reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountsRow<P> {
    /// The pupil (opaque key).
    pub pupil: P,
    /// The school.
    pub school: SchoolId,
    /// `sess_possible`.
    pub sess_possible: i64,
    /// `sess_authorised`.
    pub sess_authorised: i64,
    /// `sess_unauthorised`.
    pub sess_unauthorised: i64,
}

/// A validated row of aggregated counts for one enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentCounts<P> {
    /// The pupil (opaque key).
    pub pupil: P,
    /// The school.
    pub school: SchoolId,
    /// The validated counts.
    pub counts: AbsenceCounts,
}

/// The result of [`validate_counts`]: `accepted.len() + rejected.len()`
/// equals the rows given.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedCounts<P> {
    /// Rows whose counts are valid, in input order.
    pub accepted: Vec<EnrolmentCounts<P>>,
    /// Rows rejected, with 1-based position, column, value and rule.
    pub rejected: Vec<RejectedRow>,
}

/// Validate aggregated counts: each must be non-negative, and
/// `sess_authorised + sess_unauthorised ≤ sess_possible`.
pub fn validate_counts<P: Clone>(rows: &[CountsRow<P>]) -> ValidatedCounts<P> {
    let mut accepted = Vec::with_capacity(rows.len());
    let mut rejected = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u64 + 1;
        let reject = |column: &str, value: String, reason: &str| RejectedRow {
            source_row: row,
            column: column.to_string(),
            value,
            reason: reason.to_string(),
            disposition: RowDisposition::Invalid,
        };
        let negative = [
            ("sess_possible", r.sess_possible),
            ("sess_authorised", r.sess_authorised),
            ("sess_unauthorised", r.sess_unauthorised),
        ]
        .into_iter()
        .find(|(_, v)| *v < 0);
        if let Some((col, v)) = negative {
            rejected.push(reject(
                col,
                v.to_string(),
                "session counts must not be negative",
            ));
            continue;
        }
        match AbsenceCounts::from_dfe(r.sess_possible, r.sess_authorised, r.sess_unauthorised) {
            Ok(counts) => accepted.push(EnrolmentCounts {
                pupil: r.pupil.clone(),
                school: r.school.clone(),
                counts,
            }),
            Err(_) => rejected.push(reject(
                "sess_authorised",
                format!(
                    "{} + {} > {}",
                    r.sess_authorised, r.sess_unauthorised, r.sess_possible
                ),
                "sess_authorised + sess_unauthorised must not exceed sess_possible",
            )),
        }
    }
    ValidatedCounts { accepted, rejected }
}

/// One accepted row of a per-enrolment counts file: the academic year, the
/// validated counts and the row's 1-based position in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearEnrolmentCounts {
    /// The academic year (`time_period`).
    pub year: AcademicYear,
    /// The enrolment's validated counts (pupil keys as text).
    pub enrolment: EnrolmentCounts<String>,
    /// 1-based data row in the file (header not counted).
    pub source_row: u64,
}

/// The result of [`read_enrolment_counts_csv`]:
/// `accepted.len() + rejected.len() == rows_read`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolmentCountsImport {
    /// Accepted rows, in file order.
    pub accepted: Vec<YearEnrolmentCounts>,
    /// Rejected rows, ordered by their 1-based data row.
    pub rejected: Vec<RejectedRow>,
    /// Data rows read (header excluded).
    pub rows_read: u64,
}

/// Read per-enrolment DfE-style counts from CSV with (at least) the columns
/// `time_period` (`202425`, `2024/25` or `2024-25`), `school_urn`,
/// `pupil_id`, `sess_possible`, `sess_authorised` and `sess_unauthorised`,
/// the shape written by
/// [`write_enrolment_counts_csv`](super::synthetic_school::write_enrolment_counts_csv).
///
/// A row is rejected (with its 1-based data row, column, value and rule)
/// when its field count differs from the header's, a field is not UTF-8,
/// the pupil or school is empty, `time_period` is not an academic year, a
/// count is not a whole number, the counts break [`validate_counts`]'s rules
/// (negative, or authorised + unauthorised > possible), an optional
/// `sess_overall` column disagrees with authorised + unauthorised, or the
/// row repeats an earlier row's year, school and pupil. Any
/// `enrolments_pa_10_exact` column is not read: persistent absence is
/// recomputed from the counts. Pupil identifiers are never copied into the
/// rejection table.
///
/// # Errors
/// `MissingColumn` if a required column is absent; `Io` if reading fails.
pub fn read_enrolment_counts_csv<R: std::io::Read>(
    source: &str,
    reader: R,
) -> Result<EnrolmentCountsImport> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Error::io(source, std::io::Error::from(e))),
    };
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    const EXPECTED: [&str; 7] = [
        "time_period",
        "school_urn",
        "pupil_id",
        "sess_possible",
        "sess_authorised",
        "sess_unauthorised",
        "sess_overall",
    ];
    crate::names::refuse_near_misses(
        source,
        &names,
        &[
            &EXPECTED[..],
            &["time_identifier", "arm", "enrolments_pa_10_exact"],
        ]
        .concat(),
    )?;
    let find = |col: &str| -> Result<usize> {
        names
            .iter()
            .position(|n| n == col)
            .ok_or_else(|| Error::missing_column(source, col, &names, &EXPECTED))
    };
    let i_year = find("time_period")?;
    let i_school = find("school_urn")?;
    let i_pupil = find("pupil_id")?;
    let i_possible = find("sess_possible")?;
    let i_auth = find("sess_authorised")?;
    let i_unauth = find("sess_unauthorised")?;
    let i_overall = names.iter().position(|n| n == "sess_overall");

    let mut accepted = Vec::new();
    let mut seen: BTreeSet<(AcademicYear, SchoolId, String)> = BTreeSet::new();
    let mut rejected = Vec::new();
    let mut rows_read = 0u64;
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return Err(Error::io(source, std::io::Error::from(e)));
                }
                rows_read += 1;
                rejected.push(RejectedRow {
                    source_row: rows_read,
                    column: "(record)".to_string(),
                    value: String::new(),
                    reason: "unreadable CSV record".to_string(),
                    disposition: RowDisposition::Invalid,
                });
                continue;
            }
        }
        rows_read += 1;
        let row = rows_read;
        let reject = |column: &str, value: &str, reason: &str| RejectedRow {
            source_row: row,
            column: column.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
            disposition: RowDisposition::Invalid,
        };
        if record.len() != headers.len() {
            rejected.push(reject(
                "(record)",
                &record.len().to_string(),
                "record's field count differs from the header's",
            ));
            continue;
        }
        let text = |i: usize| std::str::from_utf8(record.get(i).unwrap_or(&[])).map(str::trim);
        let parsed = (|| {
            let year_txt = text(i_year).map_err(|_| reject("time_period", "", "not UTF-8"))?;
            let year = AcademicYear::parse(year_txt).map_err(|_| {
                reject(
                    "time_period",
                    year_txt,
                    "time_period must be an academic year (YYYYYY, YYYY/YY or YYYY-YY)",
                )
            })?;
            let school = text(i_school)
                .ok()
                .and_then(|s| SchoolId::new(s).ok())
                .ok_or_else(|| reject("school_urn", "", "school must be non-empty UTF-8"))?;
            let pupil = match text(i_pupil) {
                Ok(p) if !p.is_empty() => p,
                // The value is withheld: it may be a person identifier.
                _ => return Err(reject("pupil_id", "", "pupil id must be non-empty UTF-8")),
            };
            let int = |i: usize, col: &str| -> std::result::Result<i64, RejectedRow> {
                let t = text(i).map_err(|_| reject(col, "", "not UTF-8"))?;
                t.parse::<i64>()
                    .map_err(|_| reject(col, t, "session count must be a whole number"))
            };
            let possible = int(i_possible, "sess_possible")?;
            let authorised = int(i_auth, "sess_authorised")?;
            let unauthorised = int(i_unauth, "sess_unauthorised")?;
            if let Some(i) = i_overall {
                let overall = int(i, "sess_overall")?;
                if authorised.checked_add(unauthorised) != Some(overall) {
                    return Err(reject(
                        "sess_overall",
                        &overall.to_string(),
                        "sess_overall must equal sess_authorised + sess_unauthorised",
                    ));
                }
            }
            Ok((
                year,
                CountsRow {
                    pupil: pupil.to_string(),
                    school,
                    sess_possible: possible,
                    sess_authorised: authorised,
                    sess_unauthorised: unauthorised,
                },
            ))
        })();
        let (year, counts_row) = match parsed {
            Ok(x) => x,
            Err(r) => {
                rejected.push(r);
                continue;
            }
        };
        // One row at a time, so that each outcome keeps its file row.
        let mut validated = validate_counts(std::slice::from_ref(&counts_row));
        if let Some(mut r) = validated.rejected.pop() {
            r.source_row = row;
            rejected.push(r);
            continue;
        }
        let Some(enrolment) = validated.accepted.pop() else {
            continue;
        };
        if !seen.insert((year, enrolment.school.clone(), enrolment.pupil.clone())) {
            rejected.push(RejectedRow {
                source_row: row,
                column: "pupil_id".to_string(),
                value: format!("{} {}", year.label(), enrolment.school),
                reason: "duplicate enrolment: an earlier row already gives this pupil's counts at this school in this year"
                    .to_string(),
                disposition: RowDisposition::Invalid,
            });
            continue;
        }
        accepted.push(YearEnrolmentCounts {
            year,
            enrolment,
            source_row: row,
        });
    }
    rejected.sort_by_key(|r| r.source_row);
    Ok(EnrolmentCountsImport {
        accepted,
        rejected,
        rows_read,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn mark(p: u64, school: &str, date: NaiveDate, s: Session, code: &str) -> SessionMark<u64> {
        SessionMark {
            pupil: p,
            school: SchoolId::new(school).unwrap(),
            date,
            session: s,
            code: code.to_string(),
        }
    }

    #[test]
    fn code_sets_have_unique_codes_and_expected_sizes() {
        for set in [CodeSet::Pre2024, CodeSet::From2024] {
            let codes: BTreeSet<_> = set.codes().iter().map(|c| c.code).collect();
            assert_eq!(codes.len(), set.codes().len(), "{set}");
            assert!(set.codes().iter().all(|c| c.set == set));
        }
        assert_eq!(CodeSet::Pre2024.codes().len(), 26);
        assert_eq!(CodeSet::From2024.codes().len(), 34);
        assert!(CodeSet::From2024.lookup("-").is_none());
    }

    #[test]
    fn pre_2024_categories_follow_the_2009_guidance() {
        let cat = |c: &str| CodeSet::Pre2024.lookup(c).unwrap().category;
        use AttendanceCategory::*;
        for c in ["/", "\\", "L"] {
            assert_eq!(cat(c), Present, "{c}");
        }
        for c in ["B", "J", "P", "V", "W"] {
            assert_eq!(cat(c), ApprovedEducationalActivity, "{c}");
        }
        for c in ["C", "E", "F", "H", "I", "M", "R", "S", "T"] {
            assert_eq!(cat(c), AuthorisedAbsence, "{c}");
        }
        for c in ["G", "N", "O", "U"] {
            assert_eq!(cat(c), UnauthorisedAbsence, "{c}");
        }
        for c in ["D", "X", "Y", "Z", "#"] {
            assert_eq!(cat(c), NotPossible, "{c}");
        }
        for c in ["K", "J1", "C1", "C2", "Q", "Y1"] {
            assert!(CodeSet::Pre2024.lookup(c).is_none(), "{c}");
        }
    }

    #[test]
    fn from_2024_categories_follow_the_2024_regulations() {
        let cat = |c: &str| CodeSet::From2024.lookup(c).unwrap().category;
        use AttendanceCategory::*;
        assert_eq!(cat("K"), ApprovedEducationalActivity);
        assert_eq!(cat("J1"), AuthorisedAbsence);
        assert_eq!(cat("C1"), AuthorisedAbsence);
        assert_eq!(cat("C2"), AuthorisedAbsence);
        assert_eq!(cat("G"), UnauthorisedAbsence);
        for c in [
            "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "X", "D", "Z", "#",
        ] {
            assert_eq!(cat(c), NotPossible, "{c}");
        }
        for c in ["H", "F", "J", "Y"] {
            assert!(CodeSet::From2024.lookup(c).is_none(), "{c}");
        }
    }

    #[test]
    fn set_switches_on_19_august_2024() {
        assert_eq!(CodeSet::in_force_on(d(2024, 8, 18)), CodeSet::Pre2024);
        assert_eq!(CodeSet::in_force_on(d(2024, 8, 19)), CodeSet::From2024);
        assert!(classify_code("J1", d(2024, 7, 1)).is_err());
        assert!(classify_code("H", d(2024, 9, 2)).is_err());
        assert_eq!(
            classify_code("J", d(2024, 7, 1)).unwrap().category,
            AttendanceCategory::ApprovedEducationalActivity
        );
        assert_eq!(
            classify_code(" J1 ", d(2024, 9, 2)).unwrap().category,
            AttendanceCategory::AuthorisedAbsence
        );
        let e = classify_code("H", d(2024, 9, 2)).unwrap_err().to_string();
        assert!(e.contains("belongs to the pre-2024"), "{e}");
        assert!(classify_code("l", d(2024, 9, 2)).is_err());
    }

    #[test]
    fn mixed_dates_use_the_right_set_and_reject_the_wrong_ones() {
        let marks = vec![
            mark(1, "S1", d(2024, 7, 1), Session::Am, "J"),
            mark(1, "S1", d(2024, 7, 1), Session::Pm, "J1"),
            mark(1, "S1", d(2024, 9, 2), Session::Am, "J1"),
            mark(1, "S1", d(2024, 9, 2), Session::Pm, "H"),
            mark(1, "S1", d(2024, 9, 3), Session::Am, "??"),
            mark(1, "S1", d(2024, 9, 2), Session::Am, "/"),
        ];
        let c = classify_marks(&marks);
        assert_eq!(c.accepted.len(), 2);
        assert_eq!(c.rejected.len(), 4);
        assert_eq!(c.accepted[0].code.set, CodeSet::Pre2024);
        assert_eq!(
            c.accepted[0].code.category,
            AttendanceCategory::ApprovedEducationalActivity
        );
        assert_eq!(c.accepted[1].code.set, CodeSet::From2024);
        assert_eq!(
            c.accepted[1].code.category,
            AttendanceCategory::AuthorisedAbsence
        );
        let rows: Vec<u64> = c.rejected.iter().map(|r| r.source_row).collect();
        assert_eq!(rows, vec![2, 4, 5, 6]);
        assert_eq!(c.rejected[3].column, "session");
    }

    #[test]
    fn exactly_ten_percent_is_persistent_absence() {
        // 38 of 380 possible sessions = exactly 10%.
        let c = AbsenceCounts::new(380, 30, 8).unwrap();
        let m = c.measures(AbsenceThreshold::default());
        assert_eq!(m.persistent_absentee, Some(true));
        let c = AbsenceCounts::new(380, 30, 7).unwrap();
        assert_eq!(
            c.measures(AbsenceThreshold::default()).persistent_absentee,
            Some(false)
        );
        // 0.1 * 10 in floating point is not an issue for integers: 1 of 10.
        let c = AbsenceCounts::new(10, 1, 0).unwrap();
        assert_eq!(
            c.measures(AbsenceThreshold::default()).persistent_absentee,
            Some(true)
        );
        // Severe: exactly half.
        let c = AbsenceCounts::new(10, 3, 2).unwrap();
        assert_eq!(
            c.measures(AbsenceThreshold::default()).severe_absentee,
            Some(true)
        );
        let c = AbsenceCounts::new(10, 3, 1).unwrap();
        assert_eq!(
            c.measures(AbsenceThreshold::default()).severe_absentee,
            Some(false)
        );
    }

    #[test]
    fn historical_thresholds() {
        let c = AbsenceCounts::new(100, 15, 0).unwrap();
        assert_eq!(
            c.measures(AbsenceThreshold::PERSISTENT_15_PERCENT)
                .persistent_absentee,
            Some(true)
        );
        assert_eq!(
            c.measures(AbsenceThreshold::PERSISTENT_20_PERCENT)
                .persistent_absentee,
            Some(false)
        );
        let y = |s| AbsenceThreshold::persistent_for(AcademicYear::new(s).unwrap());
        assert_eq!(y(2015).unwrap(), AbsenceThreshold::PERSISTENT_10_PERCENT);
        assert_eq!(y(2014).unwrap(), AbsenceThreshold::PERSISTENT_15_PERCENT);
        assert_eq!(y(2010).unwrap(), AbsenceThreshold::PERSISTENT_15_PERCENT);
        assert_eq!(y(2009).unwrap(), AbsenceThreshold::PERSISTENT_20_PERCENT);
        assert!(y(2004).is_err());
        assert!(AbsenceThreshold::from_percent(0).is_err());
        assert!(AbsenceThreshold::from_percent(101).is_err());
        assert_eq!(
            AbsenceThreshold::from_basis_points(1250)
                .unwrap()
                .basis_points(),
            1250
        );
    }

    #[test]
    fn zero_possible_sessions_give_undefined_rates() {
        let m = AbsenceCounts::new(0, 0, 0)
            .unwrap()
            .measures(AbsenceThreshold::default());
        assert_eq!(m.attendance_rate, None);
        assert_eq!(m.persistent_absentee, None);
        assert_eq!(m.severe_absentee, None);
    }

    #[test]
    fn counts_validation() {
        assert!(AbsenceCounts::new(10, 6, 5).is_err());
        assert!(AbsenceCounts::new(10, u64::MAX, 1).is_err());
        assert!(AbsenceCounts::from_dfe(-1, 0, 0).is_err());
        let rows = vec![
            CountsRow {
                pupil: 1u64,
                school: SchoolId::new("A").unwrap(),
                sess_possible: 10,
                sess_authorised: 1,
                sess_unauthorised: 1,
            },
            CountsRow {
                pupil: 2u64,
                school: SchoolId::new("A").unwrap(),
                sess_possible: 10,
                sess_authorised: -1,
                sess_unauthorised: 1,
            },
            CountsRow {
                pupil: 3u64,
                school: SchoolId::new("A").unwrap(),
                sess_possible: 10,
                sess_authorised: 9,
                sess_unauthorised: 2,
            },
        ];
        let v = validate_counts(&rows);
        assert_eq!(v.accepted.len(), 1);
        assert_eq!(v.rejected.len(), 2);
        assert_eq!(v.rejected[0].column, "sess_authorised");
        assert_eq!(v.rejected[0].source_row, 2);
        assert_eq!(v.rejected[1].source_row, 3);
    }

    #[test]
    fn code_x_is_not_a_possible_session() {
        let marks = vec![
            mark(1, "S1", d(2023, 9, 4), Session::Am, "/"),
            mark(1, "S1", d(2023, 9, 4), Session::Pm, "X"),
            mark(1, "S1", d(2023, 9, 5), Session::Am, "I"),
            mark(1, "S1", d(2023, 9, 5), Session::Pm, "X"),
        ];
        let c = classify_marks(&marks);
        let year = AcademicYear::new(2023).unwrap().period();
        let e = enrolment_summaries(&c.accepted, &year, AbsenceThreshold::default());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].measures.possible, 2);
        assert_eq!(e[0].tally.not_possible, 2);
        assert_eq!(e[0].measures.overall_absence_rate, Some(0.5));
    }

    #[test]
    fn group_rates_sum_sessions_first() {
        // Pupil A: 1 absence of 2 possible (50%); pupil B: 0 of 8 (0%).
        // Mean of rates would be 25%; the DfE rate is 1/10 = 10%.
        let counts = [
            AbsenceCounts::new(2, 1, 0).unwrap(),
            AbsenceCounts::new(8, 0, 0).unwrap(),
            AbsenceCounts::new(0, 0, 0).unwrap(),
        ];
        let g = group_summary(&counts, AbsenceThreshold::default()).unwrap();
        assert_eq!(g.possible, 10);
        assert_eq!(g.overall_absence_rate, Some(0.1));
        assert_eq!(g.units, 3);
        assert_eq!(g.units_with_possible_sessions, 2);
        assert_eq!(g.persistent_absentees, 1);
        assert_eq!(g.persistent_absence_rate, Some(0.5));
        assert_eq!(g.severe_absentees, 1);
        let empty: [AbsenceCounts; 0] = [];
        let g = group_summary(&empty, AbsenceThreshold::default()).unwrap();
        assert_eq!(g.overall_absence_rate, None);
        assert_eq!(g.persistent_absence_rate, None);
    }

    #[test]
    fn pupil_view_sums_across_schools() {
        let marks = vec![
            mark(7, "S1", d(2023, 9, 4), Session::Am, "O"),
            mark(7, "S1", d(2023, 9, 4), Session::Pm, "/"),
            mark(7, "S2", d(2024, 1, 8), Session::Am, "/"),
            mark(7, "S2", d(2024, 1, 8), Session::Pm, "/"),
            mark(7, "S2", d(2024, 1, 9), Session::Am, "/"),
            mark(7, "S2", d(2024, 1, 9), Session::Pm, "/"),
        ];
        let c = classify_marks(&marks);
        let y = AcademicYear::new(2023).unwrap().period();
        let e = enrolment_summaries(&c.accepted, &y, AbsenceThreshold::default());
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].measures.persistent_absentee, Some(true));
        assert_eq!(e[1].measures.persistent_absentee, Some(false));
        let p = pupil_summaries(&c.accepted, &y, AbsenceThreshold::default());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].enrolments, 2);
        assert_eq!(p[0].measures.possible, 6);
        assert_eq!(p[0].measures.unauthorised, 1);
        assert_eq!(p[0].measures.persistent_absentee, Some(true)); // 1/6 ≥ 10%
    }

    #[test]
    fn periods() {
        let y = AcademicYear::parse("2024/25").unwrap();
        assert_eq!(y.first_day(), d(2024, 9, 1));
        assert_eq!(y.last_day(), d(2025, 8, 31));
        assert_eq!(y.label(), "2024/25");
        assert_eq!(AcademicYear::parse("202425").unwrap(), y);
        assert_eq!(AcademicYear::parse("1999/00").unwrap().start_year(), 1999);
        assert!(AcademicYear::parse("2024/26").is_err());
        assert!(AcademicYear::parse("20x4/25").is_err());
        assert!(AcademicYear::parse("é02425").is_err());
        assert_eq!(
            AcademicYear::containing(d(2024, 8, 31))
                .unwrap()
                .start_year(),
            2023
        );
        assert_eq!(
            AcademicYear::containing(d(2024, 9, 1))
                .unwrap()
                .start_year(),
            2024
        );
        let w = RelativeWindow::new(-30, -1)
            .unwrap()
            .around(d(2024, 3, 1))
            .unwrap();
        assert_eq!(w.start(), d(2024, 1, 31));
        assert_eq!(w.end(), d(2024, 2, 29));
        assert!(RelativeWindow::new(5, 1).is_err());
        assert!(LabelledPeriod::new("t", d(2024, 2, 1), d(2024, 1, 1)).is_err());
        assert!(RelativeWindow::new(0, 100_000)
            .unwrap()
            .around(NaiveDate::MAX)
            .is_err());
    }

    #[test]
    fn register_csv_rejects_with_source_rows() {
        let text = "pupil_id,school_urn,date,session,code\n\
p1,S1,2024-07-01,AM,J\n\
p1,S1,2024-07-01,PM,J1\n\
p1,S1,2024-13-01,AM,/\n\
p1,S1,2024-09-02,XX,/\n\
,S1,2024-09-02,AM,/\n\
p1,S1,2024-09-02,AM,J1\n\
p1,S1,2024-09-02,AM,/\n\
p1,S1\n";
        let r = read_register_csv("reg.csv", text.as_bytes()).unwrap();
        assert_eq!(r.rows_read, 8);
        assert_eq!(r.accepted.len(), 2);
        let got: Vec<(u64, &str)> = r
            .rejected
            .iter()
            .map(|x| (x.source_row, x.column.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "code"),
                (3, "date"),
                (4, "session"),
                (5, "pupil_id"),
                (7, "session"),
                (8, "(record)")
            ]
        );
        assert!(read_register_csv("reg.csv", "pupil_id,date\n".as_bytes()).is_err());
    }

    #[test]
    fn session_and_school_parsing() {
        assert_eq!(Session::parse(" am ").unwrap(), Session::Am);
        assert!(Session::parse("morning").is_err());
        assert!(SchoolId::new("  ").is_err());
        assert_eq!(SchoolId::new(" 100001 ").unwrap().as_str(), "100001");
    }
}
