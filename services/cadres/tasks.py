"""django-q2 tasks: thin calls into the services (DESIGN §3)."""

from . import contacts, imports


def run_import(import_id):
    return imports.import_run(import_id)


def sync_contact(sync_id):
    return contacts.sync(sync_id)


def contact_retry_due():
    return contacts.retry_due()
