"""Reports: HTML and Markdown documents computed from the graph (``odlm-kg report``).

One module per report: :mod:`odlm_kg.report.survey` reproduces the survey paper's tables from microdata.
"""
