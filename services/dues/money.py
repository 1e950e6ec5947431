"""Money in the dues app: ``Decimal`` with two places, rounded half-up once, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def yuan(value):
    """Two places, half-up: the one rounding every amount gets (a bill's, a retained share's)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_yuan(text):
    """A typed amount as Decimal, or None when it is not a number with at most two decimals."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        return None
    return value.quantize(CENT)


def to_fen(amount):
    """Yuan → fen, at the WeChat Pay boundary only."""
    return int(yuan(amount) * 100)


def from_fen(fen):
    return (Decimal(int(fen)) / 100).quantize(CENT)
