"""Photos and documents attached to reports: checked by content, kept as received, served stripped.

People are at risk: a photo's EXIF can carry the GPS position of the monitor's
hiding place, the phone's serial number and its owner's name. So:

- The type is read from the *content* (magic bytes, then a full decode with
  Pillow, or a parse with pypdf), never from the file name or the declared
  type. Only JPEG, PNG, WebP and PDF up to `settings.ATTACHMENT_MAX_BYTES`.
- The original is stored byte for byte under a server-made name with the
  SHA-256 of what arrived (chain of custody), and is opened by reviewers only,
  each time recorded in `AttachmentAccess`.
- What anyone views is `stripped`: for an image, its pixels re-encoded into a
  fresh image after applying the EXIF orientation, with no EXIF, GPS, XMP, ICC
  profile, comment or text chunk; for a PDF, its pages copied into a new file
  without the document information dictionary, XMP streams, embedded files,
  scripts or piece info, and with every embedded JPEG's metadata segments
  (APP1–APP15, comments) cut out. Pages of a PDF are not re-rendered: text on
  a page stays as the author wrote it (docs/monitors.md).

Original file names are never stored nor logged.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from reports.models import Attachment, AttachmentAccess, AttachmentType, Report, User
from reports.roles import acts_as_reviewer

logger = logging.getLogger(__name__)

# Pillow refuses images above twice this many pixels (decompression bombs); a phone photo is ~50 M at most.
MAX_IMAGE_PIXELS = 120_000_000
JPEG_QUALITY = 90

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, AttachmentType.JPEG),
    (b"\x89PNG\r\n\x1a\n", 0, AttachmentType.PNG),
    (b"%PDF-", 0, AttachmentType.PDF),
)
_PILLOW_FORMATS: dict[str, str] = {AttachmentType.JPEG: "JPEG", AttachmentType.PNG: "PNG", AttachmentType.WEBP: "WEBP"}


class AttachmentRejected(Exception):
    """A file refused, with the reason a person can act on and the HTTP status an API answers with."""

    status = 400
    field = "file"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AttachmentTypeNotAllowed(AttachmentRejected):
    """Not a JPEG, PNG, WebP or PDF, or its content is not what its first bytes claim (HTTP 415)."""

    status = 415


class AttachmentTooLarge(AttachmentRejected):
    """Larger than `settings.ATTACHMENT_MAX_BYTES` (HTTP 413)."""

    status = 413


@dataclass(frozen=True)
class InspectedFile:
    """A file whose content was checked: its type, the original bytes and their digest, the stripped copy."""

    content_type: str
    original: bytes
    sha256: str
    stripped: bytes

    @property
    def size(self) -> int:
        return len(self.original)


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def attachment_inspect(*, file: IO[bytes]) -> InspectedFile:
    """Read a file, decide its type from its content and make the copy without metadata.

    Raises `AttachmentTooLarge` or `AttachmentTypeNotAllowed`; nothing is stored.
    """
    original = _read_bounded(file, limit=max_bytes())
    if not original:
        raise AttachmentTypeNotAllowed(_("The file is empty."))
    content_type = sniff_content_type(original)
    if content_type is None:
        raise AttachmentTypeNotAllowed(_("Only photos (JPEG, PNG, WebP) and PDF documents can be attached."))
    if content_type == AttachmentType.PDF:
        stripped = _stripped_pdf(original)
    else:
        stripped = _stripped_image(original, content_type=content_type)
    return InspectedFile(
        content_type=content_type,
        original=original,
        sha256=hashlib.sha256(original).hexdigest(),
        stripped=stripped,
    )


def attachment_add(*, report: Report, uploaded_by: User, file: IO[bytes]) -> Attachment:
    """Check a file and attach it to a report: the original as received, and its stripped copy.

    Raises `AttachmentTooLarge` (413) or `AttachmentTypeNotAllowed` (415).
    """
    return attachment_store(report=report, uploaded_by=uploaded_by, inspected=attachment_inspect(file=file))


def attachment_store(*, report: Report, uploaded_by: User, inspected: InspectedFile) -> Attachment:
    """Store a file already checked by `attachment_inspect` (the form checks files before the report is saved)."""
    attachment = Attachment(
        id=uuid.uuid4(),
        report=report,
        uploaded_by=uploaded_by,
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
    )
    # The names come from the model's upload_to (report id, attachment id, extension of the detected type).
    attachment.original.save("original", ContentFile(inspected.original), save=False)
    attachment.stripped.save("stripped", ContentFile(inspected.stripped), save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.original.delete(save=False)
        attachment.stripped.delete(save=False)
        raise
    logger.info("attachment %s stored (%s, %d bytes)", attachment.pk, attachment.content_type, attachment.size)
    return attachment


def attachments_add_missing(*, report: Report, uploaded_by: User, inspected: list[InspectedFile]) -> list[Attachment]:
    """Attach the files the report does not hold yet (by SHA-256), so a resent submission adds nothing twice.

    The report's row is locked meanwhile: two taps arriving together add each file once.
    """
    if not inspected:
        return []
    added = []
    with transaction.atomic():
        Report.objects.select_for_update().filter(pk=report.pk).first()
        present = set(Attachment.objects.filter(report=report).values_list("sha256", flat=True))
        for item in inspected:
            if item.sha256 in present:
                continue
            added.append(attachment_store(report=report, uploaded_by=uploaded_by, inspected=item))
            present.add(item.sha256)
    return added


# --- Who may open what --------------------------------------------------------------


def attachment_visible(*, user: User, attachment_id, via_key: bool = False) -> Attachment | None:
    """The attachment if `user` may see its report (its monitor, or a reviewer), else None (a 404)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    attachment = Attachment.objects.select_related("report").filter(pk=attachment_id).first()
    if attachment is None:
        return None
    if acts_as_reviewer(user, via_key=via_key) or attachment.report.monitor_id == user.pk:
        return attachment
    return None


def attachment_original_open(*, user: User, attachment_id) -> Attachment | None:
    """The attachment whose original a reviewer is about to read, the access recorded; None for anyone else.

    Only a reviewer's session that proved its one-time code opens an original.
    """
    if not acts_as_reviewer(user):
        return None
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return None
    AttachmentAccess.objects.create(attachment=attachment, user=user)
    return attachment


# --- Content checks -----------------------------------------------------------------


def sniff_content_type(data: bytes) -> str | None:
    """The allowed type the first bytes announce, or None."""
    for magic, offset, content_type in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return AttachmentType.WEBP
    return None


def _read_bounded(file: IO[bytes], *, limit: int) -> bytes:
    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise AttachmentTooLarge(_too_large_message(limit))
    if hasattr(file, "seek"):
        file.seek(0)
    buffer = io.BytesIO()
    while chunk := file.read(1024 * 1024):
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise AttachmentTooLarge(_too_large_message(limit))
    return buffer.getvalue()


def _too_large_message(limit: int) -> str:
    return _("The file is larger than %(mb)s MB.") % {"mb": f"{limit / (1024 * 1024):g}"}


def _mismatch() -> AttachmentTypeNotAllowed:
    return AttachmentTypeNotAllowed(_("The file's content is not a valid image or PDF of the type it claims to be."))


def _stripped_image(data: bytes, *, content_type: str) -> bytes:
    """Decode the whole image and re-encode its pixels into a new file that carries nothing else."""
    expected = _PILLOW_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS
            try:
                with Image.open(io.BytesIO(data)) as probe:
                    if probe.format != expected:
                        raise _mismatch()
                    probe.verify()
                with Image.open(io.BytesIO(data)) as image:
                    image.load()
                    upright = ImageOps.exif_transpose(image)
            finally:
                Image.MAX_IMAGE_PIXELS = previous
    except AttachmentRejected:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        raise _mismatch() from error

    pixels = _plain_pixels(upright, content_type=content_type)
    # A fresh image from raw pixels: no info dict, no EXIF, no ICC profile, no text chunks.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if content_type == AttachmentType.JPEG:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif content_type == AttachmentType.PNG:
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def _plain_pixels(image: Image.Image, *, content_type: str) -> Image.Image:
    """The image in a mode its format stores without a palette or a profile."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if content_type == AttachmentType.JPEG:
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA") and not (image.mode == "LA" and content_type == AttachmentType.WEBP):
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


# Page and resource keys that carry metadata or hidden content rather than what is shown.
_PDF_DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/AA", "/LastModified")
_JPEG_KEPT_APP_MARKERS = {0xE0, 0xEE}  # APP0 (JFIF) and APP14 (Adobe colour transform): no personal data


def _stripped_pdf(data: bytes) -> bytes:
    """Copy the pages into a new PDF without the document's metadata, attachments or scripts."""
    if b"%%EOF" not in data[-2048:]:
        raise _mismatch()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise AttachmentTypeNotAllowed(
                _("A password-protected PDF cannot be checked; attach it without the password.")
            )
        if len(reader.pages) == 0:
            raise _mismatch()
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        writer.metadata = None
        writer.remove_annotations(subtypes=("/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia"))
        seen: set[tuple[int, int]] = set()
        for page in writer.pages:
            _scrub_pdf_object(page, seen)
        out = io.BytesIO()
        writer.write(out)
    except AttachmentRejected:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise _mismatch() from error
    return out.getvalue()


def _scrub_pdf_object(obj, seen: set[tuple[int, int]]) -> None:
    """Walk a page's objects: drop metadata keys, and cut metadata segments out of embedded JPEGs."""
    if isinstance(obj, IndirectObject):
        key = (obj.idnum, obj.generation)
        if key in seen:
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for name in _PDF_DROPPED_KEYS:
            if name in obj:
                del obj[NameObject(name)]
        if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image" and _is_dct(obj.get("/Filter")):
            # pypdf re-encodes only Flate streams; a DCT stream's bytes are the JPEG file itself.
            obj._data = jpeg_without_metadata(obj._data)
        for key, value in list(obj.items()):
            if key not in ("/Parent", "/P"):
                _scrub_pdf_object(value, seen)
    elif isinstance(obj, ArrayObject):
        for item in obj:
            _scrub_pdf_object(item, seen)


def _is_dct(filters) -> bool:
    if filters is None:
        return False
    names = [filters] if not isinstance(filters, ArrayObject) else list(filters)
    return names == ["/DCTDecode"]


def jpeg_without_metadata(data: bytes) -> bytes:
    """A JPEG stream with its APP1–APP13, APP15 and comment segments removed, the image data untouched.

    Used for JPEGs inside PDFs, where re-encoding would change how the page looks.
    """
    if data[:2] != b"\xff\xd8":
        return data
    out = bytearray(b"\xff\xd8")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data  # not a marker where one must be: leave the stream as it was
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[position:]
            return bytes(out)
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        segment_end = position + 2 + length
        is_metadata = (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEPT_APP_MARKERS) or marker == 0xFE
        if not is_metadata:
            out += data[position:segment_end]
        position = segment_end
    return data
