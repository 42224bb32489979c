"""The portal's date, time and number formats, one module per language (FORMAT_MODULE_PATH).

Each language module defines every name in ``portal.dates.NAMED_FORMATS``; what it leaves out
(input formats, first day of the week) comes from Django's own locale module. Pages, e-mails,
PDFs and calendar files format dates only through these names (``portal.dates``, or
``|date:"NAME"`` in templates), so each language has one style, and a new language is a new
module here (tests/portal/test_date_formats.py holds every language to it).
"""
