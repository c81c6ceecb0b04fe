"""Reporting: the measures dashboard and every figure a manager sees, read from every layer
below and imported by none of them.

- `filters`: what a view picks out (months in UK time, organisation, service, group);
- `cells`: the cells a figure is counted in, and how totals split into parts;
- `queries`, `working_days`, `snapshot`: the counts, made by the database;
- `definitions`: the measures, one definition each;
- `figures`: the monthly series as published, through `suppression`, charted by `spc`;
- `export`: the CSV; `charts`: the SVG charts; `views`: the pages;
- `survey_results`: the survey counts as a manager sees them, protected with the dashboard's.
"""
