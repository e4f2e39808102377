//! Checks that run before an input is trusted: the file's shape (line endings,
//! encoding, a header row at all) and its column names (unknown, near-miss,
//! duplicated or mapped onto each other), and, when the engine refuses a CSV
//! file, finding the row and column it stumbled on.
//!
//! Loading refuses to guess. A header spelt `Count` is not silently ignored
//! while every event counts as 1; a file with old Mac line endings is not read
//! as zero rows; a file without a header row is not echoed back, identifiers
//! and all, as "columns present".

use std::io::Read;

use super::loaders::Source;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::names::{distance, nearest, normalise};

/// What a dataset does with columns it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Others {
    /// Every other column is an error naming it (and the nearest expected name).
    Refused,
    /// Other columns are data (the cohort's covariates), unless they are a near
    /// miss of an expected name.
    Kept,
}

/// The columns a dataset expects, by canonical name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected<'a> {
    pub required: &'a [&'a str],
    pub optional: &'a [&'a str],
    pub others: Others,
}

/// How much of a CSV file is looked at for its line endings.
const PREFIX: u64 = 1 << 16;

/// The size of the blocks a CSV file is scanned in.
const BLOCK: usize = 1 << 20;

/// What the shape scan of a CSV file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CsvShape {
    /// Fields in the header row.
    pub fields: usize,
    /// Data rows after the header (a blank line is a row, as the engine reads it).
    pub rows: u64,
}

/// Scan a CSV file's bytes before the engine reads it, with the engine's own
/// reading of quotes (a `"` anywhere opens or closes a quoted stretch; commas
/// and line ends inside one are data), and refuse what it would misread or
/// silently pad:
/// - an empty file, or one whose lines end in a lone carriage return (CR);
/// - a row with more or fewer fields than the header (a ragged row, or a
///   quote opened and not closed before the line ends);
/// - a quote still open at the end of the file;
/// - bytes that are not UTF-8 text.
///
/// Errors name the file, the data row (and line) and, for encoding, the
/// column; never a value. Parquet files are not scanned (their schema is
/// typed). One sequential pass over the bytes, in blocks.
///
/// `expected` are the file's names of the columns the dataset expects: a
/// column is named in an error by its header only when the header names at
/// least one of them (otherwise the first row may be data, and the column is
/// named by its position).
pub(crate) fn scan_csv(src: &Source, expected: &[&str]) -> Result<Option<CsvShape>> {
    if src.is_parquet() {
        return Ok(None);
    }
    let io_err = |e| Error::io(src.path(), e);
    let mut file = std::fs::File::open(src.path()).map_err(io_err)?;
    let here = || Location::source(src.name());
    let mut head = Vec::new();
    (&mut file)
        .take(PREFIX)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::malformed(
            here(),
            "the file is empty: there is not even a header row",
        ));
    }
    let cr = head.iter().position(|&b| b == b'\r');
    let lf = head.iter().position(|&b| b == b'\n');
    if let Some(r) = cr {
        let lone = head.get(r + 1).is_some_and(|&b| b != b'\n');
        if lone && lf.is_none_or(|n| r < n) {
            return Err(Error::malformed(
                here(),
                "lines end in a lone carriage return (CR, old Mac line endings), so its rows \
                 cannot be told apart; save it with LF or CRLF line endings",
            ));
        }
    }
    let mut scan = Scanner {
        expected: expected.iter().map(|e| e.to_string()).collect(),
        ..Scanner::default()
    };
    let mut pending: Vec<u8> = Vec::new();
    let mut block = head;
    loop {
        if block.is_empty() {
            break;
        }
        // UTF-8, across block boundaries: an incomplete sequence at the end
        // of a block is carried into the next.
        pending.extend_from_slice(&block);
        let valid = match std::str::from_utf8(&pending) {
            Ok(_) => pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => {
                // The rows before the bad bytes are checked first: an earlier
                // fault is the one to report.
                scan.feed(&pending[..e.valid_up_to()])
                    .map_err(|f| f.error(src))?;
                let (row, column) = scan.position();
                return Err(scan.encoding_error(src, row, column));
            }
        };
        scan.feed(&pending[..valid]).map_err(|f| f.error(src))?;
        pending.drain(..valid);
        block = Vec::with_capacity(BLOCK);
        (&mut file)
            .take(BLOCK as u64)
            .read_to_end(&mut block)
            .map_err(io_err)?;
    }
    if !pending.is_empty() {
        let (row, column) = scan.position();
        return Err(scan.encoding_error(src, row, column));
    }
    scan.finish().map_err(|f| f.error(src))
}

/// A fault the scan found: which data row (0 = the header), which line, what.
#[derive(Debug)]
struct Fault {
    row: u64,
    line: u64,
    detail: String,
}

impl Fault {
    fn error(self, src: &Source) -> Error {
        let loc = Location::source(src.name());
        let loc = if self.row == 0 {
            loc
        } else {
            loc.row(self.row)
        };
        let what = if self.row == 0 {
            "the header row"
        } else {
            "the row"
        };
        Error::malformed(loc, format!("{what} (line {}) {}", self.line, self.detail))
    }
}

/// Bit `i` set where byte `i` of a 64-byte block is a comma, a line end, a
/// carriage return: four 16-byte vector compares each (SSE2, which every
/// x86-64 processor has), or a plain loop elsewhere.
#[inline]
fn masks(block: &[u8]) -> (u64, u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86-64 baseline, so its intrinsics are
        // always available there; each load reads 16 bytes of `lane`, which
        // has exactly 16, unaligned loads being allowed.
        unsafe {
            let (mut comma, mut line, mut cr) = (0u64, 0u64, 0u64);
            let (c, l, r) = (
                _mm_set1_epi8(b',' as i8),
                _mm_set1_epi8(b'\n' as i8),
                _mm_set1_epi8(b'\r' as i8),
            );
            for (j, lane) in block.chunks_exact(16).take(4).enumerate() {
                let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
                let bits = |m| u64::from(_mm_movemask_epi8(m) as u16) << (16 * j);
                comma |= bits(_mm_cmpeq_epi8(v, c));
                line |= bits(_mm_cmpeq_epi8(v, l));
                cr |= bits(_mm_cmpeq_epi8(v, r));
            }
            (comma, line, cr)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut comma, mut line, mut cr) = (0u64, 0u64, 0u64);
        for (i, &b) in block.iter().enumerate().take(64) {
            comma |= u64::from(b == b',') << i;
            line |= u64::from(b == b'\n') << i;
            cr |= u64::from(b == b'\r') << i;
        }
        (comma, line, cr)
    }
}

/// The bits from `lo` (inclusive) to `hi` (exclusive) of a word.
#[inline]
fn bits_between(lo: u32, hi: u32) -> u64 {
    let below = |n: u32| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    below(hi) & !below(lo)
}

/// The state of the shape scan between blocks.
#[derive(Debug, Default)]
struct Scanner {
    quoted: bool,
    /// Commas outside quotes in the current row.
    commas: usize,
    /// The current row has a byte other than a carriage return.
    any: bool,
    /// Lines before the current position (so the current line is `lines + 1`).
    lines: u64,
    /// The line the current row started on, and its index (0 = header).
    row_line: u64,
    row: u64,
    header_fields: Option<usize>,
    header_names: Vec<String>,
    header_bytes: Vec<u8>,
    /// The expected column names (see [`scan_csv`]).
    expected: Vec<String>,
}

impl Scanner {
    /// Scan `bytes`. A stretch with no quote at all (most files) is taken 64
    /// bytes at a time as bit masks of its commas, line ends and carriage
    /// returns (loops the compiler turns into vector compares); a stretch with
    /// a quote goes byte by byte.
    fn feed(&mut self, bytes: &[u8]) -> std::result::Result<(), Fault> {
        let mut start = 0;
        if self.quoted || memchr::memchr(b'"', bytes).is_some() {
            for i in 0..bytes.len() {
                self.byte(bytes, i, &mut start)?;
            }
        } else {
            let blocks = bytes.chunks_exact(64);
            let tail = blocks.remainder();
            for (k, block) in blocks.enumerate() {
                let (comma, line, cr) = masks(block);
                if line == 0 {
                    self.commas += comma.count_ones() as usize;
                    self.any |= cr != u64::MAX;
                    continue;
                }
                let data = !(line | cr);
                let mut lines = line;
                let mut from = 0u32;
                while lines != 0 {
                    let bit = lines.trailing_zeros();
                    let part = bits_between(from, bit);
                    self.commas += (comma & part).count_ones() as usize;
                    self.any |= data & part != 0;
                    self.lines += 1;
                    let end = 64 * k + bit as usize;
                    if self.header_fields.is_none() {
                        self.header_bytes.extend_from_slice(&bytes[start..end]);
                    }
                    self.end_row()?;
                    start = end + 1;
                    from = bit + 1;
                    lines &= lines - 1;
                }
                let part = bits_between(from, 64);
                self.commas += (comma & part).count_ones() as usize;
                self.any |= data & part != 0;
            }
            let at = bytes.len() - tail.len();
            for i in at..bytes.len() {
                self.byte(bytes, i, &mut start)?;
            }
        }
        if self.header_fields.is_none() {
            self.header_bytes.extend_from_slice(&bytes[start..]);
        }
        Ok(())
    }

    /// One byte of [`Scanner::feed`]; `start` is where the current row began
    /// within `bytes` (for the header's text).
    fn byte(
        &mut self,
        bytes: &[u8],
        i: usize,
        start: &mut usize,
    ) -> std::result::Result<(), Fault> {
        match bytes[i] {
            b'"' => {
                self.quoted = !self.quoted;
                self.any = true;
            }
            b',' if !self.quoted => {
                self.commas += 1;
                self.any = true;
            }
            b'\n' => {
                self.lines += 1;
                if !self.quoted {
                    if self.header_fields.is_none() {
                        self.header_bytes.extend_from_slice(&bytes[*start..i]);
                    }
                    self.end_row()?;
                    *start = i + 1;
                }
            }
            b'\r' => {}
            _ => self.any = true,
        }
        Ok(())
    }

    #[inline]
    fn end_row(&mut self) -> std::result::Result<(), Fault> {
        let fields = self.commas + 1;
        match self.header_fields {
            None => self.take_header(fields),
            // A blank line is a row of blanks, as the engine reads it.
            Some(h) if self.any && fields != h => return Err(self.ragged(fields, h)),
            Some(_) => {}
        }
        self.row += 1;
        self.row_line = self.lines;
        self.commas = 0;
        self.any = false;
        Ok(())
    }

    #[cold]
    fn take_header(&mut self, fields: usize) {
        self.header_fields = Some(fields);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(self.header_bytes.as_slice());
        let mut rec = csv::StringRecord::new();
        if rdr.read_record(&mut rec).unwrap_or(false) {
            self.header_names = rec.iter().map(str::to_string).collect();
        }
    }

    #[cold]
    fn ragged(&self, fields: usize, h: usize) -> Fault {
        Fault {
            row: self.row,
            line: self.row_line + 1,
            detail: format!(
                "has {fields} fields where the header has {h} (a ragged row, or a quote \
                 opened and not closed)"
            ),
        }
    }

    fn finish(mut self) -> std::result::Result<Option<CsvShape>, Fault> {
        if self.quoted {
            return Err(Fault {
                row: self.row,
                line: self.row_line + 1,
                detail: "opens a quote that is never closed".into(),
            });
        }
        if self.any {
            self.end_row()?;
        }
        Ok(Some(CsvShape {
            fields: self.header_fields.unwrap_or(0),
            rows: self.row.saturating_sub(1),
        }))
    }

    /// The data row and the column (0-based) the scan has reached.
    fn position(&self) -> (u64, usize) {
        (self.row, self.commas)
    }

    fn encoding_error(&self, src: &Source, row: u64, column: usize) -> Error {
        let loc = Location::source(src.name());
        if row == 0 {
            return Error::malformed(
                loc,
                "the header row is not valid UTF-8 text; save the file as UTF-8",
            );
        }
        let is_header = self.header_names.iter().any(|h| self.expected.contains(h));
        let name = self
            .header_names
            .get(column)
            .filter(|_| is_header)
            .cloned()
            .unwrap_or_else(|| format!("#{}", column + 1));
        Error::malformed(
            loc.row(row).column(name),
            "is not valid UTF-8 text; save the file as UTF-8",
        )
    }
}

/// Check a file's column names (`present`, as in the file) against what the
/// dataset expects, after the file's own column mapping.
///
/// The order of the checks is what keeps identifiers out of messages: a file
/// whose first row names none of the expected columns (nor a misspelling of one)
/// has no header row, so nothing of that row is echoed.
pub(crate) fn check_columns(src: &Source, present: &[String], exp: &Expected<'_>) -> Result<()> {
    let map = src.column_map();
    let expected: Vec<&str> = exp
        .required
        .iter()
        .chain(exp.optional)
        .map(|c| map.source_name(c))
        .collect();
    let canonical = |p: &str| -> String { map.canonical_of(p).unwrap_or(p).to_string() };
    let is_expected = |p: &str| {
        let c = canonical(p);
        exp.required.contains(&c.as_str()) || exp.optional.contains(&c.as_str())
    };
    let known = present.iter().filter(|p| is_expected(p)).count();
    let near: Vec<(&String, &str)> = present
        .iter()
        .filter(|p| !is_expected(p))
        .filter_map(|p| match nearest(p, &expected) {
            Some((e, true)) => Some((p, e)),
            _ => None,
        })
        .collect();
    if known == 0 && near.is_empty() {
        return Err(Error::malformed(
            Location::source(src.name()),
            format!(
                "the first row is not a header naming the columns: none of the expected \
                 columns ({}) is there (its values are not shown: they may be data)",
                expected.join(", ")
            ),
        ));
    }
    for (i, p) in present.iter().enumerate() {
        if present[..i].contains(p) {
            return Err(Error::malformed(
                Location::source(src.name()).column(p.as_str()),
                "the header names this column twice",
            ));
        }
    }
    for (canon, in_file) in map.pairs() {
        let expected_here = exp.required.contains(&canon) || exp.optional.contains(&canon);
        if expected_here
            && canon != in_file
            && present.iter().any(|p| p == canon)
            && present.iter().any(|p| p == in_file)
        {
            return Err(Error::malformed(
                Location::source(src.name()).column(in_file),
                format!(
                    "is mapped to `{canon}`, but the file also has a column named `{canon}`; \
                     rename one of them or drop the mapping"
                ),
            ));
        }
    }
    if let Some((p, e)) = near.first() {
        return Err(Error::unknown_column(
            src.name(),
            p.as_str(),
            Some(e),
            &expected,
        ));
    }
    if exp.others == Others::Refused {
        if let Some(p) = present.iter().find(|p| !is_expected(p)) {
            let hint = nearest(p, &expected)
                .filter(|(e, _)| distance(&normalise(p), &normalise(e)) * 2 <= normalise(e).len())
                .map(|(e, _)| e);
            return Err(Error::unknown_column(src.name(), p, hint, &expected));
        }
    }
    for c in exp.required {
        let in_file = map.source_name(c);
        if !present.iter().any(|p| p == in_file) {
            return Err(Error::missing_column(
                src.name(),
                in_file,
                present,
                &expected,
            ));
        }
    }
    Ok(())
}

/// An engine error while reading a file the shape scan passed: named by the
/// file. The engine's own message is kept only when it quotes no data (it is
/// about the engine, not a value); otherwise it is withheld, since a value in
/// a person's row may be an identifier.
pub(crate) fn engine_error(src: &Source, e: Error) -> Error {
    match e.kind() {
        ErrorKind::Frame { context, .. } => Error::malformed(
            Location::source(src.name()),
            format!(
                "the data engine could not read the file while {context} (its message is \
                 withheld, as it may quote a value from the file)"
            ),
        ),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::io::ColumnMap;

    fn tmp(name: &str, bytes: &[u8]) -> Source {
        let dir = std::env::temp_dir().join(format!("outcomes-preflight-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        Source::new(p)
    }

    const EVENTS: Expected<'static> = Expected {
        required: &["person_id", "date", "category"],
        optional: &["count"],
        others: Others::Refused,
    };

    /// The scan with the test files' column names expected.
    fn scan_csv_t(src: &Source) -> Result<Option<CsvShape>> {
        scan_csv(src, &["a", "b", "c", "person_id", "date"])
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cr_only_line_endings_are_refused_and_crlf_is_not() {
        let cr = tmp("cr.csv", b"person_id,date\rp1,2024-01-01\rp2,2024-01-02\r");
        let e = scan_csv_t(&cr).unwrap_err().to_string();
        assert!(e.contains("cr.csv") && e.contains("carriage return"), "{e}");
        let crlf = tmp("crlf.csv", b"person_id,date\r\np1,2024-01-01\r\n");
        scan_csv_t(&crlf).unwrap();
        let lf = tmp("lf.csv", b"person_id,date\np1,2024-01-01\n");
        scan_csv_t(&lf).unwrap();
    }

    #[test]
    fn empty_files_and_non_utf8_headers_are_refused() {
        let e = scan_csv_t(&tmp("empty.csv", b"")).unwrap_err().to_string();
        assert!(e.contains("empty.csv") && e.contains("empty"), "{e}");
        let e = scan_csv_t(&tmp("ws.csv", b"\n\n")).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Malformed { .. }));
        let e = scan_csv_t(&tmp("latin1.csv", b"person_id,d\xe9te\np,1\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn a_near_miss_header_names_the_nearest_expected_column() {
        let src = Source::new("events.csv");
        for (bad, want) in [
            ("Count", "count"),
            ("COUNT", "count"),
            ("cuont", "count"),
            ("Person ID", "person_id"),
            ("catgory", "category"),
        ] {
            let present = names(&["person_id", "date", "category", bad]);
            let present: Vec<String> = if want == "count" {
                present
            } else {
                present.into_iter().filter(|p| p != want).collect()
            };
            let e = check_columns(&src, &present, &EVENTS).unwrap_err();
            match e.kind() {
                ErrorKind::UnknownColumn {
                    column, nearest, ..
                } => {
                    assert_eq!(column, bad);
                    assert_eq!(nearest.as_deref(), Some(want), "{bad}");
                }
                other => panic!("{bad}: {other:?}"),
            }
            assert!(e.to_string().contains("events.csv"), "{e}");
        }
    }

    #[test]
    fn unknown_columns_are_refused_unless_the_dataset_keeps_them() {
        let src = Source::new("events.csv");
        let present = names(&["person_id", "date", "category", "notes"]);
        let e = check_columns(&src, &present, &EVENTS).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::UnknownColumn { nearest: None, .. }),
            "{e:?}"
        );
        let kept = Expected {
            others: Others::Kept,
            ..EVENTS
        };
        check_columns(&src, &present, &kept).unwrap();
        // A near miss is refused even where other columns are kept.
        let present = names(&["person_id", "date", "category", "Count"]);
        assert!(check_columns(&src, &present, &kept).is_err());
    }

    #[test]
    fn a_file_without_a_header_is_not_echoed() {
        let src = Source::new("events.csv");
        let present = names(&["ZX81-SECRET-ID", "2024-01-01", "ae_attendance", "1"]);
        let e = check_columns(&src, &present, &EVENTS)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a header"), "{e}");
        assert!(!e.contains("ZX81"), "{e}");
    }

    #[test]
    fn mapped_columns_are_checked_against_the_file() {
        let map = ColumnMap::new().map("person_id", "Client");
        let src = Source::new("events.csv").columns(map);
        check_columns(&src, &names(&["Client", "date", "category"]), &EVENTS).unwrap();
        let e = check_columns(
            &src,
            &names(&["Client", "person_id", "date", "category"]),
            &EVENTS,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("mapped to `person_id`"), "{e}");
        let e = check_columns(
            &src,
            &names(&["date", "category", "Client", "date"]),
            &EVENTS,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("twice"), "{e}");
        let e = check_columns(&src, &names(&["date", "category"]), &EVENTS).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::MissingColumn { .. }));
    }

    #[test]
    fn ragged_mis_quoted_and_mis_encoded_rows_are_located_without_their_values() {
        let err = |name: &str, bytes: &[u8]| scan_csv_t(&tmp(name, bytes)).unwrap_err().to_string();
        let e = err("long.csv", b"a,b,c\n1,2,3\n4,5,6,7\n");
        assert!(
            e.contains("long.csv, row 2") && e.contains("4 fields"),
            "{e}"
        );
        let e = err("short.csv", b"a,b,c\n1,2,3\n4,5\n");
        assert!(e.contains("row 2") && e.contains("2 fields"), "{e}");
        let e = err("open.csv", b"a,b,c\n1,2,3\n\"4,5,6\n7,8,9\n");
        assert!(e.contains("row 2") && e.contains("never closed"), "{e}");
        let e = err("mid.csv", b"a,b,c\n1,2,3\n4\"x,5,6\n7,8,9\n");
        assert!(e.contains("row 2"), "{e}");
        let e = err("bytes.csv", b"a,b,c\n1,2,3\n4,\xff\xfe,6\n");
        assert!(
            e.contains("row 2") && e.contains("column `b`") && e.contains("UTF-8"),
            "{e}"
        );
        assert!(!e.contains('\u{fffd}'), "{e}");
        let e = err("head.csv", b"a,\xe9,c\n1,2,3\n");
        assert!(e.contains("header row") && e.contains("UTF-8"), "{e}");
        // A field quoted to hold commas and a line end is one field.
        let ok = scan_csv_t(&tmp("quoted.csv", b"a,b,c\n1,\"x, \"\"y\"\"\nz\",3\n4,5,6")).unwrap();
        assert_eq!(ok, Some(CsvShape { fields: 3, rows: 2 }));
        // A blank line is a row, as the engine reads it; CRLF is fine.
        let ok = scan_csv_t(&tmp("blank.csv", b"a,b\r\n1,2\r\n\r\n3,4\r\n")).unwrap();
        assert_eq!(ok, Some(CsvShape { fields: 2, rows: 3 }));
    }

    #[test]
    fn the_scan_agrees_across_block_boundaries() {
        // Rows of multi-byte text straddling the 1 MiB blocks, then a bad one.
        let mut text = b"a,b\n".to_vec();
        let row = "é,ü€\n".as_bytes();
        let n = 3 * BLOCK / row.len();
        for _ in 0..n {
            text.extend_from_slice(row);
        }
        let src = tmp("blocks.csv", &text);
        assert_eq!(
            scan_csv_t(&src).unwrap(),
            Some(CsvShape {
                fields: 2,
                rows: n as u64
            })
        );
        text.extend_from_slice(b"1,2,3\n");
        let e = scan_csv_t(&tmp("blocks_bad.csv", &text))
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("row {}", n + 1)), "{e}");
    }

    /// The line-at-a-time scan agrees with a byte-at-a-time one on every
    /// split of a file, with and without quotes, blank rows and CRLF.
    #[test]
    fn the_line_scan_agrees_with_the_byte_scan() {
        for (text, rows) in [
            (
                &b"a,b,c\r\n1,\"x,\ny\",3\n\n,,\r\n4,5,6\n\"\"\"q\",7,8\n9,10,11"[..],
                6,
            ),
            (&b"a,b,c\r\n1,x,3\n\n,,\r\n4,5,6\nq,7,8\n9,10,11\n"[..], 6),
        ] {
            split_agrees(text, rows);
        }
    }

    fn split_agrees(text: &[u8], rows: u64) {
        let by_bytes = {
            let mut s = Scanner::default();
            let mut start = 0;
            for i in 0..text.len() {
                s.byte(text, i, &mut start).unwrap();
            }
            s.finish().unwrap()
        };
        assert_eq!(by_bytes, Some(CsvShape { fields: 3, rows }));
        for cut in 0..text.len() {
            let mut s = Scanner::default();
            s.feed(&text[..cut]).unwrap();
            s.feed(&text[cut..]).unwrap();
            assert_eq!(s.finish().unwrap(), by_bytes, "split at {cut}");
        }
    }

    #[test]
    fn distance_and_nearness() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(nearest("Count", &["count", "date"]), Some(("count", true)));
        assert_eq!(
            nearest("notes", &["count", "date"]).map(|n| n.1),
            Some(false)
        );
    }
}
