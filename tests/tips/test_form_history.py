"""Nothing typed into a tip form stays in the browser's form history (autocomplete="off" everywhere)."""

from html.parser import HTMLParser

import pytest

from tests.tips.conftest import receipt_phrase, submit_tip

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.fields: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.forms.append(attrs)
        elif tag in ("input", "textarea", "select") and self.forms:
            self.fields.append({"tag": tag, **attrs})


def fields_of(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    assert parser.forms and parser.fields
    return parser


def tip_pages(client) -> dict[str, str]:
    phrase = receipt_phrase(submit_tip(client).content.decode())
    return {
        "submit": client.get("/tips/").content.decode(),
        "follow_up": client.get("/tips/follow-up/").content.decode(),
        "status": client.post("/tips/follow-up/", {"phrase": phrase}).content.decode(),
    }


def test_every_field_of_every_tip_form_is_kept_out_of_form_history(client, category):
    for name, html in tip_pages(client).items():
        parsed = fields_of(html)
        assert all(form.get("autocomplete") == "off" for form in parsed.forms), name
        unmarked = [field.get("name") for field in parsed.fields if field.get("autocomplete") != "off"]
        assert unmarked == [], name


def test_where_and_when_in_particular(client, category):
    fields = {field.get("name"): field for field in fields_of(client.get("/tips/").content.decode()).fields}
    assert fields["where"]["autocomplete"] == "off" and fields["when"]["autocomplete"] == "off"
