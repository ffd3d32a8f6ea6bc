"""Writes of alerts: evaluate the rules on a stored report, alert the reviewers on duty, the digest.

An alert names what happened, where and when, the figures and a link to the
report in the admin — never its title, narrative, source, source notes or
monitor, which only the report page shows, to a reviewer signed in with a
second factor. E-mail goes through Django's e-mail backend; every alert is
recorded with whether the e-mail went out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.alerts.models import Alert, AlertKind, AlertRule, ReviewerDuty
from reports.choices import ReportStatus, Role
from reports.models import Report, ReportCasualty, User

logger = logging.getLogger(__name__)


def rule_matches(*, rule: AlertRule, report: Report, killed: int) -> bool:
    if rule.categories and report.category_id not in rule.categories:
        return False
    if rule.areas and report.admin1_id not in rule.areas and report.admin2_id not in rule.areas:
        return False
    return rule.killed_at_least is None or killed >= rule.killed_at_least


# The active rules, kept per process for this long (a submission then asks no query of them); a save or a delete
# of a rule through the ORM empties this process's copy at once, other processes see it within the minute.
RULES_TTL_SECONDS = 60.0
_rules_kept: list[tuple[float, list[AlertRule]]] = []


def active_rules() -> list[AlertRule]:
    now = time.monotonic()
    if _rules_kept and now - _rules_kept[0][0] < RULES_TTL_SECONDS:
        return _rules_kept[0][1]
    rules = list(AlertRule.objects.filter(is_active=True))
    _rules_kept[:] = [(now, rules)]
    return rules


def alert_rules_forget(**kwargs: object) -> None:
    _rules_kept.clear()


post_save.connect(alert_rules_forget, sender=AlertRule, dispatch_uid="sijil-alert-rules-saved")
post_delete.connect(alert_rules_forget, sender=AlertRule, dispatch_uid="sijil-alert-rules-deleted")


def incident_killed(casualties: Iterable[ReportCasualty]) -> int:
    """The figure the rules' threshold reads: the highest "killed" of the incident itself (not a running total)."""
    return max((c.high for c in casualties if c.kind == "killed" and c.scope == "incident"), default=0)


def alert_may_fire(*, report: Report, casualties: Iterable[ReportCasualty]) -> bool:
    """Whether a just-stored report matches an active rule: only then is the alert task sent (`report_submit`).

    The task decides again from the database (`alerts_for_report`); this spares
    every other submission a broker message.
    """
    killed = incident_killed(casualties)
    return any(rule_matches(rule=rule, report=report, killed=killed) for rule in active_rules())


def reviewers_on_duty() -> list[User]:
    off = ReviewerDuty.objects.filter(on_duty=False).values("user_id")
    return list(
        User.objects.filter(is_active=True, groups__name__in=[Role.REVIEWER, Role.COORDINATOR])
        .exclude(pk__in=off)
        .distinct()
        .order_by("pk")
    )


def alerts_for_report(*, report_id) -> list[Alert]:
    """Alert the reviewers on duty if the report matches an active rule (once per reviewer)."""
    report = Report.objects.select_related("category", "admin1", "admin2").filter(pk=report_id).first()
    if report is None:
        return []
    killed = incident_killed(report.casualties.all())
    rules = [
        rule
        for rule in AlertRule.objects.filter(is_active=True)
        if rule_matches(rule=rule, report=report, killed=killed)
    ]
    if not rules:
        return []
    sent = []
    for reviewer in reviewers_on_duty():
        with translation.override(reviewer.preferred_language or settings.LANGUAGE_CODE):
            subject, body = _report_message(report, rules[0], killed)
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    kind=AlertKind.REPORT, rule=rules[0], report=report, recipient=reviewer, subject=subject, body=body
                )
        except IntegrityError:
            continue  # already alerted
        if _emails_this_hour(reviewer) >= settings.SIJIL_ALERT_EMAILS_PER_HOUR:
            # A bulk import of many killings: the admin has every alert, the inbox is not flooded.
            Alert.objects.filter(pk=alert.pk).update(email_error="held back: too many alerts this hour")
        else:
            _email(alert)
        sent.append(alert)
    return sent


def _emails_this_hour(reviewer: User) -> int:
    since = timezone.now() - timedelta(hours=1)
    return Alert.objects.filter(
        recipient=reviewer, kind=AlertKind.REPORT, email_delivered=True, created_at__gt=since
    ).count()


def alerts_digest(*, now=None) -> list[Alert]:
    """To each reviewer on duty: how many reports have waited longer than the set time, by category and area."""
    now = now or timezone.now()
    waited = timedelta(minutes=settings.SIJIL_ALERT_DIGEST_AFTER_MINUTES)
    waiting = Report.objects.filter(status=ReportStatus.SUBMITTED, received_at__lt=now - waited).select_related(
        "category", "admin1"
    )
    rows: dict[tuple[str, str], int] = {}
    oldest = None
    for report in waiting.only("category", "admin1", "received_at"):
        key = (report.category_id, report.admin1_id)
        rows[key] = rows.get(key, 0) + 1
        oldest = report.received_at if oldest is None or report.received_at < oldest else oldest
    if not rows:
        return []
    sent = []
    for reviewer in reviewers_on_duty():
        since = now - timedelta(minutes=settings.SIJIL_ALERT_DIGEST_EVERY_MINUTES)
        if Alert.objects.filter(kind=AlertKind.DIGEST, recipient=reviewer, created_at__gt=since).exists():
            continue
        with translation.override(reviewer.preferred_language or settings.LANGUAGE_CODE):
            total = sum(rows.values())
            subject = _("Sijil: %(n)d reports waiting for review") % {"n": total}
            lines = [
                _("%(n)d reports have waited more than %(m)d minutes; the oldest since %(t)s UTC.")
                % {"n": total, "m": settings.SIJIL_ALERT_DIGEST_AFTER_MINUTES, "t": f"{oldest:%Y-%m-%d %H:%M}"},
                "",
            ]
            lines += [f"  {category} · {admin1}: {count}" for (category, admin1), count in sorted(rows.items())]
            lines += ["", _("The queue: %(url)s") % {"url": _absolute(reverse("admin:reports_report_changelist"))}]
        alert = Alert.objects.create(kind=AlertKind.DIGEST, recipient=reviewer, subject=subject, body="\n".join(lines))
        _email(alert)
        sent.append(alert)
    return sent


def alert_mark_read(*, alerts, user: User) -> int:
    return Alert.objects.filter(pk__in=[a.pk for a in alerts], recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _report_message(report: Report, rule: AlertRule, killed: int) -> tuple[str, str]:
    area = report.admin2 or report.admin1
    area_name = area.name_ar if translation.get_language() == "ar" and area.name_ar else area.name_en
    category = report.category.name_ar if translation.get_language() == "ar" else report.category.name_en
    subject = _("Sijil alert: %(category)s in %(area)s") % {"category": category, "area": area_name}
    lines = [
        _("Rule: %(rule)s") % {"rule": rule.name},
        _("Category: %(category)s") % {"category": category},
        _("Where: %(area)s (%(pcode)s)") % {"area": area_name, "pcode": area.pcode},
        _("When: %(when)s UTC") % {"when": f"{report.occurred_at:%Y-%m-%d %H:%M}"},
    ]
    if killed:
        lines.append(_("Killed (highest figure): %(n)d") % {"n": killed})
    lines += ["", _("Open the report (sign in with your code): %(url)s") % {"url": _report_url(report)}]
    return subject[:200], "\n".join(lines)


def _report_url(report: Report) -> str:
    return _absolute(reverse("admin:reports_report_change", args=[report.pk]))


def _absolute(path: str) -> str:
    return settings.SIJIL_SITE_URL.rstrip("/") + path


def _email(alert: Alert) -> None:
    if not alert.recipient.email:
        Alert.objects.filter(pk=alert.pk).update(email_error="no e-mail address")
        return
    try:
        send_mail(subject=alert.subject, message=alert.body, from_email=None, recipient_list=[alert.recipient.email])
    except Exception as exc:
        # Recorded, not raised: the alert is in the admin whatever happens to the mail.
        Alert.objects.filter(pk=alert.pk).update(email_error=f"{type(exc).__name__}"[:200])
        logger.warning("Alert %s: e-mail not delivered (%s)", alert.pk, type(exc).__name__)
        return
    Alert.objects.filter(pk=alert.pk).update(email_delivered=True)
    alert.email_delivered = True


def unread_alerts(*, user: User):
    return Alert.objects.filter(recipient=user, read_at__isnull=True).filter(
        Q(kind=AlertKind.REPORT) | Q(kind=AlertKind.DIGEST)
    )
