"""Database constraints whose violations read as a reason on a field, not as a constraint's name.

Every constraint of the project carries a Chinese ``violation_error_message`` and a
``violation_error_code`` (tests/portal/test_constraint_messages.py walks them all). A one-field
``UniqueConstraint`` with code ``"unique"`` is reported on its field by Django itself; a
:class:`FieldCheckConstraint` names the form field its violation belongs to.

Services check the same rules first with their own messages; these are the last line, for what
reaches ``full_clean`` (ModelForms in the CMS, the Django admin) or the database.
"""

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models


class FieldCheckConstraint(models.CheckConstraint):
    """A ``CheckConstraint`` whose violation is reported on ``field``.

    ``field`` is a validation aid like the message, not part of the database constraint:
    ``deconstruct()`` leaves it out and names the plain ``CheckConstraint``, so migrations see only
    an ``AlterConstraint`` of the message and nothing is dropped or re-created in the database.
    """

    def __init__(self, *, field, **kwargs):
        super().__init__(**kwargs)
        self.field = field

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as exc:
            raise ValidationError({self.field: exc.error_list}) from None

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs

    def clone(self):
        _path, args, kwargs = super().deconstruct()
        return self.__class__(*args, field=self.field, **kwargs)

    def __eq__(self, other):
        if isinstance(other, FieldCheckConstraint) and self.field != other.field:
            return False
        return super().__eq__(other)
