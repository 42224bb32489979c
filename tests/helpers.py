"""Helpers that tests import (fixtures live in conftest.py)."""


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in blocking
    )
    assert not blocking, f"axe found serious/critical violations on {page.url}:\n{report}"
