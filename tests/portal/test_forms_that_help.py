"""A failed form says so in the title, opens with a summary that takes the focus and links each
error, and ties every field's help and error to it; allauth's forms are rendered the same way."""

import re

import pytest
from django.template.loader import render_to_string

from programs.models import ProgramQuestion
from tests.conftest import PASSWORD
from tests.meetings.test_feedback import ANSWERS, ended_meeting_with
from tests.portal.html import parse
from tests.programs.conftest import add_question, make_program
from tests.tips.conftest import submit_tip, theft

pytestmark = pytest.mark.django_db


def title_of(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def summary_of(document):
    (summary,) = document.find_all("div", class_="error-summary")
    heading = summary.find_all("h2")[0]
    assert "autofocus" in heading.attrs and heading.attrs.get("tabindex") == "-1", "the summary must take the focus"
    assert summary.attrs["aria-labelledby"] == heading.attrs["id"]
    return summary


def assert_links_resolve(document, summary):
    links = summary.find_all("a")
    assert links, "each field error is a link"
    for link in links:
        target = document.by_id(link.attrs["href"].removeprefix("#"))
        assert target.tag in {"input", "select", "textarea"}, link.attrs["href"]


def described_by(document, element) -> list:
    return [document.by_id(name) for name in element.attrs.get("aria-describedby", "").split()]


def test_a_valid_page_has_no_summary_and_a_plain_title(resident_client, resident):
    meeting = ended_meeting_with(resident)
    html = resident_client.get(f"/meetings/{meeting.slug}/feedback/").content.decode()
    assert "error-summary" not in html and not title_of(html).startswith("Error:")


def test_failed_feedback_lists_and_links_each_error_and_ties_the_rating_group_to_them(resident_client, resident):
    meeting = ended_meeting_with(resident)
    answers = {**ANSWERS, "rating_overall": 9}
    del answers["rating_listening"]
    html = resident_client.post(f"/meetings/{meeting.slug}/feedback/", answers).content.decode()
    assert title_of(html).startswith("Error: ")
    document = parse(html)
    summary = summary_of(document)
    assert_links_resolve(document, summary)
    assert len(summary.find_all("a")) == 2
    for name in ("rating_overall", "rating_listening"):
        (fieldset,) = [node for node in document.by_id(f"id_{name}_0").ancestors() if node.tag == "fieldset"]
        descriptions = described_by(document, fieldset)
        assert [d.attrs["id"] for d in descriptions] == [f"id_{name}_helptext", f"id_{name}_error"]
        assert "1 is poor, 5 is excellent." in descriptions[0].text()
        assert descriptions[1].text(), "the group's error is what its aria-describedby points to"
        assert all(fieldset in description.ancestors() for description in descriptions)


def test_a_choice_question_group_carries_its_error(resident_client, resident):
    program = make_program()
    add_question(program, "Preferred evening", ProgramQuestion.Kind.CHOICE, choices="Monday\nThursday")
    html = resident_client.post(f"/programs/{program.slug}/apply/", {}).content.decode()
    document = parse(html)
    summary = summary_of(document)
    assert "Preferred evening" in summary.text()
    assert_links_resolve(document, summary)
    question = re.search(r'name="(question_\d+)"', html).group(1)
    (fieldset,) = [node for node in document.by_id(f"id_{question}_0").ancestors() if node.tag == "fieldset"]
    assert [d.attrs["id"] for d in described_by(document, fieldset)] == [f"id_{question}_error"]


def test_date_of_birth_hint_matches_the_picker_and_keeps_iso_in_spanish(resident_client, resident):
    program = make_program(min_age=16)
    html = resident_client.post(
        f"/programs/{program.slug}/apply/", {"date_of_birth": "2010-05-04"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    field = parse(html).by_id("id_date_of_birth")
    assert field.attrs["type"] == "date"
    assert field.attrs["value"] == "2010-05-04", "a date input only understands ISO values"
    help_text = parse(html).by_id("id_date_of_birth_helptext").text()
    assert "YYYY" not in help_text and "AAAA" not in help_text


def test_signup_password_rules_sit_inside_what_the_field_points_to(client):
    html = client.post("/accounts/signup/", {"email": "new@example.com", "password1": "short", "password2": "x"})
    html = html.content.decode()
    assert title_of(html).startswith("Error: ")
    document = parse(html)
    summary_of(document)
    password = document.by_id("id_password1")
    help_text, error = described_by(document, password)
    assert help_text.find_all("li"), "the password rules are inside the help element"
    assert "at least" in help_text.text()
    assert "too short" in error.text()
    # The rules are no longer loose list items next to an empty <span>: every rule is in the help.
    rules = [item for item in document.find_all("li") if "Your password" in item.text()]
    assert rules and all(help_text in rule.ancestors() for rule in rules)


def test_the_log_in_error_is_in_the_summary_that_takes_the_focus(client, resident):
    html = client.post("/accounts/login/", {"login": resident.email, "password": "not the password"}).content.decode()
    assert title_of(html).startswith("Error: ")
    summary = summary_of(parse(html))
    assert "not correct" in summary.text()


def test_allauth_forms_use_the_portal_field_include():
    from allauth.account.forms import LoginForm

    rendered = render_to_string("allauth/elements/fields.html", {"attrs": {"form": LoginForm()}})
    assert rendered.strip() == render_to_string("includes/form_fields.html", {"form": LoginForm()}).strip()
    assert '<div class="field' in rendered and "<p>" not in rendered


def test_a_failed_tip_gets_the_summary_and_stays_script_free(client):
    theft()
    response = submit_tip(client, what="")
    html = response.content.decode()
    assert title_of(html).startswith("Error: ")
    document = parse(html)
    summary = summary_of(document)
    assert_links_resolve(document, summary)
    assert "<script" not in html


def test_an_allauth_page_that_renders_fields_one_by_one_gets_the_summary_too(client, resident):
    client.post("/accounts/login/", {"login": resident.email, "password": PASSWORD})
    html = client.post("/accounts/email/", {"email": "not-an-address", "action_add": ""}).content.decode()
    assert title_of(html).startswith("Error: ")
    document = parse(html)
    summary = summary_of(document)
    assert_links_resolve(document, summary)
    field = document.by_id("id_email")
    (error,) = described_by(document, field)
    assert "valid email address" in error.text()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "What happened? This field is required."), ("es", "¿Qué pasó? Este campo es obligatorio.")],
)
def test_the_summary_puts_no_colon_after_a_label_that_is_a_question(client, language, expected):
    theft()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    summary = summary_of(parse(submit_tip(client, what="").content.decode()))
    assert [link.text() for link in summary.find_all("a")] == [expected]


def test_the_summary_keeps_the_colon_after_a_plain_label(client):
    html = client.post("/newsletters/subscribe/", {"email": "not-an-address"}).content.decode()
    links = [link.text() for link in summary_of(parse(html)).find_all("a")]
    assert "E-mail address: Enter a valid email address." in links, links
