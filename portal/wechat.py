"""wechatpy clients configured from settings (DESIGN §2).

Two channels:
- the official account (公众号, members): OAuth ``snsapi_base`` logins and template messages;
- WeChat Work (企业号, cadres): OAuth logins, app messages, contacts and group chats.

A channel whose credentials are not configured is switched off: :func:`mp_enabled` /
:func:`work_enabled` say so and nothing tries to reach WeChat. Base URLs come from settings so
tests run against a fake WeChat server on 127.0.0.1; wechatpy hard-codes the token URLs, so the
clients here override ``fetch_access_token``.
"""

import requests
from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.enterprise import WeChatClient as WeChatWorkClient
from wechatpy.session import SessionStorage

MP = "mp"  # 公众号
WORK = "work"  # 企业号 / 企业微信


def conf(key):
    return settings.WECHAT.get(key) or ""


def mp_enabled():
    return bool(conf("MP_APP_ID") and conf("MP_SECRET"))


def mp_notice_enabled():
    return mp_enabled() and bool(conf("MP_NOTICE_TEMPLATE_ID"))


def work_enabled():
    return bool(conf("WORK_CORP_ID") and conf("WORK_AGENT_SECRET") and conf("WORK_AGENT_ID"))


class CacheStorage(SessionStorage):
    """Access tokens in Django's cache, shared by the web workers and the task cluster.

    WeChat limits how often a token may be fetched per day; one shared token per app keeps
    every process under that limit.
    """

    prefix = "wechatpy:"

    def get(self, key, default=None):
        return cache.get(self.prefix + key, default)

    def set(self, key, value, ttl=None):
        cache.set(self.prefix + key, value, ttl)

    def delete(self, key):
        cache.delete(self.prefix + key)


class _TimeoutSession(requests.Session):
    """wechatpy calls requests without a timeout in places; a stuck WeChat must not hang a worker."""

    def request(self, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = settings.WECHAT.get("TIMEOUT", 5)
        return super().request(*args, **kwargs)


class MpClient(WeChatClient):
    def __init__(self):
        super().__init__(conf("MP_APP_ID"), conf("MP_SECRET"), session=CacheStorage())
        self._http = _TimeoutSession()
        self.API_BASE_URL = conf("MP_API_BASE_URL") + "cgi-bin/"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class WorkClient(WeChatWorkClient):
    def __init__(self):
        super().__init__(conf("WORK_CORP_ID"), conf("WORK_AGENT_SECRET"), session=CacheStorage())
        self._http = _TimeoutSession()
        self.API_BASE_URL = conf("WORK_API_BASE_URL")
        self.oauth.OAUTH_BASE_URL = conf("OAUTH_BASE_URL") + "oauth2/authorize"

    @property
    def agent_id(self):
        return int(conf("WORK_AGENT_ID"))

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
        )


def mp_client():
    return MpClient()


def work_client():
    return WorkClient()


def mp_oauth(redirect_uri, state):
    """Member login through the official account: ``snsapi_base`` gives the openid silently."""
    oauth = WeChatOAuth(conf("MP_APP_ID"), conf("MP_SECRET"), redirect_uri, scope="snsapi_base", state=state)
    oauth._http = _TimeoutSession()
    oauth.API_BASE_URL = conf("MP_API_BASE_URL")
    oauth.OAUTH_BASE_URL = conf("OAUTH_BASE_URL")
    return oauth


def mp_openid_for_code(redirect_uri, code):
    return mp_oauth(redirect_uri, "").fetch_access_token(code)["openid"]


def work_authorize_url(redirect_uri, state):
    return work_client().oauth.authorize_url(redirect_uri, state)


def work_userid_for_code(code):
    """WeChat Work answers ``UserId`` for members of the corp, ``OpenId`` for outsiders."""
    result = work_client().oauth.get_user_info(code)
    return result.get("UserId") or result.get("userid") or ""

