"""Every URL pattern of the project, walked from the root resolver, and how to build a path for one."""

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_META = re.compile(r"[\\.^$*+?{}\[\]|()]")


@dataclass(frozen=True)
class Url:
    route: str  # the full route as written in the urlconfs, e.g. "manage/orgs/<int:pk>/"
    name: str | None  # namespaced, e.g. "orgtree:detail"; None for unnamed patterns
    pieces: tuple = field(repr=False, compare=False)  # the pattern objects from the root down
    callback: object = field(repr=False, compare=False)

    @property
    def key(self):
        """How the registry names the URL: its name, or its route when it has none."""
        return self.name or self.route

    @property
    def params(self):
        """Parameter names of route pieces, in order (a non-literal regex piece needs a whole example path)."""
        names = []
        for piece in self.pieces:
            if isinstance(piece, RoutePattern):
                names += [m["parameter"] for m in _ROUTE_PARAM.finditer(piece._route)]
        return names

    @property
    def accepts_post(self):
        """False only when the view says so: a class-based view without ``post`` (or a REST viewset
        route without a POST action). A function view cannot tell, so it is POSTed to."""
        actions = getattr(self.callback, "actions", None)
        if actions is not None:
            return "post" in actions
        view_class = getattr(self.callback, "view_class", None)
        return view_class is None or hasattr(view_class, "post")

    @property
    def needs_example(self):
        """A regex piece that is more than a literal: no generic way to fill it, the registry gives the whole path."""
        return any(isinstance(p, RegexPattern) and _regex_literal(p.regex.pattern) is None for p in self.pieces)

    def build(self, values):
        """The request path for these parameter values."""
        out = []
        for piece in self.pieces:
            if isinstance(piece, RoutePattern):
                def fill(m, piece=piece):
                    return piece.converters[m["parameter"]].to_url(values[m["parameter"]])
                out.append(_ROUTE_PARAM.sub(fill, piece._route))
            elif isinstance(piece, RegexPattern):
                literal = _regex_literal(piece.regex.pattern)
                if literal is None:
                    raise ValueError(f"{self.route}: regex piece {piece.regex.pattern!r} needs an example path")
                out.append(literal)
            elif isinstance(piece, LocalePrefixPattern):
                out.append(piece.language_prefix)
            else:  # pragma: no cover - a new pattern class in Django
                raise TypeError(f"{self.route}: unknown pattern {piece!r}")
        return "/" + "".join(out)

    def resolves_here(self, path):
        """Whether ``path`` reaches this very pattern (and not one listed before it)."""
        try:
            match = resolve(path.split("?")[0])
        except Exception:  # noqa: BLE001 - Resolver404 and converter errors alike
            return False
        # Django drops the anchors of included regex pieces from ``match.route``.
        return match.route.replace("^", "") == self.route.replace("^", "") and match.func == self.callback


def _regex_literal(pattern):
    """``^pages/`` → ``pages/``; None when the regex is more than a literal."""
    body = pattern.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    unescaped = re.sub(r"\\(.)", r"\1", body)
    if _REGEX_META.search(re.sub(r"\\.", "", body)):
        return None
    return unescaped


def all_urls(resolver=None):
    """Every URLPattern reachable from the root urlconf, each with its full route and namespaced name."""
    urls = []

    def walk(res, pieces, namespace):
        for p in res.url_patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p, pieces + (p.pattern,), ns)
            elif isinstance(p, URLPattern):
                name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
                chain = pieces + (p.pattern,)
                urls.append(Url(route="".join(str(x) for x in chain), name=name, pieces=chain,
                                callback=p.callback))

    walk(resolver or get_resolver(), (), None)
    return urls
