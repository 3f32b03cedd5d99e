from pathlib import Path

import pytest

from tests.factories.blog import UserFactory


@pytest.fixture
def stored_files(settings):
    """Every file under MEDIA_ROOT now, as paths relative to it."""

    def files() -> set[str]:
        root = Path(settings.MEDIA_ROOT)
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    return files


@pytest.fixture
def chief_client(client, db):
    """A superuser in the admin (the Editors group's permissions are tested apart)."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the code defers to after commit (renditions, file deletion) at once."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run
