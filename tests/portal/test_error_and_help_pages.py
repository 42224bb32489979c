"""Refusals and dead ends are pages that say what happened, in the visitor's language, and where
to get help."""

import pytest

from accounts.selectors import profile_for
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_a_resident_at_the_officers_desk_gets_a_designed_403(client, resident):
    client.force_login(resident)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    content = response.content.decode()
    assert "The officers' desk is for police staff only" in content
    assert '<html lang="en">' in content and 'href="/contact/"' in content


@pytest.mark.django_db
def test_the_403_page_speaks_the_visitors_language(client, resident):
    client.force_login(resident)
    response = client.get("/admin/login/", headers={"accept-language": "es"})
    assert response.status_code == 403
    assert '<html lang="es">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/accounts/logout/", "/i18n/setlang/", "/newsletters/bounces/"])
def test_get_on_a_form_target_gets_a_designed_405(client, resident, address):
    client.force_login(resident)
    response = client.get(address) if address != "/accounts/logout/" else client.put(address)
    assert response.status_code == 405
    assert response["Allow"]
    content = response.content.decode()
    assert "This address only answers a form" in content and "<h1>" in content


def test_the_tip_lines_405_is_designed_and_still_sets_no_cookie(client):
    response = client.get("/tips/follow-up/send/")
    assert response.status_code == 405
    content = response.content.decode()
    assert "This address only answers a form" in content
    assert "/i18n/setlang/" not in content and 'href="/tips/follow-up/send/?lang=es"' in content
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"  # the tip pages' own headers are kept


@pytest.mark.django_db
def test_signing_in_greets_the_resident_by_their_display_name(client, resident):
    profile = profile_for(resident)
    profile.display_name = "Alice W."
    profile.save()
    response = client.post("/accounts/login/", {"login": resident.email, "password": PASSWORD}, follow=True)
    content = response.content.decode()
    assert "Successfully signed in as Alice W." in content
    assert resident.username not in content.split('class="messages"', 1)[1].split("</div>", 1)[0]


@pytest.mark.django_db
def test_please_contact_us_leads_to_a_contact(client, settings):
    settings.CONTACT_EMAIL = "community@riverton.example"
    content = client.get("/accounts/password/reset/").content.decode()
    assert "Please contact us" not in content
    assert 'Having trouble resetting your password? <a href="/contact/">Contact us</a>.' in content
    contact = client.get("/contact/").content.decode()
    assert 'href="mailto:community@riverton.example"' in contact
    assert 'href="tel:311"' in contact and 'href="tel:911"' in contact


@pytest.mark.django_db
def test_without_a_contact_address_the_contact_page_gives_the_phone_line(client):
    contact = client.get("/contact/").content.decode()
    assert "mailto:" not in contact and "call the non-emergency line" in contact


@pytest.mark.django_db
def test_the_page_after_sign_up_links_to_the_contact_page(client):
    form = {"email": "new@example.com", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"}
    content = client.post("/accounts/signup/", form, follow=True).content.decode()
    assert "Please contact us" not in content
    assert 'No e-mail after a few minutes? <a href="/contact/">Contact us</a>.' in content


@pytest.mark.django_db
def test_a_mistyped_tip_line_address_reads_no_session_and_sets_no_cookie(client, resident):
    client.force_login(resident)  # a resident may be a tipster too

    response = client.get("/tips/folow-up/")

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    # Its language switcher is links, as on the tip pages themselves.
    assert 'href="/tips/folow-up/?lang=es"' in response.content.decode()
