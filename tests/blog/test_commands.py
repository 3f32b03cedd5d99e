import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_local_admin_is_created_once_with_debug_on(settings, capsys):
    settings.DEBUG = True

    call_command("create_local_admin")
    first = capsys.readouterr().out
    call_command("create_local_admin")
    second = capsys.readouterr().out

    password = first.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert second == ""


def test_no_local_admin_with_debug_off(capsys):
    call_command("create_local_admin")

    assert "DEBUG is off" in capsys.readouterr().out
    assert not get_user_model().objects.exists()
