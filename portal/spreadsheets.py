"""CSV cells that a spreadsheet opens as data, never as a formula (CSV injection).

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
some treat a leading tab or carriage return the same way). Text that officers or residents wrote (a
name, a neighbourhood, a title) goes through ``spreadsheet_cell`` before it is written to a CSV:
such a cell gets a leading apostrophe, which spreadsheets show as text. Numbers are left as they are:
a count of -1 is data, and a file's readers parse it.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """``value`` ready for ``csv.writer``: None as an empty cell, text that looks like a formula
    prefixed with an apostrophe, anything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
