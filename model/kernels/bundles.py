"""Per-phase parameter bundles: the few ``KernelParams`` fields one kernel reads.

A kernel body takes its phase's bundle (a namedtuple of scalars) instead of the whole
``KernelParams`` (about 140 fields), which compiles faster, or of one positional argument per
parameter, which let two swapped floats pass unnoticed. Each kernel module declares its bundle
type next to its wrapper, e.g. ``ProductionParams`` and ``production_params(p)``.
"""

from __future__ import annotations


def params_bundle(bundle_type, p):
    """The ``bundle_type`` namedtuple holding the fields of ``p`` with the same names.

    Parameters
    ----------
    bundle_type : namedtuple type
        A module-level namedtuple (numba's cache pickles it by name).
    p : KernelParams
        Values are passed on unchanged (an int stays an int, a bool a bool), so the kernel
        computes with exactly the numbers it was given before.
    """
    return bundle_type(*(getattr(p, name) for name in bundle_type._fields))
