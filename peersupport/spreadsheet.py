"""CSV downloads open in spreadsheets: a cell that starts like a formula must stay text."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, with text a spreadsheet would run as a formula quoted so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
