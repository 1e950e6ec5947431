"""Password rules (letters and digits, at least one of each, ≥ 8) and one-time passwords."""

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

PASSWORD_RULE_TEXT = "密码须为8位或以上字母与数字的组合"
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lIo")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    # Django 5.2's zh-hans catalogue lacks this message, so it is given here in Chinese.
    def get_error_message(self):
        return f"密码长度太短，至少需要{self.min_length}个字符"

    def get_help_text(self):
        return f"密码至少需要{self.min_length}个字符"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "密码与账号信息过于相似"

    def get_help_text(self):
        return "密码不能与账号信息过于相似"


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
