"""Find the URLs to archive: a list file, a CSV with a ``url`` column, or every link in a post.

A post is a news or live-blog article, saved as HTML or pasted as plain text (Arabic text and
punctuation included); every http(s) link in it is taken, once, in order of appearance.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

_URL = re.compile(r"""https?://[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
# Punctuation that ends a sentence rather than a URL (Latin and Arabic).
_TRAILING = ".,;:!?'\"»«”’)]}،؛۔"
# A note after a link in a list file: "https://… # roof angle" (a hashtag, "#حلب", is no note).
_NOTE = re.compile(r"\s+#(\s.*)?$")
# A comment line: "#" then a space or nothing. "#عاجل https://…" is a hashtag line: content, not a comment.
_COMMENT = re.compile(r"\s*#(\s|$)")


class LinkFileError(ValueError):
    """A --from file that cannot be read as a list of URLs."""


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be archived, or None when it is a well-formed http(s) URL."""
    if not url or any(c.isspace() for c in url):
        return "malformed URL (empty or contains spaces)"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a non-numeric or out-of-range port
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme.lower() not in {"http", "https"}:
        return "malformed URL (only http:// and https:// links can be archived)"
    if not parts.hostname:
        return "malformed URL (no host name)"
    del port
    return None


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # a balanced parenthesis is part of the URL (Wikipedia style)
        url = url[:-1]
    return url


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))


def links_in_text(text: str) -> list[str]:
    """Every http(s) link in plain text, once each, in order."""
    return _unique([_trim(m.group(0)) for m in _URL.finditer(text)])


class _LinkParser(HTMLParser):
    ATTRS = {"a": "href", "video": "src", "source": "src", "iframe": "src", "embed": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.ATTRS.get(tag)
        for name, value in attrs:
            if name == wanted and value and value.strip().lower().startswith(("http://", "https://")):
                self.links.append(value.strip())

    def handle_data(self, data: str) -> None:
        self.links.extend(links_in_text(data))  # bare links written in the text


def links_in_html(html: str) -> list[str]:
    """Every absolute link of a post saved as HTML: anchors, embeds, and bare links in the text."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return _unique(parser.links)


def links_in_post(text: str) -> list[str]:
    """The links in pasted text: a post (HTML or plain text), or a list of URLs, once each, in order.

    A plain list (one word per line) is kept line by line, as a ``--from`` file is: a malformed
    entry is reported, not dropped, and a link listed twice is reported skipped by the batch.
    """
    if _looks_like_html(text):
        return links_in_html(text)
    lines = [_NOTE.sub("", ln).strip() for ln in text.splitlines() if ln.strip() and not _COMMENT.match(ln)]
    if lines and all(len(ln.split()) == 1 for ln in lines):
        return lines
    return links_in_text(text)


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|a\s|p>|div|article)", text[:20000], re.IGNORECASE))


def read_link_file(path: Path) -> list[str]:
    """The URLs in a --from file: a list (one per line, # comments and notes), a CSV, or a post.

    Raises:
        LinkFileError: unreadable file, or a CSV without a ``url`` column.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LinkFileError(f"{path}: cannot read ({exc})") from None
    if path.suffix.lower() in {".csv", ".tsv"}:
        return _csv_urls(path, text)
    if _looks_like_html(text):
        return links_in_html(text)
    lines = [_NOTE.sub("", ln).strip() for ln in text.splitlines() if ln.strip() and not _COMMENT.match(ln)]
    if lines and all(len(ln.split()) == 1 for ln in lines):
        return lines  # a plain list: keep every line, so malformed ones are reported, not dropped
    return links_in_text(text)


def _csv_urls(path: Path, text: str) -> list[str]:
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    column = next((c for c in reader.fieldnames or [] if c and c.strip().lower() == "url"), None)
    if column is None:
        raise LinkFileError(f"{path}: CSV has no 'url' column (columns: {', '.join(reader.fieldnames or [])})")
    return [row[column].strip() for row in reader if (row.get(column) or "").strip()]
