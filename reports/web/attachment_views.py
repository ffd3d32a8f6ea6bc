"""Serving attachments: the stripped copy to whoever may see the report, the original to reviewers only.

Files are never served straight from disk; each request is checked here. A
file the user may not see answers 404, exactly as a missing one does.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from reports.attachments import attachment_original_open, attachment_visible
from reports.models import Attachment


def _file_response(attachment: Attachment, *, original: bool) -> FileResponse:
    field = attachment.original if original else attachment.stripped
    name = f"{attachment.pk}{'-original' if original else ''}{attachment.extension}"
    response = FileResponse(
        field.open("rb"),
        content_type=attachment.content_type,
        as_attachment=original,
        filename=name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def attachment_stripped(request, pk):
    """The copy without metadata, for the report's monitor and for reviewers."""
    attachment = attachment_visible(user=request.user, attachment_id=pk)
    if attachment is None:
        raise Http404
    return _file_response(attachment, original=False)


@require_GET
@login_required
def attachment_original(request, pk):
    """The file exactly as received, for reviewers only; every opening is recorded (chain of custody)."""
    attachment = attachment_original_open(user=request.user, attachment_id=pk)
    if attachment is None:
        raise Http404
    return _file_response(attachment, original=True)
