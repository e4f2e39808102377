//! Column names as people type them: matching a name against the names a
//! dataset expects, so that a near miss (`Count`, `Person ID`, `cuont`) is an
//! error naming the expected column rather than a column silently ignored.
//! Used by every reader (`io` and the CSV readers of `measures` and `costs`).

use crate::error::{Error, Result};

/// Lower case, letters and digits only: `Person ID` and `person_id` agree.
pub(crate) fn normalise(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Levenshtein distance between two short names.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The expected name nearest to `name`, and whether it is near enough to be a
/// misspelling of it (same letters and digits ignoring case and separators, or
/// within one edit per four letters).
pub(crate) fn nearest<'a>(name: &str, expected: &[&'a str]) -> Option<(&'a str, bool)> {
    let n = normalise(name);
    expected
        .iter()
        .map(|e| {
            let ne = normalise(e);
            (e, distance(&n, &ne), ne.len())
        })
        .min_by_key(|(_, d, _)| *d)
        .map(|(e, d, len)| (*e, d <= (len / 4).max(usize::from(len >= 3))))
}

/// Refuse a header that holds a near miss of a known column: a name in
/// `present` that is not one of `known` but is near enough to one to be its
/// misspelling (see [`nearest`]). Other unknown names pass (readers that
/// keep or ignore other columns). Only header names are named in the error.
///
/// # Errors
/// [`Error::unknown_column`] naming the column and the expected one.
pub(crate) fn refuse_near_misses(source: &str, present: &[String], known: &[&str]) -> Result<()> {
    // A first row naming no known column may be data: nothing of it is named
    // here (the reader's missing-column error says so without echoing it).
    if !present.iter().any(|p| known.contains(&p.as_str())) {
        return Ok(());
    }
    for p in present {
        if known.contains(&p.as_str()) {
            continue;
        }
        if let Some((e, true)) = nearest(p, known) {
            return Err(Error::unknown_column(source, p.as_str(), Some(e), known));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_of_known_columns_are_refused_and_others_pass() {
        let known = ["Month", "LSOA code", "Crime type", "Crime ID"];
        let ok = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        refuse_near_misses(
            "s.csv",
            &ok(&["Month", "LSOA code", "Crime type", "Context"]),
            &known,
        )
        .unwrap();
        let e = refuse_near_misses(
            "s.csv",
            &ok(&["Month", "LSOA code", "Crime type", "Crime id"]),
            &known,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("s.csv") && e.contains("Crime id") && e.contains("`Crime ID`"),
            "{e}"
        );
    }
}
