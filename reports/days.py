"""The register's day: which calendar day an event is counted on, in the one zone the setting names.

Aggregates, the API's date filters and exports, the demo and users' display
default all read `settings.TIME_ZONE` through here (Asia/Damascus unless the
deployment says otherwise), so a day never means two things.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings


def counting_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def counting_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(counting_zone()).date()


def default_time_zone() -> str:
    """A new user's display zone: the register's."""
    return settings.TIME_ZONE
