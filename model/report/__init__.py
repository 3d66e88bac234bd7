"""What readers see: figures, Markdown reports, fonts and the generated tables of the ODD.

- :mod:`model.report.plots` — the standard figures (trajectories, county maps, effects);
- :mod:`model.report.compare_report` — figures and reports of a comparison;
- :mod:`model.report.text` — every fixed text in English and Chinese;
- :mod:`model.report.tables` — the report's tables as DataFrames, CSV and XLSX;
- :mod:`model.report.fonts` — CJK fonts for Chinese figures;
- :mod:`model.report.doc_tables` — the parameter table of docs/ODD.md, printed from the code.
"""
