"""In a real browser: no officer's add or change page is wider than the window at 1,280 px or 1,024 px."""

import pytest

from tests.officers.desk import demo_officer, log_in, officer_admin_urls

SCROLLING_INLINES = (
    "Array.from(document.querySelectorAll('.inline-group .tabular')).some(e => e.scrollWidth > e.clientWidth + 1)"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_add_or_change_page_scrolls_sideways(browser, live_server):
    officer = demo_officer()
    urls = [url for url in officer_admin_urls(officer) if url.endswith(("/add/", "/change/"))]
    assert any("/meetings/meeting/add/" in url for url in urls)
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    log_in(context, live_server, officer)
    page = context.new_page()
    too_wide = []
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(url)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide.append(f"{url} at {width}: {scroll_width} px")
            # At 1,280 px an inline's rows fit as they are: no table to scroll sideways either.
            if width == 1280 and page.evaluate(SCROLLING_INLINES):
                too_wide.append(f"{url} at {width}: an inline scrolls sideways")
    context.close()
    assert not too_wide, "\n".join(too_wide)
