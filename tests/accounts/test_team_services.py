"""The team services' rules on their own: who may manage members and tokens, whatever the face calling them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from accounts.models import ApiToken, Membership
from accounts.permissions import Actor
from accounts.services import (
    membership_add,
    membership_change_role,
    membership_remove,
    token_create,
    token_issue,
    token_revoke,
    usable_scopes,
)
from cms import errors
from locales.sites import site_update
from tests.editor.conftest import member


def as_(user, site) -> Actor:
    role = Membership.objects.filter(user=user, site=site).values_list("role", flat=True).first()
    return Actor(user=user, site=site, role=role)


@pytest.fixture
def team(site):
    return member(site, "olivia", "owner"), member(site, "eddie", "editor")


def test_usable_scopes_follow_the_role_rules():
    assert usable_scopes("viewer") == {"read", "preview"}
    assert usable_scopes("translator") == {"read", "preview", "write"}
    assert usable_scopes("editor") == usable_scopes("owner") == {"read", "write", "publish", "preview"}
    assert usable_scopes(None) == frozenset()


def test_non_owners_manage_nothing(site, team):
    owner, editor = team
    get_user_model().objects.create_user("newbie")
    boss = Membership.objects.get(user=owner, site=site)
    with pytest.raises(errors.Forbidden):
        membership_add(actor=as_(editor, site), username="newbie", role="editor")
    with pytest.raises(errors.Forbidden):
        membership_change_role(actor=as_(editor, site), membership=boss, role="viewer")
    with pytest.raises(errors.Forbidden):
        membership_remove(actor=as_(editor, site), membership=boss)
    with pytest.raises(errors.Forbidden):
        site_update(actor=as_(editor, site), name="X", timezone_name="UTC", is_public=True)
    assert Membership.objects.filter(site=site).count() == 2 and boss.role == "owner"


def test_an_owner_of_one_site_cannot_touch_another_sites_members(site, other_site, team):
    owner, _ = team
    theirs = member(other_site, "stranger", "editor")
    membership = Membership.objects.get(user=theirs)
    with pytest.raises(errors.NotFound):
        membership_change_role(actor=as_(owner, site), membership=membership, role="owner")
    assert Membership.objects.get(user=theirs).role == "editor"


def test_tokens_for_others_are_an_owners_business(site, team):
    owner, editor = team
    with pytest.raises(errors.Forbidden):
        token_issue(actor=as_(editor, site), user=owner, scopes=["read"])
    token, _ = token_issue(actor=as_(owner, site), user=editor, scopes=["read", "publish"])
    bosses, _ = token_create(user=owner, site=site)
    with pytest.raises(errors.Forbidden):
        token_revoke(actor=as_(editor, site), token=bosses)
    token_revoke(actor=as_(editor, site), token=token)  # their own
    assert ApiToken.objects.get(pk=bosses.pk).revoked_at is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_token_cannot_be_revoked_through_another_site(site, other_site, team):
    owner, _ = team
    stranger = member(other_site, "stranger", "owner")
    theirs, _ = token_create(user=stranger, site=other_site)
    with pytest.raises(errors.Forbidden):
        token_revoke(actor=as_(owner, site), token=theirs)
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
