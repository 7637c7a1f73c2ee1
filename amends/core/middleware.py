"""Response headers that belong to the whole site rather than to one view."""

from django.http import FileResponse, HttpRequest, HttpResponseBase

# A file from a customer or an email can be anything, HTML and SVG included. Opened in the
# browser it must run nothing and reach nothing, as if it came from an origin of its own.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


class DownloadSandboxMiddleware:
    """Every response that carries a file (a `Content-Disposition` header: attachments, .eml,
    exports) gets the sandbox policy and `nosniff`, unless its view chose a policy itself.

    It sits last in `MIDDLEWARE`, so it runs before `ContentSecurityPolicyMiddleware`, which
    leaves a policy already on the response alone (docs/decisions/0009)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Disposition" in response:
            response.headers.setdefault("Content-Security-Policy", DOWNLOAD_CSP)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def file_download(file, *, filename: str) -> FileResponse:
    """A stored file (an attachment) as a download that cannot run in our origin, whoever asks
    for it (desk, portal): never shown inline, type not sniffed, sandboxed."""
    response = FileResponse(
        file, as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
