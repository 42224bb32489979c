"""Markdown → sanitised HTML and → plain text, for newsletters composed by officers."""

from html.parser import HTMLParser

import markdown
import nh3

from portal.translated import translated

ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "ul", "ol", "li", "h1", "h2", "h3", "h4", "blockquote", "code", "pre", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def markdown_to_html(source: str) -> str:
    """Markdown rendered to HTML with only safe tags and http(s)/mailto links left."""
    html = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"})


class _TextWriter(HTMLParser):
    BLOCKS = {"p", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "pre", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.list_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            self.list_depth += 1
        elif tag == "li":
            self.parts.append("\n" + "  " * (self.list_depth - 1) + "- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("----")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self.list_depth -= 1
        elif tag == "a" and self.href:
            self.parts.append(f" <{self.href}>")
            self.href = None

    def handle_data(self, data):
        if self.list_depth and not data.strip():
            return  # The newlines between <li> tags.
        self.parts.append(data)

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.parts).splitlines()]
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip()


def markdown_to_text(source: str) -> str:
    """The same content as plain text: paragraphs, "- " lists and links written as "text <url>"."""
    writer = _TextWriter()
    writer.feed(markdown_to_html(source))
    writer.close()
    return writer.text()


def web_copy(newsletter) -> dict:
    """What the public web copy and the feed show of a newsletter: rendered from the newsletter
    itself, never from a recipient's e-mail, so it carries no personal link or token. In the active
    language, as the e-mails are: ``subject`` and ``body`` are ``TranslatedText`` (their
    ``lang_attr`` marks an English fallback), ``body_html`` the body rendered."""
    subject = translated(newsletter, "subject")
    body = translated(newsletter, "body")
    return {"subject": subject, "body": body, "body_html": markdown_to_html(body)}
