"""Trees of units and categories for the admin pages, and the form options built from them."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from supervise.admin.forms import NONE, option
from supervise.extensions import db
from supervise.models import Area, Category, Unit, UnitKind


@dataclass
class Node:
    item: Unit | Category
    depth: int


def _children_map(rows: Iterable) -> dict[int | None, list]:
    """Rows grouped by parent id (in sort order); a row whose parent is missing counts as a root."""
    rows = list(rows)
    ids = {r.id for r in rows}
    children: dict[int | None, list] = defaultdict(list)
    for row in rows:
        children[row.parent_id if row.parent_id in ids else None].append(row)
    for siblings in children.values():
        siblings.sort(key=lambda r: (r.sort, r.name, r.id))
    return children


def tree(rows: Iterable) -> list[Node]:
    """Depth-first order with depths, built in Python from one query's rows."""
    children = _children_map(rows)
    out: list[Node] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for row in children.get(parent_id, []):
            if row.id in seen:  # a cycle in old data must not hang the page
                continue
            seen.add(row.id)
            out.append(Node(row, depth))
            walk(row.id, depth + 1)

    walk(None, 0)
    return out


def descendant_ids(rows: Iterable, root_id: int) -> set[int]:
    children = _children_map(rows)
    found: set[int] = set()
    stack = [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child.id not in found:
                found.add(child.id)
                stack.append(child.id)
    return found


def label(item: Unit | Category | Area, name: str | None = None) -> str:
    """An option's text: the name, marked when the item is inactive."""
    return (name or item.name) + ("" if item.active else " " + _("(inactive)"))


def indented(node: Node) -> str:
    return "\u2003" * node.depth + label(node.item)


def unit_choices(units: list[Unit], none_label: str, leads_only: bool = False) -> list[SelectChoice]:
    """The units as an indented tree; ``leads_only``: without the office, which never leads on a ticket."""
    return [option(NONE, none_label)] + [
        option(n.item.id, indented(n)) for n in tree(units) if not (leads_only and n.item.kind == UnitKind.OFFICE)
    ]


def all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit)))
