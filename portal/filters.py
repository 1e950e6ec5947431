"""List filters that take an ID number without putting it in a URL (issue: ID numbers never in a URL).

A GET filter writes its values into the address, and so into every access log, proxy log and the
browser's history. Lists that can be filtered by 身份证号 post their filter form instead; the
sensitive values are kept in the session under a short-lived random token and the browser is sent
back to an ordinary GET address carrying only the token (``sq``), so paging, "back" and the export
link keep working and no log ever sees the number.
"""

import secrets
import time

from django.http import HttpResponseRedirect

SESSION_KEY = "sensitive_filters"
TOKEN_PARAM = "sq"
TTL_SECONDS = 3600
MAX_TOKENS = 20  # per session: old ones are dropped


def _store(request):
    now = time.time()
    store = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v.get("exp", 0) > now}
    return store, now


def bind_filter_form(request, form_class, *, sensitive=("id_number",)):
    """``(form, redirect)``: on POST, a redirect to the GET address holding a token for the sensitive
    values; on GET, the form bound to the query string with the token's values put back.
    Sensitive values written straight into a query string are ignored, never searched."""
    if request.method == "POST":
        data = request.POST.copy()
        data.pop("csrfmiddlewaretoken", None)
        hidden = {name: data.pop(name)[-1].strip() for name in sensitive if name in data and data.get(name, "").strip()}
        data.pop(TOKEN_PARAM, None)
        for key in [k for k, v in data.lists() if not any(v)]:
            data.pop(key)
        if hidden:
            store, now = _store(request)
            token = secrets.token_urlsafe(12)
            store[token] = {"values": hidden, "exp": now + TTL_SECONDS}
            request.session[SESSION_KEY] = dict(sorted(store.items(), key=lambda kv: kv[1]["exp"])[-MAX_TOKENS:])
            data[TOKEN_PARAM] = token
        query = data.urlencode()
        return None, HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
    data = request.GET.copy()
    for name in sensitive:
        data.pop(name, None)
    token = data.get(TOKEN_PARAM)
    if token:
        store, _ = _store(request)
        data.update(store.get(token, {}).get("values", {}))
    return form_class(data or None), None


def query_without(request, *names):
    """The current query string (the token included) without paging parameters, for links."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
