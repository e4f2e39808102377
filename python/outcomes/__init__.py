"""``outcomes``: measure and evaluate the outcomes of programmes supporting
people facing multiple disadvantage, from Python.

The same library as the Rust crate ``outcomes`` (validated loading with
keyed pseudonymisation, pre/post statistics, propensity scores, matching and
balance, difference in differences, costs and cost-benefit analysis,
disclosure control, the whole evaluation from a spec), one import away: the
computation is the crate's, compiled in; this package converts polars
DataFrames in and out and wraps results in dataclasses.

>>> import outcomes as oc
>>> key = oc.Key.demonstration()                  # synthetic data only
>>> window = oc.DataWindow("2021-04-01", "2025-03-31")
>>> cohort = oc.load_cohort(oc.sample_dir() / "cohort.csv", window, key)
>>> cohort.summary.rows_read == cohort.summary.accepted + cohort.summary.rejected
True

Errors are :mod:`outcomes.errors` exceptions carrying the file, row, column
and key; no person identifier leaves the Rust side unpseudonymised (every
loader takes a :class:`Key`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import polars as pl

from . import errors
from ._outcomes import (  # noqa: F401  (re-exported)
    ClearedTable,
    Cohort,
    DataWindow,
    Dataset,
    Deflators,
    Key,
    Matching,
    NdtAssessments,
    Pairs,
    Policy,
    Release,
    ServiceEvents,
    Table,
    UnitCosts,
    WindowCounts,
    write_xlsx,
)
from . import _outcomes as _native
from ._results import (
    Balance,
    BinaryChange,
    Bootstrap,
    CostBenefit,
    CostComparison,
    CostOffset,
    Descriptives,
    DifferenceInDifferences,
    Estimate,
    FileAccount,
    MatchedComparison,
    NdtSelection,
    PairedStatistics,
    PropensityScore,
    ReliableChange,
    Report,
    Result,
    ValidationSummary,
)
from .errors import OutcomesError

__version__ = _native.__version__

PathLike = Union[str, "os.PathLike[str]"]
ArrayLike = Any  # a polars Series, a list, a numpy array, a pandas Series

__all__ = [
    "errors",
    "OutcomesError",
    "Key",
    "DataWindow",
    "Loaded",
    "ValidationSummary",
    "Cohort",
    "ServiceEvents",
    "NdtAssessments",
    "Dataset",
    "load_cohort",
    "load_service_use",
    "load_ndt",
    "load_register",
    "load_enrolment_counts",
    "load_police_uk",
    "load_population",
    "WindowCounts",
    "Pairs",
    "window_counts",
    "paired_statistics",
    "binary_change",
    "reliable_change",
    "describe",
    "bootstrap_mean",
    "ndt_baseline_follow_up",
    "propensity_score",
    "Matching",
    "nearest_neighbour",
    "balance",
    "matched_comparison",
    "did",
    "UnitCosts",
    "Deflators",
    "cost_pre_post",
    "matched_cost_offset",
    "cost_benefit",
    "Policy",
    "Release",
    "Table",
    "ClearedTable",
    "write_xlsx",
    "evaluate",
    "sample_dir",
    "write_sample",
    "generate",
    "Result",
    "PairedStatistics",
    "BinaryChange",
    "ReliableChange",
    "Descriptives",
    "Bootstrap",
    "Estimate",
    "NdtSelection",
    "PropensityScore",
    "Balance",
    "MatchedComparison",
    "DifferenceInDifferences",
    "CostComparison",
    "CostOffset",
    "CostBenefit",
    "Report",
    "FileAccount",
]


def _path(p: PathLike) -> str:
    return os.fspath(p)


# ------------------------------------------------------------------ loading


@dataclass(frozen=True)
class Loaded:
    """The result of a load: the accepted data, every rejected row, the account.

    ``data`` is the validated dataset (a :class:`Cohort`,
    :class:`ServiceEvents`, :class:`NdtAssessments` or :class:`Dataset`) to
    pass to later calls; ``accepted`` is its polars DataFrame (built on first
    use); ``rejections`` has one row per rejected source row: ``file``,
    ``row`` (1-based, the header not counted), ``column``, ``value``
    (``<redacted>`` for identifiers) and ``rule``.
    """

    data: Any
    summary: ValidationSummary
    rejections: pl.DataFrame = field(repr=False)
    _accepted: List[pl.DataFrame] = field(default_factory=list, repr=False, compare=False)

    @property
    def accepted(self) -> pl.DataFrame:
        """The accepted rows as a polars DataFrame (identifiers are pseudonyms)."""
        if not self._accepted:
            self._accepted.append(self.data.to_polars())
        return self._accepted[0]

    @property
    def rows_read(self) -> int:
        """Data rows read (header excluded): ``accepted + rejected``."""
        return self.summary.rows_read

    def to_dict(self) -> Dict[str, Any]:
        """The account and the rejected rows (not the accepted data)."""
        return {"summary": self.summary.to_dict(), "rejections": self.rejections.to_dicts()}

    def to_polars(self) -> pl.DataFrame:
        """The accepted rows."""
        return self.accepted


def _loaded(t: Tuple[Any, Dict[str, Any], pl.DataFrame]) -> Loaded:
    handle, summary, rejections = t
    return Loaded(handle, ValidationSummary.from_dict(summary), rejections)  # type: ignore[arg-type]


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Loaded) else x


def load_cohort(
    path: PathLike,
    window: DataWindow,
    key: Key,
    *,
    columns: Optional[Mapping[str, str]] = None,
    numeric: Optional[Sequence[str]] = None,
) -> Loaded:
    """Load and validate a cohort file (CSV or Parquet): ``person_id``,
    ``index_date``, ``group`` (programme / comparison / unknown), optional
    ``end_date`` and ``end_reason``; every other column is a covariate.

    ``columns`` maps canonical names to the file's own
    (``{"person_id": "Client ID"}``); ``numeric`` names covariates that must
    be numbers (a stray text value rejects its row). Identifiers are
    pseudonymised with ``key`` on load.
    """
    return _loaded(
        _native.load_cohort(
            _path(path), window, key, dict(columns) if columns else None, list(numeric or [])
        )
    )


def load_service_use(
    path: PathLike,
    cohort: Union[Cohort, Loaded],
    key: Key,
    *,
    columns: Optional[Mapping[str, str]] = None,
) -> Loaded:
    """Load and validate dated service-use events (``person_id``, ``date``,
    ``category``, optional ``count``) against a cohort: an unknown person, a
    date outside the data window, an unknown category or an impossible count
    is a rejected row."""
    return _loaded(
        _native.load_service_use(
            _path(path), _data(cohort), key, dict(columns) if columns else None
        )
    )


def load_ndt(
    path: PathLike,
    cohort: Union[Cohort, Loaded],
    key: Key,
    *,
    layout: str = "long",
    partial: str = "undefined",
    columns: Optional[Mapping[str, str]] = None,
) -> Loaded:
    """Load and validate NDT assessments, ``layout="long"`` (one row per
    assessment) or ``"wide"`` (the Fulfilling Lives layout). ``partial`` is
    the policy for totals of partly completed assessments: ``"undefined"``,
    ``"reject"`` or ``"prorate:N"``."""
    return _loaded(
        _native.load_ndt(
            _path(path), _data(cohort), key, layout, partial, dict(columns) if columns else None
        )
    )


def load_register(path: PathLike, key: Key) -> Loaded:
    """Load and validate school register marks (``pupil_id``, ``school_urn``,
    ``date``, ``session``, ``code``); pupil identifiers are pseudonymised."""
    return _loaded(_native.load_table("register", _path(path), key))


def load_enrolment_counts(path: PathLike, key: Key) -> Loaded:
    """Load and validate DfE-style enrolment counts (``time_period``,
    ``school_urn``, ``pupil_id``, ``sess_possible``, ``sess_authorised``,
    ``sess_unauthorised``); pupil identifiers are pseudonymised."""
    return _loaded(_native.load_table("enrolment_counts", _path(path), key))


def load_police_uk(path: PathLike, key: Key) -> Loaded:
    """Load police.uk street-level crime: anti-social behaviour incidents are
    accepted, other crime types are rejected as out of scope."""
    return _loaded(_native.load_table("police_uk", _path(path), key))


def load_population(path: PathLike, key: Key) -> Loaded:
    """Load and validate area populations (``area``, ``year``,
    ``population``, ``source``)."""
    return _loaded(_native.load_table("population", _path(path), key))


# ------------------------------------------------------------------ pre/post


def window_counts(
    cohort: Union[Cohort, Loaded],
    events: Union[ServiceEvents, Loaded],
    *,
    categories: Optional[Sequence[str]] = None,
    windows: Optional[Sequence[Tuple[str, int, int]]] = None,
) -> WindowCounts:
    """Count service use per person in windows aligned to each person's
    start (default: ``("before", -12, 0)`` and ``("after", 0, 12)``, months),
    with observed days, for ``categories`` (default: every built-in one)."""
    return _native.window_counts(
        _data(cohort),
        _data(events),
        list(categories) if categories is not None else None,
        [tuple(w) for w in windows] if windows is not None else None,
    )


def paired_statistics(
    before: ArrayLike,
    after: ArrayLike,
    *,
    confidence: float = 0.95,
    bootstrap: Optional[int] = None,
    seed: int = 20240101,
) -> PairedStatistics:
    """Mean change, paired t, Wilcoxon signed-rank, sign test, Cohen's d_z
    and (with ``bootstrap`` resamples) a seeded bootstrap of the mean change."""
    return PairedStatistics.from_dict(  # type: ignore[return-value]
        _native.paired_statistics(before, after, confidence, bootstrap, seed)
    )


def binary_change(before: ArrayLike, after: ArrayLike, *, confidence: float = 0.95) -> BinaryChange:
    """Proportions before and after (Wilson intervals) and McNemar's test."""
    return BinaryChange.from_dict(_native.binary_change(before, after, confidence))  # type: ignore[return-value]


def reliable_change(
    before: ArrayLike,
    after: ArrayLike,
    *,
    sd_baseline: float,
    reliability: float,
    lower_is_better: bool = True,
    confidence: float = 0.95,
) -> ReliableChange:
    """Jacobson & Truax reliable change index and classes."""
    return ReliableChange.from_dict(  # type: ignore[return-value]
        _native.reliable_change(before, after, sd_baseline, reliability, lower_is_better, confidence)
    )


def describe(values: ArrayLike) -> Descriptives:
    """n, mean, SD, min, median, max."""
    return Descriptives.from_dict(_native.describe(values))  # type: ignore[return-value]


def bootstrap_mean(
    values: ArrayLike, *, resamples: int = 9999, seed: int = 20240101, confidence: float = 0.95
) -> Bootstrap:
    """A seeded bootstrap of the mean (percentile and BCa intervals)."""
    return Bootstrap.from_dict(  # type: ignore[return-value]
        _native.bootstrap_mean(values, resamples, seed, confidence)
    )


def ndt_baseline_follow_up(
    cohort: Union[Cohort, Loaded],
    assessments: Union[NdtAssessments, Loaded],
    *,
    group: Optional[str] = None,
    follow_up_months: int = 12,
    partial: str = "undefined",
) -> NdtSelection:
    """Each person's baseline and follow-up NDT assessment (of one group, or
    everyone), with the selection counts."""
    frame, counts = _native.ndt_baseline_follow_up(
        _data(cohort), _data(assessments), group, follow_up_months, partial
    )
    return NdtSelection.from_dict(counts, frame=frame)  # type: ignore[return-value]


# ------------------------------------------------------------------ comparison


def propensity_score(
    data: Any, *, treatment: str, covariates: Sequence[str], link: str = "logit"
) -> PropensityScore:
    """Fit ``glm(treatment ~ covariates, family = binomial)`` on a frame: a
    numeric column is a numeric covariate, a text column a categorical one."""
    d, score, linear = _native.propensity_score(data, treatment, list(covariates), link)
    return PropensityScore.from_dict(d, score=score, linear_predictor=linear)  # type: ignore[return-value]


def nearest_neighbour(
    score: ArrayLike,
    treated: ArrayLike,
    *,
    ratio: int = 1,
    caliper_sd: Optional[float] = None,
    caliper: Optional[float] = None,
    replace: bool = False,
    order: str = "largest",
    seed: Optional[int] = None,
    discard: str = "none",
) -> Matching:
    """Nearest-neighbour matching on a score (MatchIt ``method = "nearest"``):
    ``ratio`` controls per treated unit, a caliper in SDs of the score
    (``caliper_sd``) or in score units (``caliper``), with or without
    replacement, treated units in ``order`` (largest score first by default)."""
    return _native.nearest_neighbour(
        score, treated, ratio, caliper_sd, caliper, replace, order, seed, discard
    )


def balance(
    data: Any,
    *,
    treatment: str,
    covariates: Sequence[str],
    score: Optional[ArrayLike] = None,
    matching: Optional[Matching] = None,
) -> Balance:
    """Covariate balance before and, given a matching, after (MatchIt
    ``summary()``): means, SMDs, variance ratios, eCDF statistics."""
    before, after = _native.balance(data, treatment, list(covariates), score, matching)
    return Balance(before, after)


def matched_comparison(
    data: Any,
    *,
    treatment: str,
    covariates: Sequence[str],
    outcome: str,
    ratio: int = 1,
    caliper_sd: Optional[float] = None,
    replace: bool = False,
    exact: Optional[Sequence[str]] = None,
    order: str = "largest",
    kinds: Optional[Mapping[str, str]] = None,
    id_columns: Optional[Sequence[str]] = None,
    confidence: float = 0.95,
    source: str = "frame",
) -> MatchedComparison:
    """The matched comparison of a frame, as ``outcomes match``: logistic
    score, matching, balance, and the effect on the treated (difference in
    means and regression-adjusted, pair-clustered errors). Rows with a blank
    are left out and listed in ``rows``; ``id_columns`` are never analysed or
    shown in a message."""
    d, sets = _native.matched_comparison(
        data,
        treatment,
        list(covariates),
        outcome,
        ratio,
        caliper_sd,
        replace,
        list(exact) if exact else None,
        order,
        dict(kinds) if kinds else None,
        list(id_columns) if id_columns else None,
        confidence,
        source,
    )
    d = dict(d)
    d.pop("matched_sets", None)
    return MatchedComparison.from_dict(d, matched_sets=sets)  # type: ignore[return-value]


def did(
    data: Any,
    *,
    unit: str,
    time: str,
    treated: str,
    post: str,
    outcome: str,
    cluster: Optional[str] = None,
    confidence: float = 0.95,
    source: str = "frame",
) -> DifferenceInDifferences:
    """The 2×2 difference in differences of a long frame (one row per unit
    and period), as ``outcomes did``."""
    return DifferenceInDifferences.from_dict(  # type: ignore[return-value]
        _native.did(data, unit, time, treated, post, outcome, cluster, confidence, source)
    )


# ------------------------------------------------------------------ costs


def cost_pre_post(
    counts: WindowCounts,
    unit_costs: UnitCosts,
    deflators: Deflators,
    *,
    price_year: str,
    programme_cost_per_person: float = 0.0,
    rows: Optional[ArrayLike] = None,
    categories: Optional[Sequence[str]] = None,
    before: str = "before",
    after: str = "after",
) -> CostComparison:
    """Price each person's service use before and after (the rows ``rows``
    of the per-person frame, default all), re-based to ``price_year``;
    categories without a unit cost are left out, never priced at zero."""
    d, people = _native.cost_pre_post(
        counts,
        unit_costs,
        deflators,
        price_year,
        programme_cost_per_person,
        rows,
        list(categories) if categories is not None else None,
        before,
        after,
    )
    return CostComparison.from_dict(d, people=people)  # type: ignore[return-value]


def matched_cost_offset(
    matching: Matching,
    *,
    groups: ArrayLike,
    pre: ArrayLike,
    post: ArrayLike,
    price_year: str,
    programme_cost_per_person: float = 0.0,
    resamples: int = 9999,
    seed: int = 20240101,
    confidence: float = 0.95,
) -> CostOffset:
    """The cost offset against the matched comparison group: difference in
    mean change with a bootstrap over matched sets and the CR1 error, net of
    the programme cost. ``groups``, ``pre`` and ``post`` are per row matched on."""
    return CostOffset.from_dict(  # type: ignore[return-value]
        _native.matched_cost_offset(
            matching,
            groups,
            pre,
            post,
            price_year,
            programme_cost_per_person,
            resamples,
            seed,
            confidence,
        )
    )


def cost_benefit(
    streams: Iterable[Mapping[str, Any]],
    *,
    costs_by_year: Sequence[float],
    price_year: str,
    horizon_years: int = 5,
    dropoff: float = 0.0,
) -> CostBenefit:
    """The Green Book cost-benefit analysis: each stream a dict with
    ``label``, ``agency``, ``annual_gross``, ``comparison_change`` or
    ``deadweight``, ``attribution``, ``confidence_grade``, ``value_type``."""
    return CostBenefit.from_dict(  # type: ignore[return-value]
        _native.cost_benefit(
            [dict(s) for s in streams], list(costs_by_year), price_year, horizon_years, dropoff
        )
    )


# ------------------------------------------------------------------ the whole evaluation


def evaluate(
    spec: Optional[PathLike] = None, out: Optional[PathLike] = None, *, progress: bool = False
) -> Report:
    """Run the evaluation a spec (TOML) describes and, with ``out``, write
    the report folder: ``report.html``, ``report.md``, every table as CSV and
    JSON, ``tables.xlsx``, charts and ``run.json``. Without ``spec``: the
    bundled sample. Every table passes the spec's disclosure policy first."""
    d = _native.evaluate(
        _path(spec) if spec is not None else None,
        _path(out) if out is not None else None,
        progress,
    )
    d = dict(d)
    d["files"] = [os.fspath(f) for f in d["files"]]
    d["out"] = os.fspath(d["out"]) if d["out"] is not None else None
    d["rejected_rows"] = os.fspath(d["rejected_rows"]) if d["rejected_rows"] is not None else None
    return Report.from_dict(d)  # type: ignore[return-value]


def sample_dir() -> Path:
    """The bundled sample's folder (``data/sample/`` of the repository this
    package was built from)."""
    return Path(_native.sample_dir())


def write_sample(dir: PathLike) -> Dict[str, int]:
    """Write the bundled sample's data files to ``dir`` (rows written per file)."""
    return dict(_native.write_sample(_path(dir)))


def generate(
    dir: PathLike,
    people: int,
    *,
    events_per_person: float = 20.0,
    seed: int = 20240401,
    effect: float = 0.3,
    ndt: bool = False,
) -> Dict[str, Any]:
    """A seeded synthetic cohort of fictional people (``cohort.csv``,
    ``service_use.csv``, and ``ndt.csv`` with ``ndt``), as ``outcomes generate``."""
    return dict(_native.generate(_path(dir), people, events_per_person, seed, effect, ndt))
