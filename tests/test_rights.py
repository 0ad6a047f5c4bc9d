"""Who may publish and discard drafts, and the login lockout that cannot be turned
into a weapon (issue 16)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.auth.models import Group, Permission

from documents.models import DocumentVersion, VersionDraft
from tests.test_upload import V1, draft_url, md, new_doc_data, post_upload

pytestmark = pytest.mark.django_db


def staff_user(django_user_model, name, *groups):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


def upload_as(client, user) -> VersionDraft:
    client.force_login(user)
    post_upload(client, **new_doc_data(), file=md(V1))
    return VersionDraft.objects.get(created_by=user)


def test_migration_creates_the_groups_with_the_permission():
    perm = Permission.objects.get(codename="publish_version", content_type__app_label="documents")
    assert perm in Group.objects.get(name="Publishers").permissions.all()
    assert {"publish_version", "review_drafts"} <= set(
        Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True))


def test_staff_without_the_permission_can_upload_and_preview_but_not_publish(client, django_user_model):
    user = staff_user(django_user_model, "clerk")
    draft = upload_as(client, user)
    preview = client.get(draft_url(draft))
    assert preview.status_code == 200
    assert b">Publish" not in preview.content  # no button that would only answer 403
    response = client.post(draft_url(draft, "publish"))
    assert response.status_code == 403
    assert "publish versions" in response.content.decode()
    assert not DocumentVersion.objects.exists() and VersionDraft.objects.filter(pk=draft.pk).exists()


def test_a_publisher_cannot_publish_or_discard_someone_elses_draft(client, django_user_model):
    author = staff_user(django_user_model, "author", "Publishers")
    other = staff_user(django_user_model, "other", "Publishers")
    draft = upload_as(client, author)
    client.force_login(other)
    assert client.post(draft_url(draft, "publish")).status_code == 403
    assert client.post(draft_url(draft, "discard")).status_code == 403
    assert VersionDraft.objects.filter(pk=draft.pk).exists() and not DocumentVersion.objects.exists()


def test_a_reviewer_publishes_someone_elses_draft_and_it_is_logged(client, django_user_model):
    author = staff_user(django_user_model, "author", "Publishers")
    reviewer = staff_user(django_user_model, "reviewer", "Reviewers")
    draft = upload_as(client, author)
    client.force_login(reviewer)
    assert client.post(draft_url(draft, "publish")).status_code == 302
    version = DocumentVersion.objects.get()
    assert version.added_by == reviewer
    assert LogEntry.objects.filter(user=reviewer, action_flag=ADDITION, object_id=str(version.pk)).exists()


def test_the_author_discards_their_own_draft_and_it_is_logged(client, django_user_model):
    author = staff_user(django_user_model, "clerk")  # no publish permission needed to discard
    draft = upload_as(client, author)
    assert client.post(draft_url(draft, "discard")).status_code == 302
    assert not VersionDraft.objects.exists()
    assert LogEntry.objects.filter(user=author, action_flag=DELETION, object_id=str(draft.pk)).exists()


# --- Lockout ---------------------------------------------------------------------

LOGIN = "/admin/login/"


@pytest.fixture
def axes(settings):
    from axes.handlers.proxy import AxesProxyHandler

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    AxesProxyHandler.implementation = None  # rebuilt from the settings above
    yield
    AxesProxyHandler.implementation = None


def attempt(client, password, addr, **headers):
    return client.post(LOGIN, {"username": "owner", "password": password, "next": "/admin/"},
                       REMOTE_ADDR=addr, **headers)


def test_lockout_is_by_username_and_address_together(client, django_user_model, axes):
    django_user_model.objects.create_user("owner", password="right-password-123", is_staff=True)
    for _ in range(3):
        attempt(client, "wrong", "203.0.113.9")
    assert attempt(client, "right-password-123", "203.0.113.9").status_code == 429  # the attacker's address
    # The owner, from another address, still gets in.
    assert attempt(client, "right-password-123", "198.51.100.7").status_code == 302


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(client, django_user_model, axes, settings):
    settings.PORTAL_TRUSTED_PROXIES = 1  # one proxy, which appends the address it saw
    django_user_model.objects.create_user("owner", password="right-password-123", is_staff=True)
    proxy = "10.0.0.1"
    for _ in range(3):
        # The attacker also forges an entry, claiming to be the owner's address.
        attempt(client, "wrong", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    # Everyone arrives from the proxy's address, but only the attacker is locked out.
    assert attempt(client, "right-password-123", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    assert attempt(client, "right-password-123", proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


def test_staff_can_unlock_in_the_admin(admin_client, django_user_model):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="owner", ip_address="203.0.113.9", failures_since_start=5,
                                 user_agent="x", get_data="", post_data="", http_accept="", path_info="/")
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and b"owner" in page.content
    attempt_pk = AccessAttempt.objects.get().pk
    admin_client.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt_pk], "post": "yes"})
    assert not AccessAttempt.objects.exists()


# --- Implausible dates ---------------------------------------------------------

@pytest.mark.parametrize("date", ["9999-12-31", "1985-06-01"])
def test_an_implausible_date_is_refused_unless_confirmed(client, django_user_model, date):
    user = staff_user(django_user_model, "editor", "Publishers")
    client.force_login(user)
    response = post_upload(client, **{**new_doc_data(), "effective_date": date}, file=md(V1))
    assert response.status_code == 400
    assert "The effective date is right" in response.content.decode()
    assert not VersionDraft.objects.exists()
    response = post_upload(client, **{**new_doc_data(), "effective_date": date, "confirm_date": "on"}, file=md(V1))
    assert response.status_code == 302 and VersionDraft.objects.get().effective_date.isoformat() == date
