"""THE rule for "may read this document", used by every page, download, API call and the demo.

May read = an active member of the document's event, whose clearance is at least the document's
classification, the document in use, and either the custodian, or holding a grant in force now:
- a person grant naming them;
- a unit grant naming their officer's unit (or a unit above it, when the grant includes sub-units);
- a duty grant naming a post or programme item where the roster assigns their officer at a time that
  overlaps the grant's window — so a re-plan that moves the duty moves the access.
Everything else is "not found" to the reader (the uniform 404 of the app).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from antt.documents.models import Document, Grant
from antt.forces.models import Officer, Unit
from antt.planning.models import Assignment


@dataclass(frozen=True)
class Reader:
    """What the rule needs to know about one reader in one event (read once per request)."""

    user_id: int
    clearance: int
    officer_id: int | None = None
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # the officer's unit and the units above it
    own_unit_id: int | None = None


def reader_for(user: Any, event: Any) -> Reader | None:
    membership = event.membership_for(user)
    if membership is None or not membership.is_active:
        return None
    officer = Officer.objects.filter(event=event, user=user).values("pk", "unit_id").first()
    if officer is None:
        return Reader(user.pk, membership.clearance)
    parents = dict(Unit.objects.filter(event=event).values_list("pk", "parent_id"))
    chain: list[int] = []
    unit: int | None = officer["unit_id"]
    while unit is not None and unit not in chain:
        chain.append(unit)
        unit = parents.get(unit)
    return Reader(user.pk, membership.clearance, officer["pk"], frozenset(chain), officer["unit_id"])


def grants_in_force(at: datetime) -> Q:
    return Q(state=Grant.State.ACTIVE, valid_from__lte=at, valid_until__gt=at)


def _grant_matches(grant: Grant, reader: Reader, duties: set[tuple[str, int]]) -> bool:
    if grant.kind == Grant.Kind.PERSON:
        return grant.user_id == reader.user_id
    if grant.kind == Grant.Kind.UNIT:
        if grant.include_subunits:
            return grant.unit_id in reader.unit_ids
        return grant.unit_id == reader.own_unit_id
    return ("post", grant.post_id or 0) in duties or ("item", grant.programme_item_id or 0) in duties


def _duties(reader: Reader, grants: Iterable[Grant]) -> set[tuple[str, int]]:
    """The duty grants' posts and programme items where the roster puts this reader inside the window."""
    wanted = [g for g in grants if g.kind == Grant.Kind.DUTY]
    if reader.officer_id is None or not wanted:
        return set()
    window = Q()
    for g in wanted:
        target = Q(post_id=g.post_id) if g.post_id else Q(requirement__programme_item_id=g.programme_item_id)
        window |= target & Q(starts_at__lt=g.valid_until, ends_at__gt=g.valid_from)
    rows = Assignment.objects.filter(window, officer_id=reader.officer_id).values_list(
        "post_id", "requirement__programme_item_id"
    )
    found: set[tuple[str, int]] = set()
    for post_id, item_id in rows:
        found.add(("post", post_id))
        if item_id:
            found.add(("item", item_id))
    return found


def may_read(reader: Reader | None, document: Document, at: datetime) -> bool:
    if (
        reader is None
        or document.state != Document.State.ACTIVE
        or reader.clearance < document.classification
    ):
        return False
    if document.custodian_id == reader.user_id:
        return True
    grants = list(document.grants.filter(grants_in_force(at)))
    duties = _duties(reader, grants)
    return any(_grant_matches(g, reader, duties) for g in grants)


def readable(reader: Reader | None, event: Any, at: datetime) -> QuerySet[Document]:
    """Every document of ``event`` that ``reader`` may read at ``at`` (three queries, whatever the size)."""
    if reader is None:
        return Document.objects.none()
    base = Document.objects.filter(
        event=event, state=Document.State.ACTIVE, classification__lte=reader.clearance
    )
    grants = list(
        Grant.objects.filter(grants_in_force(at), document__in=base).only(
            "pk",
            "document_id",
            "kind",
            "user_id",
            "unit_id",
            "include_subunits",
            "post_id",
            "programme_item_id",
            "valid_from",
            "valid_until",
        )
    )
    duties = _duties(reader, grants)
    ids = {g.document_id for g in grants if _grant_matches(g, reader, duties)}
    return base.filter(Q(pk__in=ids) | Q(custodian_id=reader.user_id))
