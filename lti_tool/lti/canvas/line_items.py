"""The tool's gradebook column in Canvas: which line item a score goes to, and how one is made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def link_line_item(found: Sequence[dict[str, Any]], resource_id: str) -> str | None:
    """Among a resource link's line items, the tool's own for this resource, else the first."""
    if not found:
        return None
    matching = [item for item in found if item.get("resourceId") == resource_id]
    return str((matching or found)[0]["id"])


def new_line_item(*, label: str, score_maximum: float, resource_id: str) -> dict[str, Any]:
    """A new assignment's line item. `resourceLinkId` is never sent on create: Canvas would add
    a second, non-primary line item that does not reach the gradebook, or refuse a plain module
    link."""
    return {"label": label, "scoreMaximum": score_maximum, "resourceId": resource_id}
