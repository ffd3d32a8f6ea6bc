"""factory_boy factories for the domain, shared by every test module; typed (`Factory[Model]`) for mypy."""

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from incidents.models import DailyAggregate, Incident, IncidentCasualty
from reports.choices import Role
from reports.models import Area, Category, Organisation, Report, ReportCasualty, User


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Monitoring network {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    # The role of a subclass (an underscore name: factory_boy does not pass it to the model).
    _default_role: str | None = None

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """`UserFactory(role="reviewer")`, or the subclass's default role."""
        role = extracted or getattr(self, "_factory_default_role", None)
        if create and role:
            self.groups.add(Group.objects.get_or_create(name=role)[0])
            self._roles_cache = None
        if create:
            self.save()

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        instance.__dict__.pop("_factory_default_role", None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = super()._create(model_class, *args, **kwargs)
        instance._factory_default_role = cls._default_role
        return instance


class MonitorFactory(UserFactory):
    _default_role = Role.MONITOR


class ReviewerFactory(UserFactory):
    _default_role = Role.REVIEWER


class CoordinatorFactory(UserFactory):
    _default_role = Role.COORDINATOR


def area(pcode: str) -> Area:
    return Area.objects.get(pcode=pcode)


def category(slug: str) -> Category:
    return Category.objects.get(slug=slug)


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    class Meta:
        model = Report

    id = factory.LazyFunction(uuid.uuid4)
    monitor = factory.SubFactory(MonitorFactory)
    organisation = factory.LazyAttribute(lambda o: o.monitor.organisation)
    category = factory.LazyFunction(lambda: category("killing"))
    occurred_at = factory.LazyFunction(lambda: datetime(2025, 3, 7, 9, 0, tzinfo=UTC))
    admin1 = factory.LazyFunction(lambda: area("SY06"))
    admin2 = factory.LazyFunction(lambda: area("SY0602"))
    place_name = "Jableh"
    title = factory.Sequence(lambda n: f"Report {n}")
    narrative = "Gunmen entered the neighbourhood at dawn."
    source_type = "eyewitness"
    submission_hash = factory.LazyAttribute(lambda o: hashlib.sha256(str(o.id).encode()).hexdigest())


class ReportCasualtyFactory(factory.django.DjangoModelFactory[ReportCasualty]):
    class Meta:
        model = ReportCasualty

    report = factory.SubFactory(ReportFactory)
    kind = "killed"
    group = "civilian"
    low = 3
    high = 5
    scope = "incident"


class IncidentFactory(factory.django.DjangoModelFactory[Incident]):
    class Meta:
        model = Incident

    category = factory.LazyFunction(lambda: category("killing"))
    occurred_from = factory.LazyFunction(lambda: datetime(2025, 3, 7, 9, 0, tzinfo=UTC))
    admin1 = factory.LazyFunction(lambda: area("SY06"))
    admin2 = factory.LazyFunction(lambda: area("SY0602"))
    title = factory.Sequence(lambda n: f"Incident {n}")


class PartnerOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Partner NGO {n}")
    kind = Organisation.Kind.PARTNER


class VerifiedIncidentFactory(IncidentFactory):
    status = "verified"
    verified_at = factory.LazyFunction(lambda: datetime(2025, 3, 8, 12, 0, tzinfo=UTC))
    summary = "Several civilians killed; accounts from people in hiding."
    latitude = Decimal("35.361100")
    longitude = Decimal("35.925600")
    geo_precision = 1
    report_count = 3
    source_count = 2


class IncidentCasualtyFactory(factory.django.DjangoModelFactory[IncidentCasualty]):
    class Meta:
        model = IncidentCasualty

    incident = factory.SubFactory(VerifiedIncidentFactory)
    kind = "killed"
    group = "civilian"
    low = 3
    best = 4
    high = 6
    method = "low: lowest credible; best: median of credible independent sources; high: highest credible"


class DailyAggregateFactory(factory.django.DjangoModelFactory[DailyAggregate]):
    class Meta:
        model = DailyAggregate

    date = date(2025, 3, 7)
    admin1 = factory.LazyFunction(lambda: area("SY06"))
    admin2 = factory.LazyFunction(lambda: area("SY0602"))
    category = factory.LazyFunction(lambda: category("killing"))
    verified = True
    incidents = 1
    killed_low = 3
    killed_best = 4
    killed_high = 6
