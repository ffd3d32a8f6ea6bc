"""Attachments: type from content, size limit, SHA-256 of the original, served without metadata, originals audited."""

import hashlib
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter

from reports.attachments import (
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    attachment_add,
    attachment_inspect,
    attachments_add_missing,
    jpeg_without_metadata,
)
from reports.models import Attachment, AttachmentAccess
from tests.factories import MonitorFactory, ReportFactory, ReviewerFactory
from tests.reports.attachment_files import SECRET_AUTHOR, jpeg_with_gps, pdf_with_author, png_with_text, webp_with_gps


def upload(data: bytes, name: str = "IMG_20250307_Latakia.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_no_metadata(image_bytes: bytes) -> None:
    with Image.open(io.BytesIO(image_bytes)) as image:
        assert not image.getexif(), "EXIF survived"
        assert "exif" not in image.info and "icc_profile" not in image.info and "xmp" not in image.info
        assert not any(key in image.info for key in ("Author", "comment"))
    for marker in (b"Exif", b"GPS", b"PhoneMaker", SECRET_AUTHOR.encode()):
        assert marker not in image_bytes


@pytest.mark.django_db
def test_it_stores_a_gps_tagged_jpeg_with_the_original_digest_and_a_copy_without_metadata():
    report = ReportFactory()
    original = jpeg_with_gps()
    assert b"Exif" in original and SECRET_AUTHOR.encode() in original  # the test photo does carry GPS

    attachment = attachment_add(report=report, uploaded_by=report.monitor, file=upload(original))

    attachment.refresh_from_db()
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(original)
    assert attachment.sha256 == hashlib.sha256(original).hexdigest()
    assert attachment.original.read() == original
    stripped = attachment.stripped.read()
    assert_no_metadata(stripped)
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.format == "JPEG" and image.size == (64, 32)


@pytest.mark.django_db
def test_it_applies_the_exif_orientation_before_dropping_it():
    report = ReportFactory()
    attachment = attachment_add(report=report, uploaded_by=report.monitor, file=upload(jpeg_with_gps(orientation=6)))
    with Image.open(attachment.stripped) as image:
        assert image.size == (32, 64)  # rotated upright, as the phone showed it
        rgb = image.convert("RGB")
        # Turned 90° clockwise: the photo's blue left half is now on top, its red right half below.
        assert rgb.getpixel((16, 4))[2] > 150 and rgb.getpixel((16, 4))[0] < 100
        assert rgb.getpixel((16, 60))[0] > 150 and rgb.getpixel((16, 60))[2] < 100


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "content_type", "extension"),
    [(png_with_text(), "image/png", ".png"), (webp_with_gps(), "image/webp", ".webp")],
    ids=["png", "webp"],
)
def test_it_strips_png_and_webp_too(data, content_type, extension):
    report = ReportFactory()
    attachment = attachment_add(report=report, uploaded_by=report.monitor, file=upload(data))
    assert attachment.content_type == content_type
    assert attachment.stripped.name.endswith(extension)
    assert_no_metadata(attachment.stripped.read())


@pytest.mark.django_db
def test_it_detects_the_type_from_the_content_and_names_files_itself():
    report = ReportFactory()
    attachment = attachment_add(
        report=report, uploaded_by=report.monitor, file=upload(png_with_text(), name="Hidden-Name home.jpg")
    )
    assert attachment.content_type == "image/png"
    for stored in (attachment.original.name, attachment.stripped.name):
        assert stored.endswith(f"/{report.pk}/{attachment.pk}.png")
        assert "Hidden" not in stored and "home" not in stored


@pytest.mark.django_db
def test_it_strips_a_pdf_of_its_author_xmp_and_embedded_photo_metadata():
    report = ReportFactory()
    original = pdf_with_author()
    assert original.count(SECRET_AUTHOR.encode()) == 3  # Info, XMP and the embedded JPEG's EXIF

    attachment = attachment_add(report=report, uploaded_by=report.monitor, file=upload(original, name="x.pdf"))

    assert attachment.content_type == "application/pdf"
    assert attachment.original.read() == original
    stripped = attachment.stripped.read()
    for marker in (SECRET_AUTHOR.encode(), b"Exif", b"PhoneMaker", b"xmpmeta"):
        assert marker not in stripped
    reader = PdfReader(io.BytesIO(stripped))
    assert reader.metadata is None and len(reader.pages) == 1
    (image,) = reader.pages[0].images
    assert image.image.size == (64, 32)  # the page still shows the photo


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"MZ\x90\x00 a program renamed to .jpg",
        b"\xff\xd8\xff\xe0 JPEG magic followed by nothing that decodes",
        b"\x89PNG\r\n\x1a\n broken",
        b"RIFF\x10\x00\x00\x00WEBPVP8 broken",
        b"%PDF-1.7\n not a pdf at all\n%%EOF",
        b"%PDF-1.7\n truncated, no end marker",
        b"",
    ],
    ids=["gif", "exe", "jpeg-magic-only", "png-magic-only", "webp-magic-only", "pdf-garbage", "pdf-truncated", "empty"],
)
def test_it_refuses_anything_but_a_real_jpeg_png_webp_or_pdf_with_415(data):
    report = ReportFactory()
    with pytest.raises(AttachmentTypeNotAllowed) as raised:
        attachment_add(report=report, uploaded_by=report.monitor, file=upload(data))
    assert raised.value.status == 415 and raised.value.field == "file" and raised.value.reason
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_encrypted_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(AttachmentTypeNotAllowed):
        attachment_inspect(file=io.BytesIO(out.getvalue()))


@pytest.mark.django_db
def test_it_refuses_a_file_over_the_configured_size_with_413(settings):
    settings.ATTACHMENT_MAX_BYTES = 500
    report = ReportFactory()
    data = jpeg_with_gps()
    assert len(data) > 500
    with pytest.raises(AttachmentTooLarge) as raised:
        attachment_add(report=report, uploaded_by=report.monitor, file=upload(data))
    assert raised.value.status == 413
    # A stream without a declared size is cut off while reading.
    with pytest.raises(AttachmentTooLarge):
        attachment_inspect(file=io.BytesIO(data))
    assert not Attachment.objects.exists()


def test_it_refuses_a_decompression_bomb():
    out = io.BytesIO()
    Image.new("L", (12_000, 12_000)).save(out, format="PNG")  # 144 M pixels in a few hundred KB
    with pytest.raises(AttachmentTypeNotAllowed):
        attachment_inspect(file=io.BytesIO(out.getvalue()))


def test_jpeg_segment_stripping_keeps_the_image_data():
    original = jpeg_with_gps()
    cleaned = jpeg_without_metadata(original)
    assert b"Exif" not in cleaned and SECRET_AUTHOR.encode() not in cleaned
    with Image.open(io.BytesIO(cleaned)) as a, Image.open(io.BytesIO(original)) as b:
        assert a.tobytes() == b.tobytes()


@pytest.mark.django_db
def test_it_never_logs_the_original_file_name(caplog):
    report = ReportFactory()
    with caplog.at_level(logging.DEBUG):
        attachment_add(
            report=report, uploaded_by=report.monitor, file=upload(jpeg_with_gps(), name="Fatima-Qardaha-home.jpg")
        )
    assert "Fatima" not in caplog.text


@pytest.mark.django_db
def test_a_resent_file_is_not_attached_twice():
    report = ReportFactory()
    inspected = [
        attachment_inspect(file=io.BytesIO(jpeg_with_gps())),
        attachment_inspect(file=io.BytesIO(png_with_text())),
    ]
    assert len(attachments_add_missing(report=report, uploaded_by=report.monitor, inspected=inspected)) == 2
    assert attachments_add_missing(report=report, uploaded_by=report.monitor, inspected=inspected) == []
    assert report.attachments.count() == 2


# --- Serving ------------------------------------------------------------------------


@pytest.fixture
def stored(db):
    report = ReportFactory()
    return attachment_add(report=report, uploaded_by=report.monitor, file=upload(jpeg_with_gps()))


def test_the_monitor_who_filed_the_report_gets_the_stripped_copy(client, stored):
    client.force_login(stored.report.monitor)
    response = client.get(reverse("attachment-stripped", kwargs={"pk": stored.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    body = streamed(response)
    assert body == stored.stripped.read()
    assert_no_metadata(body)


def test_a_reviewer_gets_the_stripped_copy_without_an_access_record(admin_login, stored):
    client = admin_login(ReviewerFactory())
    response = client.get(reverse("attachment-stripped", kwargs={"pk": stored.pk}))
    assert response.status_code == 200
    assert not AttachmentAccess.objects.exists()


def test_another_monitor_gets_the_same_404_as_for_a_missing_attachment(client, stored):
    client.force_login(MonitorFactory())
    theirs = client.get(reverse("attachment-stripped", kwargs={"pk": stored.pk}))
    missing = client.get(reverse("attachment-stripped", kwargs={"pk": "00000000-0000-4000-8000-000000000000"}))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


def test_a_reviewer_opening_the_original_gets_the_exact_bytes_and_the_access_is_recorded(admin_login, stored):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    response = client.get(reverse("attachment-original", kwargs={"pk": stored.pk}))
    assert response.status_code == 200
    body = streamed(response)
    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert response["Content-Disposition"].startswith("attachment")
    access = AttachmentAccess.objects.get()
    assert (access.attachment_id, access.user_id) == (stored.pk, reviewer.pk)


def test_a_reviewers_password_alone_does_not_open_an_original(client, stored):
    client.force_login(ReviewerFactory())  # no one-time code proved in this session
    assert client.get(reverse("attachment-original", kwargs={"pk": stored.pk})).status_code == 404
    assert client.get(reverse("attachment-stripped", kwargs={"pk": stored.pk})).status_code == 404
    assert not AttachmentAccess.objects.exists()


def test_not_even_the_monitor_who_uploaded_it_gets_the_original(client, stored):
    client.force_login(stored.report.monitor)
    response = client.get(reverse("attachment-original", kwargs={"pk": stored.pk}))
    assert response.status_code == 404
    assert not AttachmentAccess.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, stored):
    for name in ("attachment-stripped", "attachment-original"):
        response = client.get(reverse(name, kwargs={"pk": stored.pk}))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
