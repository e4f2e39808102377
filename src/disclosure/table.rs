//! The unpublished aggregate table: columns, cells and declared margins.

use serde::Serialize;

use crate::error::{Error, Location, Result};

/// Largest number of decimal places a column may ask for.
pub const MAX_DECIMALS: u8 = 10;

/// Where the number of people behind a statistic comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Basis {
    /// The count in the named [`ColumnKind::Count`] column of the same row
    /// (its true, unrounded value) is the number of people.
    CountColumn(String),
    /// Each cell carries its own `n` ([`Cell::Statistic`] with `n: Some(..)`).
    PerCell,
}

/// What a column holds. This decides which disclosure rule applies to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ColumnKind {
    /// Row labels (area, group, period). Never suppressed.
    Label,
    /// Counts of people (or of events about people). Primary and secondary
    /// suppression and rounding apply.
    Count,
    /// A mean, median or other simple statistic over `n` people. Withheld
    /// when `n` is in the suppression range.
    Statistic {
        /// Where `n` comes from.
        basis: Basis,
    },
    /// A rate or percentage whose denominator is `n` people. Withheld when `n`
    /// is in the suppression range, or when its numerator or denominator
    /// count is suppressed in the same row (the rate would reveal it). Under
    /// a rounding policy, a rate with a declared numerator is recomputed from
    /// the rounded numerator and denominator.
    Rate {
        /// Where the denominator `n` comes from.
        basis: Basis,
        /// The [`ColumnKind::Count`] column holding the numerator, if it is
        /// in the table.
        numerator: Option<String>,
    },
    /// An amount of money (a mean cost, a total cost) over `n` people.
    /// Treated as a [`ColumnKind::Statistic`].
    Money {
        /// Where `n` comes from.
        basis: Basis,
    },
}

impl ColumnKind {
    /// The basis of a statistic-like column, `None` for labels and counts.
    pub fn basis(&self) -> Option<&Basis> {
        match self {
            ColumnKind::Label | ColumnKind::Count => None,
            ColumnKind::Statistic { basis }
            | ColumnKind::Rate { basis, .. }
            | ColumnKind::Money { basis } => Some(basis),
        }
    }

    /// True for statistic, rate and money columns.
    pub fn is_statistic(&self) -> bool {
        self.basis().is_some()
    }
}

/// One column definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    name: String,
    kind: ColumnKind,
    decimals: u8,
}

impl Column {
    /// A label column.
    pub fn label(name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Label,
            decimals: 0,
        }
    }

    /// A count column.
    pub fn count(name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Count,
            decimals: 0,
        }
    }

    /// A statistic (mean, median...) column, shown to 1 decimal place unless
    /// [`with_decimals`](Column::with_decimals) says otherwise.
    pub fn statistic(name: impl Into<String>, basis: Basis) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Statistic { basis },
            decimals: 1,
        }
    }

    /// A rate or percentage column (1 decimal place by default), with the
    /// count column holding its numerator when the table has one.
    pub fn rate(name: impl Into<String>, basis: Basis, numerator: Option<&str>) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Rate {
                basis,
                numerator: numerator.map(str::to_owned),
            },
            decimals: 1,
        }
    }

    /// A money column (2 decimal places by default).
    pub fn money(name: impl Into<String>, basis: Basis) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Money { basis },
            decimals: 2,
        }
    }

    /// This column shown to `decimals` places (checked, at most
    /// [`MAX_DECIMALS`], by [`Table::new`]). Ignored for labels and counts.
    pub fn with_decimals(mut self, decimals: u8) -> Column {
        self.decimals = decimals;
        self
    }

    /// The column's name (its header).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the column holds.
    pub fn kind(&self) -> &ColumnKind {
        &self.kind
    }

    /// Decimal places used by the writers for statistic-like columns.
    pub fn decimals(&self) -> u8 {
        self.decimals
    }
}

/// One cell of an unpublished table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cell {
    /// Text, for label columns.
    Text(String),
    /// A count, for count columns.
    Count(u64),
    /// A statistic, rate or amount, for statistic-like columns. `n` is the
    /// number of people it rests on: required when the column's basis is
    /// [`Basis::PerCell`], and must be `None` when the basis is a count column.
    Statistic {
        /// The value; must be finite.
        value: f64,
        /// The number of people it rests on (at least 1).
        n: Option<u64>,
    },
    /// The value is not available (GSS symbol `x`). Allowed in any column.
    NotAvailable,
    /// The value does not apply (GSS symbol `z`). Allowed in any column.
    NotApplicable,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A statistic resting on `n` people (for [`Basis::PerCell`] columns).
    pub fn statistic(value: f64, n: u64) -> Cell {
        Cell::Statistic { value, n: Some(n) }
    }

    /// A statistic whose `n` is read from the column's basis count column.
    pub fn value(value: f64) -> Cell {
        Cell::Statistic { value, n: None }
    }
}

/// The position of one cell (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CellRef {
    /// Row index.
    pub row: usize,
    /// Column index.
    pub column: usize,
}

/// A declared additive relation: the `total` row (or column) is the sum of
/// the `parts` rows (or columns) in every count column (or row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Margin {
    total: usize,
    parts: Vec<usize>,
}

impl Margin {
    /// Index of the total row or column.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Indices of the rows or columns it totals.
    pub fn parts(&self) -> &[usize] {
        &self.parts
    }
}

/// An aggregate table before disclosure control. It cannot be written out:
/// the writers in [`crate::report`] accept only a
/// [`ClearedTable`](super::ClearedTable), made by
/// [`Policy::apply`](super::Policy::apply).
///
/// Margins (totals) must be declared with [`declare_row_total`] and
/// [`declare_column_total`] so that secondary suppression protects against
/// recovery by subtraction; declarations are checked to add up exactly.
///
/// [`declare_row_total`]: Table::declare_row_total
/// [`declare_column_total`]: Table::declare_column_total
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    title: String,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    row_totals: Vec<Margin>,
    column_totals: Vec<Margin>,
    confidential: Vec<CellRef>,
    links: Vec<(CellRef, String)>,
    relations: Vec<Relation>,
    forced: Vec<CellRef>,
}

/// One operand of a [`Relation`]: a count cell of the table that declares
/// it, or the count of a population shown (or not) in some table of the
/// release.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub(crate) enum Operand {
    /// A count cell of the declaring table.
    Cell(CellRef),
    /// The size of the population named by a link key
    /// ([`Table::link_count`]), wherever the release shows it.
    Population(String),
}

/// How the two sides of a relation ([`Table::relate`]) compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RelationKind {
    /// `sum(coefficient * term) = 0`.
    Equal,
    /// `sum(coefficient * term) <= 0`.
    AtMost,
}

/// A linear fact about the true counts that a reader of the release knows
/// (or can work out) besides the declared totals: one group is a subset of
/// another (`matched <= all`), a count equals a population shown in another
/// table, two counts are equal by design (1:1 matching without replacement).
/// The release audit ([`Release`](super::Release)) treats every relation as
/// known to an attacker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Relation {
    terms: Vec<(i64, Operand)>,
    comparison: RelationKind,
}

impl Relation {
    /// The terms with their integer coefficients.
    pub(crate) fn terms(&self) -> &[(i64, Operand)] {
        &self.terms
    }

    /// `=` or `<=` (against 0).
    pub(crate) fn comparison(&self) -> RelationKind {
        self.comparison
    }
}

impl Table {
    /// An empty table with these columns.
    ///
    /// # Errors
    /// If there are no columns, a name is empty or repeated, a basis or
    /// numerator names a column that is not a count column, or `decimals`
    /// exceeds [`MAX_DECIMALS`].
    pub fn new(title: impl Into<String>, columns: Vec<Column>) -> Result<Table> {
        let title = title.into();
        if columns.is_empty() {
            return Err(Error::invalid_parameter(
                "columns",
                "[]",
                "a table needs at least one column",
            ));
        }
        for (i, col) in columns.iter().enumerate() {
            if col.name.trim().is_empty() {
                return Err(Error::invalid_parameter(
                    "columns",
                    format!("column {}", i + 1),
                    "column names must not be empty",
                ));
            }
            if columns[..i].iter().any(|c| c.name == col.name) {
                return Err(Error::invalid_parameter(
                    "columns",
                    &col.name,
                    "column names must be unique",
                ));
            }
            if col.decimals > MAX_DECIMALS {
                return Err(Error::invalid_parameter(
                    "decimals",
                    col.decimals,
                    format!("column `{}`: at most {MAX_DECIMALS}", col.name),
                ));
            }
            let mut referenced = Vec::new();
            if let Some(Basis::CountColumn(name)) = col.kind.basis() {
                referenced.push(name);
            }
            if let ColumnKind::Rate {
                numerator: Some(name),
                ..
            } = &col.kind
            {
                referenced.push(name);
            }
            for name in referenced {
                let ok = columns
                    .iter()
                    .any(|c| &c.name == name && c.kind == ColumnKind::Count);
                if !ok {
                    return Err(Error::invalid_parameter(
                        "columns",
                        name,
                        format!(
                            "column `{}` refers to `{name}`, which is not a count column of the table",
                            col.name
                        ),
                    ));
                }
            }
        }
        Ok(Table {
            title,
            columns,
            rows: Vec::new(),
            row_totals: Vec::new(),
            column_totals: Vec::new(),
            confidential: Vec::new(),
            links: Vec::new(),
            relations: Vec::new(),
            forced: Vec::new(),
        })
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The column definitions.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// The cell at `row`, `column` (0-based), if it exists.
    pub fn cell(&self, row: usize, column: usize) -> Option<&Cell> {
        self.rows.get(row).and_then(|r| r.get(column))
    }

    /// Declared row margins (a total row and the rows it sums).
    pub fn row_totals(&self) -> &[Margin] {
        &self.row_totals
    }

    /// Declared column margins (a total column and the columns it sums).
    pub fn column_totals(&self) -> &[Margin] {
        &self.column_totals
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    fn location(&self, row: usize, column: usize) -> Location {
        let name = self
            .columns
            .get(column)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        Location::source(self.title.clone())
            .row(row as u64 + 1)
            .column(name)
    }

    /// Append a row; returns its 0-based index.
    ///
    /// # Errors
    /// If the row has the wrong number of cells, a cell does not suit its
    /// column (text in a count column, a count in a statistic column...), a
    /// statistic is not finite, a per-cell `n` is missing or 0, or the row
    /// breaks a declared column total.
    pub fn push_row(&mut self, cells: Vec<Cell>) -> Result<usize> {
        let r = self.rows.len();
        if cells.len() != self.columns.len() {
            return Err(Error::invalid_value(
                Location::source(self.title.clone()).row(r as u64 + 1),
                format!("{} cells", cells.len()),
                format!(
                    "rows must have {} cells, one per column",
                    self.columns.len()
                ),
            ));
        }
        for (c, (cell, col)) in cells.iter().zip(&self.columns).enumerate() {
            self.check_cell(r, c, cell, col)?;
        }
        for m in &self.column_totals {
            check_sum(&self.title, &self.columns, &cells, r, m)?;
        }
        self.rows.push(cells);
        Ok(r)
    }

    fn check_cell(&self, r: usize, c: usize, cell: &Cell, col: &Column) -> Result<()> {
        let bad =
            |value: String, rule: &str| Err(Error::invalid_value(self.location(r, c), value, rule));
        match (cell, &col.kind) {
            (Cell::NotAvailable | Cell::NotApplicable, _) => Ok(()),
            (Cell::Text(_), ColumnKind::Label) => Ok(()),
            (Cell::Count(_), ColumnKind::Count) => Ok(()),
            (Cell::Statistic { value, n }, kind) if kind.is_statistic() => {
                if !value.is_finite() {
                    return bad(value.to_string(), "statistics must be finite");
                }
                match (kind.basis(), n) {
                    (Some(Basis::PerCell), None) => bad(
                        value.to_string(),
                        "this column's basis is per cell: give the n the statistic rests on",
                    ),
                    (Some(Basis::PerCell), Some(0)) => bad(
                        "n = 0".into(),
                        "a statistic must rest on at least one person (use NotApplicable)",
                    ),
                    (Some(Basis::CountColumn(name)), Some(_)) => bad(
                        value.to_string(),
                        &format!("n comes from count column `{name}`: give the cell without an n"),
                    ),
                    _ => Ok(()),
                }
            }
            (cell, kind) => bad(
                format!("{cell:?}"),
                &format!("cell does not suit a {} column", kind_name(kind)),
            ),
        }
    }

    /// Declare that row `total` is the sum of rows `parts` in every count
    /// column (for example a "Total" row under the body rows). Several
    /// declarations may be made (subtotals and a grand total).
    ///
    /// # Errors
    /// If an index is out of range, `parts` is empty or repeats a row or
    /// contains `total`, or the sum does not hold exactly in some count column
    /// (every cell involved must be a count).
    pub fn declare_row_total(&mut self, total: usize, parts: &[usize]) -> Result<()> {
        let m = margin("row", total, parts, self.rows.len())?;
        for (c, col) in self.columns.iter().enumerate() {
            if col.kind != ColumnKind::Count {
                continue;
            }
            let mut sum: u128 = 0;
            for &p in &m.parts {
                sum += u128::from(self.count_at(p, c)?);
            }
            let t = self.count_at(total, c)?;
            if u128::from(t) != sum {
                return Err(Error::invalid_value(
                    self.location(total, c),
                    t.to_string(),
                    format!("declared total row should equal the sum of its rows, {sum}"),
                ));
            }
        }
        self.row_totals.push(m);
        Ok(())
    }

    /// Declare that column `total` is the sum of columns `parts` in every row
    /// (present and future). All must be count columns.
    ///
    /// # Errors
    /// If a name is unknown or not a count column, `parts` is empty or
    /// repeats a column or contains `total`, or some row does not add up.
    pub fn declare_column_total(&mut self, total: &str, parts: &[&str]) -> Result<()> {
        let find = |name: &str| -> Result<usize> {
            match self.column_index(name) {
                Some(i) if self.columns[i].kind == ColumnKind::Count => Ok(i),
                _ => Err(Error::invalid_parameter(
                    "column",
                    name,
                    "margins must name count columns of the table",
                )),
            }
        };
        let t = find(total)?;
        let ps = parts.iter().map(|p| find(p)).collect::<Result<Vec<_>>>()?;
        let m = margin("column", t, &ps, self.columns.len())?;
        for (r, row) in self.rows.iter().enumerate() {
            check_sum(&self.title, &self.columns, row, r, &m)?;
        }
        self.column_totals.push(m);
        Ok(())
    }

    fn count_at(&self, r: usize, c: usize) -> Result<u64> {
        match self.cell(r, c) {
            Some(Cell::Count(v)) => Ok(*v),
            other => Err(Error::invalid_value(
                self.location(r, c),
                format!("{other:?}"),
                "every cell in a declared total must be a count",
            )),
        }
    }

    /// Mark the cell at `row`, `column` (0-based) as confidential whatever
    /// its value: it is suppressed as a primary cell (reason
    /// [`Manual`](super::SuppressionReason::Manual)) and, where the policy
    /// applies secondary suppression, protected like any other. Use it for
    /// rules the policy does not know: a dominance rule, a value that could be
    /// derived from another publication, an analyst's judgement.
    ///
    /// # Errors
    /// If the cell does not exist, is not a count or a statistic, or is a
    /// zero count (zeros are always shown: a zero whose line is all zeros
    /// could not be protected).
    pub fn mark_confidential(&mut self, row: usize, column: usize) -> Result<()> {
        match self.cell(row, column) {
            Some(Cell::Count(v)) if *v > 0 => {}
            Some(Cell::Statistic { .. }) => {}
            Some(other) => {
                return Err(Error::invalid_value(
                    self.location(row, column),
                    format!("{other:?}"),
                    "only non-zero counts and statistics can be marked confidential",
                ))
            }
            None => {
                return Err(Error::invalid_parameter(
                    "cell",
                    format!("({row}, {column})"),
                    format!(
                        "the table has {} rows and {} columns",
                        self.rows.len(),
                        self.columns.len()
                    ),
                ))
            }
        }
        let at = CellRef { row, column };
        if !self.confidential.contains(&at) {
            self.confidential.push(at);
        }
        Ok(())
    }

    /// Cells marked confidential with [`mark_confidential`](Table::mark_confidential).
    pub fn confidential(&self) -> &[CellRef] {
        &self.confidential
    }

    /// Declare that the count at `row` in count column `column` is the size
    /// of a population named `key` that other tables of the same release also
    /// show (e.g. `"service use analysed: programme"` in a coverage table and
    /// as the `n` of the outcome table). Cleared with
    /// [`Policy::apply_linked`](super::Policy::apply_linked), a cell whose key
    /// is suppressed in one table is suppressed in every table, and a cell
    /// already published in an earlier table is not chosen for secondary
    /// suppression (suppressing it would protect nothing). This is what stops
    /// a suppressed cell being worked out by subtracting counts published in
    /// two different tables.
    ///
    /// # Errors
    /// If the cell does not exist or is not a count, or the key is empty.
    pub fn link_count(&mut self, row: usize, column: &str, key: impl Into<String>) -> Result<()> {
        let key = key.into();
        check_key(&key)?;
        let at = self.count_cell(
            row,
            column,
            "only a count cell can be linked to a population",
        )?;
        self.links.retain(|(a, _)| *a != at);
        self.links.push((at, key));
        Ok(())
    }

    /// Cells linked to named populations with [`link_count`](Table::link_count).
    pub fn links(&self) -> &[(CellRef, String)] {
        &self.links
    }

    /// Declare a linear fact about the true counts that a reader of the
    /// release knows besides the declared totals (one group a subset of
    /// another, a count equal to a population shown in another table, two
    /// counts equal by design): `sum(coefficient * term)` is `= 0` or `<= 0`. Cells are named by row
    /// and count column. The fact must hold: it is checked when the table is
    /// cleared in a [`Release`](super::Release).
    ///
    /// # Errors
    /// If a cell does not exist or is not a count, a population key is empty,
    /// there are no terms, or a coefficient is 0.
    pub fn relate(
        &mut self,
        terms: Vec<(i64, RelationTerm<'_>)>,
        comparison: RelationKind,
    ) -> Result<()> {
        if terms.is_empty() {
            return Err(Error::invalid_parameter(
                "relation",
                "[]",
                "a relation needs at least one term",
            ));
        }
        let mut out = Vec::with_capacity(terms.len());
        for (coefficient, term) in terms {
            if coefficient == 0 {
                return Err(Error::invalid_parameter(
                    "relation",
                    "0",
                    "coefficients must not be 0",
                ));
            }
            let term = match term {
                RelationTerm::Cell(row, column) => Operand::Cell(self.count_cell(
                    row,
                    column,
                    "a relation can only name count cells",
                )?),
                RelationTerm::Population(key) => {
                    check_key(key)?;
                    Operand::Population(key.to_owned())
                }
            };
            out.push((coefficient, term));
        }
        self.relations.push(Relation {
            terms: out,
            comparison,
        });
        Ok(())
    }

    /// Declare that the count at `small` never exceeds the count at `large`
    /// (`small` counts a subset of the people `large` counts, as matched
    /// people are a subset of all people in a score bin).
    ///
    /// # Errors
    /// As [`relate`](Table::relate).
    pub fn declare_at_most(&mut self, small: (usize, &str), large: (usize, &str)) -> Result<()> {
        self.relate(
            vec![
                (1, RelationTerm::Cell(small.0, small.1)),
                (-1, RelationTerm::Cell(large.0, large.1)),
            ],
            RelationKind::AtMost,
        )
    }

    /// Declare that the population `key`, shown in another table of the
    /// release, is the sum of the counts of `rows` in count column `column`
    /// (the rejected rows of one file, shown by reason here and as one
    /// number in the validation table).
    ///
    /// # Errors
    /// As [`relate`](Table::relate).
    pub fn declare_population_total(
        &mut self,
        key: &str,
        column: &str,
        rows: &[usize],
    ) -> Result<()> {
        let mut terms = vec![(-1, RelationTerm::Population(key))];
        terms.extend(rows.iter().map(|&r| (1, RelationTerm::Cell(r, column))));
        self.relate(terms, RelationKind::Equal)
    }

    /// Relations declared with [`relate`](Table::relate).
    pub(crate) fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// The count cell at `row`, `column`; `rule` says why another cell is refused.
    fn count_cell(&self, row: usize, column: &str, rule: &str) -> Result<CellRef> {
        let c = self.column_index(column).ok_or_else(|| {
            Error::invalid_parameter(
                "column",
                column,
                format!("the table {:?} has no such column", self.title),
            )
        })?;
        match self.cell(row, c) {
            Some(Cell::Count(_)) => Ok(CellRef { row, column: c }),
            other => Err(Error::invalid_value(
                self.location(row, c),
                format!("{other:?}"),
                rule.to_owned(),
            )),
        }
    }

    /// Suppress this count cell so that a cell of another table of the
    /// release cannot be derived (set by the release audit; unlike
    /// [`mark_confidential`](Table::mark_confidential) it may be a zero).
    pub(crate) fn force(&mut self, at: CellRef) {
        if !self.forced.contains(&at) {
            self.forced.push(at);
        }
    }

    pub(crate) fn forced(&self) -> &[CellRef] {
        &self.forced
    }

    pub(crate) fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }
}

/// A term of [`Table::relate`], by row and column name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationTerm<'a> {
    /// The count cell at this row in the named count column.
    Cell(usize, &'a str),
    /// The population with this link key.
    Population(&'a str),
}

fn kind_name(kind: &ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Label => "label",
        ColumnKind::Count => "count",
        ColumnKind::Statistic { .. } => "statistic",
        ColumnKind::Rate { .. } => "rate",
        ColumnKind::Money { .. } => "money",
    }
}

fn margin(what: &str, total: usize, parts: &[usize], len: usize) -> Result<Margin> {
    if total >= len || parts.iter().any(|&p| p >= len) {
        return Err(Error::invalid_parameter(
            format!("{what} total"),
            format!("{total} = sum{parts:?}"),
            format!("indices must be below the number of {what}s, {len}"),
        ));
    }
    if parts.is_empty() {
        return Err(Error::invalid_parameter(
            format!("{what} total"),
            total,
            "a total must sum at least one part",
        ));
    }
    for (i, p) in parts.iter().enumerate() {
        if *p == total || parts[..i].contains(p) {
            return Err(Error::invalid_parameter(
                format!("{what} total"),
                format!("{total} = sum{parts:?}"),
                "parts must be distinct and must not include the total",
            ));
        }
    }
    Ok(Margin {
        total,
        parts: parts.to_vec(),
    })
}

fn check_sum(title: &str, columns: &[Column], row: &[Cell], r: usize, m: &Margin) -> Result<()> {
    let loc = |c: usize| {
        Location::source(title.to_owned())
            .row(r as u64 + 1)
            .column(columns.get(c).map(|c| c.name.clone()).unwrap_or_default())
    };
    let get = |c: usize| -> Result<u64> {
        match row.get(c) {
            Some(Cell::Count(v)) => Ok(*v),
            other => Err(Error::invalid_value(
                loc(c),
                format!("{other:?}"),
                "every cell in a declared total must be a count",
            )),
        }
    };
    let mut sum: u128 = 0;
    for &p in &m.parts {
        sum += u128::from(get(p)?);
    }
    let t = get(m.total)?;
    if u128::from(t) != sum {
        return Err(Error::invalid_value(
            loc(m.total),
            t.to_string(),
            format!("declared total column should equal the sum of its columns, {sum}"),
        ));
    }
    Ok(())
}

/// A population key names something: it must not be blank.
fn check_key(key: &str) -> Result<()> {
    if key.trim().is_empty() {
        return Err(Error::invalid_parameter(
            "link key",
            "\"\"",
            "a population key must not be empty",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_by_two() -> Table {
        let mut t = Table::new(
            "t",
            vec![
                Column::label("Area"),
                Column::count("A"),
                Column::count("B"),
                Column::count("Total"),
            ],
        )
        .unwrap();
        t.push_row(vec![
            Cell::text("x"),
            Cell::Count(1),
            Cell::Count(2),
            Cell::Count(3),
        ])
        .unwrap();
        t.push_row(vec![
            Cell::text("y"),
            Cell::Count(4),
            Cell::Count(5),
            Cell::Count(9),
        ])
        .unwrap();
        t
    }

    #[test]
    fn margins_must_add_up() {
        let mut t = two_by_two();
        t.declare_column_total("Total", &["A", "B"]).unwrap();
        let e = t
            .push_row(vec![
                Cell::text("z"),
                Cell::Count(1),
                Cell::Count(1),
                Cell::Count(3),
            ])
            .unwrap_err();
        assert!(e.to_string().contains("sum of its columns, 2"), "{e}");
        t.push_row(vec![
            Cell::text("Total"),
            Cell::Count(5),
            Cell::Count(7),
            Cell::Count(12),
        ])
        .unwrap();
        t.declare_row_total(2, &[0, 1]).unwrap();
        assert!(t.declare_row_total(0, &[1, 2]).is_err());
        assert!(t.declare_row_total(2, &[]).is_err());
        assert!(t.declare_row_total(2, &[0, 0]).is_err());
        assert!(t.declare_row_total(9, &[0]).is_err());
        assert!(t.declare_column_total("Area", &["A"]).is_err());
    }

    #[test]
    fn cells_must_suit_columns() {
        let mut t = Table::new(
            "t",
            vec![
                Column::count("n"),
                Column::statistic("mean", Basis::CountColumn("n".into())),
                Column::rate("pct", Basis::PerCell, Some("n")),
            ],
        )
        .unwrap();
        assert!(t.push_row(vec![Cell::Count(3)]).is_err());
        assert!(t
            .push_row(vec![
                Cell::text("a"),
                Cell::value(1.0),
                Cell::statistic(1.0, 3)
            ])
            .is_err());
        assert!(t
            .push_row(vec![
                Cell::Count(3),
                Cell::statistic(1.0, 3),
                Cell::statistic(1.0, 3)
            ])
            .is_err());
        assert!(t
            .push_row(vec![
                Cell::Count(3),
                Cell::value(f64::NAN),
                Cell::statistic(1.0, 3)
            ])
            .is_err());
        assert!(t
            .push_row(vec![Cell::Count(3), Cell::value(1.0), Cell::value(1.0)])
            .is_err());
        assert!(t
            .push_row(vec![
                Cell::Count(3),
                Cell::value(1.0),
                Cell::statistic(1.0, 0)
            ])
            .is_err());
        assert_eq!(
            t.push_row(vec![
                Cell::Count(3),
                Cell::value(1.0),
                Cell::statistic(1.0, 3)
            ])
            .unwrap(),
            0
        );
    }

    #[test]
    fn columns_are_checked() {
        assert!(Table::new("t", vec![]).is_err());
        assert!(Table::new("t", vec![Column::count("a"), Column::count("a")]).is_err());
        assert!(Table::new("t", vec![Column::count(" ")]).is_err());
        assert!(Table::new(
            "t",
            vec![Column::statistic("m", Basis::CountColumn("nope".into()))]
        )
        .is_err());
        assert!(Table::new(
            "t",
            vec![
                Column::label("l"),
                Column::rate("r", Basis::PerCell, Some("l"))
            ]
        )
        .is_err());
        assert!(Table::new(
            "t",
            vec![Column::money("m", Basis::PerCell).with_decimals(11)]
        )
        .is_err());
    }
}
