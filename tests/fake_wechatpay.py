"""A fake WeChat Pay (APIv3) server for tests and development: a small WSGI app on 127.0.0.1.

It signs like the real one, so the portal's code path is ``wechatpayv3``'s real verification:

- keys are generated at start (a merchant key pair and a platform key pair, RSA 2048) and written to
  a temporary directory as PEM files that ``settings.WECHATPAY`` names; nothing is committed;
- every request's ``Authorization`` (WECHATPAY2-SHA256-RSA2048) is verified against the merchant's
  public key (401 otherwise); every answer carries ``Wechatpay-Signature`` made with the platform
  private key and ``Wechatpay-Serial`` = the platform public key id;
- it answers ``POST /v3/pay/transactions/jsapi`` (prepay_id), ``GET /v3/pay/transactions/out-trade-no/{no}``
  (the trade) and ``POST …/{no}/close`` (204);
- ``pay(no)`` plays the payer: the trade becomes SUCCESS and the notification is returned as
  ``(meta, body)`` for Django's test client (``notification()`` builds any variant: another amount,
  another key, a tampered body), or posted to the notify URL over HTTP (``deliver``);
  the resource is encrypted with the APIv3 key (AEAD_AES_256_GCM).
"""

import base64
import itertools
import json
import os
import secrets
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timezone
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_private(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _pem_public(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(key, text):
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


class FakeWeChatPay:
    MCH_ID = "1900000001"
    APP_ID = "wx-test-app"
    SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000012026"

    def __init__(self):
        self.merchant_key = _key()
        self.platform_key = _key()
        self.apiv3_key = secrets.token_hex(16)  # 32 characters, as WeChat Pay's
        self.dir = tempfile.mkdtemp(prefix="fake-wechatpay-")
        self.files = {}
        for name, text in (("merchant_private.pem", _pem_private(self.merchant_key)),
                           ("platform_public.pem", _pem_public(self.platform_key))):
            path = os.path.join(self.dir, name)
            with open(path, "w") as fh:
                fh.write(text)
            os.chmod(path, 0o600)
            self.files[name] = path
        self.orders = {}
        self.calls = []
        self.scripted = {}  # path → HTTP status to answer once
        self.lock = threading.Lock()
        self._seq = itertools.count(1)
        self._server = None
        self.base_url = ""
        self.notify_url = ""

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
            self.orders.clear()
            self.calls.clear()
            self.scripted.clear()

    def settings(self, notify_url="http://testserver/pay/wechat/notify/"):
        self.notify_url = notify_url
        return {
            "MCH_ID": self.MCH_ID, "APP_ID": self.APP_ID, "CERT_SERIAL_NO": self.SERIAL,
            "PRIVATE_KEY_FILE": self.files["merchant_private.pem"], "APIV3_KEY": self.apiv3_key,
            "PUBLIC_KEY_FILE": self.files["platform_public.pem"], "PUBLIC_KEY_ID": self.PUBLIC_KEY_ID,
            "NOTIFY_URL": notify_url, "API_BASE_URL": self.base_url, "TIMEOUT": 5, "ORDER_MINUTES": 15,
        }

    def received(self, method, prefix):
        return [c for c in self.calls if c["method"] == method and c["path"].startswith(prefix)]

    # --- the payer ----------------------------------------------------------------------------
    def pay(self, out_trade_no, *, trade_state="SUCCESS"):
        """The payer pays (or fails): the trade changes and the notification is returned."""
        with self.lock:
            order = self.orders[out_trade_no]
            order["trade_state"] = trade_state
            if trade_state == "SUCCESS":
                order["transaction_id"] = f"42000{next(self._seq):023d}"
                order["success_time"] = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
        return self.notification(out_trade_no)

    def trade(self, out_trade_no):
        order = dict(self.orders[out_trade_no])
        return {"appid": order["appid"], "mchid": order["mchid"], "out_trade_no": out_trade_no,
                "transaction_id": order.get("transaction_id", ""), "trade_type": "JSAPI",
                "trade_state": order["trade_state"], "trade_state_desc": order["trade_state"],
                "success_time": order.get("success_time"), "payer": order["payer"],
                "amount": {"total": order["total"], "payer_total": order["total"], "currency": "CNY",
                           "payer_currency": "CNY"}}

    def notification(self, out_trade_no, *, resource=None, apiv3_key=None, signing_key=None, serial=None,
                     tamper=None):
        """``(meta, body)`` of a notification: META keys for Django's test client, and the raw body."""
        plain = json.dumps(resource if resource is not None else self.trade(out_trade_no), ensure_ascii=False)
        nonce = secrets.token_hex(6)
        ciphertext = AESGCM((apiv3_key or self.apiv3_key).encode()).encrypt(nonce.encode(), plain.encode(),
                                                                             b"transaction")
        body = json.dumps({
            "id": f"EV-{secrets.token_hex(8)}", "create_time": datetime.now().astimezone().isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
            "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                         "ciphertext": base64.b64encode(ciphertext).decode(), "associated_data": "transaction",
                         "nonce": nonce}}, ensure_ascii=False)
        timestamp, sig_nonce = str(int(time.time())), secrets.token_hex(16)
        signature = sign(signing_key or self.platform_key, f"{timestamp}\n{sig_nonce}\n{body}\n")
        if tamper:
            body = tamper(body)
        meta = {"HTTP_WECHATPAY_SIGNATURE": signature, "HTTP_WECHATPAY_TIMESTAMP": timestamp,
                "HTTP_WECHATPAY_NONCE": sig_nonce, "HTTP_WECHATPAY_SERIAL": serial or self.PUBLIC_KEY_ID,
                "HTTP_WECHATPAY_SIGNATURE_TYPE": "WECHATPAY2-SHA256-RSA2048"}
        return meta, body

    def deliver(self, out_trade_no, url=None):
        """Post the trade's notification to the notify URL over HTTP, as WeChat Pay does."""
        meta, body = self.notification(out_trade_no)
        headers = {k[5:].replace("_", "-").title(): v for k, v in meta.items()}
        request = urllib.request.Request(url or self.notify_url, data=body.encode(), method="POST",
                                         headers={**headers, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    # --- the WSGI app -----------------------------------------------------------------------
    def _merchant_ok(self, method, path_qs, body, authorization):
        try:
            scheme, rest = authorization.split(" ", 1)
            fields = dict(part.split("=", 1) for part in rest.split(","))
            fields = {k: v.strip('"') for k, v in fields.items()}
            message = f"{method}\n{path_qs}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
            self.merchant_key.public_key().verify(base64.b64decode(fields["signature"]), message.encode(),
                                                  padding.PKCS1v15(), hashes.SHA256())
            return scheme == "WECHATPAY2-SHA256-RSA2048" and fields["mchid"] == self.MCH_ID
        except Exception:
            return False

    def _respond(self, start_response, status, payload):
        body = "" if payload is None else json.dumps(payload, ensure_ascii=False)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = [("Content-Type", "application/json; charset=utf-8"),
                   ("Wechatpay-Timestamp", timestamp), ("Wechatpay-Nonce", nonce),
                   ("Wechatpay-Serial", self.PUBLIC_KEY_ID),
                   ("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"),
                   ("Wechatpay-Signature", sign(self.platform_key, f"{timestamp}\n{nonce}\n{body}\n"))]
        start_response(status, headers)
        return [body.encode()]

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        query = environ.get("QUERY_STRING", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length).decode() if length else ""
        with self.lock:
            self.calls.append({"method": method, "path": path, "query": query, "body": raw})
            scripted = self.scripted.pop(path, None)
        if not self._merchant_ok(method, path + (f"?{query}" if query else ""), raw,
                                 environ.get("HTTP_AUTHORIZATION", "")):
            return self._respond(start_response, "401 Unauthorized", {"code": "SIGN_ERROR", "message": "签名错误"})
        if scripted:
            return self._respond(start_response, f"{scripted} Error", {"code": "SYSTEM_ERROR", "message": "系统错误"})
        data = json.loads(raw) if raw else {}
        if method == "POST" and path == "/v3/pay/transactions/jsapi":
            with self.lock:
                prepay_id = f"wx{next(self._seq):026d}"
                self.orders[data["out_trade_no"]] = {
                    "appid": data["appid"], "mchid": data["mchid"], "total": data["amount"]["total"],
                    "payer": data["payer"], "trade_state": "NOTPAY", "prepay_id": prepay_id,
                    "notify_url": data.get("notify_url")}
            return self._respond(start_response, "200 OK", {"prepay_id": prepay_id})
        prefix = "/v3/pay/transactions/out-trade-no/"
        if path.startswith(prefix):
            no = path[len(prefix):].split("/")[0]
            if no not in self.orders:
                return self._respond(start_response, "404 Not Found", {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            if method == "POST" and path.endswith("/close"):
                with self.lock:
                    if self.orders[no]["trade_state"] == "SUCCESS":
                        return self._respond(start_response, "400 Bad Request",
                                             {"code": "ORDERPAID", "message": "订单已支付"})
                    self.orders[no]["trade_state"] = "CLOSED"
                return self._respond(start_response, "204 No Content", None)
            if method == "GET":
                return self._respond(start_response, "200 OK", self.trade(no))
        return self._respond(start_response, "404 Not Found", {"code": "NOT_FOUND", "message": "not found"})


def main():  # pragma: no cover - development: `python -m tests.fake_wechatpay`
    fake = FakeWeChatPay().start()
    for key, value in fake.settings(os.environ.get("WECHATPAY_NOTIFY_URL", "http://127.0.0.1:8000/pay/wechat/notify/")).items():
        if key not in ("TIMEOUT", "ORDER_MINUTES"):
            print(f"export WECHATPAY_{key}={value}")
    print("# the fake WeChat Pay server runs until Ctrl-C", flush=True)
    threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
