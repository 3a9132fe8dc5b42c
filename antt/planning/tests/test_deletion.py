# mypy: disable-error-code="arg-type, index"
# (factory_boy types a factory call as the factory, not the model it returns)
"""Deleting a site, a post or a programme item from the set-up pages: a confirm page that names what blocks
the delete or goes with it, the same service as the API (one audit entry), a refusal in vi and en."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from antt.audit.models import AuditEntry
from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, RequirementRule, Site
from antt.planning.tests.factories import (
    AssignmentFactory,
    PostFactory,
    ProgrammeItemFactory,
    ProgrammeItemSiteFactory,
    RequirementFactory,
    RequirementRuleFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def test_a_post_without_assignments_is_deleted_after_the_confirm_page(
    as_user: Any, planner: Any, event: Any
) -> None:
    post = PostFactory(event=event, name_en="North gate")
    RequirementFactory(event=event, post=post)
    url = reverse("planning:post-delete", args=[event.code, post.pk])
    client = as_user(planner)
    confirm = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Delete post North gate?" in html
    assert "1 requirement at this post is deleted with it." in html
    assert Post.objects.filter(pk=post.pk).exists()  # opening the page deletes nothing
    done = client.post(url)
    assert done.status_code == 302
    assert done["Location"] == reverse("planning:setup", args=[event.code])
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Requirement.objects.filter(event=event).exists()
    entry = AuditEntry.objects.get(action="planning.delete_post", event_id=event.pk)
    assert (entry.object_id, entry.actor_id) == (str(post.pk), planner.pk)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "still has 1 assignment: remove it in the assignment editor first."),
        ("vi", "vẫn còn 1 phân công: hãy gỡ phân công ở trang Bố trí phân công trước."),
    ],
)
def test_a_post_with_an_assignment_is_refused_in_both_languages(
    as_user: Any, planner: Any, event: Any, settings: Any, lang: str, message: str
) -> None:
    assignment = AssignmentFactory(event=event)
    url = reverse("planning:post-delete", args=[event.code, assignment.post_id])
    client = as_user(planner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get(url)
    assert message in page.content.decode()
    assert 'type="submit" class="danger"' not in page.content.decode()  # no button while it is blocked
    refused = client.post(url)  # a stale page, or a hand-made request: the service refuses the same way
    assert refused.status_code == 409
    assert message in refused.content.decode()
    assert Post.objects.filter(pk=assignment.post_id).exists()
    assert not AuditEntry.objects.filter(action="planning.delete_post").exists()


def test_a_site_with_posts_inner_sites_or_programme_is_refused_with_each_reason(
    as_user: Any, planner: Any, event: Any
) -> None:
    site = SiteFactory(event=event)
    PostFactory(event=event, site=site)
    PostFactory(event=event, site=site)
    SiteFactory(event=event, parent=site)
    ProgrammeItemSiteFactory(item=ProgrammeItemFactory(event=event), site=site)
    response = as_user(planner).post(
        reverse("planning:site-delete", args=[event.code, site.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "still has 2 posts: delete them or move them to another site first." in html
    assert "1 site lies inside it: give it another parent first." in html
    assert "1 programme item takes place there: remove the site from it first." in html
    assert Site.objects.filter(pk=site.pk).exists()


def test_an_empty_site_is_deleted_and_audited(as_user: Any, planner: Any, event: Any) -> None:
    site = SiteFactory(event=event)
    response = as_user(planner).post(reverse("planning:site-delete", args=[event.code, site.pk]))
    assert response.status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()
    assert AuditEntry.objects.filter(action="planning.delete_site", object_id=str(site.pk)).count() == 1


def test_a_programme_item_goes_with_its_rules_and_derived_requirements(
    as_user: Any, planner: Any, event: Any
) -> None:
    from antt.planning import services

    rule = RequirementRuleFactory(programme_item__event=event, headcount=1)
    post = PostFactory(event=event, kind=rule.post_kind)
    ProgrammeItemSiteFactory(item=rule.programme_item, site=post.site)
    services.derive_requirements(rule.programme_item)
    requirement = Requirement.objects.get(programme_item=rule.programme_item)
    assignment = AssignmentFactory(event=event, post=post, requirement=requirement)
    item = rule.programme_item
    url = reverse("planning:item-delete", args=[event.code, item.pk])
    client = as_user(planner)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 requirement rule is deleted with it." in html
    assert "1 requirement derived from its rules is deleted." in html
    assert "1 assignment stays but no longer meets a requirement" in html
    assert client.post(url).status_code == 302
    assert not ProgrammeItem.objects.filter(pk=item.pk).exists()
    assert not RequirementRule.objects.filter(pk=rule.pk).exists()
    assert not Requirement.objects.filter(pk=requirement.pk).exists()
    assert Assignment.objects.filter(pk=assignment.pk).exists()  # the duty stays; coverage lists the orphan
    assert AuditEntry.objects.filter(action="planning.delete_programme_item").count() == 1


def test_the_api_refuses_a_site_with_posts_with_the_same_words(
    as_user: Any, planner: Any, event: Any
) -> None:
    post = PostFactory(event=event)
    response = as_user(planner).delete(
        f"/api/v1/events/{event.code}/sites/{post.site_id}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "still has 1 post: delete it or move it to another site first." in response.content.decode()


@pytest.mark.parametrize("role", ["observer", "dispatcher", "field_officer"])
def test_roles_that_do_not_plan_can_neither_open_nor_delete(
    as_user: Any, request: Any, event: Any, role: str
) -> None:
    post = PostFactory(event=event)
    client = as_user(request.getfixturevalue(role))
    url = reverse("planning:post-delete", args=[event.code, post.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_the_edit_pages_link_to_their_delete_step(as_user: Any, planner: Any, event: Any) -> None:
    post = PostFactory(event=event)
    item = ProgrammeItemFactory(event=event)
    client = as_user(planner)
    for edit, delete, pk in (
        ("planning:site-edit", "planning:site-delete", post.site_id),
        ("planning:post-edit", "planning:post-delete", post.pk),
        ("planning:item-edit", "planning:item-delete", item.pk),
    ):
        html = client.get(reverse(edit, args=[event.code, pk])).content.decode()
        assert reverse(delete, args=[event.code, pk]) in html
