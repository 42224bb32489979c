"""Build the HTML e-mail templates: CSS inlined once, when a developer builds, never per message.

Why at build time: mail clients drop <style> blocks, so every element needs its style="", and the
newsletter fan-out renders hundreds of messages a second (issue 19): inlining there would parse
every message's HTML again. Inlining at template load time would do it once per process, but
css-inline parses HTML, and a Django tag where HTML expects none (``{% if %}`` between table rows)
is moved by the parser; here such a move fails the build loudly instead of changing a template
unseen. The sources (``templates/emails/source/``, with classes and ``email.css``) are the ones to
edit; ``manage.py build_email_templates`` writes the built templates next to the ``.txt`` parts and
tests/outbox/test_email_build.py fails while a built file is stale.

Django syntax is swapped for placeholders the HTML parser leaves alone (a comment outside tags, a
plain word inside them), and swapped back after; every placeholder must come back once, in order.
"""

import re
from pathlib import Path

import css_inline
from django.conf import settings

SOURCE_DIR = Path(settings.BASE_DIR) / "templates" / "emails" / "source"
OUTPUT_DIR = Path(settings.BASE_DIR) / "templates"
STYLESHEET = SOURCE_DIR / "email.css"
HEADER = "{# Built from templates/emails/source/%s by manage.py build_email_templates: edit the source. #}"

# An attribute in a condition inside a tag (<a{% if lang %} lang="{{ lang }}"{% endif %}>) is one
# placeholder, which the parser keeps as an empty attribute; then any other tag or variable.
_DJANGO = re.compile(r"{% if [^%]*%}[^<>]*?{% endif %}|{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
_DJANGO_SINGLE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
# A placeholder standing for attributes comes back from the parser as ` djtNx=""`.
_PLACEHOLDER = re.compile(r'<!--djt(\d+)-->| djt(\d+)x=""|djt(\d+)x')
# Elements and placeholders in document order; the parser may add <tbody>, nothing else may move.
_SEQUENCE = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*)|<!--djt(\d+)-->|djt(\d+)x")
_BLOCKTRANSLATE = re.compile(r"{% blocktranslate.*?{% endblocktranslate %}", re.DOTALL)


class BuildError(Exception):
    """A source the inliner would change in a way the template engine would notice."""


def _inside_tag(html: str, position: int) -> bool:
    return html.rfind("<", 0, position) > html.rfind(">", 0, position)


def _protect(source: str) -> tuple[str, list[str]]:
    tags: list[str] = []

    def placeholder(syntax: str, *, inside: bool, attribute: bool = False) -> str:
        tags.append(syntax)
        number = len(tags) - 1
        if attribute:  # written right after the tag's name or a value: the space makes it an attribute
            return f" djt{number}x"
        return f"djt{number}x" if inside or syntax.startswith("{{") else f"<!--djt{number}-->"

    def replace(match: re.Match) -> str:
        syntax, inside = match.group(0), _inside_tag(source, match.start())
        before = source[max(match.start() - 2, 0) : match.start()]
        # After a tag's name (<span{% if …) or a value's closing quote (="x"{% if …), not inside a value.
        if (
            inside
            and syntax.startswith("{% if ")
            and (before[-1:].isalnum() or (before[-1:] == '"' and before[:1] != "="))
        ):
            return placeholder(syntax, inside=True, attribute=True)
        if not inside and syntax.startswith("{% if ") and syntax.endswith("{% endif %}"):
            # Not an attribute after all: each of its tags is protected on its own.
            return _DJANGO_SINGLE.sub(lambda single: placeholder(single.group(0), inside=False), syntax)
        return placeholder(syntax, inside=inside)

    return _DJANGO.sub(replace, source), tags


def _sequence(html: str) -> list[str]:
    return [
        "".join(match.groups(default="")).lower()
        for match in _SEQUENCE.finditer(html)
        if match.group(1) not in ("tbody", "/tbody")
    ]


def _restore(html: str, protected: str, tags: list[str], name: str) -> str:
    if _sequence(html) != _sequence(protected):
        raise BuildError(f"{name}: the HTML parser moved or dropped template syntax; keep tags out of table rows")
    return _PLACEHOLDER.sub(lambda match: tags[int(next(group for group in match.groups() if group))], html)


def build_one(relative: str, source: str, css: str) -> str:
    """The built template for the source ``relative`` (a path under the source folder)."""
    protected, tags = _protect(source)
    inliner = css_inline.CSSInliner(keep_style_tags=True, extra_css=css, load_remote_stylesheets=False)
    is_document = "<html" in source
    html = inliner.inline(protected) if is_document else inliner.inline_fragment(protected, "")
    built = _restore(html, protected, tags, relative)
    # A translated sentence is looked up by its exact text: the inliner must not restyle inside one.
    for sentence in _BLOCKTRANSLATE.findall(source):
        if sentence not in built:
            raise BuildError(f"{relative}: markup inside a blocktranslate would change its message id")
    # A {# comment #} makes no node, so {% extends %} after it is still the template's first tag.
    return (HEADER % relative) + built + "\n"


def build() -> dict[Path, str]:
    """{built file path: its content} for every source."""
    css = STYLESHEET.read_text()
    return {
        OUTPUT_DIR / source.relative_to(SOURCE_DIR): build_one(
            str(source.relative_to(SOURCE_DIR)), source.read_text(), css
        )
        for source in sorted(SOURCE_DIR.rglob("*.html"))
    }
