"""Settings shared by every environment. Configuration comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"

INSTALLED_APPS = [
    "portal",
    "orgtree",
    "pages",
    "home_articles",
    "services.messaging",
    "services.cadres",
    "services.members",
    "services.awards",
    "services.evaluation",
    "services.transfers",
    "services.dues",
    "services.statistics",
    # Wagtail (the CMS at /cms/)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "treebeard",
    "django_q",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ActorMiddleware",
    "portal.middleware.PasswordChangeRequiredMiddleware",
    "home_articles.middleware.CmsGuardMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # AxesMiddleware must be last: it turns a lockout signal into the Chinese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.shell",
            ],
        },
    },
]

# Django's form renderer, with the common widgets built in Python (portal.form_renderer).
FORM_RENDERER = "portal.form_renderer.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task cluster read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "portal.backends.AccountBackend",
    "portal.backends.WeChatBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "portal.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "portal.passwords.LettersAndDigitsValidator"},
    {"NAME": "portal.passwords.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lockout (django-axes + portal.lockout; DESIGN §5 "Lockout"). Org IDs are sequential and public,
# so a lock by username alone would let one script keep every org account locked. Instead:
# AXES_FAILURE_LIMIT failures lock the (username, client address) pair for 30 minutes; from
# LOGIN_CAPTCHA_AFTER failures of a username from anywhere, its logins need a CAPTCHA (wrong answers are
# not counted); only at LOGIN_USERNAME_LOCK_AFTER failures is the username locked everywhere.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
LOGIN_CAPTCHA_AFTER = int(os.environ.get("LOGIN_CAPTCHA_AFTER", "3"))
LOGIN_USERNAME_LOCK_AFTER = int(os.environ.get("LOGIN_USERNAME_LOCK_AFTER", "50"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "portal.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "portal.lockout.normalise_username"
AXES_CLIENT_IP_CALLABLE = "portal.actors.client_ip"  # the same address the audit log records
# Attempts refused while locked are not counted: a locked client cannot push the username-wide count.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.views.auth.lockout_response"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# First in Django's lookup: the CMS strings Wagtail's zh_Hans catalogue lacks (scripts/cms_catalogue.py).
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Evidence files (portal.uploads): outside MEDIA_ROOT (which production serves publicly for CMS images),
# with no URL; only the scoped views hand them out.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "portal.uploads.PrivateStorage",
                "OPTIONS": {"location": PRIVATE_MEDIA_ROOT,
                            "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail
WAGTAIL_SITE_NAME = "智慧团建"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# The CMS is Chinese for every user: no per-user language or time zone (Wagtail offers its ~40
# languages and every zone otherwise, and a login switched to English would see English).
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
# Wagtail's English release notes and upgrade notice are for the site's developers, not its editors.
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_USER_LOGIN_FORM = "portal.forms.CmsLoginForm"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# django-q2: ORM broker by default, Redis when REDIS_URL is set (DESIGN §2).
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": "zhtj",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 300,
    "retry": 360,  # retry must exceed timeout
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "label": "后台任务",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# WeChat (DESIGN §2). A channel with no credentials is switched off; site messages still work.
WECHAT = {
    # 公众号 (members): OAuth login and template messages
    "MP_APP_ID": os.environ.get("WECHAT_MP_APP_ID", ""),
    "MP_SECRET": os.environ.get("WECHAT_MP_SECRET", ""),
    "MP_NOTICE_TEMPLATE_ID": os.environ.get("WECHAT_MP_NOTICE_TEMPLATE_ID", ""),
    # 企业号 / 企业微信 (cadres): OAuth login, app messages, contacts, group chats
    "WORK_CORP_ID": os.environ.get("WECHAT_WORK_CORP_ID", ""),
    "WORK_AGENT_ID": os.environ.get("WECHAT_WORK_AGENT_ID", ""),
    "WORK_AGENT_SECRET": os.environ.get("WECHAT_WORK_AGENT_SECRET", ""),
    # Overridable so tests talk to a fake WeChat server on 127.0.0.1.
    "MP_API_BASE_URL": os.environ.get("WECHAT_MP_API_BASE_URL", "https://api.weixin.qq.com/"),
    "WORK_API_BASE_URL": os.environ.get("WECHAT_WORK_API_BASE_URL", "https://qyapi.weixin.qq.com/cgi-bin/"),
    "OAUTH_BASE_URL": os.environ.get("WECHAT_OAUTH_BASE_URL", "https://open.weixin.qq.com/connect/"),
    "TIMEOUT": 5,
    # Seconds to wait before each retry of a delivery that failed with a transient error.
    "RETRY_DELAYS": [60, 300, 1800, 7200],
}
# WeChat Pay APIv3 (团费, DESIGN §2), through wechatpayv3 in "platform public key" mode. Keys are files
# (PEM) named by the environment, never values in the repository. Unset → online payment is switched
# off and the member end says so in Chinese; offline payments still work.
WECHATPAY = {
    "MCH_ID": os.environ.get("WECHATPAY_MCH_ID", ""),
    "APP_ID": os.environ.get("WECHATPAY_APP_ID", "") or os.environ.get("WECHAT_MP_APP_ID", ""),
    "CERT_SERIAL_NO": os.environ.get("WECHATPAY_CERT_SERIAL_NO", ""),
    "PRIVATE_KEY_FILE": os.environ.get("WECHATPAY_PRIVATE_KEY_FILE", ""),
    "APIV3_KEY": os.environ.get("WECHATPAY_APIV3_KEY", ""),
    "PUBLIC_KEY_FILE": os.environ.get("WECHATPAY_PUBLIC_KEY_FILE", ""),
    "PUBLIC_KEY_ID": os.environ.get("WECHATPAY_PUBLIC_KEY_ID", ""),
    # Where WeChat Pay posts payment results (must be https and reachable from WeChat in production).
    "NOTIFY_URL": os.environ.get("WECHATPAY_NOTIFY_URL", ""),
    # Overridable so tests (and development) talk to the fake WeChat Pay server on 127.0.0.1.
    "API_BASE_URL": os.environ.get("WECHATPAY_API_BASE_URL", "https://api.mch.weixin.qq.com"),
    "TIMEOUT": 10,
    # An order not paid within this many minutes expires; the sync job then closes it and unlocks its bills.
    "ORDER_MINUTES": 15,
}
# Absolute links in WeChat messages point here.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
# The development login stands in for WeChat OAuth; never on in production (production.py refuses it).
DEV_LOGIN_ENABLED = env_bool("DEV_LOGIN", False)

# 站内消息群发: broadcasts per org per calendar month unless the org has its own allowance.
BROADCAST_MONTHLY_QUOTA = int(os.environ.get("BROADCAST_MONTHLY_QUOTA", "4"))

# Shared by web workers and the task cluster (WeChat tokens, the member feed).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": str(BASE_DIR / "var" / "cache"),
                      # the default 300 entries would cull the per-branch feed cache
                      "OPTIONS": {"MAX_ENTRIES": 100_000}}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"},
                # WeasyPrint logs every rendering step (and fontTools every subset) at INFO
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
