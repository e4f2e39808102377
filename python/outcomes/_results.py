"""Typed results: frozen dataclasses built from the library's own results.

Each result has ``to_dict()`` (plain Python values, as the library's JSON
output has them) and ``to_polars()`` (a tidy polars DataFrame). Nested parts
are dataclasses too, so an editor completes ``r.paired_t.test.p_value``.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, Optional, Tuple, Union

import polars as pl

__all__ = [
    "Result",
    "Interval",
    "Estimate",
    "TestResult",
    "PairedT",
    "Wilcoxon",
    "SignTest",
    "Bootstrap",
    "PairedStatistics",
    "McNemar",
    "BinaryChange",
    "ReliableChange",
    "Descriptives",
    "ValidationSummary",
    "Coverage",
    "Coefficient",
    "PropensityScore",
    "Balance",
    "EffectEstimate",
    "MatchedComparison",
    "DifferenceInDifferences",
    "AgencyCosts",
    "CostComparison",
    "GroupCosts",
    "CostOffset",
    "CostBenefitYear",
    "SensitivityRow",
    "CostBenefit",
    "NdtSelection",
    "FileAccount",
    "Report",
]

_FRAME_TYPES = (pl.DataFrame, pl.Series)


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> Dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_record(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Result)


def _convert(tp: Any, value: Any) -> Any:
    """``value`` (from the library) as the annotated type ``tp``."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union:
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin in (list, List):
        return [_convert(args[0], v) for v in value] if args else list(value)
    if origin in (dict, Dict):
        return {k: _convert(args[1], v) for k, v in value.items()} if args else dict(value)
    if origin in (tuple, Tuple):
        return tuple(value)
    if _is_record(tp):
        return tp.from_dict(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, pl.DataFrame):
        return value.to_dicts()
    if isinstance(value, pl.Series):
        return value.to_list()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _flatten(prefix: str, value: Any, out: Dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}{k}.", v, out)
    elif isinstance(value, list):
        return  # lists (per-person vectors, rows) have their own frames
    else:
        out[prefix[:-1]] = value


@dataclass(frozen=True)
class Result:
    """Base of every result: ``from_dict``, ``to_dict``, ``to_polars``."""

    #: Fields filled from frames the library returns beside the dict.
    _frames: ClassVar[Tuple[str, ...]] = ()

    @classmethod
    def from_dict(cls, data: Dict[str, Any], **frames: Any) -> "Result":
        """Build from the library's result (its serde form)."""
        hints = _hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = set(data) - set(names)
        if unknown:
            raise TypeError(
                f"{cls.__name__}: the library returned fields this package does not "
                f"know: {sorted(unknown)} (package and library out of step)"
            )
        kwargs: Dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name in frames:
                kwargs[f.name] = frames[f.name]
            elif f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise TypeError(f"{cls.__name__}: the library's result has no `{f.name}`")
        return cls(**kwargs)

    def to_dict(self) -> Dict[str, Any]:
        """Plain Python values (frames as lists of rows)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_polars(self) -> pl.DataFrame:
        """One row: every scalar field, nested names joined with dots."""
        row: Dict[str, Any] = {}
        d = {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if not isinstance(getattr(self, f.name), _FRAME_TYPES)
        }
        _flatten("", d, row)
        return pl.DataFrame([row])


# ------------------------------------------------------------------ statistics


@dataclass(frozen=True)
class Interval(Result):
    """A confidence interval."""

    lower: float
    upper: float


@dataclass(frozen=True)
class Estimate(Result):
    """A point estimate with its standard error and interval."""

    value: float
    std_error: Optional[float]
    ci: Interval
    level: float
    n: int


@dataclass(frozen=True)
class TestResult(Result):
    """A hypothesis test: its name, statistic, df and p-value."""

    __test__ = False  # not a pytest test class

    test: str
    statistic: float
    df: Optional[float]
    p_value: float
    alternative: str
    n: int


@dataclass(frozen=True)
class PairedT(Result):
    """The paired t-test."""

    n: int
    mean_before: float
    mean_after: float
    sd_difference: float
    estimate: Estimate
    test: TestResult


@dataclass(frozen=True)
class Wilcoxon(Result):
    """The Wilcoxon signed-rank test (scipy's conventions)."""

    n: int
    n_zero: int
    rank_sum_positive: float
    rank_sum_negative: float
    z: Optional[float]
    method: str
    test: TestResult


@dataclass(frozen=True)
class SignTest(Result):
    """The exact sign test."""

    n: int
    n_positive: int
    n_negative: int
    n_zero: int
    test: TestResult


@dataclass(frozen=True)
class Bootstrap(Result):
    """A seeded bootstrap: percentile and (where defined) BCa intervals."""

    percentile: Estimate
    bca: Optional[Estimate]
    bias_correction: Optional[float]
    acceleration: Optional[float]
    config: Dict[str, Any]


@dataclass(frozen=True)
class PairedStatistics(Result):
    """Paired before/after statistics (``compare::pre_post::paired_statistics``):
    each test ``None`` where undefined on these data, with the reason in
    ``notes``."""

    n: int
    mean_before: float
    mean_after: float
    mean_change: Estimate
    paired_t: Optional[PairedT]
    wilcoxon: Optional[Wilcoxon]
    sign_test: Optional[SignTest]
    cohens_dz: Optional[Estimate]
    bootstrap: Optional[Bootstrap]
    notes: List[str]

    def to_polars(self) -> pl.DataFrame:
        """One row per statistic: ``statistic``, ``estimate``, ``ci_lower``,
        ``ci_upper``, ``test_statistic``, ``p_value``."""
        rows = [
            ("mean change", self.mean_change.value, self.mean_change.ci, None, None),
        ]
        if self.paired_t:
            t = self.paired_t
            rows.append(("paired t", t.estimate.value, t.estimate.ci, t.test.statistic, t.test.p_value))
        if self.wilcoxon:
            w = self.wilcoxon
            rows.append(("Wilcoxon signed-rank", None, None, w.test.statistic, w.test.p_value))
        if self.sign_test:
            s = self.sign_test
            rows.append(("sign test", None, None, s.test.statistic, s.test.p_value))
        if self.cohens_dz:
            d = self.cohens_dz
            rows.append(("Cohen's d_z", d.value, d.ci, None, None))
        if self.bootstrap:
            b = self.bootstrap
            rows.append(("bootstrap percentile", b.percentile.value, b.percentile.ci, None, None))
            if b.bca:
                rows.append(("bootstrap BCa", b.bca.value, b.bca.ci, None, None))
        return pl.DataFrame(
            {
                "statistic": [r[0] for r in rows],
                "estimate": [r[1] for r in rows],
                "ci_lower": [r[2].lower if r[2] else None for r in rows],
                "ci_upper": [r[2].upper if r[2] else None for r in rows],
                "test_statistic": [r[3] for r in rows],
                "p_value": [r[4] for r in rows],
            },
            schema={
                "statistic": pl.String,
                "estimate": pl.Float64,
                "ci_lower": pl.Float64,
                "ci_upper": pl.Float64,
                "test_statistic": pl.Float64,
                "p_value": pl.Float64,
            },
        )


@dataclass(frozen=True)
class McNemar(Result):
    """McNemar's test, exact and chi-square with continuity correction."""

    n: int
    true_to_false: int
    false_to_true: int
    exact: TestResult
    chi_square: TestResult


@dataclass(frozen=True)
class BinaryChange(Result):
    """Any use before against after: two proportions (Wilson) and McNemar."""

    n: int
    before: Estimate
    after: Estimate
    mcnemar: Optional[McNemar]


@dataclass(frozen=True)
class ReliableChange(Result):
    """Jacobson & Truax reliable change: the index per person and the counts."""

    n: int
    params: Dict[str, Any]
    s_diff: float
    reliable_change_threshold: float
    rc: List[float]
    classes: List[str]
    improved: int
    no_reliable_change: int
    deteriorated: int
    proportion_improved: Estimate
    proportion_deteriorated: Estimate


@dataclass(frozen=True)
class Descriptives(Result):
    """Summary statistics of one sample."""

    n: int
    mean: float
    sd: Optional[float]
    min: float
    median: float
    max: float


# ------------------------------------------------------------------ loading


@dataclass(frozen=True)
class ValidationSummary(Result):
    """A load's account: ``rows_read == accepted + rejected``, always."""

    source: str
    rows_read: int
    accepted: int
    rejected: int
    by_reason: Dict[str, int]


@dataclass(frozen=True)
class Coverage(Result):
    """What a coverage policy did."""

    people: int
    included: int
    excluded: int
    partly_observed: int


# ------------------------------------------------------------------ comparison


@dataclass(frozen=True)
class Coefficient(Result):
    """One coefficient of the propensity-score model."""

    term: str
    estimate: float
    std_error: float
    z: float
    p_value: float


@dataclass(frozen=True)
class PropensityScore(Result):
    """A fitted propensity-score model (R's ``glm``) and every row's score."""

    _frames: ClassVar[Tuple[str, ...]] = ("score", "linear_predictor")

    link: str
    coefficients: List[Coefficient]
    deviance: float
    null_deviance: float
    aic: float
    log_likelihood: float
    iterations: int
    score: pl.Series = field(repr=False, default_factory=lambda: pl.Series("score", [], pl.Float64))
    linear_predictor: pl.Series = field(
        repr=False, default_factory=lambda: pl.Series("linear_predictor", [], pl.Float64)
    )

    def to_polars(self) -> pl.DataFrame:
        """The coefficients: ``term``, ``estimate``, ``std_error``, ``z``, ``p_value``."""
        return pl.DataFrame([c.to_dict() for c in self.coefficients])


@dataclass(frozen=True)
class Balance(Result):
    """Covariate balance before (all data) and after (matched) matching."""

    before: pl.DataFrame
    after: Optional[pl.DataFrame]

    def to_polars(self) -> pl.DataFrame:
        """Both tables, with a ``sample`` column (``all`` / ``matched``)."""
        parts = [self.before.with_columns(pl.lit("all").alias("sample"))]
        if self.after is not None:
            parts.append(self.after.with_columns(pl.lit("matched").alias("sample")))
        return pl.concat(parts).select(["sample", *self.before.columns])


@dataclass(frozen=True)
class EffectEstimate(Result):
    """A regression coefficient with its inference (t reference)."""

    estimate: float
    std_error: float
    t_value: Optional[float]
    p_value: Optional[float]
    ci: Interval
    level: float
    df: float
    estimator: str
    n: int
    clusters: Optional[int]


def _estimates_frame(named: List[Tuple[str, EffectEstimate]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "estimate_of": [n for n, _ in named],
            "estimator": [e.estimator for _, e in named],
            "n": [e.n for _, e in named],
            "estimate": [e.estimate for _, e in named],
            "std_error": [e.std_error for _, e in named],
            "ci_lower": [e.ci.lower for _, e in named],
            "ci_upper": [e.ci.upper for _, e in named],
            "p_value": [e.p_value for _, e in named],
        },
        schema_overrides={"p_value": pl.Float64},
    )


@dataclass(frozen=True)
class MatchedComparison(Result):
    """The whole matched comparison (``compare::report::run_matched_comparison``,
    as ``outcomes match``): settings, row accounting, the score model,
    counts, pair distances, balance before and after, and the effect on the
    treated. ``matched_sets`` is a frame, one row per treated unit (1-based
    rows of the input, as the library reports them)."""

    _frames: ClassVar[Tuple[str, ...]] = ("matched_sets",)

    source: str
    settings: Dict[str, Any]
    rows: Dict[str, Any]
    covariates: List[Dict[str, Any]]
    score_model: Dict[str, Any]
    counts: Dict[str, Any]
    pair_distances: Optional[Dict[str, Any]]
    balance: Dict[str, Any]
    effect: Dict[str, Any]
    matched_sets: pl.DataFrame = field(repr=False, default_factory=pl.DataFrame)

    @property
    def difference_in_means(self) -> EffectEstimate:
        """The effect on the treated, difference in matched means."""
        return EffectEstimate.from_dict(self.effect["difference_in_means"])  # type: ignore[return-value]

    @property
    def regression_adjusted(self) -> EffectEstimate:
        """The effect on the treated, adjusted for the covariates."""
        return EffectEstimate.from_dict(self.effect["regression_adjusted"])  # type: ignore[return-value]

    def balance_frame(self) -> pl.DataFrame:
        """Balance before and after, one row per variable and sample."""
        parts = [pl.DataFrame(self.balance["before"]).with_columns(pl.lit("all").alias("sample"))]
        if self.balance.get("after"):
            parts.append(
                pl.DataFrame(self.balance["after"]).with_columns(pl.lit("matched").alias("sample"))
            )
        return pl.concat(parts, how="diagonal_relaxed")

    def to_polars(self) -> pl.DataFrame:
        """The effect estimates, one row each."""
        return _estimates_frame(
            [
                ("difference in means", self.difference_in_means),
                ("regression-adjusted", self.regression_adjusted),
            ]
        )


@dataclass(frozen=True)
class DifferenceInDifferences(Result):
    """The 2×2 difference in differences (``compare::report::run_did``, as
    ``outcomes did``): cell means and ``lm(y ~ treat * post)`` with
    classical, HC1 and cluster-robust (CR1) errors."""

    source: str
    columns: Dict[str, str]
    rows: Dict[str, Any]
    units: int
    treated_units: int
    periods: List[Dict[str, Any]]
    cells: Dict[str, Any]
    regression: Dict[str, Any]

    @property
    def did(self) -> float:
        """The difference in differences of the cell means."""
        return float(self.cells["did"])

    def estimate(self, variance: str = "cluster") -> EffectEstimate:
        """The interaction's estimate under ``"classical"``, ``"hc1"`` or ``"cluster"``."""
        return EffectEstimate.from_dict(self.regression[variance])  # type: ignore[return-value]

    def to_polars(self) -> pl.DataFrame:
        """The interaction under each variance estimator, one row each."""
        return _estimates_frame(
            [(v, self.estimate(v)) for v in ("classical", "hc1", "cluster")]
        )


# ------------------------------------------------------------------ costs


@dataclass(frozen=True)
class AgencyCosts(Result):
    """One agency's cohort totals before and after."""

    pre: float
    post: float
    change: float


@dataclass(frozen=True)
class CostComparison(Result):
    """The pre/post cost comparison (``costs::costing::pre_post_columns``):
    totals and means per person, by agency, and one row per person."""

    _frames: ClassVar[Tuple[str, ...]] = ("people",)

    price_year: str
    categories: List[str]
    n: int
    total_pre: float
    total_post: float
    total_change: float
    mean_pre: float
    mean_post: float
    mean_change: float
    programme_cost_per_person: float
    mean_net_saving: float
    total_net_saving: float
    by_agency: Dict[str, AgencyCosts]
    people: pl.DataFrame = field(repr=False, default_factory=pl.DataFrame)

    def to_polars(self) -> pl.DataFrame:
        """By agency: ``agency``, ``pre``, ``post``, ``change`` (cohort totals)."""
        return pl.DataFrame(
            {
                "agency": list(self.by_agency),
                "pre": [a.pre for a in self.by_agency.values()],
                "post": [a.post for a in self.by_agency.values()],
                "change": [a.change for a in self.by_agency.values()],
            },
            schema={"agency": pl.String, "pre": pl.Float64, "post": pl.Float64, "change": pl.Float64},
        )


@dataclass(frozen=True)
class GroupCosts(Result):
    """Weighted mean costs of one group in a matched comparison."""

    n: int
    weight: float
    mean_pre: float
    mean_post: float
    mean_change: float


@dataclass(frozen=True)
class CostOffset(Result):
    """The cost offset against a matched comparison group
    (``costs::comparison_offset``)."""

    programme: GroupCosts
    comparison: GroupCosts
    sets: int
    did: float
    did_bootstrap: Bootstrap
    did_cluster_robust: EffectEstimate
    programme_cost_per_person: float
    net_offset_per_person: float
    net_offset_percentile: Interval
    net_offset_bca: Optional[Interval]


@dataclass(frozen=True)
class CostBenefitYear(Result):
    """One year of the appraisal."""

    year: int
    discount_factor: float
    benefits: float
    costs: float
    pv_benefits: float
    pv_costs: float
    cumulative_pv_net: float


@dataclass(frozen=True)
class SensitivityRow(Result):
    """One assumption varied, the others held."""

    parameter: str
    low: float
    high: float
    npv_at_low: float
    npv_at_high: float
    bcr_at_low: Optional[float]
    bcr_at_high: Optional[float]


@dataclass(frozen=True)
class CostBenefit(Result):
    """The Green Book cost-benefit analysis (``costs::cba::appraise``) with its
    one-way sensitivity table."""

    price_year: str
    discounting: str
    pv_benefits: float
    pv_fiscal: float
    pv_economic: float
    pv_social: float
    pv_costs: float
    npv: float
    benefit_cost_ratio: Optional[float]
    fiscal_roi: Optional[float]
    economic_roi: Optional[float]
    public_value_roi: Optional[float]
    payback_year: Optional[int]
    pv_by_agency: Dict[str, float]
    years: List[CostBenefitYear]
    sensitivity: List[SensitivityRow]

    def to_polars(self) -> pl.DataFrame:
        """Year by year."""
        return pl.DataFrame([y.to_dict() for y in self.years])

    def sensitivity_frame(self) -> pl.DataFrame:
        """The one-way sensitivity table."""
        return pl.DataFrame(
            [s.to_dict() for s in self.sensitivity],
            schema_overrides={"bcr_at_low": pl.Float64, "bcr_at_high": pl.Float64},
        )


# ------------------------------------------------------------------ NDT and the report


@dataclass(frozen=True)
class NdtSelection(Result):
    """Baseline and follow-up NDT assessments per person."""

    _frames: ClassVar[Tuple[str, ...]] = ("frame",)

    people: int
    with_both: int
    no_baseline: int
    no_follow_up: int
    frame: pl.DataFrame = field(repr=False, default_factory=pl.DataFrame)

    def totals(self) -> Tuple[pl.Series, pl.Series]:
        """Baseline and follow-up totals of the people with both defined."""
        both = self.frame.drop_nulls(["baseline_total", "follow_up_total"])
        return both["baseline_total"], both["follow_up_total"]

    def to_polars(self) -> pl.DataFrame:
        """The selected assessments, one row per person."""
        return self.frame


@dataclass(frozen=True)
class FileAccount(Result):
    """One input file's validation account (the evaluator's own check:
    never written to the report folder)."""

    file: str
    rows_read: int
    accepted: int
    rejected: int
    by_reason: Dict[str, int]


@dataclass(frozen=True)
class Report(Result):
    """What ``evaluate`` ran and wrote: every table cleared by the spec's
    disclosure policy (``tables``, by file stem), the report's files, the
    validation accounts and the run record (``run.json``)."""

    name: str
    out: Optional[str]
    files: List[str]
    rejected_rows: Optional[str]
    policy: Any
    tables: Dict[str, Any]
    accounts: List[FileAccount]
    run: Dict[str, Any]

    def to_dict(self) -> Dict[str, Any]:
        d = super().to_dict()
        d["policy"] = self.policy.name
        d["tables"] = {k: t.to_dict() for k, t in self.tables.items()}
        return d

    def to_polars(self) -> pl.DataFrame:
        """The validation accounts, one row per input file."""
        return pl.DataFrame(
            {
                "file": [a.file for a in self.accounts],
                "rows_read": [a.rows_read for a in self.accounts],
                "accepted": [a.accepted for a in self.accounts],
                "rejected": [a.rejected for a in self.accounts],
            }
        )
