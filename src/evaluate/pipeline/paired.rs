//! Paired before/after columns and rows shared by the NDT and service-use tables.

use super::*;

pub(super) fn paired_columns(title: &str) -> Result<Table> {
    Table::new(
        title,
        vec![
            Column::label("Outcome"),
            Column::label("Group"),
            count("People"),
            stat_of("Mean before", "People", 2),
            stat_of("Mean after", "People", 2),
            stat_of("Mean change", "People", 2),
            stat_of("Change CI lower", "People", 2),
            stat_of("Change CI upper", "People", 2),
            stat_of("Paired t", "People", 3),
            stat_of("p (paired t)", "People", 4),
            stat_of("p (Wilcoxon)", "People", 4),
            stat_of("p (sign test)", "People", 4),
            stat_of("Cohen's d_z", "People", 3),
            stat_of("Bootstrap BCa lower", "People", 2),
            stat_of("Bootstrap BCa upper", "People", 2),
        ],
    )
}

pub(super) fn paired_row(
    outcome: &str,
    group: &str,
    s: Option<&PairedStatistics>,
    n: usize,
) -> Vec<Cell> {
    let Some(s) = s else {
        let mut row = vec![Cell::text(outcome), Cell::text(group), cnt(n)];
        row.extend(std::iter::repeat_n(Cell::NotAvailable, 12));
        return row;
    };
    let n = s.n;
    let bca = s
        .bootstrap
        .as_ref()
        .map(|b| b.bca.as_ref().unwrap_or(&b.percentile).ci);
    vec![
        Cell::text(outcome),
        Cell::text(group),
        cnt(n),
        val(Some(s.mean_before), n),
        val(Some(s.mean_after), n),
        val(Some(s.mean_change.value), n),
        val(Some(s.mean_change.ci.lower), n),
        val(Some(s.mean_change.ci.upper), n),
        val(s.paired_t.as_ref().map(|t| t.test.statistic), n),
        val(s.paired_t.as_ref().map(|t| t.test.p_value), n),
        val(s.wilcoxon.as_ref().map(|t| t.test.p_value), n),
        val(s.sign_test.as_ref().map(|t| t.test.p_value), n),
        val(s.cohens_dz.as_ref().map(|d| d.value), n),
        val(bca.map(|c| c.lower), n),
        val(bca.map(|c| c.upper), n),
    ]
}

pub(super) fn paired(
    before: &[f64],
    after: &[f64],
    level: ConfidenceLevel,
    boot: Option<BootstrapConfig>,
) -> Option<PairedStatistics> {
    if before.len() < 2 {
        return None;
    }
    pre_post::paired_statistics(before, after, level, boot).ok()
}
