import mimetypes
import re

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from personas.models import Document

# What new_public_token() makes (token_urlsafe); anything else (a NUL byte, which PostgreSQL
# refuses in a query, included) is a 404 without a query.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@require_safe
def document_file_view(request: HttpRequest, token: str, filename: str) -> FileResponse:
    """An uploaded document, for Tavus to fetch: no login, the token in the URL is the secret."""
    if not TOKEN_SHAPE.fullmatch(token) or "\x00" in filename:
        raise Http404("No such document.")
    document = Document.objects.filter(public_token=token).exclude(file="").first()
    if document is None or filename != document.filename:
        raise Http404("No such document.")
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("No such document.") from error
    # A download, never a page of ours: an uploaded HTML or SVG file cannot run script on our
    # origin even if someone opens it in a browser (sandbox: no scripts, a unique origin).
    response = FileResponse(
        handle, content_type=content_type, as_attachment=True, filename=filename
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
