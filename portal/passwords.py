"""Password rules (letters and digits, at least one of each, ≥ 8) and one-time passwords."""

import secrets
import string

from django.core.exceptions import ValidationError

PASSWORD_RULE_TEXT = "密码须为8位或以上字母与数字的组合"
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lIo")


class LettersAndDigitsValidator:
    def validate(self, password, user=None):
        if not (password.isascii() and password.isalnum()):
            raise ValidationError("密码只能包含字母和数字", code="password_not_alnum")
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError("密码必须同时包含字母和数字", code="password_needs_letters_and_digits")

    def get_help_text(self):
        return PASSWORD_RULE_TEXT


def generate_password(length=10):
    """A random initial password, shown once. No ambiguous characters (0/O, 1/l/I)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate
