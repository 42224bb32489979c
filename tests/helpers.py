"""Helpers that tests import (fixtures live in conftest.py)."""

from tests.conftest import PASSWORD


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in blocking
    )
    assert not blocking, f"axe found serious/critical violations on {page.url}:\n{report}"


def log_in_in_browser(page, user) -> None:
    """Sign ``user`` in through the login form, as a resident does, and wait until it lets them past."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
