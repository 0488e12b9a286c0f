"""Finding the links to archive: list files, CSVs, HTML and plain-text posts, malformed URLs."""

from __future__ import annotations

import pytest
from conftest import shared_file

from workbench.acquire.links import LinkFileError, check_url, links_in_html, links_in_text, read_link_file


def test_list_file_skips_comments_and_blank_lines_and_keeps_order(tmp_path):
    path = tmp_path / "links.txt"
    path.write_text(
        "# Aleppo, 3 December: footage to archive\n"
        "\n"
        "https://www.youtube.com/watch?v=abc123\n"
        "   \n"
        "  https://t.me/halab_today/1234  \n"
        "# https://example.org/already-archived\n"
        "https://x.com/user/status/42\n", encoding="utf-8")
    assert read_link_file(path) == [
        "https://www.youtube.com/watch?v=abc123", "https://t.me/halab_today/1234", "https://x.com/user/status/42"]


def test_list_file_keeps_malformed_lines_so_they_are_reported(tmp_path):
    path = tmp_path / "links.txt"
    path.write_text("https://example.com/a\nhtps://example.com/typo\nexample.com/no-scheme\n", encoding="utf-8")
    urls = read_link_file(path)
    assert urls == ["https://example.com/a", "htps://example.com/typo", "example.com/no-scheme"]
    assert [check_url(u) is None for u in urls] == [True, False, False]


def test_notes_after_links_are_dropped_and_commented_out_links_stay_out(tmp_path):
    path = tmp_path / "links.txt"
    path.write_text(
        "https://example.com/roof   # roof angle\n"
        "htps://example.com/typo\n"
        "# https://example.org/commented-out\n", encoding="utf-8")
    # Still a list: the malformed line is kept (to be reported), the commented-out link is not taken.
    assert read_link_file(path) == ["https://example.com/roof", "htps://example.com/typo"]


def test_csv_with_url_column_and_extra_columns(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(
        "id,url,notes\n"
        '1,https://example.com/v1,"Daraa, night"\n'
        "2,,no link yet\n"
        "3, https://example.com/v2 ,\n", encoding="utf-8")
    assert read_link_file(path) == ["https://example.com/v1", "https://example.com/v2"]


def test_csv_with_bom_and_uppercase_url_header(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffURL,Title\r\nhttps://example.com/a,قصف\r\nhttps://example.com/b,x\r\n".encode())
    assert read_link_file(path) == ["https://example.com/a", "https://example.com/b"]


def test_csv_without_url_column_names_the_file_and_its_columns(tmp_path):
    path = tmp_path / "no-links.csv"
    path.write_text("id,link\n1,https://example.com/a\n", encoding="utf-8")
    with pytest.raises(LinkFileError) as exc:
        read_link_file(path)
    message = str(exc.value)
    assert str(path) in message and "url" in message and "link" in message


def test_unreadable_file_is_a_link_file_error(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(LinkFileError, match="binary.txt"):
        read_link_file(path)


HTML_POST = """<!doctype html><html><head><title>Syria live</title></head><body><article>
<p>Clashes near the airport: <a href="https://www.youtube.com/watch?v=one">video 1</a>,
and a <a href="/2024/12/03/previous-post">relative link</a> to our earlier post.</p>
<video controls src="https://cdn.example.net/media/clip.mp4"></video>
<iframe src="https://www.youtube.com/embed/two" allowfullscreen></iframe>
<p>Posted as text: https://t.me/channel/77. Also <a href="https://www.youtube.com/watch?v=one">video 1 again</a>
and <a href="#comments">comments</a>, <a href="mailto:desk@example.com">mail us</a>.</p>
<p>Query with an entity: https://example.com/watch?a=1&amp;b=2</p>
</article></body></html>"""


def test_html_post_takes_anchors_embeds_and_bare_links_once_in_order():
    assert links_in_html(HTML_POST) == [
        "https://www.youtube.com/watch?v=one",
        "https://cdn.example.net/media/clip.mp4",
        "https://www.youtube.com/embed/two",
        "https://t.me/channel/77",
        "https://example.com/watch?a=1&b=2",
    ]


def test_html_file_is_read_as_a_post(tmp_path):
    path = tmp_path / "post.html"
    path.write_text(HTML_POST, encoding="utf-8")
    assert read_link_file(path) == links_in_html(HTML_POST)


ARABIC_POST = (
    "عاجل: مقطع يظهر قصفاً على حي الشعار في حلب https://t.me/halab_today/1234، "
    "ومقطع آخر من زاوية مختلفة https://www.youtube.com/watch?v=AbC_12-x؛ "
    "وللخلفية انظر (https://en.wikipedia.org/wiki/Battle_of_Aleppo_(2012–2016)). "
    "See also https://example.com/report?id=5&lang=ar, and (https://youtu.be/XyZ987)! "
    "المصدر: https://t.me/halab_today/1234 «https://example.org/quoted»"
)


def test_arabic_text_post_strips_arabic_and_latin_punctuation_but_keeps_balanced_parens():
    assert links_in_text(ARABIC_POST) == [
        "https://t.me/halab_today/1234",
        "https://www.youtube.com/watch?v=AbC_12-x",
        "https://en.wikipedia.org/wiki/Battle_of_Aleppo_(2012–2016)",
        "https://example.com/report?id=5&lang=ar",
        "https://youtu.be/XyZ987",
        "https://example.org/quoted",
    ]


def test_arabic_text_post_file(tmp_path):
    path = tmp_path / "post.txt"
    path.write_text(ARABIC_POST + "\n\nhttps://x.com/user/status/9\n", encoding="utf-8")
    urls = read_link_file(path)
    assert urls[0] == "https://t.me/halab_today/1234" and urls[-1] == "https://x.com/user/status/9"
    assert len(urls) == 7 and all(check_url(u) is None for u in urls)


@pytest.mark.parametrize("url, why", [
    ("ftp://x", "only http"),
    ("http://", "no host"),
    ("not a url", "spaces"),
    ("http://exa mple.com", "spaces"),
    ("http://host:99999/", "Port out of range"),
    ("http://host:abc/", "Port"),
    ("", "empty"),
    ("example.com/video", "only http"),
])
def test_malformed_urls_get_a_message(url, why):
    message = check_url(url)
    assert message is not None and message.startswith("malformed URL") and why in message


@pytest.mark.parametrize("url", [
    "https://example.com/a",
    "HTTP://EXAMPLE.COM/A",
    "http://127.0.0.1:8080/clip.mp4",
    "http://[::1]:8080/x",
    "https://مثال.com/فيديو",
    "https://en.wikipedia.org/wiki/Battle_of_Aleppo_(2012–2016)",
])
def test_well_formed_urls_pass(url):
    assert check_url(url) is None


def test_shared_live_blog_post_has_no_links_left_in_its_text():
    """The shared Syria live-blog post is a text dump whose hyperlinks were lost when it was saved:
    reading it must give no links at all, and none of its prose may be taken for a (malformed) URL."""
    path = shared_file("fixtures", "syria-live-post.txt")
    assert "Three Huge Defections" in path.read_text(encoding="utf-8")
    assert read_link_file(path) == []


def test_hashtag_lines_are_content_not_comments(tmp_path):
    post = tmp_path / "telegram.txt"
    post.write_text("# links for Friday\n#عاجل انشقاق ضابط https://t.me/channel/101\nhttps://t.me/channel/102\n",
                    encoding="utf-8")
    assert read_link_file(post) == ["https://t.me/channel/101", "https://t.me/channel/102"]
