"""The indexes on reports and their history: those a query reads, no others (reports/migrations/0006).

Every index is paid for on every write (a submission, an import's COPY, the pipeline's updates); the
migration's docstring says which query reads each one kept, and why each dropped one was safe to drop.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db

REPORT_INDEXES = {
    "reports_report_pkey",
    "report_monitor_recent",  # the monitor's reports; the PROTECT check on deleting a user
    "report_status_received",  # the review queue, the alerts' waiting reports
    "report_processing_queue",  # the pipeline's claims
    "report_incident",  # an incident's reports
    "report_category",  # list filter, API filter, PROTECT
    "report_admin1",  # list filter, API filter, PROTECT
    "report_admin2",  # list filter, PROTECT
    "reports_report_organisation_id_67524aa6",  # list filter
    "reports_report_assigned_to_id_5a6b5eea",  # "taken by me / by others", SET_NULL
    "reports_report_reviewed_by_id_ec45a146",  # PROTECT on deleting a user
}
HISTORY_INDEXES = {
    "reports_historicalreport_pkey",  # one version
    "reports_historicalreport_id_53720426",  # a report's history
    "reports_historicalreport_history_date_e8a31922",  # in time order, previous and next version
    "reports_historicalreport_history_user_id_d5e04ccf",  # SET_NULL on deleting a user
}


def indexes_of(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {name for (name,) in cursor.fetchall()}


def test_reports_and_their_history_carry_only_the_indexes_a_query_reads():
    assert indexes_of("reports_report") == REPORT_INDEXES
    assert indexes_of("reports_historicalreport") == HISTORY_INDEXES


def test_the_migration_goes_back_to_every_index_and_forward_again():
    # Inside the test's transaction (PostgreSQL's DDL is transactional): rolled back after it, whatever happens.
    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0005_history_whole_notes")])
    try:
        before = indexes_of("reports_report")
        assert len(before) == 16
        assert {"reports_report_category_id_7a7857a8_like", "reports_report_monitor_id_6f25f07a"} <= before
        assert len(indexes_of("reports_historicalreport")) == 15
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert indexes_of("reports_report") == REPORT_INDEXES
    assert indexes_of("reports_historicalreport") == HISTORY_INDEXES
