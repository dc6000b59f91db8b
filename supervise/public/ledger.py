"""Public rectification progress (整改进展): how many problems are rectified and closed, of how many,
by source, and the closed items' summaries — masked like every public text, never an enterprise."""

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from supervise import paging
from supervise.domain import ledger
from supervise.models import LedgerItem, LedgerSource, LedgerState, Ticket
from supervise.public import bp
from supervise.web import public_page

PAGE_SIZE = 20


@bp.route("/rectification")
@public_page
def rectification():
    """X of Y rectified and closed, overall and by source; the closed items' public summaries, newest first."""
    overall, per_source = ledger.progress(ledger.counts())
    source = request.args.get("source", "")
    where = [LedgerItem.state == LedgerState.CLOSED]
    if source in {s.value for s in LedgerSource}:
        where.append(LedgerItem.source == LedgerSource(source))
    else:
        source = ""
    query = (
        select(LedgerItem)
        .where(*where)
        .options(joinedload(LedgerItem.unit), selectinload(LedgerItem.tickets).joinedload(Ticket.enterprise))
    )
    page = paging.keyset_page(
        query,
        (LedgerItem.id,),
        per_page=PAGE_SIZE,
        endpoint=".rectification",
        args={"source": source} if source else {},
    )
    return render_template(
        "public/rectification.html",
        overall=overall,
        per_source=per_source,
        page=page,
        source=source,
        ledger=ledger,
    )
