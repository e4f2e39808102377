"""Type stubs of the native module ``outcomes._outcomes`` (PyO3, over the
``outcomes`` crate). Use the package ``outcomes``: it wraps these calls and
returns dataclasses; the classes here are re-exported from it."""

from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import polars as pl

_Path = Union[str, PathLike[str]]
_Array = Any  # polars Series, list, numpy array, pandas Series
_Frame = Any  # polars DataFrame (or anything polars.DataFrame() takes)

__version__: str

class Key:
    """The key person identifiers are pseudonymised with (HMAC-SHA256)."""

    def __init__(self, secret: Union[str, bytes]) -> None:
        """A key from secret bytes or text (at least 16 bytes)."""
    @staticmethod
    def from_env(variable: str) -> "Key":
        """The key held in an environment variable."""
    @staticmethod
    def from_file(path: _Path) -> "Key":
        """The key held in a file."""
    @staticmethod
    def demonstration() -> "Key":
        """The built-in DEMONSTRATION key (not secret: synthetic data only)."""
    def pseudonym(self, identifier: str) -> str:
        """The pseudonym of one identifier under this key."""
    @property
    def description(self) -> str:
        """Where the key came from (never the key)."""

class DataWindow:
    """The period the data cover: from ``start`` to the extract date."""

    def __init__(self, start: Any, extract_date: Any) -> None:
        """Dates as ``datetime.date`` or ``"YYYY-MM-DD"``."""
    @property
    def start(self) -> str: ...
    @property
    def extract_date(self) -> str: ...

class Cohort:
    """A validated cohort, one row per person."""

    def __len__(self) -> int: ...
    @property
    def data_window(self) -> DataWindow: ...
    def to_polars(self) -> pl.DataFrame:
        """``person_id`` (pseudonym), ``index_date``, ``group``, ``end_date``,
        ``end_reason`` and every covariate."""

class ServiceEvents:
    """Validated service-use events."""

    def __len__(self) -> int: ...
    def to_polars(self) -> pl.DataFrame:
        """``person_id`` (pseudonym), ``date``, ``category``, ``count``."""

class NdtAssessments:
    """Validated NDT assessments."""

    def __len__(self) -> int: ...
    def to_polars(self) -> pl.DataFrame:
        """``person_id`` (pseudonym), ``date`` and the ten items."""

class Dataset:
    """Accepted rows of a school or area dataset (pupil ids pseudonymised)."""

    def __len__(self) -> int: ...
    def to_polars(self) -> pl.DataFrame: ...

def load_cohort(
    path: str, window: DataWindow, key: Key, columns: Optional[Dict[str, str]] = None,
    numeric: Optional[List[str]] = None,
) -> Tuple[Cohort, Dict[str, Any], pl.DataFrame]: ...
def load_service_use(
    path: str, cohort: Cohort, key: Key, columns: Optional[Dict[str, str]] = None
) -> Tuple[ServiceEvents, Dict[str, Any], pl.DataFrame]: ...
def load_ndt(
    path: str, cohort: Cohort, key: Key, layout: str = "long", partial: str = "undefined",
    columns: Optional[Dict[str, str]] = None,
) -> Tuple[NdtAssessments, Dict[str, Any], pl.DataFrame]: ...
def load_table(kind: str, path: str, key: Key) -> Tuple[Dataset, Dict[str, Any], pl.DataFrame]: ...

class WindowCounts:
    """Service use per person × window × category, with observed days."""

    def __len__(self) -> int: ...
    @property
    def windows(self) -> List[str]: ...
    @property
    def categories(self) -> List[str]: ...
    def counts(self, window: str, category: str) -> pl.Series:
        """Each person's count in one window and category."""
    def total(self, window: str, category: str) -> float:
        """Everyone's total in one window and category."""
    def to_polars(self) -> pl.DataFrame:
        """``row``, ``person_id``, ``group``, ``{w}_observed_days``, ``{w}_days``, ``{w}_{category}``."""
    def per_quarter(
        self, category: str, before: str = "before", after: str = "after",
        coverage: str = "rate_per_observed_time", min_fraction: float = 0.5,
    ) -> "Pairs":
        """One category per person per quarter, before and after."""

class Pairs:
    """Per-person values before and after, with the frame rows they come from."""

    def __len__(self) -> int: ...
    @property
    def before(self) -> pl.Series: ...
    @property
    def after(self) -> pl.Series: ...
    @property
    def coverage(self) -> Dict[str, int]: ...
    def group(self, group: str) -> Tuple[pl.Series, pl.Series]:
        """The pairs of one group, ``(before, after)``."""
    def to_polars(self) -> pl.DataFrame:
        """``row``, ``person_id``, ``group``, ``before``, ``after``."""

def window_counts(
    cohort: Cohort, events: ServiceEvents, categories: Optional[List[str]] = None,
    windows: Optional[List[Tuple[str, int, int]]] = None,
) -> WindowCounts: ...
def paired_statistics(
    before: _Array, after: _Array, confidence: float = 0.95, bootstrap: Optional[int] = None,
    seed: int = 20240101,
) -> Dict[str, Any]: ...
def binary_change(before: _Array, after: _Array, confidence: float = 0.95) -> Dict[str, Any]: ...
def reliable_change(
    before: _Array, after: _Array, sd_baseline: float, reliability: float,
    lower_is_better: bool = True, confidence: float = 0.95,
) -> Dict[str, Any]: ...
def describe(values: _Array) -> Dict[str, Any]: ...
def bootstrap_mean(
    values: _Array, resamples: int = 9999, seed: int = 20240101, confidence: float = 0.95
) -> Dict[str, Any]: ...
def ndt_baseline_follow_up(
    cohort: Cohort, assessments: NdtAssessments, group: Optional[str] = None,
    follow_up_months: int = 12, partial: str = "undefined",
) -> Tuple[pl.DataFrame, Dict[str, int]]: ...

class Matching:
    """The result of nearest-neighbour matching."""

    @property
    def counts(self) -> Dict[str, Dict[str, int]]: ...
    @property
    def caliper_width(self) -> Optional[float]: ...
    @property
    def weights(self) -> pl.Series: ...
    def pairs(self) -> pl.DataFrame:
        """``treated``, ``control`` (0-based rows), ``subclass``."""
    def to_polars(self) -> pl.DataFrame:
        """``row``, ``weight``, ``subclass``, ``discarded``."""

def propensity_score(
    data: _Frame, treatment: str, covariates: List[str], link: str = "logit"
) -> Tuple[Dict[str, Any], pl.Series, pl.Series]: ...
def nearest_neighbour(
    score: _Array, treated: _Array, ratio: int = 1, caliper_sd: Optional[float] = None,
    caliper: Optional[float] = None, replace: bool = False, order: str = "largest",
    seed: Optional[int] = None, discard: str = "none",
) -> Matching: ...
def balance(
    data: _Frame, treatment: str, covariates: List[str], score: Optional[_Array] = None,
    matching: Optional[Matching] = None,
) -> Tuple[pl.DataFrame, Optional[pl.DataFrame]]: ...
def matched_comparison(
    data: _Frame, treatment: str, covariates: List[str], outcome: str, ratio: int = 1,
    caliper_sd: Optional[float] = None, replace: bool = False, exact: Optional[List[str]] = None,
    order: str = "largest", kinds: Optional[Dict[str, str]] = None,
    id_columns: Optional[List[str]] = None, confidence: float = 0.95, source: str = "frame",
) -> Tuple[Dict[str, Any], pl.DataFrame]: ...
def did(
    data: _Frame, unit: str, time: str, treated: str, post: str, outcome: str,
    cluster: Optional[str] = None, confidence: float = 0.95, source: str = "frame",
) -> Dict[str, Any]: ...

class UnitCosts:
    """A table of unit costs, one chosen per service category."""

    @staticmethod
    def illustrative() -> "UnitCosts":
        """The shipped ILLUSTRATIVE table (not for a real evaluation)."""
    @staticmethod
    def from_csv(path: _Path) -> "UnitCosts": ...
    def costed(self, categories: List[str]) -> List[str]:
        """Of ``categories``, those with a unit cost."""
    def to_polars(self) -> pl.DataFrame: ...

class Deflators:
    """A GDP-deflator series."""

    @staticmethod
    def illustrative() -> "Deflators": ...
    @staticmethod
    def from_csv(path: _Path) -> "Deflators": ...

def cost_pre_post(
    counts: WindowCounts, unit_costs: UnitCosts, deflators: Deflators, price_year: str,
    programme_cost_per_person: float = 0.0, rows: Optional[_Array] = None,
    categories: Optional[List[str]] = None, before: str = "before", after: str = "after",
) -> Tuple[Dict[str, Any], pl.DataFrame]: ...
def matched_cost_offset(
    matching: Matching, groups: _Array, pre: _Array, post: _Array, price_year: str,
    programme_cost_per_person: float = 0.0, resamples: int = 9999, seed: int = 20240101,
    confidence: float = 0.95,
) -> Dict[str, Any]: ...
def cost_benefit(
    streams: List[Dict[str, Any]], costs_by_year: List[float], price_year: str,
    horizon_years: int = 5, dropoff: float = 0.0,
) -> Dict[str, Any]: ...

class Policy:
    """A disclosure-control policy."""

    @staticmethod
    def minimum_cell_size(n: int = 10) -> "Policy": ...
    @staticmethod
    def nhs_digital_2018() -> "Policy": ...
    @staticmethod
    def nhs_legacy() -> "Policy": ...
    def with_symbol(self, symbol: str) -> "Policy": ...
    def with_secondary_suppression(self, applied: bool) -> "Policy": ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    def apply(self, table: "Table") -> "ClearedTable":
        """Clear one table."""

class Release:
    """Tables cleared as one release (audited together)."""

    def __init__(self, policy: Policy) -> None: ...
    def __len__(self) -> int: ...
    def clear(self, table: "Table") -> "ClearedTable": ...

class Table:
    """An unpublished table: no way out but a Policy."""

    def __init__(
        self, title: str, data: _Frame, kinds: Optional[Dict[str, Any]] = None,
        columns: Optional[List[str]] = None,
    ) -> None: ...
    def __len__(self) -> int: ...
    def declare_row_total(self, total: int, parts: List[int]) -> None: ...
    def declare_column_total(self, total: str, parts: List[str]) -> None: ...
    def mark_confidential(self, row: int, column: str) -> None: ...
    @property
    def title(self) -> str: ...

class ClearedTable:
    """A table that has passed a policy: the only thing the writers accept."""

    def __len__(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def columns(self) -> List[str]: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def suppression(self) -> Dict[str, int]: ...
    def to_polars(self, formatted: bool = False) -> pl.DataFrame: ...
    def suppressed_cells(self) -> pl.DataFrame: ...
    def to_csv(self, path: Optional[_Path] = None) -> str: ...
    def to_json(self, path: Optional[_Path] = None) -> str: ...
    def to_markdown(self) -> str: ...
    def to_html(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...

def write_xlsx(tables: List[ClearedTable], path: _Path) -> None: ...
def evaluate(
    spec: Optional[str] = None, out: Optional[str] = None, progress: bool = False
) -> Dict[str, Any]: ...
def sample_dir() -> str: ...
def write_sample(dir: str) -> Dict[str, int]: ...
def generate(
    dir: str, people: int, events_per_person: float = 20.0, seed: int = 20240401,
    effect: float = 0.3, ndt: bool = False,
) -> Dict[str, Any]: ...
def synthetic_scores(n_treated: int, n_control: int, seed: int) -> Tuple[pl.Series, pl.Series]: ...
def rust_matching_seconds(score: _Array, treated: _Array, caliper_sd: float, runs: int) -> List[float]: ...
def rust_pre_post_seconds(cohort: Cohort, events: ServiceEvents, runs: int) -> Tuple[List[float], float]: ...
