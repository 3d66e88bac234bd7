"""Bad parameters are refused before anything runs, with a message that says what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.params.table import (
    PARAMETER_NAMES,
    SPECS,
    KernelParams,
    ParameterError,
    Parameters,
    check_value,
)


def test_defaults_are_valid_and_documented():
    p = Parameters()
    assert len(p) == len(SPECS) == len(set(PARAMETER_NAMES))
    for spec in SPECS:
        assert spec.low <= spec.high, spec.name
        assert check_value(spec.name, spec.default) == spec.default
        assert spec.unit and spec.source and spec.doc, spec.name
        assert p[spec.name] == spec.default


def test_unknown_name_is_refused_with_a_suggestion():
    with pytest.raises(ParameterError) as err:
        Parameters({"tax_rebate_shar": 1.0})
    message = str(err.value)
    assert "'tax_rebate_shar'" in message
    assert "Did you mean" in message and "tax_rebate_share" in message


def test_unknown_name_message_names_its_origin():
    with pytest.raises(ParameterError, match=r"^scenarios/x\.toml: unknown parameter 'zzz'"):
        Parameters({"zzz": 1}, origin="scenarios/x.toml")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("cit_rate", "0.2"),
        ("cit_rate", None),
        ("cit_rate", [0.2]),
        ("matching_draws", 2.5),
        ("matching_draws", "3"),
        ("consolidation_enabled", "yes"),
        ("consolidation_enabled", 0.0),
    ],
)
def test_wrong_type_is_refused(name, value):
    with pytest.raises(ParameterError) as err:
        Parameters({name: value})
    message = str(err.value)
    assert repr(name) in message and repr(value) in message


def test_wrong_type_message_says_what_is_allowed():
    with pytest.raises(ParameterError, match=r"'cit_rate' must be a number in \[0, 1\]"):
        Parameters({"cit_rate": "0.2"})
    with pytest.raises(ParameterError, match=r"'matching_draws' must be an integer in \[1, 50\]"):
        Parameters({"matching_draws": 2.5})


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("cit_rate", 1.5, "[0, 1]"),
        ("cit_rate", -0.01, "[0, 1]"),
        ("firm_scale", 0.0, "[0.01, 100]"),
        ("matching_draws", 0, "[1, 50]"),
        ("patent_grant_lag_q", 25, "[1, 24]"),
        ("rd_user_cost_elasticity", 0.5, "[-3, 0]"),
        ("cit_rate", math.inf, "[0, 1]"),
    ],
)
def test_out_of_range_is_refused_naming_the_range(name, value, allowed):
    with pytest.raises(ParameterError) as err:
        Parameters({name: value})
    message = str(err.value)
    assert repr(name) in message
    assert "out of range" in message
    assert f"allowed: {'an integer' if isinstance(value, int) else 'a number'} in {allowed}" in (
        message
    )


def test_nan_is_refused():
    with pytest.raises(ParameterError, match="'cit_rate'"):
        Parameters({"cit_rate": math.nan})


def test_range_ends_are_allowed():
    p = Parameters({"cit_rate": 1.0, "cit_rate_high_tech": 0.0, "matching_draws": 50})
    assert p.cit_rate == 1.0 and p.matching_draws == 50


@pytest.mark.parametrize(
    ("name", "value"),
    [("consolidation_enabled", 1), ("enclaves_enabled", 0), ("cit_rate", True)],
)
def test_bool_and_number_are_not_interchangeable(name, value):
    with pytest.raises(ParameterError, match=repr(name)):
        Parameters({name: value})


def test_values_are_converted_to_the_parameter_type():
    p = Parameters({"matching_draws": 4.0, "cit_rate_high_tech": 0, "consolidation_enabled": True})
    assert p.matching_draws == 4 and type(p.matching_draws) is int
    assert p.cit_rate_high_tech == 0.0 and type(p.cit_rate_high_tech) is float
    assert p.consolidation_enabled is True


def test_numpy_scalars_are_accepted():
    p = Parameters(
        {"matching_draws": np.int64(4), "cit_rate": np.float32(0.2), "enclaves_enabled": np.True_}
    )
    assert p.matching_draws == 4 and p.enclaves_enabled is True


def test_st_spending_shares_must_not_exceed_one():
    with pytest.raises(ParameterError) as err:
        Parameters({"st_share_platforms": 0.6, "st_share_rd_grants": 0.35, "st_share_talent": 0.1})
    message = str(err.value)
    for name in ("st_share_platforms", "st_share_rd_grants", "st_share_talent"):
        assert name in message
    assert "1.05" in message
    Parameters({"st_share_platforms": 0.55, "st_share_rd_grants": 0.35, "st_share_talent": 0.1})


def test_high_tech_rate_must_not_exceed_the_standard_rate():
    with pytest.raises(ParameterError, match="cit_rate_high_tech"):
        Parameters({"cit_rate": 0.1})
    Parameters({"cit_rate": 0.15})


def test_parameters_are_immutable_and_replace_validates():
    p = Parameters({"tax_rebate_share": 0.5})
    with pytest.raises(AttributeError):
        p.tax_rebate_share = 1.0
    q = p.replace(voucher_budget_mcny_per_q=5.0)
    assert q.tax_rebate_share == 0.5 and q.voucher_budget_mcny_per_q == 5.0
    assert p.voucher_budget_mcny_per_q == 0.0
    assert q.changed() == {"tax_rebate_share": 0.5, "voucher_budget_mcny_per_q": 5.0}
    with pytest.raises(ParameterError):
        p.replace(voucher_budget_mcny_per_q=-1.0)
    with pytest.raises(AttributeError, match="Did you mean"):
        _ = p.tax_rebate_shar
    with pytest.raises(KeyError):
        _ = p["no_such_parameter"]


def test_kernel_params_keep_names_and_types():
    kp = Parameters({"consolidation_enabled": True}).for_kernels()
    assert isinstance(kp, KernelParams) and kp._fields == PARAMETER_NAMES
    assert kp.consolidation_enabled is True
    assert type(kp.matching_draws) is int and type(kp.cit_rate) is float


def test_mesa_model_refuses_unknown_keyword():
    from model.sim.mesa_model import InnovationModel

    with pytest.raises(ParameterError, match="unknown_kw"):
        InnovationModel(unknown_kw=1)
    with pytest.raises(ParameterError, match="tax_rebate_share"):
        InnovationModel(tax_rebate_share=2.0, build_mesa_grid=False)
