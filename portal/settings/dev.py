"""Local development: `make run`. SQLite unless DATABASE_URL says otherwise."""

import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env_bool, env_list

DEBUG = env_bool("DEBUG", True)
# A development-only key; production refuses to start without SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
(BASE_DIR / "var").mkdir(exist_ok=True)
# Stand-in for WeChat OAuth on a laptop (DESIGN §1); off unless DEBUG or DEV_LOGIN says so.
DEV_LOGIN_ENABLED = env_bool("DEV_LOGIN", DEBUG)
