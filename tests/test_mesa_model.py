"""The Mesa face of the model: batch_run, DataCollector, the grid, seeds."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from model.params.table import ParameterError
from model.sim.engine import region_totals
from model.sim.indicators import INDICATOR_NAMES, N_INDICATORS
from model.sim.mesa_model import InnovationModel

SMALL = {"firm_scale": 0.1, "build_mesa_grid": False}
BATCH_PARAMETERS = {"tax_rebate_share": [0.0, 1.0], "build_mesa_grid": False, "firm_scale": 0.2}


def _batch(**kwargs) -> pd.DataFrame:
    rows = mesa.batch_run(
        InnovationModel,
        parameters=BATCH_PARAMETERS,
        iterations=2,
        max_steps=3,
        number_processes=1,
        display_progress=False,
        **kwargs,
    )
    return pd.DataFrame(rows)


def test_batch_run_collects_every_step_of_every_run():
    df = _batch(data_collection_period=1)
    # 2 rebate shares x 2 iterations, each with steps 0..3
    assert len(df) == 2 * 2 * 4
    assert sorted(df["RunId"].unique()) == [0, 1, 2, 3]
    for _, run in df.groupby("RunId"):
        assert run["Step"].tolist() == [0, 1, 2, 3]
        assert run["tax_rebate_share"].nunique() == 1
    assert sorted(df.groupby("RunId")["tax_rebate_share"].first()) == [0.0, 0.0, 1.0, 1.0]
    assert sorted(df["iteration"].unique()) == [0, 1]
    assert set(INDICATOR_NAMES) <= set(df.columns)
    assert (df["firms"] > 0).all() and (df["revenue_mcny"] > 0).all()
    assert df[list(INDICATOR_NAMES)].notna().all().all()
    # runs without a seed draw their own: the two iterations of one setting differ
    steps3 = df[df["Step"] == 3].set_index("RunId")
    assert steps3.loc[0, "revenue_mcny"] != steps3.loc[2, "revenue_mcny"]


def test_batch_run_default_period_collects_the_last_step_only():
    # mesa 3.3.1: data_collection_period=-1 reports one row per run, at step max_steps
    df = _batch()
    assert len(df) == 4
    assert df["Step"].tolist() == [3, 3, 3, 3]
    assert set(INDICATOR_NAMES) <= set(df.columns)


def test_every_batch_run_row_records_the_seed_that_repeats_it():
    df = _batch()
    assert df["seed"].nunique() == 4  # runs without a seed each drew their own
    for _, row in df.iterrows():
        again = InnovationModel(
            seed=int(row["seed"]),
            tax_rebate_share=row["tax_rebate_share"],
            firm_scale=0.2,
            build_mesa_grid=False,
        )
        for _ in range(3):
            again.step()
        collected = again.datacollector.get_model_vars_dataframe().iloc[-1]
        assert collected["revenue_mcny"] == row["revenue_mcny"]
        assert collected["high_tech_enterprises"] == row["high_tech_enterprises"]


def test_parameters_are_keyword_arguments_as_mesa_visualisation_expects():
    """SolaraViz refuses a model whose __init__ has a required parameter it does not know
    (it exempts ``**kwargs`` by name) or takes ``*args``."""
    import inspect

    params = inspect.signature(InnovationModel.__init__).parameters
    required = [
        n
        for n, p in params.items()
        if p.default is inspect.Parameter.empty and n not in ("self", "kwargs")
    ]
    assert required == []
    assert params["kwargs"].kind is inspect.Parameter.VAR_KEYWORD
    assert not any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params.values())
    m = InnovationModel(seed=2, tax_rebate_share=1.0, **SMALL)
    assert m.parameters.tax_rebate_share == 1.0


def test_datacollector_has_one_row_per_collected_quarter():
    m = InnovationModel(seed=4, **SMALL)
    for _ in range(3):
        m.step()
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 1 + 3
    assert list(frame.columns) == [*INDICATOR_NAMES, "seed"]
    assert (frame["seed"] == 4).all()
    values = frame[list(INDICATOR_NAMES)]
    for k, county_values in enumerate(m.county_history):
        np.testing.assert_allclose(values.iloc[k].to_numpy(), region_totals(county_values))
    np.testing.assert_allclose(values.iloc[-1].to_numpy(), m.region_indicators)
    assert m.steps == 3 and m.sim.step_index == 3


def test_results_are_tidy_per_county_and_region():
    m = InnovationModel(seed=4, **SMALL)
    m.step()
    df = m.results()
    n_counties = m.region.n_counties
    assert len(df) == 2 * (n_counties + 1) * N_INDICATORS
    region_rows = df[(df["county_id"] == -1) & (df["step"] == 1)].set_index("indicator")["value"]
    frame = m.datacollector.get_model_vars_dataframe()
    np.testing.assert_allclose(
        region_rows[list(INDICATOR_NAMES)].to_numpy(), frame[list(INDICATOR_NAMES)].iloc[1]
    )
    assert (df["seed"] == 4).all()


def test_max_steps_stops_the_model():
    m = InnovationModel(seed=1, max_steps=2, **SMALL)
    assert m.running
    m.step()
    assert m.running
    m.step()
    assert not m.running


def test_grid_has_county_and_hub_layers_of_the_region():
    m = InnovationModel(seed=1, firm_scale=0.1)
    ny, nx = m.region.shape
    assert m.grid.dimensions == (ny, nx)
    np.testing.assert_array_equal(m.grid.county_id.data, m.region.county_of_cell)
    np.testing.assert_array_equal(m.grid.hub_id.data, m.region.hub_of_cell)
    assert m.grid.county_id.data.max() == m.region.n_counties - 1
    assert m.grid.hub_id.data.max() == m.region.n_hubs - 1


def test_same_seed_gives_identical_collected_data():
    frames = []
    for _ in range(2):
        m = InnovationModel(seed=42, tax_rebate_share=1.0, policy_start_step=1, **SMALL)
        m.step()
        m.step()
        frames.append(m.datacollector.get_model_vars_dataframe())
    assert_frame_equal(frames[0], frames[1], check_exact=True)
    other = InnovationModel(seed=43, tax_rebate_share=1.0, policy_start_step=1, **SMALL)
    other.step()
    other.step()
    assert not frames[0].equals(other.datacollector.get_model_vars_dataframe())


def test_unknown_keyword_is_refused():
    with pytest.raises(ParameterError, match="unknown_kw"):
        InnovationModel(unknown_kw=1)


def test_mesa_solaraviz_builds_and_renders_a_page_for_the_model():
    """Mesa's own visualisation accepts the model: its parameter check passes and the page
    renders (in memory, without a browser)."""
    import warnings

    import solara
    from mesa.visualization import SolaraViz
    from mesa.visualization.solara_viz import _check_model_params

    params = {
        "tax_rebate_share": {
            "type": "SliderFloat",
            "value": 0.0,
            "label": "rebate share",
            "min": 0.0,
            "max": 1.0,
            "step": 0.5,
        },
        "firm_scale": 0.1,
        "build_mesa_grid": False,
    }
    _check_model_params(InnovationModel.__init__, params)  # raises for a required parameter
    model = InnovationModel(seed=1, firm_scale=0.1, build_mesa_grid=False)
    page = SolaraViz(model, components=[], model_params=params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # solara's hook checker on Mesa's own solara_viz.py
        box, context = solara.render(page, handle_error=False)
    assert box.children, "the page rendered nothing"
    context.close()
