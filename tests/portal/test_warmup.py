"""gunicorn's master warms up before it forks: workers start with templates compiled, and no connection."""

import pytest
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.template import engines

from portal.warmup import warm_up


def test_warming_up_compiles_the_project_templates_without_touching_the_database(monkeypatch):
    [loader] = engines["django"].engine.template_loaders  # the cached loader, wrapping the others
    loader.reset()

    def refuse(self):  # a connection opened here would be shared by every forked worker
        pytest.fail("the warm-up opened a database connection")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    loaded = warm_up()

    assert {"base.html", "programs/mine.html", "meetings/list.html"} <= set(loader.get_template_cache)
    assert loaded == {"languages": len(settings.LANGUAGES), "templates": loaded["templates"]}
