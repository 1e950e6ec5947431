import pytest

from pages.demo import seed_content


@pytest.fixture
def content(tree, tmp_path, django_capture_on_commit_callbacks):
    """The demo help center and announcements (search indexing runs on commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        seed_content(logins_file=tmp_path / "logins.txt")
