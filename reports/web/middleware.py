"""Which language a page is in: the signed-in person's choice, else the browser's, else Arabic for monitors.

Runs after `LocaleMiddleware` (cookie, then Accept-Language) and after
authentication. A language chosen with the switch is stored on the user
(`User.preferred_language`), so it follows the monitor to another phone. A
browser that states no preference gets Arabic on the monitors' pages — most
monitors read Arabic first — while the API and the admin keep
`LANGUAGE_CODE` (English) as their fallback.
"""

from django.conf import settings
from django.utils import translation

MONITOR_DEFAULT_LANGUAGE = "ar"
_NOT_MONITOR_PAGES = ("/api/", "/admin/", "/healthz", "/static/")


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._language(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

    @staticmethod
    def _language(request) -> str | None:
        supported = {code for code, _name in settings.LANGUAGES}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language in supported:
            return user.preferred_language
        if request.path.startswith(_NOT_MONITOR_PAGES):
            return None
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or request.headers.get("Accept-Language"):
            return None  # LocaleMiddleware already chose from these
        return MONITOR_DEFAULT_LANGUAGE
