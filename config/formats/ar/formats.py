"""Arabic dates in Arabic order: "8 مارس 2025" and "2025-03-08 14:00" (Django's Arabic gives "مارس 8, 2025").

The digits stay Western Arabic (0–9), as Syrian forms and the monitors' reports write them. See docs/review.md.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday: the working week in Syria (the weekend is Friday–Saturday)
