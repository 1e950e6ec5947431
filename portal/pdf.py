"""The one PDF renderer of the project (DESIGN §2: WeasyPrint with the Debian font fonts-wqy-microhei).

Every archive (电子团员证, 奖励记录, 成长档案, 组织关系介绍信, the branch's archive zip, the monthly
statistics report) is a template extending ``print/base.html`` rendered by :func:`render_pdf` and sent
by :func:`pdf_response`:

- the print CSS names "WenQuanYi Micro Hei" explicitly (A4, page numbers in the footer), so the PDF
  embeds that one font whatever fontconfig would pick (Noto CJK renders about five times slower);
- nothing is fetched from the network: the url fetcher refuses every scheme but ``data:`` and local
  files under the project (a name or a picture can never make the server call out);
- ID numbers are printed masked (``portal.idcard.mask``): a PDF leaves the system and is printed.
"""

from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

PDF_CONTENT_TYPE = "application/pdf"
FONT_FAMILY = "WenQuanYi Micro Hei"


class FetchRefused(ValueError):
    pass


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher limited to ``data:`` URLs and files inside the project (static files):
        every other URL is refused before any connection is opened."""

        def __init__(self):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url, headers=None):
            check_url(url)
            return super().fetch(url, headers)

    return LocalOnlyFetcher


def check_url(url):
    """Raise :class:`FetchRefused` unless ``url`` is a ``data:`` URL or a file inside the project."""
    if url.startswith("data:"):
        return
    if url.startswith("file://"):
        path = Path(unquote(url[len("file://"):].split("?")[0])).resolve()
        if path.is_relative_to(Path(settings.BASE_DIR).resolve()):
            return
    raise FetchRefused(f"PDF 渲染不读取外部资源：{url[:80]}")


def url_fetcher():
    return _fetcher_class()()


def base_url():
    return Path(settings.BASE_DIR).resolve().as_uri() + "/"


def render_pdf(template_name, context):
    """Render a print template (extending ``print/base.html``) to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, {"font_family": FONT_FAMILY, **context})
    return HTML(string=html, base_url=base_url(), url_fetcher=url_fetcher()).write_pdf()


def pdf_response(filename, data):
    """A PDF download named in Chinese (RFC 6266 ``filename*=utf-8''…``, which every browser reads)."""
    response = HttpResponse(data, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
