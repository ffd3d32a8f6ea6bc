"""English dates a reader anywhere reads the same way: "8 March 2025", "2025-03-08 14:00" (never 03/08/2025).

Django's own English formats are American (m/d/Y); reviewers and partners are not. See docs/review.md.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday: the working week in Syria (the weekend is Friday–Saturday)
