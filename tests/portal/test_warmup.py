"""gunicorn's master warms up before it forks: workers start with templates compiled, and no connection."""

from django.db import connections
from django.template import engines

from portal.warmup import warm_up


def test_warming_up_compiles_the_project_templates_without_touching_the_database():
    [loader] = engines["django"].engine.template_loaders  # the cached loader, wrapping the others
    loader.reset()
    connections.close_all()

    loaded = warm_up()

    assert {"base.html", "programs/mine.html", "meetings/list.html"} <= set(loader.get_template_cache)
    assert loaded["templates"] >= len({"base.html", "programs/mine.html", "meetings/list.html"})
    # A connection opened here would be shared by every forked worker.
    assert all(connection.connection is None for connection in connections.all(initialized_only=True))
