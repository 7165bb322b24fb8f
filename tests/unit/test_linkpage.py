"""The link page's HTML: escaped, self-contained, and allowed exactly its own style by its CSP."""

from __future__ import annotations

import base64
import hashlib
import re

from chalicelib import linkpage

DESCRIBED = {"filename": '<script>alert("x")</script>&.pdf', "size": 2048, "downloadsLeft": 1}


def test_the_filename_is_escaped_and_nothing_is_loaded() -> None:
    page = linkpage.download_page(DESCRIBED)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;.pdf" in page
    assert not re.search(r"\b(src|href)=", page)
    assert '<form method="post"><button type="submit">Download</button></form>' in page
    assert "2.0 KB" in page and "1 download left" in page


def test_the_csp_allows_the_pages_own_style_by_hash_and_nothing_else() -> None:
    response = linkpage.html_response(
        200, linkpage.download_page(DESCRIBED), "https://bucket.s3.amazonaws.com"
    )
    csp = response.headers["Content-Security-Policy"]
    assert isinstance(csp, str)
    style = re.search(r"<style>(.*?)</style>", response.body).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "unsafe" not in csp
    assert "form-action 'self' https://bucket.s3.amazonaws.com;" in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_browsers_get_html_and_everyone_else_json() -> None:
    assert linkpage.wants_html({"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert not linkpage.wants_html({"accept": "application/json"})
    assert not linkpage.wants_html({})
