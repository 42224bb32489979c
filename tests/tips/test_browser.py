"""The receipt journey in a real browser with JavaScript turned off, as in a privacy-hardened browser."""

import pytest

from tests.helpers import assert_accessible
from tests.tips.conftest import jpeg_with_gps, theft
from tips import selectors, services
from tips.models import Tip, TipAttachment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_write_down_the_phrase_come_back_and_answer_without_javascript(browser, live_server, tip_reviewer):
    theft()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    seen = []  # (path to open, the HTML the tipster saw), for the accessibility check below

    page.goto("/tips/")
    assert page.get_by_text("If this is an emergency, call 911 now.").is_visible()
    seen.append(("/tips/", page.content()))
    page.get_by_label("What is it about?").select_option(label="Theft")
    page.get_by_label("What happened?").fill("Bikes are stripped for parts in the alley behind the bakery.")
    page.get_by_label("Where?").fill("Alley behind the Main Street bakery")
    page.get_by_label("When?").fill("Weekday mornings")
    page.get_by_label("Photos or documents").set_input_files(
        files=[{"name": "alley.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    page.get_by_role("button", name="Send the tip").click()

    assert page.get_by_role("heading", name="Thank you. Your tip was received.").is_visible()
    phrase = page.get_by_test_id("receipt-phrase").inner_text().strip()  # "written down"
    assert len(phrase.split()) == 7
    seen.append(("/tips/", page.content()))
    assert context.cookies() == []

    # An officer asks a question.
    tip = Tip.objects.get()
    assert TipAttachment.objects.filter(tip=tip).count() == 1
    services.tip_reply(tip=tip, actor=tip_reviewer, text="Thank you. What colour was the van they used?")

    # The tipster comes back with the phrase.
    page.goto("/")
    page.get_by_role("link", name="Send a tip").first.click()
    page.get_by_role("link", name="Follow up on a tip").first.click()
    seen.append(("/tips/follow-up/", page.content()))
    page.get_by_label("Your receipt phrase").fill(phrase)
    page.get_by_role("button", name="Open my tip").click()
    assert page.get_by_text("Thank you. What colour was the van they used?").is_visible()
    assert page.get_by_text("Received, not yet reviewed").is_visible()
    seen.append(("/tips/follow-up/", page.content()))

    page.get_by_label("Your answer or more information").fill("A white van with a ladder on the roof.")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_text("Thank you. What you sent was added to your tip.").is_visible()
    assert page.get_by_text("A white van with a ladder on the roof.").is_visible()
    seen.append(("/tips/follow-up/", page.content()))
    assert context.cookies() == []
    assert [message.text for message in selectors.tip_messages(tip)][-1] == "A white van with a ladder on the roof."
    context.close()

    # axe-core is JavaScript, which the tipster's context does not run: check the very HTML the
    # tipster saw in a JavaScript-enabled context, loaded at the same address (so its styles apply).
    checker = browser.new_context(base_url=live_server.url, locale="en-US", bypass_csp=True)
    axe_page = checker.new_page()
    for path, html in seen:
        axe_page.goto(path)
        axe_page.set_content(html)
        assert_accessible(axe_page)
    checker.close()
