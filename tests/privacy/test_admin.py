"""Editors run exports and erasures from the admin; each run is recorded."""

import json

import pytest
from django.urls import reverse

from newsletter.models import Subscriber
from privacy.admin import NOT_AN_EXPORT
from privacy.models import PrivacyRequest
from tests.factories.privacy import PrivacyRequestFactory
from tests.privacy.conftest import ADDRESS

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:privacy_privacyrequest_changelist"


@pytest.fixture
def superuser_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    return client, admin


def test_editor_adds_a_request_recorded_as_theirs(superuser_client):
    client, admin = superuser_client

    response = client.post(
        reverse("admin:privacy_privacyrequest_add"),
        {"email": ADDRESS, "kind": "erase", "comments": "delete"},
    )

    assert response.status_code == 302
    request = PrivacyRequest.objects.get()
    assert (request.source, request.requested_by, request.status) == ("admin", admin, "awaiting")


def test_export_action_downloads_json_and_marks_the_request_done(superuser_client, held_data):
    client, _ = superuser_client
    request = PrivacyRequestFactory(email=ADDRESS)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_personal_data", "_selected_action": [request.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert len(json.loads(response.content)["comments"]) == 2
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.DONE


def test_erase_action_erases_and_reports(superuser_client, held_data):
    client, _ = superuser_client
    request = PrivacyRequestFactory(email=ADDRESS, erase=True)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "erase_personal_data", "_selected_action": [request.pk]},
        follow=True,
    )

    assert "comments anonymised: 2" in response.content.decode()
    assert not Subscriber.objects.filter(pk=held_data["subscriber"].pk).exists()


def test_export_action_refuses_an_erasure_request(superuser_client, held_data):
    client, _ = superuser_client
    request = PrivacyRequestFactory(email=ADDRESS, erase=True)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_personal_data", "_selected_action": [request.pk]},
        follow=True,
    )

    assert NOT_AN_EXPORT in response.content.decode()
    assert Subscriber.objects.filter(pk=held_data["subscriber"].pk).exists()


def test_requests_cannot_be_deleted_from_the_admin(superuser_client):
    client, _ = superuser_client
    request = PrivacyRequestFactory()

    response = client.get(reverse("admin:privacy_privacyrequest_delete", args=[request.pk]))

    assert response.status_code == 403
