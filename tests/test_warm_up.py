"""``innovsim warm-up`` calls every kernel the engine has, so none compiles later."""

from __future__ import annotations

import model.sim.engine
from model.cli import main


def test_warm_up_calls_every_kernel_of_the_engine(monkeypatch, capsys):
    kernels = {
        name: fn
        for name, fn in vars(model.sim.engine).items()
        if callable(fn) and getattr(fn, "__module__", "").startswith("model.kernels.")
    }
    assert len(kernels) >= 20  # the phases of design.md, plus the structural policy rules
    called = set()

    def recording(name, fn):
        def wrapper(*args, **kwargs):
            called.add(name)
            return fn(*args, **kwargs)

        return wrapper

    for name, fn in kernels.items():
        monkeypatch.setattr(model.sim.engine, name, recording(name, fn))
    assert main(["warm-up"]) == 0
    assert "numba kernels compiled or loaded in" in capsys.readouterr().out
    assert called == set(kernels), f"never called: {sorted(set(kernels) - called)}"
