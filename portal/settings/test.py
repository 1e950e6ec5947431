"""Settings for pytest. The database comes from DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F401,F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Fast hashing keeps the suite quick; hashes are still hashes (tests check nothing is stored in clear).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405 - tests call tasks in-process unless they start a cluster
(BASE_DIR / "var").mkdir(exist_ok=True)
# Serve static files straight from the finders (no collectstatic in tests, as in DEBUG).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
