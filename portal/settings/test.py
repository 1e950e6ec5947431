"""Settings for pytest. The database comes from DATABASE_URL (SQLite by default)."""

import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Fast hashing keeps the suite quick; hashes are still hashes (tests check nothing is stored in clear).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"
STORAGES = {**STORAGES, "private": {**STORAGES["private"], "OPTIONS": {  # noqa: F405
    **STORAGES["private"]["OPTIONS"], "location": PRIVATE_MEDIA_ROOT}}}  # noqa: F405
# Tests run tasks in-process; the real cluster a test starts (Q_SYNC=0) must not, or its scheduler
# would run due schedules inside its own transaction.
Q_CLUSTER = {**Q_CLUSTER, "sync": os.environ.get("Q_SYNC", "1") == "1"}  # noqa: F405
(BASE_DIR / "var").mkdir(exist_ok=True)
# Serve static files straight from the finders (no collectstatic in tests, as in DEBUG).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that a real django-q2 cluster started by a test shares the database;
    # one per test run, so two runs on one checkout do not trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
# A real cluster started by a test may take its own queue name (its own Redis list / ORM queue key).
if os.environ.get("Q_CLUSTER_NAME"):
    Q_CLUSTER["cluster_name"] = os.environ["Q_CLUSTER_NAME"]  # noqa: F405
# portal.jobs.pause_for_tests: the named job writes this file and sleeps, so a test can SIGKILL its worker.
JOBS_TEST_PAUSE = os.environ.get("JOBS_TEST_PAUSE", "")
JOBS_TEST_PAUSE_FILE = os.environ.get("JOBS_TEST_PAUSE_FILE", "")
