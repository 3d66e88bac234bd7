"""Regions: counties, big-city hubs and the raster of cells they occupy.

A region is read from a TOML file in ``model/sim/regions/`` (or any path). Two kinds exist:

- a *described* region (``jiaxing-huzhou``): counties with seed points, numbers and sources;
- a *synthetic* region (``province``, ``synthetic = true``): county seeds and sizes generated
  deterministically from a ``[params]`` table (which :func:`load_region` overrides can change).

Raster conventions (every module relies on these):

- Arrays are ``(ny, nx)``; **row 0 is the southernmost row**, column 0 the westernmost.
- Flat cell index = ``row * nx + col`` (C-order ``ravel`` of the ``(ny, nx)`` arrays).
- Coordinates are km, ``x`` east and ``y`` north, with the origin at the **south-west corner of
  the grid**; cell ``(row, col)`` has its centre at ``((col + 0.5) * cell_km,
  (row + 0.5) * cell_km)``. Longitude/latitude map to km with an equirectangular projection
  around ``(lon0, lat0)`` (the mean of the county seeds for a described region, the layout centre
  for a synthetic one).
- The Mesa grid from :func:`build_grid` has dimensions ``(ny, nx)``; a Mesa cell coordinate is
  ``(row, col)``, the same as the array index.

Each cell belongs to at most one county: the county whose seed is nearest to the cell centre
(ties go to the lower county id). Only *region cells* get a county: cells whose centre lies within
some county's reach of that county's seed (``reach_factor * sqrt(area_km2 / pi)`` for a described
region, ``reach_factor * lattice spacing`` for a synthetic one), plus gaps the region encloses,
and, for a described region, inside its bounding box. Hub cells (a disk of ``radius_km`` around
each hub, plus the cell containing the hub point) never belong to a county.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from random import Random
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model.params.reader import InputError, describe, in_range, is_int, read_toml, unknown_key
from model.sim.sectors import N_SECTORS, TRADITIONAL

if TYPE_CHECKING:
    from mesa.discrete_space import OrthogonalMooreGrid

__all__ = [
    "REGIONS_DIR",
    "County",
    "RegionError",
    "Hub",
    "Region",
    "build_grid",
    "list_regions",
    "load_region",
]

REGIONS_DIR: Path = Path(__file__).resolve().with_name("regions")
"""Folder of the built-in region files (``<key>.toml``)."""

EARTH_RADIUS_KM: float = 6371.0088
KM_PER_DEGREE: float = EARTH_RADIUS_KM * math.pi / 180.0
SHARES_TOLERANCE: float = 1e-6
_MAX_ID = np.iinfo(np.int16).max
#: Largest count read from a region file (firms, platforms, R&D staff, experts of one county or
#: hub): far above any real county, small enough that the agent tables fit in memory.
MAX_COUNT = 10_000_000
_BLOCK = 2_000_000  # cell x seed distances computed at a time (bounds memory)


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class County:
    """One county: its seed point, initial populations, sectors and enclave.

    Attributes
    ----------
    id : int
        0..n-1, the index into per-county arrays and the value in ``Region.county_of_cell``.
    key : str
        Short identifier, e.g. ``"jiashan"``.
    lon, lat : float
        Seed point (approximate centroid), degrees.
    firms, platforms, rd_staff, experts : int
        Initial numbers of firms, innovation platforms, R&D / S&T staff (talent tiers 0-1) and
        high-level experts (talent tier 2) the model represents.
    sector_shares : tuple of float
        Length ``N_SECTORS``, sums to 1: share of firms by sector (``model/sim/sectors.py`` order).
    enclave_hub : int
        Hub id where the county owns (``enclave_floor_m2 > 0``) or could own a talent enclave;
        -1 for none.
    enclave_floor_m2 : float
        Floor space of the enclave in the report, 0 if none. The enclave is part of the status
        quo: it is open in every scenario, the baseline included (issue 13 item 2).
    source : str
        Where the numbers come from, ``"field: source; ..."``.
    guidance_fund_mcny, tech_bank_pool_mcny : float or None
        Status quo: the county's own guidance-fund and tech-bank pools in the report (m CNY at
        full firm scale); None where the report gives none, and the parameters
        ``guidance_fund_mcny`` and ``tech_bank_pool_mcny`` hold.
    equity_board : bool
        Status quo: the county runs an equity board (report §1.4: Changxing's S&T board).
    cto_firms : int
        Status quo: firms linked to an outside chief technology officer (report §1.5: 180 in
        Changxing).
    """

    id: int
    key: str
    name_en: str
    name_zh: str
    prefecture_en: str
    prefecture_zh: str
    lon: float
    lat: float
    firms: int
    platforms: int
    rd_staff: int
    experts: int
    sector_shares: tuple[float, ...]
    enclave_hub: int
    enclave_floor_m2: float
    source: str
    guidance_fund_mcny: float | None = None
    tech_bank_pool_mcny: float | None = None
    equity_board: bool = False
    cto_firms: int = 0


@dataclass(frozen=True)
class Hub:
    """A big-city hub outside the counties where enclaves sit and talent can be reached.

    Attributes
    ----------
    id : int
        0..n_hubs-1, the value in ``Region.hub_of_cell``.
    lon, lat : float
        Centre of the hub, degrees.
    radius_km : float
        Radius of the disk of hub cells.
    rd_staff, experts : int
        Talent reachable in the hub (an assumption, documented in the region file).
    source : str
        Where the numbers come from, ``"field: source; ..."``.
    """

    id: int
    key: str
    name_en: str
    name_zh: str
    lon: float
    lat: float
    radius_km: float
    rd_staff: int
    experts: int
    source: str = ""


@dataclass(frozen=True, eq=False)
class Region:
    """Counties and hubs on a raster of square cells.

    The arrays are read-only. See the module docstring for the raster conventions (row 0 south,
    flat index ``row * nx + col``, km from the grid's south-west corner).

    Attributes
    ----------
    key, name_en, name_zh : str
        Identifier and names.
    cell_km : float
        Cell side, km.
    county_of_cell : numpy.ndarray
        ``(ny, nx)`` int16, county id of each cell, -1 = no county.
    hub_of_cell : numpy.ndarray
        ``(ny, nx)`` int16, hub id of each cell, -1 = not a hub cell.
    counties : tuple of County
        Ordered by id.
    hubs : tuple of Hub
        Ordered by id.
    source_file : str
        The TOML file the region was read from.
    synthetic : bool
        True if the counties were generated from ``[params]``.
    lon0, lat0 : float
        Centre of the equirectangular projection, degrees.
    origin_km : tuple of float
        Projected ``(x, y)`` of the grid's south-west corner relative to ``(lon0, lat0)``, km.
    params : Mapping
        Effective grid / synthetic parameters after overrides (``cell_km``, ``reach_factor``, and
        for a synthetic region every ``[params]`` key).
    """

    #: Row 0 of the arrays is the south edge (plots flip to draw north up).
    row0_is_south: ClassVar[bool] = True

    key: str
    name_en: str
    name_zh: str
    cell_km: float
    county_of_cell: np.ndarray
    hub_of_cell: np.ndarray
    counties: tuple[County, ...]
    hubs: tuple[Hub, ...]
    source_file: str
    synthetic: bool = False
    lon0: float = 0.0
    lat0: float = 0.0
    origin_km: tuple[float, float] = (0.0, 0.0)
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.county_of_cell.ndim != 2 or self.county_of_cell.shape != self.hub_of_cell.shape:
            raise ValueError(
                "county_of_cell and hub_of_cell must be 2-D arrays of the same shape, got "
                f"{self.county_of_cell.shape} and {self.hub_of_cell.shape}"
            )

    def __repr__(self) -> str:
        ny, nx = self.shape
        return (
            f"Region(key={self.key!r}, shape=({ny}, {nx}), cell_km={self.cell_km}, "
            f"n_counties={self.n_counties}, n_hubs={self.n_hubs}, "
            f"source_file={self.source_file!r})"
        )

    # -- sizes ---------------------------------------------------------------------------------

    @property
    def n_counties(self) -> int:
        """Number of counties."""
        return len(self.counties)

    @property
    def n_hubs(self) -> int:
        """Number of hubs."""
        return len(self.hubs)

    @property
    def shape(self) -> tuple[int, int]:
        """Raster shape ``(ny, nx)``; row 0 is the south edge."""
        ny, nx = self.county_of_cell.shape
        return int(ny), int(nx)

    @property
    def n_cells(self) -> int:
        """Number of cells in the raster, ``ny * nx`` (including cells outside counties)."""
        ny, nx = self.shape
        return ny * nx

    # -- cells ---------------------------------------------------------------------------------

    def cell_xy_km(self) -> tuple[np.ndarray, np.ndarray]:
        """Centres of all cells in km from the grid's south-west corner.

        Returns
        -------
        x, y : numpy.ndarray
            Each ``(ny * nx,)`` float64, indexed by flat cell index ``row * nx + col``; ``x``
            points east, ``y`` north.
        """
        ny, nx = self.shape
        xs = (np.arange(nx, dtype=np.float64) + 0.5) * self.cell_km
        ys = (np.arange(ny, dtype=np.float64) + 0.5) * self.cell_km
        return np.tile(xs, ny), np.repeat(ys, nx)

    def county_cells(self, county_id: int) -> np.ndarray:
        """Flat indices of the cells of one county.

        Parameters
        ----------
        county_id : int
            0..n_counties-1.

        Returns
        -------
        numpy.ndarray
            ``(k,)`` int64, sorted ascending; ``k >= 1`` for every county of a loaded region.
        """
        if not 0 <= county_id < self.n_counties:
            raise IndexError(f"county_id {county_id} out of range 0..{self.n_counties - 1}")
        return np.flatnonzero(self.county_of_cell.ravel() == county_id).astype(np.int64)

    def hub_cells(self, hub_id: int) -> np.ndarray:
        """Flat indices of the cells of one hub.

        Parameters
        ----------
        hub_id : int
            0..n_hubs-1.

        Returns
        -------
        numpy.ndarray
            ``(k,)`` int64, sorted ascending, ``k >= 1``.
        """
        if not 0 <= hub_id < self.n_hubs:
            raise IndexError(f"hub_id {hub_id} out of range 0..{self.n_hubs - 1}")
        return np.flatnonzero(self.hub_of_cell.ravel() == hub_id).astype(np.int64)

    def cell_of_xy_km(self, x: Any, y: Any) -> np.ndarray:
        """Flat index of the cell containing each point.

        Parameters
        ----------
        x, y : array_like
            Coordinates in km from the grid's south-west corner (same shape).

        Returns
        -------
        numpy.ndarray
            int64, the broadcast shape of ``x`` and ``y``; -1 where the point is off the grid.
        """
        ny, nx = self.shape
        col = np.floor(np.asarray(x, dtype=np.float64) / self.cell_km).astype(np.int64)
        row = np.floor(np.asarray(y, dtype=np.float64) / self.cell_km).astype(np.int64)
        inside = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
        return np.where(inside, row * nx + col, -1)

    # -- coordinates ---------------------------------------------------------------------------

    def lonlat_to_xy_km(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Project longitude/latitude to the grid's km coordinates.

        Parameters
        ----------
        lon, lat : array_like
            Degrees.

        Returns
        -------
        x, y : numpy.ndarray
            float64, broadcast shape of the inputs; km east / north of the grid's south-west
            corner.
        """
        x, y = _project(lon, lat, self.lon0, self.lat0)
        return x - self.origin_km[0], y - self.origin_km[1]

    def seed_xy_km(self) -> np.ndarray:
        """County seed points in the grid's km coordinates.

        Returns
        -------
        numpy.ndarray
            ``(n_counties, 2)`` float64, columns ``x``, ``y``.
        """
        lon = np.array([c.lon for c in self.counties], dtype=np.float64)
        lat = np.array([c.lat for c in self.counties], dtype=np.float64)
        return np.column_stack(self.lonlat_to_xy_km(lon, lat))

    def hub_xy_km(self) -> np.ndarray:
        """Hub centres in the grid's km coordinates.

        Returns
        -------
        numpy.ndarray
            ``(n_hubs, 2)`` float64, columns ``x``, ``y``.
        """
        lon = np.array([h.lon for h in self.hubs], dtype=np.float64)
        lat = np.array([h.lat for h in self.hubs], dtype=np.float64)
        return np.column_stack(self.lonlat_to_xy_km(lon, lat)).reshape(self.n_hubs, 2)

    # -- look-ups ------------------------------------------------------------------------------

    def without_status_quo(self) -> Region:
        """Return the region with no status-quo practice.

        No enclave floor, the parameters' pools, no equity board and no chief technology
        officers: what the baseline's own mechanisms make of the same counties, e.g. for a
        reference implementation that has none of the practices.
        """
        none = {f.name: f.default for f in fields(County) if f.name in _STATUS_QUO_FIELDS}
        counties = tuple(replace(c, enclave_floor_m2=0.0, **none) for c in self.counties)
        return replace(self, counties=counties)

    def county_id(self, key: str) -> int:
        """Id of the county with this key (``ValueError`` listing the keys if unknown)."""
        for c in self.counties:
            if c.key == key:
                return c.id
        raise ValueError(
            f"region {self.key!r} has no county {key!r}; counties: "
            + ", ".join(c.key for c in self.counties)
        )

    def hub_id(self, key: str) -> int:
        """Id of the hub with this key (``ValueError`` listing the keys if unknown)."""
        for h in self.hubs:
            if h.key == key:
                return h.id
        raise ValueError(
            f"region {self.key!r} has no hub {key!r}; hubs: " + ", ".join(h.key for h in self.hubs)
        )


# --------------------------------------------------------------------------------------------
# Public functions


class RegionError(InputError):
    """A region file, name or override is not valid; the message names the file and the key."""


def list_regions() -> list[str]:
    """Keys of the built-in regions (the ``*.toml`` files in ``model/sim/regions/``), sorted."""
    return sorted(p.stem for p in REGIONS_DIR.glob("*.toml"))


def load_region(name_or_path: str | os.PathLike[str], **overrides: Any) -> Region:
    """Read a region file and build its raster.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A built-in region key (see :func:`list_regions`) or the path of a TOML region file.
    **overrides
        Replace parameters of the file: ``cell_km`` and ``reach_factor`` for a described region;
        ``cell_km`` and any ``[params]`` key (e.g. ``n_counties``, ``layout_seed``) for a
        synthetic one.

    Returns
    -------
    Region
        With read-only ``(ny, nx)`` int16 rasters.

    Raises
    ------
    RegionError
        (a ``ValueError``) If the file is malformed (missing or unknown key, wrong type,
        negative count, shares not summing to 1, ...) or an override is unknown or invalid;
        the message names the file, the
        key and what is allowed. Also for an unknown built-in region name.
    FileNotFoundError
        If an explicit path does not exist.
    """
    path = _resolve(name_or_path)
    data = read_toml(path, cls=RegionError)
    file = str(path)

    top = _Table(data, file, "top level")
    synthetic = top.flag("synthetic")
    common = ("key", "name_en", "name_zh", "synthetic", "source", "grid", "hubs")
    if synthetic:
        top.check_keys(common + ("params",))
        return _load_synthetic(top, overrides)
    top.check_keys(common + ("sources", "counties"))
    return _load_described(top, overrides)


def build_grid(region: Region, random: Random | None = None) -> OrthogonalMooreGrid:
    """Build a Mesa grid of the region's shape with the county and hub rasters as layers.

    Parameters
    ----------
    region : Region
        The region.
    random : random.Random, optional
        Random number generator for the grid (Mesa uses it to pick random cells). Defaults to
        ``random.Random(0)`` so that grids are reproducible.

    Returns
    -------
    mesa.discrete_space.OrthogonalMooreGrid
        Dimensions ``(ny, nx)``, not a torus; property layers ``"county_id"`` and ``"hub_id"``
        (int16, equal to ``region.county_of_cell`` and ``region.hub_of_cell``). A cell's
        coordinate is ``(row, col)`` with row 0 the south edge.
    """
    from mesa.discrete_space import OrthogonalMooreGrid, PropertyLayer

    grid = OrthogonalMooreGrid(
        region.shape, torus=False, random=random if random is not None else Random(0)
    )
    for name, array in (("county_id", region.county_of_cell), ("hub_id", region.hub_of_cell)):
        grid.add_property_layer(PropertyLayer.from_data(name, np.array(array, dtype=np.int16)))
    return grid


# --------------------------------------------------------------------------------------------
# Validation helpers


def _is_number(v: Any) -> bool:
    """Tell whether ``v`` is a finite number (not a boolean), without converting it.

    ``math.isfinite`` would raise ``OverflowError`` on a 400-digit integer; the exact comparison
    simply refuses it.
    """
    return (
        isinstance(v, int | float | np.integer | np.floating)
        and not isinstance(v, bool | np.bool_)
        and in_range(v, -1e300, 1e300)
    )


class _Table:
    """A TOML table with its file and location, for error messages that name both."""

    def __init__(self, data: Any, file: str, where: str) -> None:
        if not isinstance(data, dict):
            raise RegionError(
                f"{file}: {where}: expected a table, got {type(data).__name__}", file=file
            )
        self.data = data
        self.file = file
        self.where = where

    def error(self, key: str, message: str) -> RegionError:
        return RegionError(
            f"{self.file}: {self.where}: key {key!r}: {message}", file=self.file, key=key
        )

    def check_keys(self, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        allowed = sorted(set(required) | set(optional))
        for key in self.data:
            if key not in allowed:
                raise unknown_key(self.file, key, allowed, table=self.where, cls=RegionError)
        for key in required:
            if key not in self.data:
                raise self.error(key, f"missing; required keys: {', '.join(required)}")

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(key, "missing")
        return self.data[key]

    def text(self, key: str, choices: Sequence[str] | None = None) -> str:
        v = self._get(key)
        if not isinstance(v, str) or not v.strip():
            raise self.error(key, f"must be a non-empty string, got {v!r}")
        if choices is not None and v not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}; got {v!r}")
        return v

    def flag(self, key: str) -> bool:
        v = self._get(key)
        if not isinstance(v, bool):
            raise self.error(key, f"must be true or false, got {v!r}")
        return v

    def integer(self, key: str, lo: int = 0, hi: int | None = MAX_COUNT) -> int:
        v = self._get(key)
        allowed = f"an integer >= {lo}" + ("" if hi is None else f" and <= {hi}")
        if not is_int(v) or not in_range(v, lo, hi):
            raise self.error(key, f"must be {allowed}, got {describe(v)}")
        return int(v)

    def number(
        self, key: str, lo: float | None = None, hi: float | None = None, lo_open: bool = False
    ) -> float:
        v = self._get(key)
        ok = _is_number(v)
        if ok and lo is not None:
            ok = v > lo if lo_open else v >= lo
        if ok and hi is not None:
            ok = v <= hi
        if not ok:
            parts = ["a finite number"]
            if lo is not None:
                parts.append(f"{'>' if lo_open else '>='} {lo}")
            if hi is not None:
                parts.append(f"<= {hi}")
            raise self.error(key, f"must be {' '.join(parts)}, got {describe(v)}")
        return float(v)

    def numbers(self, key: str, n: int) -> tuple[float, ...]:
        v = self._get(key)
        if not isinstance(v, list) or len(v) != n or not all(_is_number(x) for x in v):
            raise self.error(key, f"must be a list of {n} finite numbers, got {v!r}")
        return tuple(float(x) for x in v)

    def table(self, key: str) -> _Table:
        v = self._get(key)
        if not isinstance(v, dict):
            raise self.error(key, f"must be a table, got {v!r}")
        return _Table(
            v, self.file, f"[{key}]" if self.where == "top level" else self.where + "." + key
        )

    def tables(self, key: str) -> list[_Table]:
        v = self._get(key)
        if not isinstance(v, list) or not all(isinstance(t, dict) for t in v):
            raise self.error(key, f"must be an array of tables ([[{key}]]), got {v!r}")
        return [_Table(t, self.file, f"[[{key}]] #{i}") for i, t in enumerate(v)]

    def sources(self, key: str, fields: Sequence[str], required: bool = True) -> dict[str, str]:
        """Read a ``sources`` sub-table mapping field names to non-empty strings."""
        if key not in self.data and not required:
            return {}
        tbl = self.table(key)
        tbl.check_keys(fields if required else (), () if required else fields)
        return {f: tbl.text(f) for f in fields if f in tbl.data}


# --------------------------------------------------------------------------------------------
# Loading


def _resolve(name_or_path: str | os.PathLike[str]) -> Path:
    text = os.fspath(name_or_path)
    looks_like_path = (
        isinstance(name_or_path, os.PathLike)
        or text.endswith(".toml")
        or "/" in text
        or os.sep in text
    )
    if looks_like_path:
        path = Path(text)
        if not _is_file(path):
            raise _RegionFileNotFound(f"{path}: region file not found", file=str(path))
        return path
    path = REGIONS_DIR / f"{text}.toml"
    if text not in list_regions():  # never build a path from an unknown (maybe 300-char) name
        raise RegionError(
            f"unknown region {text!r}; built-in regions: {', '.join(list_regions())} "
            "(or pass the path of a .toml file)",
            file=text,
        )
    return path


class _RegionFileNotFound(RegionError, FileNotFoundError):
    """A region path that does not exist."""


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False also for names the system refuses (e.g. too long)."""
    try:
        return path.is_file()
    except OSError:
        return False


_GRID_OVERRIDES = {
    # name: (kind, lo, hi, lo_open)
    "cell_km": ("float", 0.0, None, True),
    "reach_factor": ("float", 0.0, None, True),
}

_PARAMS: dict[str, tuple[str, float | None, float | None, bool]] = {
    "n_counties": ("int", 1, _MAX_ID, False),
    "n_prefectures": ("int", 1, _MAX_ID, False),
    "layout_seed": ("int", 0, 2**63 - 1, False),
    "county_area_km2": ("float", 0.0, None, True),
    "aspect": ("float", 0.0, None, True),
    "jitter": ("float", 0.0, 0.49, False),
    "reach_factor": ("float", 0.0, None, True),
    "centre_lon": ("float", -180.0, 180.0, False),
    "centre_lat": ("float", -80.0, 80.0, False),
    "firms_mean": ("float", 0.0, MAX_COUNT, True),
    "firms_cv": ("float", 0.0, None, False),
    "firms_min": ("int", 0, MAX_COUNT, False),
    "platforms_per_100_firms": ("float", 0.0, None, False),
    "rd_staff_per_firm": ("float", 0.0, None, False),
    "rd_staff_cv": ("float", 0.0, None, False),
    "experts_per_1000_rd_staff": ("float", 0.0, None, False),
    "experts_cv": ("float", 0.0, None, False),
    "traditional_share_min": ("float", 0.0, 1.0, False),
    "traditional_share_max": ("float", 0.0, 1.0, False),
    "sector_alpha": ("float", 0.01, None, False),
}

_COUNTY_FIELDS = (
    "key",
    "name_en",
    "name_zh",
    "prefecture_en",
    "prefecture_zh",
    "lon",
    "lat",
    "area_km2",
    "firms",
    "platforms",
    "rd_staff",
    "experts",
    "sector_shares",
    "enclave_hub",
    "enclave_floor_m2",
)
_COUNTY_SOURCES = (
    "position",
    "area_km2",
    "firms",
    "platforms",
    "rd_staff",
    "experts",
    "sector_shares",
    "enclave",
)
# Status quo practices a county already ran in 2017-2018 (report §1.4, §1.5), in an optional
# `status_quo` sub-table of the county; each needs a `status_quo` source.
_STATUS_QUO_FIELDS = ("guidance_fund_mcny", "tech_bank_pool_mcny", "equity_board", "cto_firms")
_HUB_SOURCES = ("position", "radius_km", "rd_staff", "experts")
_ENCLAVE_NEAREST = "nearest"
_ENCLAVE_NONE = "none"


def _read_value(tbl: _Table, key: str, spec: tuple[str, float | None, float | None, bool]) -> Any:
    kind, lo, hi, lo_open = spec
    if kind == "int":
        return tbl.integer(key, int(lo or 0), MAX_COUNT if hi is None else int(hi))
    return tbl.number(key, lo, hi, lo_open)


def _apply_overrides(
    file: str,
    values: dict[str, Any],
    overrides: Mapping[str, Any],
    specs: Mapping[str, tuple[str, float | None, float | None, bool]],
) -> dict[str, Any]:
    """Validate ``overrides`` against ``specs`` and return ``values`` updated with them."""
    tbl = _Table(dict(overrides), file, "load_region override")
    tbl.check_keys((), tuple(specs))
    out = dict(values)
    for key in overrides:
        out[key] = _read_value(tbl, key, specs[key])
    return out


def _read_hubs(top: _Table, synthetic: bool) -> list[dict[str, Any]]:
    place = ("rel_x", "rel_y") if synthetic else ("lon", "lat")
    hubs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for t in top.tables("hubs"):
        t.check_keys(
            ("key", "name_en", "name_zh", *place, "radius_km", "rd_staff", "experts", "sources")
        )
        key = t.text("key")
        if key in seen or key in (_ENCLAVE_NEAREST, _ENCLAVE_NONE):
            raise t.error("key", f"{key!r} is a duplicate or reserved hub key")
        seen.add(key)
        hub = {
            "key": key,
            "name_en": t.text("name_en"),
            "name_zh": t.text("name_zh"),
            "radius_km": t.number("radius_km", 0.0),
            "rd_staff": t.integer("rd_staff"),
            "experts": t.integer("experts"),
            "source": _join_sources(t.sources("sources", _HUB_SOURCES), _HUB_SOURCES),
        }
        if synthetic:
            hub["rel"] = (t.number("rel_x"), t.number("rel_y"))
        else:
            hub["lon"] = t.number("lon", -180.0, 180.0)
            hub["lat"] = t.number("lat", -80.0, 80.0)
        hubs.append(hub)
    return hubs


def _read_status_quo(county: _Table) -> dict[str, Any]:
    """The county's optional ``status_quo`` sub-table: practices already running (report §1)."""
    if "status_quo" not in county.data:
        return {}
    t = county.table("status_quo")
    t.check_keys((), _STATUS_QUO_FIELDS)
    if not t.data:
        raise county.error("status_quo", f"is empty; give any of {', '.join(_STATUS_QUO_FIELDS)}")
    readers = {
        "guidance_fund_mcny": lambda k: t.number(k, 0.0, 1e6),
        "tech_bank_pool_mcny": lambda k: t.number(k, 0.0, 1e6),
        "equity_board": t.flag,
        "cto_firms": lambda k: t.integer(k, 0, MAX_COUNT),
    }
    return {k: readers[k](k) for k in _STATUS_QUO_FIELDS if k in t.data}


def _join_sources(sources: Mapping[str, str], order: Sequence[str]) -> str:
    return "; ".join(f"{k}: {sources[k]}" for k in order if k in sources)


def _load_described(top: _Table, overrides: Mapping[str, Any]) -> Region:
    file = top.file
    grid = top.table("grid")
    grid.check_keys(("cell_km", "bbox", "reach_factor", "sources"))
    grid.sources("sources", ("cell_km", "bbox", "reach_factor"))
    values = {
        "cell_km": grid.number("cell_km", 0.0, lo_open=True),
        "reach_factor": grid.number("reach_factor", 0.0, lo_open=True),
    }
    values = _apply_overrides(file, values, overrides, _GRID_OVERRIDES)
    bbox = grid.numbers("bbox", 4)
    if not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        raise grid.error("bbox", f"must be [lon_min, lat_min, lon_max, lat_max], got {bbox}")

    hubs = _read_hubs(top, synthetic=False)
    hub_keys = [h["key"] for h in hubs]
    default_sources = top.sources("sources", _COUNTY_SOURCES, required=False)

    tables = top.tables("counties")
    if not tables:
        raise top.error("counties", "must list at least one county")
    if len(tables) > _MAX_ID:
        raise top.error("counties", f"at most {_MAX_ID} counties")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for t in tables:
        t.check_keys(_COUNTY_FIELDS, ("sources", "status_quo"))
        key = t.text("key")
        if key in seen:
            raise t.error("key", f"duplicate county key {key!r}")
        seen.add(key)
        t.where += f" (county {key!r})"
        shares = t.numbers("sector_shares", N_SECTORS)
        if any(s < 0 for s in shares) or abs(sum(shares) - 1.0) > SHARES_TOLERANCE:
            raise t.error(
                "sector_shares",
                f"must be {N_SECTORS} non-negative shares summing to 1 "
                "(model/sim/sectors.py order), "
                f"got {list(shares)} (sum {sum(shares):.6g})",
            )
        enclave = t.text("enclave_hub", (*hub_keys, _ENCLAVE_NEAREST, _ENCLAVE_NONE))
        floor = t.number("enclave_floor_m2", 0.0)
        if floor > 0 and enclave == _ENCLAVE_NONE:
            raise t.error("enclave_floor_m2", "must be 0 when enclave_hub is 'none'")
        status_quo = _read_status_quo(t)
        sources = {
            **default_sources,
            **t.sources("sources", (*_COUNTY_SOURCES, "status_quo"), required=False),
        }
        needed = _COUNTY_SOURCES + (("status_quo",) if status_quo else ())
        missing = [f for f in needed if f not in sources]
        if missing:
            raise t.error(
                "sources",
                f"no source for {', '.join(missing)}; give one in the county's sources table or "
                f"the top-level [sources] table (fields: {', '.join(needed)})",
            )
        rows.append(
            {
                "key": key,
                "name_en": t.text("name_en"),
                "name_zh": t.text("name_zh"),
                "prefecture_en": t.text("prefecture_en"),
                "prefecture_zh": t.text("prefecture_zh"),
                "lon": t.number("lon", -180.0, 180.0),
                "lat": t.number("lat", -80.0, 80.0),
                "area_km2": t.number("area_km2", 0.0, lo_open=True),
                "firms": t.integer("firms"),
                "platforms": t.integer("platforms"),
                "rd_staff": t.integer("rd_staff"),
                "experts": t.integer("experts"),
                "sector_shares": shares,
                "enclave": enclave,
                "enclave_floor_m2": floor,
                "source": _join_sources(sources, needed),
                **status_quo,
            }
        )

    lon = np.array([r["lon"] for r in rows])
    lat = np.array([r["lat"] for r in rows])
    lon0, lat0 = float(lon.mean()), float(lat.mean())
    seeds = np.column_stack(_project(lon, lat, lon0, lat0))
    area = np.array([r["area_km2"] for r in rows])
    reach = values["reach_factor"] * np.sqrt(area / math.pi)
    bx0, by0 = _project(bbox[0], bbox[1], lon0, lat0)
    bx1, by1 = _project(bbox[2], bbox[3], lon0, lat0)
    box = (float(bx0), float(by0), float(bx1), float(by1))
    hub_xy = np.array(
        [_project(h["lon"], h["lat"], lon0, lat0) for h in hubs], dtype=np.float64
    ).reshape(len(hubs), 2)

    return _assemble(
        top,
        values,
        rows,
        hubs,
        seeds,
        reach,
        box,
        hub_xy,
        lon0,
        lat0,
        synthetic=False,
    )


def _load_synthetic(top: _Table, overrides: Mapping[str, Any]) -> Region:
    file = top.file
    grid = top.table("grid")
    grid.check_keys(("cell_km", "sources"))
    grid.sources("sources", ("cell_km",))
    ptable = top.table("params")
    ptable.check_keys(tuple(_PARAMS) + ("sources",))
    ptable.sources("sources", tuple(_PARAMS))
    values: dict[str, Any] = {"cell_km": grid.number("cell_km", 0.0, lo_open=True)}
    values.update({k: _read_value(ptable, k, spec) for k, spec in _PARAMS.items()})
    values = _apply_overrides(
        file, values, overrides, {"cell_km": _GRID_OVERRIDES["cell_km"], **_PARAMS}
    )
    if values["traditional_share_min"] > values["traditional_share_max"]:
        where = "load_region override" if overrides else "[params]"
        raise RegionError(
            f"{file}: {where}: key 'traditional_share_min': must be <= traditional_share_max "
            f"({values['traditional_share_min']} > {values['traditional_share_max']})",
            file=file,
            key="traditional_share_min",
        )
    hubs = _read_hubs(top, synthetic=True)

    p = values
    n = int(p["n_counties"])
    rng = np.random.default_rng(int(p["layout_seed"]))
    spacing = math.sqrt(p["county_area_km2"])
    seeds = _lattice_seeds(rng, n, p["aspect"], p["jitter"], spacing)
    lon0, lat0 = float(p["centre_lon"]), float(p["centre_lat"])
    lon, lat = _unproject(seeds[:, 0], seeds[:, 1], lon0, lat0)
    reach = np.full(n, p["reach_factor"] * spacing)

    firms = np.maximum(
        p["firms_min"], np.rint(p["firms_mean"] * _lognormal(rng, p["firms_cv"], n))
    ).astype(np.int64)
    platforms = np.rint(firms * p["platforms_per_100_firms"] / 100.0).astype(np.int64)
    rd_staff = np.rint(firms * p["rd_staff_per_firm"] * _lognormal(rng, p["rd_staff_cv"], n))
    rd_staff = rd_staff.astype(np.int64)
    experts = np.rint(
        rd_staff * p["experts_per_1000_rd_staff"] / 1000.0 * _lognormal(rng, p["experts_cv"], n)
    ).astype(np.int64)
    traditional = rng.uniform(p["traditional_share_min"], p["traditional_share_max"], n)
    emerging = [s for s in range(N_SECTORS) if s != TRADITIONAL]
    em = rng.dirichlet(np.full(len(emerging), p["sector_alpha"]), n) * (1.0 - traditional)[:, None]
    shares = np.zeros((n, N_SECTORS))
    shares[:, emerging] = em
    shares[:, TRADITIONAL] = 1.0 - em.sum(axis=1)
    prefecture = _kmeans_labels(rng, seeds, min(int(p["n_prefectures"]), n))

    width = max(2, len(str(n)))
    pwidth = max(2, len(str(int(prefecture.max()) + 1)))
    source = (
        f"assumption: synthetic county drawn from [params] of {Path(file).name} "
        f"(layout_seed={p['layout_seed']}, n_counties={n})"
    )
    rows = [
        {
            "key": f"county-{i + 1:0{width}d}",
            "name_en": f"County {i + 1:0{width}d}",
            "name_zh": f"县{i + 1:0{width}d}",
            "prefecture_en": f"Prefecture {prefecture[i] + 1:0{pwidth}d}",
            "prefecture_zh": f"市{prefecture[i] + 1:0{pwidth}d}",
            "lon": float(lon[i]),
            "lat": float(lat[i]),
            "firms": int(firms[i]),
            "platforms": int(platforms[i]),
            "rd_staff": int(rd_staff[i]),
            "experts": int(experts[i]),
            "sector_shares": tuple(float(s) for s in shares[i]),
            "enclave": _ENCLAVE_NEAREST,
            "enclave_floor_m2": 0.0,
            "source": source,
        }
        for i in range(n)
    ]

    radius = math.sqrt(n * p["county_area_km2"] / math.pi)
    hub_xy = np.array([h["rel"] for h in hubs], dtype=np.float64).reshape(len(hubs), 2) * radius
    hub_lon, hub_lat = _unproject(hub_xy[:, 0], hub_xy[:, 1], lon0, lat0)
    for h, hlon, hlat in zip(hubs, hub_lon, hub_lat, strict=True):
        h["lon"], h["lat"] = float(hlon), float(hlat)

    return _assemble(
        top, values, rows, hubs, seeds, reach, None, hub_xy, lon0, lat0, synthetic=True
    )


def _assemble(
    top: _Table,
    values: Mapping[str, Any],
    rows: list[dict[str, Any]],
    hubs: list[dict[str, Any]],
    seeds: np.ndarray,
    reach: np.ndarray,
    box: tuple[float, float, float, float] | None,
    hub_xy: np.ndarray,
    lon0: float,
    lat0: float,
    synthetic: bool,
) -> Region:
    """Rasterise and build the records (common to described and synthetic regions)."""
    file = top.file
    cell_km = float(values["cell_km"])
    hub_radius = np.array([h["radius_km"] for h in hubs], dtype=np.float64)
    try:
        county, hub, origin = _rasterise(cell_km, seeds, reach, box, hub_xy, hub_radius)
    except _HubOverlapError as exc:
        a, b = (hubs[i]["key"] for i in exc.args)
        raise RegionError(
            f"{file}: [[hubs]]: hubs {a!r} and {b!r} overlap at cell_km={cell_km}; move them "
            "apart or reduce radius_km",
            file=file,
            key="hubs",
        ) from None

    counts = np.bincount(county[county >= 0].astype(np.int64), minlength=len(rows))
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        keys = ", ".join(rows[i]["key"] for i in empty)
        raise RegionError(
            f"{file}: counties {keys} get no cells (seed outside the bounding box, inside a hub, "
            f"or too close to another seed at cell_km={cell_km}); move the seed or use a smaller "
            "cell_km",
            file=file,
            key="counties",
        )

    # Nearest hub by seed distance, for enclave_hub = "nearest".
    if hubs:
        d2 = ((seeds[:, None, :] - hub_xy[None, :, :]) ** 2).sum(axis=2)
        nearest_hub = np.argmin(d2, axis=1)
    else:
        nearest_hub = np.full(len(rows), -1)
    hub_index = {h["key"]: i for i, h in enumerate(hubs)}

    # every other field of a County or Hub is the row's value of the same name
    county_keys = [f.name for f in fields(County) if f.name not in ("id", "enclave_hub")]
    counties = tuple(
        County(
            id=i,
            enclave_hub=(
                int(nearest_hub[i])
                if r["enclave"] == _ENCLAVE_NEAREST
                else hub_index.get(r["enclave"], -1)
            ),
            **{k: r[k] for k in county_keys if k in r},
        )
        for i, r in enumerate(rows)
    )
    hub_keys = [f.name for f in fields(Hub) if f.name != "id"]
    hub_records = tuple(Hub(id=i, **{k: h[k] for k in hub_keys}) for i, h in enumerate(hubs))
    county.flags.writeable = False
    hub.flags.writeable = False
    return Region(
        key=top.text("key"),
        name_en=top.text("name_en"),
        name_zh=top.text("name_zh"),
        cell_km=cell_km,
        county_of_cell=county,
        hub_of_cell=hub,
        counties=counties,
        hubs=hub_records,
        source_file=file,
        synthetic=synthetic,
        lon0=lon0,
        lat0=lat0,
        origin_km=origin,
        params=MappingProxyType(dict(values)),
    )


# --------------------------------------------------------------------------------------------
# Geometry


def _project(lon: Any, lat: Any, lon0: float, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection around ``(lon0, lat0)``: degrees to km (x east, y north)."""
    x = (np.asarray(lon, dtype=np.float64) - lon0) * KM_PER_DEGREE * math.cos(math.radians(lat0))
    y = (np.asarray(lat, dtype=np.float64) - lat0) * KM_PER_DEGREE
    return x, y


def _unproject(x: Any, y: Any, lon0: float, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`_project`."""
    lon = lon0 + np.asarray(x, dtype=np.float64) / (KM_PER_DEGREE * math.cos(math.radians(lat0)))
    lat = lat0 + np.asarray(y, dtype=np.float64) / KM_PER_DEGREE
    return lon, lat


def _nearest_seed(
    px: np.ndarray, py: np.ndarray, seeds: np.ndarray, reach: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest seed of each point (ties to the lower index), and whether any seed reaches it.

    Parameters
    ----------
    px, py : numpy.ndarray
        ``(m,)`` float64 point coordinates, km.
    seeds : numpy.ndarray
        ``(n, 2)`` float64 seed coordinates, km.
    reach : numpy.ndarray
        ``(n,)`` float64 reach of each seed, km.

    Returns
    -------
    nearest : numpy.ndarray
        ``(m,)`` int64 index of the nearest seed.
    covered : numpy.ndarray
        ``(m,)`` bool, True if the point lies within the reach of at least one seed.
    """
    m, n = px.size, seeds.shape[0]
    nearest = np.empty(m, dtype=np.int64)
    covered = np.empty(m, dtype=bool)
    reach2 = reach**2
    block = max(1, _BLOCK // max(n, 1))
    for start in range(0, m, block):  # blocks of cells, not single cells
        sl = slice(start, start + block)
        d2 = (px[sl, None] - seeds[None, :, 0]) ** 2 + (py[sl, None] - seeds[None, :, 1]) ** 2
        nearest[sl] = np.argmin(d2, axis=1)
        covered[sl] = (d2 <= reach2[None, :]).any(axis=1)
    return nearest, covered


class _HubOverlapError(Exception):
    """Two hub disks share a cell (args: the two hub ids)."""


def _rasterise(
    cell_km: float,
    seeds: np.ndarray,
    reach: np.ndarray,
    box: tuple[float, float, float, float] | None,
    hub_xy: np.ndarray,
    hub_radius: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Nearest-seed tessellation of a raster covering the counties and the hubs.

    Parameters
    ----------
    cell_km : float
        Cell side, km.
    seeds : numpy.ndarray
        ``(n, 2)`` float64 county seeds in projected km.
    reach : numpy.ndarray
        ``(n,)`` float64, max distance of a county's cell centre from its seed, km.
    box : tuple of float or None
        ``(x_min, y_min, x_max, y_max)`` projected km; county cells must lie inside. None: the
        box around the seeds' reach.
    hub_xy : numpy.ndarray
        ``(h, 2)`` float64 hub centres in projected km.
    hub_radius : numpy.ndarray
        ``(h,)`` float64 hub disk radii, km.

    Returns
    -------
    county_of_cell, hub_of_cell : numpy.ndarray
        ``(ny, nx)`` int16, row 0 south.
    origin : tuple of float
        Projected ``(x, y)`` of the grid's south-west corner, km.
    """
    if box is None:
        box = (
            float((seeds[:, 0] - reach).min()),
            float((seeds[:, 1] - reach).min()),
            float((seeds[:, 0] + reach).max()),
            float((seeds[:, 1] + reach).max()),
        )
    x_lo = min(box[0], *(hub_xy[:, 0] - hub_radius)) - cell_km
    y_lo = min(box[1], *(hub_xy[:, 1] - hub_radius)) - cell_km
    x_hi = max(box[2], *(hub_xy[:, 0] + hub_radius)) + cell_km
    y_hi = max(box[3], *(hub_xy[:, 1] + hub_radius)) + cell_km
    nx = max(1, math.ceil((x_hi - x_lo) / cell_km))
    ny = max(1, math.ceil((y_hi - y_lo) / cell_km))
    xc = x_lo + (np.arange(nx) + 0.5) * cell_km
    yc = y_lo + (np.arange(ny) + 0.5) * cell_km
    cx = np.tile(xc, ny)
    cy = np.repeat(yc, nx)

    county = np.full(ny * nx, -1, dtype=np.int16)
    candidates = np.flatnonzero((cx >= box[0]) & (cx <= box[2]) & (cy >= box[1]) & (cy <= box[3]))
    nearest, covered = _nearest_seed(cx[candidates], cy[candidates], seeds, reach)
    in_region = np.zeros(ny * nx, dtype=bool)
    in_region[candidates[covered]] = True
    # Gaps enclosed by the region (farther than any reach, e.g. where three small counties meet)
    # are part of it too; they also go to their nearest seed.
    in_region |= _enclosed(in_region.reshape(ny, nx)).ravel()
    lookup = np.full(ny * nx, -1, dtype=np.int64)
    lookup[candidates] = nearest
    county[in_region] = lookup[in_region]

    hub = np.full(ny * nx, -1, dtype=np.int16)
    for h in range(hub_xy.shape[0]):  # a handful of hubs
        disk = (cx - hub_xy[h, 0]) ** 2 + (cy - hub_xy[h, 1]) ** 2 <= hub_radius[h] ** 2
        col = min(nx - 1, int((hub_xy[h, 0] - x_lo) // cell_km))
        row = min(ny - 1, int((hub_xy[h, 1] - y_lo) // cell_km))
        disk[row * nx + col] = True
        clash = hub[disk]
        if (clash >= 0).any():
            raise _HubOverlapError(int(clash[clash >= 0][0]), h)
        hub[disk] = h
    county[hub >= 0] = -1
    return county.reshape(ny, nx), hub.reshape(ny, nx), (float(x_lo), float(y_lo))


def _enclosed(region: np.ndarray) -> np.ndarray:
    """Cells outside ``region`` that cannot reach the raster's edge through outside cells.

    Parameters
    ----------
    region : numpy.ndarray
        ``(ny, nx)`` bool.

    Returns
    -------
    numpy.ndarray
        ``(ny, nx)`` bool, the holes (4-connected flood fill of the outside from the edge).
    """
    outside = ~region
    reached = np.zeros_like(outside)
    reached[0, :], reached[-1, :] = outside[0, :], outside[-1, :]
    reached[:, 0], reached[:, -1] = outside[:, 0], outside[:, -1]
    while True:  # each pass is vectorised over the raster
        grown = reached.copy()
        grown[1:, :] |= reached[:-1, :]
        grown[:-1, :] |= reached[1:, :]
        grown[:, 1:] |= reached[:, :-1]
        grown[:, :-1] |= reached[:, 1:]
        grown &= outside
        if np.array_equal(grown, reached):
            return outside & ~reached
        reached = grown


# --------------------------------------------------------------------------------------------
# Synthetic layout


def _lognormal(rng: np.random.Generator, cv: float, n: int) -> np.ndarray:
    """``(n,)`` float64 lognormal multipliers with mean 1 and coefficient of variation ``cv``."""
    sigma = math.sqrt(math.log1p(cv * cv))
    return np.exp(sigma * rng.standard_normal(n) - 0.5 * sigma * sigma)


def _lattice_seeds(
    rng: np.random.Generator, n: int, aspect: float, jitter: float, spacing: float
) -> np.ndarray:
    """County seeds on a jittered square lattice filling an ellipse, numbered north-west first.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` float64 seed coordinates, km around the layout centre.
    """
    half = math.ceil(math.sqrt(n) * max(math.sqrt(aspect), 1.0 / math.sqrt(aspect))) + 3
    ticks = np.arange(-half, half + 1)
    gx = np.tile(ticks, ticks.size)
    gy = np.repeat(ticks, ticks.size)
    d = np.hypot(gx / math.sqrt(aspect), gy * math.sqrt(aspect))
    tie = rng.random(gx.size)
    picked = np.lexsort((tie, np.round(d, 9)))[:n]
    col, row = gx[picked], gy[picked]
    order = np.lexsort((col, -row))
    col, row = col[order], row[order]
    seeds = np.column_stack((col, row)).astype(np.float64) * spacing
    seeds += rng.uniform(-jitter, jitter, size=(n, 2)) * spacing
    return seeds


def _kmeans_labels(rng: np.random.Generator, xy: np.ndarray, k: int) -> np.ndarray:
    """Group points into ``k`` clusters (k-means), labelled in order of first appearance.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` int64 labels 0..k'-1 (k' <= k if a cluster empties).
    """
    centres = xy[rng.choice(xy.shape[0], size=k, replace=False)]
    labels = np.zeros(xy.shape[0], dtype=np.int64)
    for _ in range(100):  # iterations, each vectorised over points
        labels = np.argmin(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        count = np.bincount(labels, minlength=k)
        sums = np.stack(
            [np.bincount(labels, weights=xy[:, j], minlength=k) for j in range(2)], axis=1
        )
        new = np.where(count[:, None] > 0, sums / np.maximum(count, 1)[:, None], centres)
        if np.allclose(new, centres):
            break
        centres = new
    _, first = np.unique(labels, return_index=True)
    order = labels[np.sort(first)]
    remap = np.full(k, -1, dtype=np.int64)
    remap[order] = np.arange(order.size)
    return remap[labels]
