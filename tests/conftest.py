"""Fixtures shared by the whole suite.

The categories and the gazetteer come from the data migration, so every test
database holds them; factories look them up rather than invent them.
"""

import importlib

import pytest
from django.conf import settings
from django.utils import translation

from incidents.api.filters import known_keys_forget
from reports.alerts.models import AlertRule
from reports.models import Area, AreaAlias, Category
from reports.seed_data import load_categories, load_gazetteer
from reports.services import reference_lookups_forget
from tests.factories import CoordinatorFactory, MonitorFactory, ReviewerFactory

# The rules reports/alerts/migrations/0002_seed_rules.py seeds.
SEEDED_RULES = importlib.import_module("reports.alerts.migrations.0002_seed_rules").RULES


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
    """Put back the migrated categories, gazetteer and alert rules after a transactional test flushed them."""
    reference_lookups_forget()  # what a previous test read may have been rolled back since
    known_keys_forget()
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    ):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    if not Category.objects.exists():
        load_categories(Category)
        load_gazetteer(Area, AreaAlias)
        for rule in SEEDED_RULES:
            AlertRule.objects.get_or_create(name=rule["name"], defaults=rule)


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


@pytest.fixture(scope="module")
def private_cluster(django_db_setup, django_db_blocker):
    """A PostgreSQL cluster of this module's own (tests/pg_cluster.py), holding a copy of the test database."""
    from django.db import connection

    from tests.pg_cluster import PostgresCluster

    cluster = PostgresCluster()
    try:
        cluster.create()
        with django_db_blocker.unblock():
            cluster.copy_database(connection.settings_dict)
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def on_private_cluster(private_cluster, django_db_blocker):
    """Django's default connection on the private cluster for this test; the cluster up again afterwards."""
    if not private_cluster.is_up():
        private_cluster.start()
    with django_db_blocker.unblock(), private_cluster.swap_default_to():
        if not Category.objects.exists():  # copied from a test database a transactional test had flushed
            load_categories(Category)
            load_gazetteer(Area, AreaAlias)
        try:
            yield private_cluster
        finally:
            if not private_cluster.is_up():
                private_cluster.start()
