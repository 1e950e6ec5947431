"""Reading numbers from query strings and forms: a malformed value is "not given", never a 500."""


def int_or_none(value, *, minimum=1):
    """``value`` as an int ≥ ``minimum``, or None when absent or malformed (``?after=abc``)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= minimum and number < 2**63 else None


def int_list(values, *, minimum=1):
    """The well-formed ints of a list of strings, malformed ones dropped, order kept, no repeats."""
    return list(dict.fromkeys(n for v in values or () if (n := int_or_none(v, minimum=minimum)) is not None))
