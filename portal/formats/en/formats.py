# English as written in the United States, where the portal's city is: month before day, 12-hour
# clock with "AM"/"PM" (no "p.m." that doubles a sentence's full stop), the time zone named after
# every time so nobody has to guess it.
DATE_FORMAT = "F j, Y"  # December 5, 2026
LONG_DATE_FORMAT = "l, F j, Y"  # Saturday, December 5, 2026
TIME_FORMAT = "g:i A"  # 6:00 PM
ZONED_TIME_FORMAT = "g:i A T"  # 6:00 PM CST
DATETIME_FORMAT = "F j, Y, g:i A T"  # December 5, 2026, 6:00 PM CST
LONG_DATETIME_FORMAT = "l, F j, Y, g:i A T"  # Saturday, December 5, 2026, 6:00 PM CST
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "F j"  # December 5
SHORT_DATE_FORMAT = "m/d/Y"  # 12/05/2026
SHORT_DATETIME_FORMAT = "m/d/Y g:i A T"  # 12/05/2026 6:00 PM CST
# Calendar grid pieces: the day of the month, the weekday and the month on their own.
DAY_FORMAT = "j"
WEEKDAY_FORMAT = "l"
SHORT_WEEKDAY_FORMAT = "D"
MONTH_FORMAT = "F"

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
