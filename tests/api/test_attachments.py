"""POST /api/v1/reports/{id}/attachments/ and GET /api/v1/attachments/{id}/: through the attachments service."""

import hashlib
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Attachment
from tests.api.conftest import ALL_SCOPES, keyed_client
from tests.factories import MonitorFactory, ReportFactory
from tests.reports.attachment_files import SECRET_AUTHOR, jpeg_with_gps, pdf_with_author

pytestmark = pytest.mark.django_db


def upload(client, report_id, data: bytes, name="IMG_Latakia.jpg", content_type="image/jpeg"):
    return client.post(
        f"/api/v1/reports/{report_id}/attachments/",
        data={"file": SimpleUploadedFile(name, data, content_type=content_type)},
        format="multipart",
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def own_report(monitor_user):
    return ReportFactory(monitor=monitor_user)


def test_an_upload_answers_201_with_the_digest_of_the_original_and_a_url_of_the_stripped_copy(monitor_api, own_report):
    photo = jpeg_with_gps()
    response = upload(monitor_api, own_report.pk, photo)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "content_type", "size", "sha256", "url"}
    assert data["content_type"] == "image/jpeg" and data["size"] == len(photo)
    assert data["sha256"] == hashlib.sha256(photo).hexdigest()
    assert "IMG_Latakia" not in response.content.decode()
    served = monitor_api.get(data["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    copy = body(served)
    assert b"GPS" not in copy and b"Exif" not in copy and SECRET_AUTHOR.encode() not in copy


def test_the_type_comes_from_the_content_not_the_declared_type(monitor_api, own_report):
    response = upload(monitor_api, own_report.pk, pdf_with_author(), name="photo.jpg", content_type="image/jpeg")
    assert response.status_code == 201
    assert response.json()["content_type"] == "application/pdf"


def test_the_same_file_sent_again_is_not_attached_twice(monitor_api, own_report):
    photo = jpeg_with_gps()
    first = upload(monitor_api, own_report.pk, photo)
    again = upload(monitor_api, own_report.pk, photo)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Attachment.objects.filter(report=own_report).count() == 1


@pytest.mark.parametrize("data", [b"MZ\x90\x00 not a photo", b"\xff\xd8\xff\xe0 a jpeg header and nothing else"])
def test_a_file_that_is_not_an_allowed_type_or_lies_about_it_is_415(monitor_api, own_report, data):
    response = upload(monitor_api, own_report.pk, data)
    assert response.status_code == 415
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_413(monitor_api, own_report, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = upload(monitor_api, own_report.pk, jpeg_with_gps(size=(400, 400)) + b"\x00" * 100_000)
    assert response.status_code == 413
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_no_file_is_a_400_naming_the_field(monitor_api, own_report):
    response = monitor_api.post(f"/api/v1/reports/{own_report.pk}/attachments/", data={}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_json_is_not_an_upload(monitor_api, own_report):
    response = monitor_api.post(f"/api/v1/reports/{own_report.pk}/attachments/", data={"file": "x"}, format="json")
    assert response.status_code == 415


def test_another_monitors_report_is_a_404_and_nothing_is_stored(monitor_api):
    others = ReportFactory()
    assert upload(monitor_api, others.pk, jpeg_with_gps()).status_code == 404
    assert upload(monitor_api, uuid.uuid4(), jpeg_with_gps()).status_code == 404
    assert not Attachment.objects.exists()


def test_the_stripped_copy_is_for_the_monitor_and_reviewers_only(monitor_api, own_report, reviewer_api, partner):
    url = upload(monitor_api, own_report.pk, jpeg_with_gps()).json()["url"]
    assert reviewer_api.get(url).status_code == 200
    other = keyed_client(_key(MonitorFactory()))
    missing = other.get(f"/api/v1/attachments/{uuid.uuid4()}/")
    hidden = other.get(url)
    assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content
    assert partner.get(url).status_code == 403


def test_a_partner_cannot_upload(partner, own_report):
    assert upload(partner, own_report.pk, jpeg_with_gps()).status_code == 403


def _key(user):
    from incidents.api_keys import api_key_issue

    return api_key_issue(name="k", scopes=ALL_SCOPES, user=user).key
