"""Fixtures shared by the whole suite.

The categories and the gazetteer come from the data migration, so every test
database holds them; factories look them up rather than invent them.
"""

import pytest

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
