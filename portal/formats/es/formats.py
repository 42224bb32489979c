# Spanish: day before month ("5 de diciembre de 2026"), lower-case weekday and month names, a
# 24-hour clock, the time zone named after every time. Numbers as written in Mexico and the
# United States (1,234.5), which is what the city's Spanish-speaking residents read.
DATE_FORMAT = r"j \d\e F \d\e Y"  # 5 de diciembre de 2026
LONG_DATE_FORMAT = r"l, j \d\e F \d\e Y"  # sábado, 5 de diciembre de 2026
TIME_FORMAT = "H:i"  # 18:00
ZONED_TIME_FORMAT = "H:i T"  # 18:00 CST
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i T"  # 5 de diciembre de 2026, 18:00 CST
LONG_DATETIME_FORMAT = r"l, j \d\e F \d\e Y, H:i T"  # sábado, 5 de diciembre de 2026, 18:00 CST
YEAR_MONTH_FORMAT = r"F \d\e Y"  # diciembre de 2026
MONTH_DAY_FORMAT = r"j \d\e F"  # 5 de diciembre
SHORT_DATE_FORMAT = "d/m/Y"  # 05/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"  # 05/12/2026 18:00 CST
DAY_FORMAT = "j"
WEEKDAY_FORMAT = "l"
SHORT_WEEKDAY_FORMAT = "D"
MONTH_FORMAT = "F"

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
