"""Production: everything from the environment, secure by default (`manage.py check --deploy`)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import MIDDLEWARE, env_bool
from .checks import production_problems

# DEBUG is never on here; an environment that asks for it is refused rather than quietly ignored.
DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
_problems = production_problems(secret_key=SECRET_KEY, debug=env_bool("DEBUG", False),
                                dev_login=DEV_LOGIN_ENABLED, allowed_hosts=ALLOWED_HOSTS)  # noqa: F405
if _problems:
    raise ImproperlyConfigured("Production refuses to start: " + "; ".join(_problems))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
MIDDLEWARE = list(MIDDLEWARE)
