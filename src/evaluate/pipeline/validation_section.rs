//! The validation tables: every input's rows read, accepted and rejected, by reason.

use super::*;

/// The validation tables, and the same counts as published (for
/// `run.json`, which is part of the release).
pub(super) fn validation_tables(
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
