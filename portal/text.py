"""One rule for every free-text field (DESIGN §5 Free text): names, org names, titles, addresses,
reasons, message bodies, import cells.

Text is stored as people typed it, minus what no person types on purpose and what breaks what comes
after it: control characters (openpyxl refuses them, so one ``张\\x01三`` broke every Excel export above
its branch), zero-width and other invisible format characters, and bidi overrides (a name that reads
one way and sorts another; an org name that looks exactly like its neighbour). Such text is refused
with a Chinese message naming the field, never silently changed. What is normalised: Unicode NFC
(composed and decomposed forms of one character compare equal), the full-width space (U+3000) to an
ordinary space, and surrounding whitespace.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import pgettext

ERR_INVISIBLE = "{label}含有控制字符或不可见字符（如零宽字符、文字方向控制符），请删除后重新输入"
ERR_BLANK = "请填写{label}"

# Format characters people do type: ZWJ/ZWNJ join emoji and some scripts' letters.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
_LINE_BREAKS = frozenset({"\n", "\t"})


def _bad(ch, multiline):
    if multiline and ch in _LINE_BREAKS:
        return False
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs", "Co", "Zl", "Zp"):  # controls, lone surrogates, private use, line/para separators
        return True
    return category == "Cf" and ch not in _ALLOWED_FORMAT


def normalise(value, *, multiline=False):
    """NFC, U+3000 → space, CRLF → LF (multiline), stripped. No refusal here."""
    text = unicodedata.normalize("NFC", str(value)).replace("\u3000", " ")
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def text_problem(value, *, label, multiline=False, required=False):
    """The Chinese reason a text is refused, or None."""
    text = normalise(value or "", multiline=multiline)
    if any(_bad(ch, multiline) for ch in text):
        return ERR_INVISIBLE.format(label=label)
    if required and not text:
        return ERR_BLANK.format(label=label)
    return None


def clean_text(value, *, label, multiline=False, required=False, field=None):
    """The normalised text, or ValidationError with the reason (on ``field`` when given, so that a form
    shows it beside that field)."""
    if problem := text_problem(value, label=label, multiline=multiline, required=required):
        error = ValidationError(problem, code="text")
        raise ValidationError({field: error}) if field else error
    return normalise(value or "", multiline=multiline)


def clean_fields(data, labels, *, multiline=(), errors=None):
    """Clean ``data[field]`` in place for every ``field: label`` in ``labels`` that is present and a string.
    Returns ``{field: message}`` for the refused ones (merged into ``errors`` when given)."""
    errors = {} if errors is None else errors
    for field, label in labels.items():
        value = data.get(field)
        if not isinstance(value, str):
            continue
        if problem := text_problem(value, label=label, multiline=field in multiline):
            errors.setdefault(field, problem)
        else:
            data[field] = normalise(value, multiline=field in multiline)
    return errors


def model_text_labels(model, fields=None):
    """``{field: verbose_name}`` of a model's CharFields/TextFields (all, or those in ``fields``)."""
    from django.db import models

    return {f.name: str(f.verbose_name) for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
            and (fields is None or f.name in fields)}


def clip(value, length):
    """``value`` cut to ``length`` characters, ending in the language's truncation mark when cut:
    Django's ``Truncator(value).chars(length)`` for stored (NFC) text, without its lazy machinery (a
    message list's twenty bodies cost 0.55 ms through it)."""
    if len(value) <= length:
        return value
    mark = pgettext("String to return when truncating text", "%(truncated_text)s…") % {"truncated_text": ""}
    return value[: max(length - len(mark), 0)] + mark
