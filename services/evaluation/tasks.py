"""django-q2 tasks: thin calls into the services (DESIGN §3)."""

from . import archive_jobs


def run_archive_job(job_id):
    return archive_jobs.archive_job_run(job_id)
