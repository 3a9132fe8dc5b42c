"""The shape every audited create/update/delete service shares (forces, planning, plans, interop use it).

Permission first, then ``full_clean()`` (one-row rules and constraints, messages translated), then the
save and one audit entry with the before/after diff. The caller holds the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid
from antt.core.permissions import EventLike, require

M = TypeVar("M", bound=models.Model)


def full_clean(obj: models.Model) -> None:
    """``full_clean()`` with the first error as ``Invalid`` (field named when there is one)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(" ".join(messages), field=None if field == "__all__" else field) from exc


def same_event(event: EventLike, **objects: Any) -> None:
    """Refuse a reference to an object of another event (it should be invisible, so: unknown)."""
    for name, obj in objects.items():
        if obj is not None and obj.event_id != event.pk:
            raise Invalid(_("Unknown %(field)s in this event.") % {"field": name}, field=name)


def save(obj: models.Model) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a race the full_clean() could not see
        raise Conflict(_("This conflicts with another record; reload and try again.")) from exc


def create(
    *,
    actor: Any,
    action: str,
    event: EventLike,
    obj: M,
    fields: Iterable[str],
    audit_action: str,
    search: bool = False,
) -> M:
    require(actor, action, event)
    full_clean(obj)
    if search:
        obj.refresh_search_text()  # type: ignore[attr-defined]
    save(obj)
    audit.record(
        actor=actor,
        action=audit_action,
        target=obj,
        event=event,
        changes=audit.diff({}, audit.snapshot(obj, fields)),
    )
    return obj


def update(
    *,
    actor: Any,
    action: str,
    event: EventLike,
    obj: M,
    changes: Mapping[str, Any],
    allowed: Iterable[str],
    fields: Iterable[str],
    audit_action: str,
    search: bool = False,
) -> tuple[M, dict[str, list[Any]]]:
    """Apply ``changes`` (only ``allowed`` fields) to a locked copy of ``obj``; return it and the diff."""
    require(actor, action, event)
    unknown = set(changes) - set(allowed)
    if unknown:
        raise Invalid(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    fields = tuple(fields)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = audit.snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    full_clean(obj)
    if search:
        obj.refresh_search_text()  # type: ignore[attr-defined]
    save(obj)
    delta = audit.diff(before, audit.snapshot(obj, fields))
    if delta:
        audit.record(actor=actor, action=audit_action, target=obj, event=event, changes=delta)
    return obj, delta


def delete(
    *, actor: Any, action: str, event: EventLike, obj: models.Model, fields: Iterable[str], audit_action: str
) -> None:
    require(actor, action, event)
    before = audit.snapshot(obj, fields)
    target_repr, target_id, label = str(obj), obj.pk, obj._meta.label_lower
    try:
        with transaction.atomic():
            type(obj)._default_manager.filter(pk=target_id).delete()
    except ProtectedError as exc:
        raise Conflict(
            _("%(object)s is still used by other records; remove those first.") % {"object": target_repr}
        ) from exc
    audit.record(
        actor=actor,
        action=audit_action,
        event=event,
        object_type=label,
        object_id=str(target_id),
        object_repr=target_repr,
        changes=audit.diff(before, {}),
    )
