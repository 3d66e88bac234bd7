"""Tests for model/sim/region.py and the built-in region files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from model.sim.region import REGIONS_DIR, Region, build_grid, list_regions, load_region
from model.sim.sectors import N_SECTORS, TRADITIONAL

JH_FILE = REGIONS_DIR / "jiaxing-huzhou.toml"
PROVINCE_FILE = REGIONS_DIR / "province.toml"


@pytest.fixture(scope="module")
def jh() -> Region:
    return load_region("jiaxing-huzhou")


@pytest.fixture(scope="module")
def province() -> Region:
    return load_region("province")


@pytest.fixture(scope="module")
def province30() -> Region:
    return load_region("province", n_counties=30)


def _haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _seed_cell(region: Region, key: str) -> int:
    cid = region.county_id(key)
    x, y = region.seed_xy_km()[cid]
    return int(region.cell_of_xy_km(x, y))


# --------------------------------------------------------------------------------------------
# Listing and loading


def test_list_regions_has_both_built_ins():
    regions = list_regions()
    assert "jiaxing-huzhou" in regions and "province" in regions
    assert regions == sorted(regions)


def test_load_by_path_equals_load_by_name(jh: Region):
    by_path = load_region(JH_FILE)
    assert by_path.source_file == jh.source_file
    np.testing.assert_array_equal(by_path.county_of_cell, jh.county_of_cell)
    assert by_path.counties == jh.counties


def test_unknown_region_name_lists_built_ins():
    with pytest.raises(ValueError, match="no-such-region") as err:
        load_region("no-such-region")
    assert "jiaxing-huzhou" in str(err.value) and "province" in str(err.value)


def test_missing_path_raises_file_not_found(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        load_region(tmp_path / "absent.toml")


# --------------------------------------------------------------------------------------------
# Raster invariants (both regions)


@pytest.mark.parametrize("fixture", ["jh", "province", "province30"])
def test_raster_invariants(fixture: str, request: pytest.FixtureRequest):
    region: Region = request.getfixturevalue(fixture)
    ny, nx = region.shape
    assert region.n_cells == ny * nx
    for arr in (region.county_of_cell, region.hub_of_cell):
        assert arr.shape == (ny, nx) and arr.dtype == np.int16
        assert not arr.flags.writeable
    cc = region.county_of_cell
    assert cc.min() == -1 and cc.max() == region.n_counties - 1
    assert region.hub_of_cell.max() == region.n_hubs - 1
    # ids are positions
    assert [c.id for c in region.counties] == list(range(region.n_counties))
    assert [h.id for h in region.hubs] == list(range(region.n_hubs))
    # every county has cells; county_cells partitions the county cells, sorted int64
    seen = np.zeros(region.n_cells, dtype=bool)
    for c in region.counties:
        cells = region.county_cells(c.id)
        assert cells.dtype == np.int64 and cells.size > 0
        assert np.all(np.diff(cells) > 0)
        assert np.all(cc.ravel()[cells] == c.id)
        assert not seen[cells].any()
        seen[cells] = True
    assert seen.sum() == np.count_nonzero(cc >= 0)
    # the outline is not the full rectangle
    assert np.count_nonzero(cc >= 0) < 0.9 * region.n_cells
    with pytest.raises(IndexError):
        region.county_cells(region.n_counties)


@pytest.mark.parametrize("fixture", ["jh", "province", "province30"])
def test_hub_cells_lie_outside_counties(fixture: str, request: pytest.FixtureRequest):
    region: Region = request.getfixturevalue(fixture)
    hubs = region.hub_of_cell >= 0
    assert np.all(region.county_of_cell[hubs] == -1)
    x, y = region.cell_xy_km()
    for h, (hx, hy) in zip(region.hubs, region.hub_xy_km(), strict=True):
        cells = region.hub_cells(h.id)
        assert cells.size >= 1 and np.all(np.diff(cells) > 0)
        assert int(region.cell_of_xy_km(hx, hy)) in cells  # the hub point's own cell
        d = np.hypot(x[cells] - hx, y[cells] - hy)
        assert d.max() <= h.radius_km + region.cell_km  # a disk around the hub
        # all cells within the radius are hub cells
        inside = np.flatnonzero(np.hypot(x - hx, y - hy) <= h.radius_km)
        assert np.all(region.hub_of_cell.ravel()[inside] == h.id)


def _brute_force_nearest(px: float, py: float, seeds: np.ndarray) -> tuple[float, list[int]]:
    """Slow reference: distance to the nearest seed and all seeds at that distance."""
    best, who = math.inf, []
    for i in range(seeds.shape[0]):
        d = math.hypot(px - seeds[i, 0], py - seeds[i, 1])
        if d < best - 1e-9:
            best, who = d, [i]
        elif abs(d - best) <= 1e-9:
            who.append(i)
    return best, who


@pytest.mark.parametrize("fixture", ["jh", "province30"])
def test_each_region_cell_goes_to_its_nearest_seed(fixture: str, request: pytest.FixtureRequest):
    region: Region = request.getfixturevalue(fixture)
    x, y = region.cell_xy_km()
    seeds = region.seed_xy_km()
    flat = region.county_of_cell.ravel()
    region_cells = np.flatnonzero(flat >= 0)
    rng = np.random.default_rng(7)
    sample = rng.choice(region_cells, size=min(300, region_cells.size), replace=False)
    for cell in sample:
        _, nearest = _brute_force_nearest(float(x[cell]), float(y[cell]), seeds)
        assert int(flat[cell]) == min(nearest), f"cell {cell}"
    # and each seed's own cell belongs to its county (unless a hub sits on it)
    for c in region.counties:
        cell = int(region.cell_of_xy_km(*seeds[c.id]))
        assert flat[cell] == c.id


def test_seed_projection_matches_independent_equirectangular(jh: Region):
    lon = np.array([c.lon for c in jh.counties])
    lat = np.array([c.lat for c in jh.counties])
    lat0 = lat.mean()
    km = 6371.0088 * math.pi / 180
    ref = np.column_stack(((lon - lon.mean()) * km * math.cos(math.radians(lat0)), lat * km))
    got = jh.seed_xy_km()
    # equal up to a translation (the grid origin)
    np.testing.assert_allclose(got - got[0], ref - ref[0], atol=1e-9)


def test_row_zero_is_south_and_flat_index_is_row_major(jh: Region):
    ny, nx = jh.shape
    x, y = jh.cell_xy_km()
    assert x.shape == y.shape == (ny * nx,)
    assert x.dtype == y.dtype == np.float64
    # flat index row * nx + col
    row, col = 3, 5
    assert x[row * nx + col] == pytest.approx((col + 0.5) * jh.cell_km)
    assert y[row * nx + col] == pytest.approx((row + 0.5) * jh.cell_km)
    # Changxing (north) has a larger row than Haining (south)
    assert _seed_cell(jh, "changxing") // nx > _seed_cell(jh, "haining") // nx
    # Pinghu (east) has a larger column than Anji (west)
    assert _seed_cell(jh, "pinghu") % nx > _seed_cell(jh, "anji") % nx
    assert int(jh.cell_of_xy_km(-1.0, 1.0)) == -1


# --------------------------------------------------------------------------------------------
# Jiaxing-Huzhou geography and data


def test_jiaxing_huzhou_counties_and_grid(jh: Region):
    keys = {c.key for c in jh.counties}
    assert keys == {
        "nanhu",
        "xiuzhou",
        "jiashan",
        "pinghu",
        "haiyan",
        "haining",
        "tongxiang",
        "wuxing",
        "nanxun",
        "changxing",
        "deqing",
        "anji",
    }
    assert {c.prefecture_en for c in jh.counties} == {"Jiaxing", "Huzhou"}
    assert {h.key for h in jh.hubs} == {"shanghai", "hangzhou"}
    assert 1.5 <= jh.cell_km <= 2.5
    # total area close to the real ~10,100 km2 of the two prefectures
    area = np.count_nonzero(jh.county_of_cell >= 0) * jh.cell_km**2
    assert 8_000 < area < 12_500
    # the biggest county by area is Anji, the smallest a Jiaxing district/county
    areas = {c.key: jh.county_cells(c.id).size for c in jh.counties}
    assert max(areas, key=areas.get) == "anji"
    assert min(areas, key=areas.get) in {"nanhu", "xiuzhou", "jiashan", "pinghu", "haiyan"}


def test_hubs_are_placed_relative_to_counties(jh: Region):
    x, y = jh.cell_xy_km()

    def centre(cells: np.ndarray) -> tuple[float, float]:
        return float(x[cells].mean()), float(y[cells].mean())

    sh = centre(jh.hub_cells(jh.hub_id("shanghai")))
    hz = centre(jh.hub_cells(jh.hub_id("hangzhou")))
    jiashan = centre(jh.county_cells(jh.county_id("jiashan")))
    deqing = centre(jh.county_cells(jh.county_id("deqing")))
    assert sh[0] > jiashan[0] + 20  # Shanghai is east of Jiashan
    assert hz[1] < deqing[1] - 15  # Hangzhou is south of Deqing ...
    assert hz[0] < deqing[0] + 5  # ... and (slightly) west
    # hub cells are not county cells and outside the counties' extent in at least one direction
    assert 40 < math.dist(sh, jiashan) < 80


def test_jiashan_anji_distance_is_plausible(jh: Region):
    x, y = jh.cell_xy_km()
    a, b = _seed_cell(jh, "jiashan"), _seed_cell(jh, "anji")
    d = math.hypot(x[a] - x[b], y[a] - y[b])
    assert d == pytest.approx(120, abs=25)
    ja, an = jh.counties[jh.county_id("jiashan")], jh.counties[jh.county_id("anji")]
    assert d == pytest.approx(_haversine_km(ja.lon, ja.lat, an.lon, an.lat), abs=2 * jh.cell_km)


def test_jiaxing_huzhou_numbers_follow_the_report(jh: Region):
    by_key = {c.key: c for c in jh.counties}
    huzhou = [c for c in jh.counties if c.prefecture_en == "Huzhou"]
    assert len(huzhou) == 5
    assert sum(c.platforms for c in huzhou) == 232  # report §1.1
    assert by_key["changxing"].experts == 54  # report §1.5
    sh, hz = jh.hub_id("shanghai"), jh.hub_id("hangzhou")
    assert (by_key["jiashan"].enclave_hub, by_key["jiashan"].enclave_floor_m2) == (sh, 17000)
    assert (by_key["changxing"].enclave_hub, by_key["changxing"].enclave_floor_m2) == (hz, 40000)
    assert "report §1.5" in by_key["changxing"].source
    # other counties: nearer hub, no floor
    seeds, hubs = jh.seed_xy_km(), jh.hub_xy_km()
    for c in jh.counties:
        if c.key in ("jiashan", "changxing"):
            continue
        assert c.enclave_floor_m2 == 0
        assert c.enclave_hub == int(np.argmin(np.hypot(*(hubs - seeds[c.id]).T)))
    assert by_key["pinghu"].enclave_hub == sh and by_key["anji"].enclave_hub == hz
    for c in jh.counties:
        assert 600 <= c.firms <= 1500
        assert 2000 <= c.rd_staff <= 6000
        assert 10 <= c.experts <= 60
        assert c.platforms > 0
        assert len(c.sector_shares) == N_SECTORS
        assert sum(c.sector_shares) == pytest.approx(1.0, abs=1e-9)
        assert 0.55 <= c.sector_shares[TRADITIONAL] <= 0.75
        assert "assumption" in c.source or "report" in c.source
    # the five biggest economies (Wuxing by its 2014 GDP, tests/test_region_from_data.py)
    big = ["haining", "tongxiang", "wuxing", "jiashan", "nanhu"]
    others = [c.firms for c in jh.counties if c.key not in big]
    assert min(by_key[k].firms for k in big) > max(others)
    # the report's emerging sectors are each county's largest emerging sector
    emerging = {"jiashan": 0, "changxing": 4, "deqing": 5}
    for key, sector in emerging.items():
        shares = list(by_key[key].sector_shares)
        shares[TRADITIONAL] = -1
        assert int(np.argmax(shares)) == sector, key
    for h in jh.hubs:
        assert 20_000 <= h.rd_staff <= 30_000 and 1_000 <= h.experts <= 2_000
        assert "assumption" in h.source


def test_cell_km_override_changes_resolution(jh: Region):
    coarse = load_region("jiaxing-huzhou", cell_km=4.0)
    assert coarse.cell_km == 4.0
    assert coarse.n_cells == pytest.approx(jh.n_cells / 4, rel=0.15)
    assert coarse.params["cell_km"] == 4.0 and jh.params["cell_km"] == jh.cell_km


# --------------------------------------------------------------------------------------------
# Synthetic province


def test_province_default_and_override(province: Region, province30: Region):
    assert province.synthetic and province30.synthetic
    assert province.n_counties == 90
    assert province30.n_counties == 30
    assert province30.params["n_counties"] == 30 and province.params["n_counties"] == 90
    assert province.cell_km == 4.0
    assert [c.key for c in province30.counties[:2]] == ["county-01", "county-02"]
    assert province30.counties[0].name_en == "County 01"
    assert province30.counties[0].name_zh == "县01"
    assert {h.key for h in province.hubs} == {"shanghai", "hangzhou"}
    # counties are numbered north first
    lat = [c.lat for c in province.counties]
    assert lat[0] > np.median(lat) > lat[-1]
    # province-scale area: about n_counties * county_area_km2
    area = np.count_nonzero(province.county_of_cell >= 0) * province.cell_km**2
    assert area == pytest.approx(90 * province.params["county_area_km2"], rel=0.25)


def test_numpy_scalars_are_accepted_as_overrides(province30: Region):
    r = load_region("province", n_counties=np.int64(30), cell_km=np.float64(4.0))
    assert r.counties == province30.counties


def test_province_is_deterministic(province30: Region):
    again = load_region("province", n_counties=30)
    np.testing.assert_array_equal(again.county_of_cell, province30.county_of_cell)
    np.testing.assert_array_equal(again.hub_of_cell, province30.hub_of_cell)
    assert again.counties == province30.counties
    assert again.hubs == province30.hubs
    other = load_region("province", n_counties=30, layout_seed=1)
    assert other.counties != province30.counties


def test_province_county_numbers(province: Region):
    p = province.params
    firms = np.array([c.firms for c in province.counties])
    assert firms.min() >= p["firms_min"]
    assert firms.mean() == pytest.approx(p["firms_mean"], rel=0.2)
    assert firms.std() > 0
    for c in province.counties:
        assert c.platforms == round(c.firms * p["platforms_per_100_firms"] / 100)
        assert c.rd_staff >= 0 and c.experts >= 0
        assert len(c.sector_shares) == N_SECTORS
        assert sum(c.sector_shares) == pytest.approx(1.0, abs=1e-9)
        assert min(c.sector_shares) >= 0
        trad = c.sector_shares[TRADITIONAL]
        assert p["traditional_share_min"] <= trad <= p["traditional_share_max"]
        assert c.enclave_hub in (0, 1) and c.enclave_floor_m2 == 0
        assert "assumption" in c.source
    prefectures = {c.prefecture_en for c in province.counties}
    assert len(prefectures) == p["n_prefectures"]
    assert province.counties[0].prefecture_en == "Prefecture 01"


def test_province_hubs_outside_layout(province: Region):
    seeds = province.seed_xy_km()
    centre = seeds.mean(axis=0)
    sh, hz = province.hub_xy_km()[[province.hub_id("shanghai"), province.hub_id("hangzhou")]]
    assert sh[0] > centre[0] + 100 and sh[1] > centre[1] + 100  # north-east
    assert hz[1] > seeds[:, 1].max()  # north of every county seed
    # no county reaches a hub, so hub disks carve no holes into counties
    reach = province.params["reach_factor"] * math.sqrt(province.params["county_area_km2"])
    for h, xy in zip(province.hubs, province.hub_xy_km(), strict=True):
        assert np.hypot(*(seeds - xy).T).min() > reach + h.radius_km


# --------------------------------------------------------------------------------------------
# Errors: overrides and malformed files


def test_unknown_override_names_key_and_allowed():
    with pytest.raises(ValueError) as err:
        load_region("province", n_countys=30)
    msg = str(err.value)
    assert "n_countys" in msg and "n_counties" in msg and "layout_seed" in msg
    assert "province.toml" in msg
    with pytest.raises(ValueError, match="n_counties") as err:
        load_region("jiaxing-huzhou", n_counties=30)
    assert "cell_km" in str(err.value)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"n_counties": 0}, "n_counties"),
        ({"n_counties": "30"}, "n_counties"),
        ({"n_counties": 30.0}, "n_counties"),
        ({"cell_km": -1.0}, "cell_km"),
        ({"jitter": 0.9}, "jitter"),
        ({"traditional_share_min": 0.9}, "traditional_share_min"),
    ],
)
def test_invalid_override_value(override: dict, key: str):
    with pytest.raises(ValueError, match=key):
        load_region("province", **override)


def _write_modified(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # missing key
        ("firms = 1300\n", "", ["'firms'", "missing"]),
        # wrong type
        ("firms = 1300\n", 'firms = "1300"\n', ["'firms'", "integer"]),
        ("lon = 120.93\n", 'lon = "east"\n', ["'lon'", "number"]),
        # negative count
        ("firms = 1300\n", "firms = -5\n", ["'firms'", ">= 0"]),
        ("experts = 54\n", "experts = -1\n", ["'experts'", "changxing"]),
        # shares not summing to 1
        (
            "[0.12, 0.09, 0.05, 0.07, 0.02, 0.00, 0.65]",
            "[0.12, 0.09, 0.05, 0.07, 0.02, 0.00, 0.75]",
            ["'sector_shares'", "summing to 1", "jiashan"],
        ),
        (
            "[0.12, 0.09, 0.05, 0.07, 0.02, 0.00, 0.65]",
            "[0.12, 0.09, 0.05, 0.07, 0.67]",
            ["'sector_shares'", "7"],
        ),
        # unknown key
        ("firms = 1300\n", "firms = 1300\nfirm = 3\n", ["'firm'", "allowed keys", "firms"]),
        ("cell_km = 2.0\n", "cell_km = 2.0\ncell_size = 2.0\n", ["'cell_size'", "cell_km"]),
        # unknown hub in an enclave
        ('enclave_hub = "shanghai"', 'enclave_hub = "beijing"', ["'enclave_hub'", "shanghai"]),
        # a number without a source
        ('cell_km = "assumption', 'cell_kmx = "assumption', ["'cell_kmx'", "cell_km"]),
        # not TOML at all
        ("[grid]\n", "[grid\n", ["not valid TOML"]),
    ],
)
def test_malformed_described_file(tmp_path: Path, old: str, new: str, expected: list[str]):
    path = _write_modified(tmp_path, JH_FILE, old, new)
    with pytest.raises(ValueError) as err:
        load_region(path)
    msg = str(err.value)
    assert str(path) in msg
    for part in expected:
        assert part in msg, (part, msg)


def test_missing_county_source_is_an_error(tmp_path: Path):
    path = _write_modified(
        tmp_path,
        JH_FILE,
        'firms = "assumption: scaled to approximate county economic size; model firms stand for '
        'industrial enterprises above designated size"\n',
        "",
    )
    with pytest.raises(ValueError, match="no source for firms") as err:
        load_region(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("n_counties = 90\n", "n_counties = 0\n", ["'n_counties'", ">= 1"]),
        ("n_counties = 90\n", "", ["'n_counties'", "missing"]),
        ("synthetic = true\n", 'synthetic = "yes"\n', ["'synthetic'", "true or false"]),
        ("firms_cv = 0.45\n", "firms_cv = 0.45\nfirms_sd = 1\n", ["'firms_sd'", "firms_cv"]),
        ("rel_x = 1.05\n", "lon = 121.3\n", ["'lon'", "rel_x"]),
    ],
)
def test_malformed_synthetic_file(tmp_path: Path, old: str, new: str, expected: list[str]):
    path = _write_modified(tmp_path, PROVINCE_FILE, old, new)
    with pytest.raises(ValueError) as err:
        load_region(path)
    msg = str(err.value)
    assert str(path) in msg
    for part in expected:
        assert part in msg, (part, msg)


def test_county_without_cells_is_an_error(tmp_path: Path):
    # move Xiuzhou's seed onto Nanhu's: Xiuzhou gets no cells (ties go to the lower id)
    path = _write_modified(
        tmp_path, JH_FILE, "lon = 120.69\nlat = 30.81\n", "lon = 120.84\nlat = 30.72\n"
    )
    with pytest.raises(ValueError, match="xiuzhou"):
        load_region(path)


def test_overlapping_hubs_are_an_error(tmp_path: Path):
    path = _write_modified(
        tmp_path, JH_FILE, "lon = 119.99\nlat = 30.29\n", "lon = 121.30\nlat = 31.18\n"
    )
    with pytest.raises(ValueError, match="overlap") as err:
        load_region(path)
    assert str(path) in str(err.value) and "'shanghai'" in str(err.value)


def test_region_repr_is_compact(jh: Region):
    text = repr(jh)
    assert "jiaxing-huzhou" in text and "n_counties=12" in text and len(text) < 300


# --------------------------------------------------------------------------------------------
# Mesa grid


@pytest.mark.parametrize("fixture", ["jh", "province30"])
def test_build_grid_layers_equal_arrays(fixture: str, request: pytest.FixtureRequest):
    region: Region = request.getfixturevalue(fixture)
    grid = build_grid(region)
    assert tuple(grid.dimensions) == region.shape
    assert not grid.torus
    np.testing.assert_array_equal(grid.county_id.data, region.county_of_cell)
    np.testing.assert_array_equal(grid.hub_id.data, region.hub_of_cell)
    assert grid.county_id.data.dtype == np.int16
    # cell (row, col) reads the same values
    nx = region.shape[1]
    for cell in (_seed_cell(region, region.counties[0].key), int(region.hub_cells(0)[0])):
        row, col = divmod(cell, nx)
        mesa_cell = grid._cells[(row, col)]
        assert mesa_cell.county_id == region.county_of_cell[row, col]
        assert mesa_cell.hub_id == region.hub_of_cell[row, col]
    # grids are independent: a second grid does not clash with the first
    second = build_grid(region)
    np.testing.assert_array_equal(second.county_id.data, region.county_of_cell)
