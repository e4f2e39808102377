//! Covariates and the model (design) matrix of a propensity-score model.
//!
//! A [`Covariate`] is a named column, numeric or categorical. [`DesignMatrix::new`]
//! builds the matrix R's `model.matrix(~ x1 + x2 + ...)` builds: an intercept,
//! numeric covariates as they are, and each categorical covariate expanded into
//! one 0/1 indicator per level except a reference level (treatment contrasts).
//! The default reference is the first level in sorted order, as R's `factor()`
//! chooses it (byte order, i.e. R in the C locale; see METHODS.md, "Propensity scores, nearest-neighbour
//! matching and balance").
//!
//! A design whose columns are linearly dependent (a constant covariate, two
//! collinear covariates, a level present in every row) is rejected with an
//! error naming the covariates involved, where R would silently drop a column
//! (`NA` coefficient).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};

use crate::error::{Error, Location, Result};
use crate::stats::qr::{first_dependent, r_factor};

/// Which level of a categorical covariate is the reference (omitted) level.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReferenceLevel {
    /// The first level in sorted (byte) order, as R's `factor()` does in the C locale.
    #[default]
    FirstSorted,
    /// A named level.
    Named(String),
}

/// The values of one covariate.
#[derive(Debug, Clone, PartialEq)]
pub enum CovariateValues {
    /// A numeric covariate, entered as one column.
    Numeric(Vec<f64>),
    /// A categorical covariate, entered as indicators of every level but the reference.
    Categorical {
        /// One level per row.
        values: Vec<String>,
        /// The omitted level.
        reference: ReferenceLevel,
    },
}

/// A named covariate column.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariate {
    name: String,
    values: CovariateValues,
}

impl Covariate {
    /// A numeric covariate.
    pub fn numeric(name: impl Into<String>, values: Vec<f64>) -> Self {
        Covariate {
            name: name.into(),
            values: CovariateValues::Numeric(values),
        }
    }

    /// A categorical covariate whose reference level is the first in sorted order.
    pub fn categorical(name: impl Into<String>, values: Vec<String>) -> Self {
        Covariate {
            name: name.into(),
            values: CovariateValues::Categorical {
                values,
                reference: ReferenceLevel::FirstSorted,
            },
        }
    }

    /// A categorical covariate with a chosen reference level.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] if `reference` is not one of the values.
    pub fn categorical_with_reference(
        name: impl Into<String>,
        values: Vec<String>,
        reference: impl Into<String>,
    ) -> Result<Self> {
        let name = name.into();
        let reference = reference.into();
        if !values.contains(&reference) {
            return Err(Error::invalid_parameter(
                format!("reference level of `{name}`"),
                &reference,
                "must be one of the covariate's levels",
            ));
        }
        Ok(Covariate {
            name,
            values: CovariateValues::Categorical {
                values,
                reference: ReferenceLevel::Named(reference),
            },
        })
    }

    /// The covariate's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The covariate's values.
    pub fn values(&self) -> &CovariateValues {
        &self.values
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.values {
            CovariateValues::Numeric(v) => v.len(),
            CovariateValues::Categorical { values, .. } => values.len(),
        }
    }

    /// True if the covariate has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sorted distinct levels of a categorical covariate (`None` for numeric).
    pub fn levels(&self) -> Option<Vec<String>> {
        match &self.values {
            CovariateValues::Numeric(_) => None,
            CovariateValues::Categorical { values, .. } => Some(distinct_sorted(values)),
        }
    }

    /// Checks that every numeric value is finite.
    pub(crate) fn check_finite(&self, source: &str) -> Result<()> {
        if let CovariateValues::Numeric(v) = &self.values {
            if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
                return Err(Error::invalid_value(
                    Location::source(source)
                        .row(i as u64 + 1)
                        .column(self.name.clone()),
                    x.to_string(),
                    "covariate values must be finite numbers",
                ));
            }
        }
        Ok(())
    }

    /// Columns for a balance table: numeric as is, categorical as one 0/1
    /// column per level (all levels, as MatchIt's `summary()` shows them).
    pub(crate) fn balance_columns(&self) -> Vec<(String, Cow<'_, [f64]>)> {
        match &self.values {
            CovariateValues::Numeric(v) => vec![(self.name.clone(), Cow::Borrowed(v))],
            CovariateValues::Categorical { values, .. } => {
                let levels = distinct_sorted(values);
                let cols = indicators(values, &levels);
                levels
                    .into_iter()
                    .zip(cols)
                    .map(|(lev, col)| (format!("{}{}", self.name, lev), Cow::Owned(col)))
                    .collect()
            }
        }
    }
}

/// The distinct values, sorted (bytes, as R's `factor()` in the C locale):
/// each row's value is hashed once, and only the distinct values are sorted.
pub(crate) fn distinct_sorted(values: &[String]) -> Vec<String> {
    let mut set: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
    for v in values {
        set.insert(v);
    }
    let mut levels: Vec<String> = set.into_iter().map(str::to_owned).collect();
    levels.sort_unstable();
    levels
}

/// Each row's position in `levels` (sorted, distinct), found by binary
/// search; `u32::MAX` for a value not among them.
pub(crate) fn level_codes(values: &[String], levels: &[String]) -> Vec<u32> {
    values
        .iter()
        .map(|v| levels.binary_search(v).map_or(u32::MAX, |k| k as u32))
        .collect()
}

/// One 0/1 column per level of `levels` (sorted, distinct): 1 where the row
/// holds that level. Each row's level is found once ([`level_codes`]).
fn indicators(values: &[String], levels: &[String]) -> Vec<Vec<f64>> {
    let mut cols = vec![vec![0.0; values.len()]; levels.len()];
    for (i, k) in level_codes(values, levels).into_iter().enumerate() {
        if let Some(col) = cols.get_mut(k as usize) {
            col[i] = 1.0;
        }
    }
    cols
}

/// One column of a design matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignColumn {
    /// The column name, as R's `model.matrix` names it: `(Intercept)`, the
    /// covariate name, or the covariate name followed by the level (`racehispan`).
    pub name: String,
    /// The covariate the column comes from (`None` for the intercept).
    pub covariate: Option<String>,
    /// The level indicated, for a categorical covariate's column.
    pub level: Option<String>,
}

impl DesignColumn {
    /// How to name this term in a message: the covariate, with the level if any.
    pub(crate) fn describe(&self) -> String {
        match (&self.covariate, &self.level) {
            (Some(c), Some(l)) => format!("`{c}` (level `{l}`)"),
            (Some(c), None) => format!("`{c}`"),
            _ => "the intercept".to_string(),
        }
    }
}

/// A full-rank model matrix with an intercept, stored by column.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignMatrix {
    nrows: usize,
    terms: Vec<DesignColumn>,
    columns: Vec<Vec<f64>>,
}

/// Relative tolerance below which a column counts as a linear combination of
/// the columns before it (R's `lm`/`glm` QR tolerance).
const RANK_TOLERANCE: f64 = 1e-7;

impl DesignMatrix {
    /// Builds `(Intercept)`, then each covariate in the order given.
    ///
    /// # Errors
    /// * [`Error::insufficient_data`] if there are no rows;
    /// * [`Error::invalid_parameter`] if covariates differ in length or two share a name;
    /// * [`Error::invalid_value`] for a non-finite numeric value (row and column named);
    /// * [`Error::numerical`] if a categorical covariate has a single level, or if
    ///   the columns are linearly dependent (a constant covariate, collinear
    ///   covariates): the message names the covariates involved.
    pub fn new(covariates: &[Covariate]) -> Result<Self> {
        let nrows = covariates.first().map(Covariate::len).unwrap_or(0);
        if covariates.is_empty() {
            return Err(Error::insufficient_data(
                "design matrix",
                "no covariates were given",
            ));
        }
        if nrows == 0 {
            return Err(Error::insufficient_data("design matrix", "no rows"));
        }
        let mut seen = BTreeSet::new();
        for c in covariates {
            if c.len() != nrows {
                return Err(Error::invalid_parameter(
                    format!("covariate `{}`", c.name()),
                    format!("{} rows", c.len()),
                    format!("every covariate must have {nrows} rows"),
                ));
            }
            if !seen.insert(c.name().to_string()) {
                return Err(Error::invalid_parameter(
                    "covariates",
                    c.name(),
                    "covariate names must be distinct",
                ));
            }
            c.check_finite("design matrix")?;
        }
        let mut terms = vec![DesignColumn {
            name: "(Intercept)".to_string(),
            covariate: None,
            level: None,
        }];
        let mut columns = vec![vec![1.0; nrows]];
        for c in covariates {
            match c.values() {
                CovariateValues::Numeric(v) => {
                    terms.push(DesignColumn {
                        name: c.name().to_string(),
                        covariate: Some(c.name().to_string()),
                        level: None,
                    });
                    columns.push(v.clone());
                }
                CovariateValues::Categorical { values, reference } => {
                    let levels = c.levels().unwrap_or_default();
                    if levels.len() < 2 {
                        return Err(Error::numerical(
                            "design matrix",
                            format!(
                                "categorical covariate `{}` has a single level, so it is constant",
                                c.name()
                            ),
                        ));
                    }
                    let reference = match reference {
                        ReferenceLevel::FirstSorted => levels[0].clone(),
                        ReferenceLevel::Named(r) => {
                            if !levels.contains(r) {
                                return Err(Error::invalid_parameter(
                                    format!("reference level of `{}`", c.name()),
                                    r,
                                    "must be one of the covariate's levels",
                                ));
                            }
                            r.clone()
                        }
                    };
                    let mut cols = indicators(values, &levels);
                    for (lev, col) in levels.into_iter().zip(cols.drain(..)) {
                        if lev == reference {
                            continue;
                        }
                        columns.push(col);
                        terms.push(DesignColumn {
                            name: format!("{}{}", c.name(), lev),
                            covariate: Some(c.name().to_string()),
                            level: Some(lev),
                        });
                    }
                }
            }
        }
        let design = DesignMatrix {
            nrows,
            terms,
            columns,
        };
        design.check_rank()?;
        Ok(design)
    }

    /// Checks that each column is not a linear combination of the ones
    /// before it, as R's QR (`dqrdc2`, no pivoting among independent columns)
    /// decides which column to drop: in the Householder QR of the design in
    /// term order, `|R_jj|` is the norm of what remains of column `j` after
    /// the columns before it, and the column norm is that of `R`'s column `j`.
    fn check_rank(&self) -> Result<()> {
        let cols: Vec<&[f64]> = self.columns.iter().map(Vec::as_slice).collect();
        let q = cols.len();
        let r = r_factor(&cols, None);
        if let Some(j) = first_dependent(&r, q, q, RANK_TOLERANCE) {
            let accepted: Vec<usize> = (0..j).collect();
            return Err(self.dependence_error(j, &accepted));
        }
        Ok(())
    }

    /// The error for column `j`, dependent on the columns `accepted`: names the
    /// covariates with non-negligible weight in the dependence.
    fn dependence_error(&self, j: usize, accepted: &[usize]) -> Error {
        let term = &self.terms[j];
        let only_intercept = accepted.len() == 1 && accepted[0] == 0;
        let col = &self.columns[j];
        let constant = col.iter().all(|x| *x == col[0]);
        if constant || only_intercept {
            return Error::numerical(
                "design matrix",
                format!(
                    "covariate {} is constant, so its effect cannot be separated from the intercept",
                    term.describe()
                ),
            );
        }
        // Least squares of column j on the accepted columns (normal equations,
        // via nalgebra's SVD for robustness), to name the partners.
        let p = accepted.len();
        let x = nalgebra::DMatrix::from_fn(self.nrows, p, |i, k| self.columns[accepted[k]][i]);
        let y = nalgebra::DVector::from_column_slice(col);
        let partners: Vec<String> = match x.clone().svd(true, true).solve(&y, 1e-12) {
            Ok(beta) => {
                let scale: Vec<f64> = accepted
                    .iter()
                    .map(|&k| column_sd(&self.columns[k]).max(f64::MIN_POSITIVE))
                    .collect();
                let contrib: Vec<f64> = beta
                    .iter()
                    .zip(&scale)
                    .map(|(b, s)| (b * s).abs())
                    .collect();
                let maxc = contrib.iter().skip(1).cloned().fold(0.0_f64, f64::max);
                accepted
                    .iter()
                    .zip(&contrib)
                    .skip(1)
                    .filter(|(_, c)| **c > 1e-6 * maxc)
                    .map(|(&k, _)| self.terms[k].describe())
                    .collect()
            }
            Err(_) => Vec::new(),
        };
        let mut names: Vec<String> = vec![term.describe()];
        for p in partners {
            if !names.contains(&p) {
                names.push(p);
            }
        }
        Error::numerical(
            "design matrix",
            format!(
                "the design is singular: {} {} linearly dependent (collinear), so not all effects can be estimated",
                names.join(", "),
                if names.len() > 1 { "are" } else { "is" }
            ),
        )
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns, including the intercept.
    pub fn ncols(&self) -> usize {
        self.columns.len()
    }

    /// The columns' descriptions, intercept first.
    pub fn terms(&self) -> &[DesignColumn] {
        &self.terms
    }

    /// Column `j` (0 is the intercept), or `None` if out of range.
    pub fn column(&self, j: usize) -> Option<&[f64]> {
        self.columns.get(j).map(Vec::as_slice)
    }
}

/// Sample standard deviation (n − 1); 0 for fewer than two values.
pub(crate) fn column_sd(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return 0.0;
    }
    let m = x.iter().sum::<f64>() / n as f64;
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn categorical_expands_with_sorted_reference() {
        let d = DesignMatrix::new(&[
            Covariate::numeric("x", vec![1.0, 2.0, 3.0, 5.0]),
            Covariate::categorical("race", s(&["white", "black", "hispan", "black"])),
        ])
        .unwrap();
        let names: Vec<&str> = d.terms().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["(Intercept)", "x", "racehispan", "racewhite"]);
        assert_eq!(d.column(2).unwrap(), &[0.0, 0.0, 1.0, 0.0]);
        assert_eq!(d.column(3).unwrap(), &[1.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn chosen_reference_level() {
        let d = DesignMatrix::new(&[
            Covariate::numeric("x", vec![1.0, 2.0, 3.0, 5.0]),
            Covariate::categorical_with_reference(
                "race",
                s(&["white", "black", "hispan", "black"]),
                "white",
            )
            .unwrap(),
        ])
        .unwrap();
        let names: Vec<&str> = d.terms().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["(Intercept)", "x", "raceblack", "racehispan"]);
        assert!(Covariate::categorical_with_reference("r", s(&["a", "b"]), "c").is_err());
    }

    #[test]
    fn constant_column_is_named() {
        let e = DesignMatrix::new(&[
            Covariate::numeric("x", vec![1.0, 2.0, 3.0]),
            Covariate::numeric("flat", vec![4.0, 4.0, 4.0]),
        ])
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Numerical { .. }));
        assert!(e.to_string().contains("`flat`"), "{e}");
        assert!(e.to_string().contains("constant"), "{e}");
    }

    #[test]
    fn collinear_columns_are_named() {
        let e = DesignMatrix::new(&[
            Covariate::numeric("a", vec![1.0, 2.0, 3.0, 7.0]),
            Covariate::numeric("noise", vec![0.0, 1.0, 0.0, 1.0]),
            Covariate::numeric("b", vec![3.0, 5.0, 7.0, 15.0]),
        ])
        .unwrap_err();
        let m = e.to_string();
        assert!(m.contains("`b`") && m.contains("`a`"), "{m}");
        assert!(!m.contains("`noise`"), "{m}");
    }

    #[test]
    fn level_collinear_with_numeric() {
        let e = DesignMatrix::new(&[
            Covariate::numeric("married", vec![1.0, 0.0, 0.0, 1.0]),
            Covariate::categorical("status", s(&["m", "s", "s", "m"])),
        ])
        .unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("`status` (level `s`)") && m.contains("`married`"),
            "{m}"
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(DesignMatrix::new(&[]).is_err());
        assert!(DesignMatrix::new(&[Covariate::numeric("x", vec![])]).is_err());
        let e = DesignMatrix::new(&[Covariate::numeric("x", vec![1.0, f64::NAN])]).unwrap_err();
        assert!(e.to_string().contains("row 2"), "{e}");
        assert!(DesignMatrix::new(&[
            Covariate::numeric("x", vec![1.0, 2.0]),
            Covariate::numeric("y", vec![1.0])
        ])
        .is_err());
        assert!(DesignMatrix::new(&[Covariate::categorical("c", s(&["a", "a"]))]).is_err());
    }
}
