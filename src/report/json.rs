//! JSON writer.

use std::io::Write;

use serde_json::{json, Value};

use crate::disclosure::{ClearedTable, ColumnKind, PublishedCell, NOT_APPLICABLE, NOT_AVAILABLE};
use crate::error::Result;

use super::io_error;

fn kind_name(kind: &ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Label => "label",
        ColumnKind::Count => "count",
        ColumnKind::Statistic { .. } => "statistic",
        ColumnKind::Rate { .. } => "rate",
        ColumnKind::Money { .. } => "money",
    }
}

/// `table` as a JSON value:
///
/// ```text
/// { "title": ..., "disclosure_control": { "policy", "description", "parameters", "symbols", "summary" },
///   "columns": [ { "name", "kind", "decimals" } ],
///   "rows": [ { "total": bool, "values": [ "North", 10, 12.5, "c", "x" ] } ] }
/// ```
///
/// Counts and statistics are JSON numbers; suppressed cells are the policy's
/// symbol as a string; `x` and `z` mark not available / not applicable.
pub fn to_json(table: &ClearedTable) -> Value {
    let p = table.policy();
    let columns: Vec<Value> = table
        .columns()
        .iter()
        .map(|c| json!({ "name": c.name(), "kind": kind_name(c.kind()), "decimals": c.decimals() }))
        .collect();
    let rows: Vec<Value> = (0..table.n_rows())
        .map(|r| {
            let values: Vec<Value> = table
                .row(r)
                .unwrap_or(&[])
                .iter()
                .map(|cell| match cell {
                    PublishedCell::Text(s) => Value::from(s.as_str()),
                    PublishedCell::Count(v) => Value::from(*v),
                    PublishedCell::Value(v) => Value::from(*v),
                    PublishedCell::Suppressed(_) => Value::from(p.symbol()),
                    PublishedCell::NotAvailable => Value::from(NOT_AVAILABLE),
                    PublishedCell::NotApplicable => Value::from(NOT_APPLICABLE),
                })
                .collect();
            json!({ "total": table.is_total_row(r), "values": values })
        })
        .collect();
    let mut symbols = serde_json::Map::new();
    symbols.insert(
        p.symbol().to_owned(),
        Value::from("confidential (suppressed)"),
    );
    symbols.insert(NOT_AVAILABLE.to_owned(), Value::from("not available"));
    symbols.insert(NOT_APPLICABLE.to_owned(), Value::from("not applicable"));
    json!({
        "title": table.title(),
        "disclosure_control": {
            "policy": p.name(),
            "description": p.description(),
            "parameters": {
                "kind": p.kind(),
                "suppressed_counts": [1, p.suppress_max()],
                "statistics_withheld_when_n_in": [1, p.suppress_max()],
                "rounding_base": p.rounding_base(),
                "secondary_suppression": p.secondary(),
            },
            "symbols": symbols,
            "summary": table.summary(),
        },
        "columns": columns,
        "rows": rows,
    })
}

/// Write [`to_json`] of `table`, pretty-printed.
///
/// # Errors
/// If writing fails.
pub fn write_json<W: Write>(table: &ClearedTable, mut out: W) -> Result<()> {
    serde_json::to_writer_pretty(&mut out, &to_json(table))
        .map_err(|e| io_error("json", std::io::Error::other(e.to_string())))?;
    writeln!(out).map_err(|e| io_error("json", e))
}
