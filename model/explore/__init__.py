"""``innovsim explore``: a local Solara page to move a scenario's levers and watch the counties.

The page (:mod:`model.explore.app`) is a thin layer over plain functions that need no
browser: the lever controls and their checks (:mod:`model.explore.levers`), a live run
quarter by quarter beside the baseline (:mod:`model.explore.live`), a finished ``innovsim
compare`` folder loaded with clear errors (:mod:`model.explore.folder`), the page's figures
(:mod:`model.explore.figures`) and texts (:mod:`model.explore.texts`).
:func:`model.explore.server.serve` starts the server.
"""
