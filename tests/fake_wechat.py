"""A fake WeChat server for tests: a small WSGI app served on 127.0.0.1 in a thread.

It answers the endpoints the portal uses, under three prefixes that settings point the wechatpy
clients at:

- ``/mp/``      official account: ``cgi-bin/token``, ``cgi-bin/message/template/send``,
                ``sns/oauth2/access_token`` (OAuth code → openid)
- ``/work/``    WeChat Work: ``cgi-bin/gettoken``, ``cgi-bin/message/send``,
                ``cgi-bin/user/getuserinfo`` (OAuth code → UserId), ``cgi-bin/user/*``, ``cgi-bin/appchat/*``
- ``/connect/`` the OAuth authorize page: redirects straight back with a code for
                ``next_identity`` (what a phone in WeChat would do after the user agrees)

Everything received is recorded in ``calls``; ``script(path, *responses)`` makes the next calls
to a path answer with the given JSON (to simulate errcodes); ``expire_tokens()`` makes every
issued access token answer 42001 (expired) until a new one is fetched.
"""

import itertools
import json
import threading
from collections import defaultdict, deque
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True


class FakeWeChat:
    def __init__(self):
        self.calls = []
        self._scripts = defaultdict(deque)
        self._seq = itertools.count(1)
        self.valid_tokens = set()
        self.codes = {}  # OAuth code -> openid / userid
        self.next_identity = None  # what /connect/ hands out for the browser flow
        self.lock = threading.Lock()
        self._server = None
        self.base_url = ""

    # --- control ----------------------------------------------------------------------------
    def start(self):
        self._server = make_server("127.0.0.1", 0, self, server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def reset(self):
        with self.lock:
            self.calls.clear()
            self._scripts.clear()
            self.valid_tokens.clear()
            self.codes.clear()
            self.next_identity = None

    def script(self, path, *responses):
        with self.lock:
            self._scripts[path].extend(responses)

    def expire_tokens(self):
        with self.lock:
            self.valid_tokens.clear()

    def issue_code(self, identity):
        code = f"code-{next(self._seq)}"
        self.codes[code] = identity
        return code

    def received(self, path):
        return [call for call in self.calls if call["path"] == path]

    @property
    def settings(self):
        return {
            "MP_APP_ID": "wx-test-app", "MP_SECRET": "mp-secret", "MP_NOTICE_TEMPLATE_ID": "tmpl-notice",
            "WORK_CORP_ID": "ww-test-corp", "WORK_AGENT_ID": "1000002", "WORK_AGENT_SECRET": "work-agent-secret",
            "MP_API_BASE_URL": f"{self.base_url}/mp/",
            "WORK_API_BASE_URL": f"{self.base_url}/work/cgi-bin/",
            "OAUTH_BASE_URL": f"{self.base_url}/connect/",
            "TIMEOUT": 5, "RETRY_DELAYS": [60, 300, 1800, 7200],
        }

    # --- the WSGI app -----------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        body = json.loads(raw.decode("utf-8")) if raw else None
        with self.lock:
            self.calls.append({"path": path, "query": query, "json": body})
            scripted = self._scripts[path].popleft() if self._scripts[path] else None
        if path.startswith("/connect/"):
            return self._authorize(query, start_response)
        result = scripted if scripted is not None else self._answer(path, query, body)
        status = "200 OK"
        if isinstance(result, int):  # an HTTP error status
            status, result = f"{result} Error", {}
        payload = json.dumps(result, ensure_ascii=False).encode("utf-8")
        start_response(status, [("Content-Type", "application/json; charset=utf-8")])
        return [payload]

    def _token(self, prefix):
        token = f"{prefix}-token-{next(self._seq)}"
        with self.lock:
            self.valid_tokens.add(token)
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def _answer(self, path, query, body):
        if path == "/mp/cgi-bin/token":
            return self._token("mp")
        if path == "/work/cgi-bin/gettoken":
            return self._token("work")
        if path == "/mp/sns/oauth2/access_token":
            openid = self.codes.pop(query.get("code"), None)
            if openid is None:
                return {"errcode": 40029, "errmsg": "invalid code"}
            return {"access_token": "oauth-token", "expires_in": 7200, "refresh_token": "r",
                    "openid": openid, "scope": "snsapi_base"}
        if query.get("access_token") not in self.valid_tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if path == "/work/cgi-bin/user/getuserinfo":
            userid = self.codes.pop(query.get("code"), None)
            if userid is None:
                return {"errcode": 40029, "errmsg": "invalid code"}
            return {"errcode": 0, "errmsg": "ok", "UserId": userid, "DeviceId": ""}
        if path == "/mp/cgi-bin/message/template/send":
            return {"errcode": 0, "errmsg": "ok", "msgid": next(self._seq)}
        if path == "/work/cgi-bin/message/send":
            return {"errcode": 0, "errmsg": "ok", "invaliduser": ""}
        if path == "/work/cgi-bin/appchat/create":
            return {"errcode": 0, "errmsg": "ok", "chatid": (body or {}).get("chatid") or f"chat{next(self._seq)}"}
        if path.startswith("/work/cgi-bin/"):
            return {"errcode": 0, "errmsg": "ok"}
        return 404

    def _authorize(self, query, start_response):
        """The WeChat authorize page: the user agrees, WeChat redirects back with a code."""
        if self.next_identity is None:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"no identity"]
        code = self.issue_code(self.next_identity)
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        start_response("302 Found", [("Location", location)])
        return [b""]
