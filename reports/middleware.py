"""Show times in the signed-in user's zone (stored in UTC, default the register's zone, `reports/days.py`)."""

from django.utils import timezone


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zoneinfo())
        else:
            timezone.deactivate()
        return self.get_response(request)
