//! Excel (`.xlsx`) writer, using `rust_xlsxwriter`.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::disclosure::{ClearedTable, PublishedCell, NOT_APPLICABLE, NOT_AVAILABLE};
use crate::error::{Error, Result};

const DISCLOSURE_SHEET: &str = "Disclosure";
const MAX_SHEET_NAME: usize = 31;

fn xlsx_err(path: &Path, e: XlsxError) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
}

/// A valid, unique sheet name from a title: characters Excel forbids
/// (`[]:*?/\`) replaced by spaces, at most 31 characters, never
/// `Disclosure`, de-duplicated with a ` (2)`, ` (3)`... suffix.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let base = if cleaned.is_empty() { "Table" } else { cleaned };
    let clash = |n: &str| {
        n.eq_ignore_ascii_case(DISCLOSURE_SHEET)
            || taken.iter().any(|t| t.to_lowercase() == n.to_lowercase())
    };
    let truncate = |s: &str, n: usize| s.chars().take(n).collect::<String>().trim_end().to_owned();
    let first = truncate(base, MAX_SHEET_NAME);
    if !clash(&first) {
        return first;
    }
    let mut k = 2usize;
    loop {
        let suffix = format!(" ({k})");
        let name = format!("{}{suffix}", truncate(base, MAX_SHEET_NAME - suffix.len()));
        if !clash(&name) {
            return name;
        }
        k += 1;
    }
}

fn write_table(
    ws: &mut Worksheet,
    t: &ClearedTable,
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, t.title(), bold)?;
    ws.write_string(
        1,
        0,
        format!(
            "Disclosure control: {} {}",
            t.policy().description(),
            t.symbol_key()
        ),
    )?;
    let header_row = 3u32;
    for (c, col) in t.columns().iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(header_row, c, col.name(), bold)?;
    }
    for r in 0..t.n_rows() {
        let row = u32::try_from(r)
            .ok()
            .and_then(|r| r.checked_add(header_row + 1))
            .ok_or(XlsxError::RowColumnLimitError)?;
        for c in 0..t.columns().len() {
            let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            let decimals = t
                .columns()
                .get(c)
                .map_or(0, |cd| usize::from(cd.decimals()));
            let num_fmt = if decimals == 0 {
                "0".to_owned()
            } else {
                format!("0.{}", "0".repeat(decimals))
            };
            let mut fmt = Format::new().set_num_format(num_fmt);
            if t.is_total_row(r) {
                fmt = fmt.set_bold();
            }
            match t.cell(r, c) {
                Some(PublishedCell::Count(v)) => {
                    ws.write_number_with_format(row, col, *v as f64, &fmt)?;
                }
                Some(PublishedCell::Value(v)) => {
                    ws.write_number_with_format(row, col, *v, &fmt)?;
                }
                Some(PublishedCell::Text(s)) => {
                    ws.write_string_with_format(row, col, s, &fmt)?;
                }
                Some(PublishedCell::Suppressed(_)) => {
                    ws.write_string_with_format(
                        row,
                        col,
                        t.symbol(),
                        &fmt.set_align(rust_xlsxwriter::FormatAlign::Right),
                    )?;
                }
                Some(PublishedCell::NotAvailable) => {
                    ws.write_string_with_format(
                        row,
                        col,
                        NOT_AVAILABLE,
                        &fmt.set_align(rust_xlsxwriter::FormatAlign::Right),
                    )?;
                }
                Some(PublishedCell::NotApplicable) => {
                    ws.write_string_with_format(
                        row,
                        col,
                        NOT_APPLICABLE,
                        &fmt.set_align(rust_xlsxwriter::FormatAlign::Right),
                    )?;
                }
                None => {}
            }
        }
    }
    Ok(())
}

fn workbook(tables: &[&ClearedTable]) -> std::result::Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let mut names = Vec::new();
    for t in tables {
        let name = sheet_name(t.title(), &names);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        write_table(ws, t, &bold)?;
        names.push(name);
    }
    let ws = wb.add_worksheet();
    ws.set_name(DISCLOSURE_SHEET)?;
    let headers = [
        "Sheet",
        "Table",
        "Policy",
        "Description",
        "Suppressed: small count",
        "Suppressed: marked confidential",
        "Suppressed: secondary",
        "Withheld: small base",
        "Withheld: unknown base",
        "Withheld: would reveal a count",
        "Suppressed: linked table",
        "Suppressed: derivable across the release",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, (t, name)) in tables.iter().zip(&names).enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        let s = t.summary();
        ws.write_string(r, 0, name)?;
        ws.write_string(r, 1, t.title())?;
        ws.write_string(r, 2, t.policy().name())?;
        ws.write_string(
            r,
            3,
            format!("{} {}", t.policy().description(), t.symbol_key()),
        )?;
        for (c, v) in [
            s.small_count,
            s.manual,
            s.complementary,
            s.small_base,
            s.unknown_base,
            s.reveals_suppressed_count,
            s.linked,
            s.release,
        ]
        .iter()
        .enumerate()
        {
            ws.write_number(r, 4 + c as u16, *v as f64)?;
        }
    }
    if tables.is_empty() {
        ws.write_string(1, 0, "No tables.")?;
    }
    Ok(wb)
}

/// Write `tables` to an Excel workbook at `path`: one sheet per table (title,
/// a line stating the disclosure policy, the header, the rows; numbers as
/// numbers, suppressed cells as the policy's symbol), then a `Disclosure`
/// sheet naming, for each table, its sheet, policy, full description and the
/// number of cells withheld for each reason.
///
/// # Errors
/// If the workbook cannot be built or saved.
pub fn write_xlsx(tables: &[&ClearedTable], path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut wb = workbook(tables).map_err(|e| xlsx_err(path, e))?;
    wb.save(path).map_err(|e| xlsx_err(path, e))
}

/// The same workbook as [`write_xlsx`], as bytes.
///
/// # Errors
/// If the workbook cannot be built.
pub fn xlsx_bytes(tables: &[&ClearedTable]) -> Result<Vec<u8>> {
    let p = Path::new("<xlsx buffer>");
    let mut wb = workbook(tables).map_err(|e| xlsx_err(p, e))?;
    wb.save_to_buffer().map_err(|e| xlsx_err(p, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = Vec::new();
        let a = sheet_name("Clients: by area [2024/25]?", &taken);
        assert!(!a.chars().any(|c| "[]:*?/\\".contains(c)), "{a}");
        taken.push(a);
        let long = "A very long table title that goes well beyond thirty one characters";
        let b = sheet_name(long, &taken);
        assert!(b.chars().count() <= 31);
        taken.push(b.clone());
        let c = sheet_name(long, &taken);
        assert!(
            c.chars().count() <= 31 && c != b && c.ends_with(" (2)"),
            "{c}"
        );
        assert_eq!(sheet_name("Disclosure", &[]), "Disclosure (2)");
        assert_eq!(sheet_name("  ", &[]), "Table");
    }
}
