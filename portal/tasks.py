"""django-q2 tasks of the portal itself (DESIGN §3: thin calls)."""

from . import jobs


def sweep_jobs():
    return jobs.sweep()
