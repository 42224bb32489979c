"""Do once, in gunicorn's master, what each worker would otherwise do on its first requests.

A fresh worker spends about 400 ms on its first request: loading every language's translation
catalogue, compiling templates, building the URL resolver, reading the static files manifest, importing
the cache backend.
Gunicorn recycles workers (``max_requests``), so under load that pause would recur every few
thousand requests. Done before the workers fork, they start warm and share the memory.
Nothing here opens a database or cache connection: a forked worker must not share a socket.
"""

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import engines
from django.urls import get_resolver
from django.utils import translation
from django.utils.module_loading import import_string


def warm_up() -> dict[str, int]:
    """Load catalogues, templates, URLs and the static manifest; returns what was loaded, for the log."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Programs")
    get_resolver().reverse_dict  # noqa: B018 (the property builds and caches every URL pattern)
    # Imported, not instantiated: the Redis client library alone takes about 100 ms to import.
    for alias in settings.CACHES.values():
        import_string(alias["BACKEND"])
    import_module(settings.SESSION_ENGINE)
    # Reads the manifest (with manifest storage) without asking for a file that may not be collected.
    getattr(staticfiles_storage, "hashed_files", None)
    return {"languages": len(settings.LANGUAGES), "templates": _compile_templates()}


def _compile_templates() -> int:
    """Compile the project's own templates into the cached loader; returns how many.

    Third-party apps' templates (the admin's, allauth's) still compile on first use: most are
    never shown, and some need template libraries only their optional parts install."""
    engine = engines["django"].engine
    base = Path(settings.BASE_DIR)
    directories = [Path(directory) for directory in engine.dirs]
    directories += [
        Path(config.path) / "templates" for config in apps.get_app_configs() if _ours(Path(config.path), base)
    ]
    compiled = 0
    for directory in directories:
        for path in sorted(directory.rglob("*.html")) if directory.is_dir() else []:
            engine.get_template(str(path.relative_to(directory)))
            compiled += 1
    return compiled


def _ours(path: Path, base: Path) -> bool:
    # A virtual environment inside the checkout holds third-party apps too.
    return path.is_relative_to(base) and "site-packages" not in path.parts
