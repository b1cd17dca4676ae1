import mimetypes

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from personas.models import Document


@require_safe
def document_file_view(request: HttpRequest, token: str, filename: str) -> FileResponse:
    """An uploaded document, for Tavus to fetch: no login, the token in the URL is the secret."""
    document = Document.objects.filter(public_token=token).exclude(file="").first()
    if document is None or filename != document.filename:
        raise Http404("No such document.")
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("No such document.") from error
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
