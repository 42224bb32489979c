"""In a real browser, in English and Spanish: axe finds no serious or critical problem on any admin
page an officer uses (the index, every list, add and change page, and each ModelAdmin's own pages).

The pages come from the admin registry, so a new model or page is checked without editing this test.
"""

import pytest
from django.urls import reverse

from programs.models import ProgramSession
from tests.officers.desk import demo_officer, log_in, officer_admin_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _blocking(results) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{[node['target'] for node in violation['nodes']][:3]} ({len(violation['nodes'])} in all)"
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_admin_page_an_officer_uses_passes_axe(browser, live_server, language):
    from axe_playwright_python.sync_playwright import Axe

    officer = demo_officer()
    urls = officer_admin_urls(officer)
    session = ProgramSession.objects.order_by("pk").first()
    urls.append(reverse("admin:programs_program_attendance", args=[session.program_id, session.pk]))
    assert len(urls) > 40 and any("/attendance/" in url for url in urls)

    context = browser.new_context(
        base_url=live_server.url, locale=language, extra_http_headers={"Accept-Language": language}
    )
    log_in(context, live_server, officer)
    page = context.new_page()
    axe = Axe()
    problems = []
    for url in urls:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language, url
        problems.extend(f"{url}: {problem}" for problem in _blocking(axe.run(page)))
    context.close()
    assert not problems, f"{len(problems)} problem(s) on {len(urls)} pages:\n" + "\n".join(problems)
