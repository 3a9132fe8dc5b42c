"""``{% can "coverage.view" event as allowed %}``: ask the permission table from a template."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from antt.core.permissions import can as _can

if TYPE_CHECKING:
    from antt.events.models import Event

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], action: str, event: Event) -> bool:
    request = context.get("request")
    return bool(request is not None and _can(request.user, action, event))


#: The HTML of a gap board row by (language, fix column shown, row): a row is a frozen value, so equal rows
#: render equally whatever the plan version; after a write only new or changed rows are rendered (emptied
#: when it grows past the bound)
_ROW_HTML: dict[tuple[str, bool, Any], str] = {}
_ROW_HTML_BOUND = 20_000


@register.simple_tag
def gap_rows(rows: Any, can_fix: bool) -> str:
    """The ``<tr>`` of each gap board row (``planning/_gap_row.html``), each rendered once per process."""
    from django.template.loader import get_template
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    if len(_ROW_HTML) > _ROW_HTML_BOUND:
        _ROW_HTML.clear()
    language, can_fix = get_language(), bool(can_fix)
    row_template = None
    out = []
    for row in rows:
        key = (language, can_fix, row)
        html = _ROW_HTML.get(key)
        if html is None:
            row_template = row_template or get_template("planning/_gap_row.html")
            html = _ROW_HTML[key] = row_template.render({"row": row, "can_fix": can_fix})
        out.append(html)
    return mark_safe("".join(out))  # noqa: S308 — each piece is a rendered (auto-escaped) template
