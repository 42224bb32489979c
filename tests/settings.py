"""Settings for the test suite: the portal's own, made fast and self-contained."""

import os
import tempfile

# Local-run settings (throw-away secret key, no HTTPS redirect); production ones are checked separately.
os.environ["DEBUG"] = "true"

from portal.settings import *  # noqa: F403
from portal.settings import CACHES, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline when their on-commit hook fires, so a test sees the whole effect.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Whole-page caching is off: a test's transaction never commits, so edits would not invalidate.
# tests/production/test_public_cache.py turns it on and tests it.
PUBLIC_PAGE_CACHE_SECONDS = 0
MEDIA_ROOT = tempfile.mkdtemp(prefix="precinct-test-media-")
if REDIS_URL:
    # Parallel test workers share one Redis: keep their keys apart.
    CACHES["default"]["KEY_PREFIX"] = f"precinct-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    # A loaded CI machine can stall a reply past production's 1 s, and the cache would then count
    # a limit in process memory. Tests of an unreachable Redis set their own timeouts.
    CACHES["default"]["OPTIONS"] = {**CACHES["default"]["OPTIONS"], "socket_timeout": 5}
