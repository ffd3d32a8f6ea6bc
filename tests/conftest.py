"""Fixtures shared by the whole suite.

The categories and the gazetteer come from the data migration, so every test
database holds them; factories look them up rather than invent them.
"""

import pytest
from django.conf import settings
from django.utils import translation

from reports.models import Area, AreaAlias, Category
from reports.seed_data import load_categories, load_gazetteer
from tests.factories import CoordinatorFactory, MonitorFactory, ReviewerFactory


@pytest.fixture
def monitor(db):
    return MonitorFactory()


@pytest.fixture
def reviewer(db):
    return ReviewerFactory()


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory()


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language: a request in Arabic leaves it active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the migrated categories and gazetteer after a transactional test flushed them."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    ):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    if not Category.objects.exists():
        load_categories(Category)
        load_gazetteer(Area, AreaAlias)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
        or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture
def admin_login(client):
    """Sign a user into the admin as after the password and a one-time code (a confirmed TOTP device)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test phone", confirmed=True
        )
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login
