"""Cross-zone forwarding (跨域转办) over Open311 GeoReport v2: what crosses to the peer, how it is
posted, and how the peer's answer comes back onto the local timeline.

What crosses (see README): the complaint's text masked as on the public pages, the peer's
service code for the category, the company's credit code and name (the peer's Open311 intake files
every complaint as a company's, and the responsible party there must know whose problem it handles),
and the contact's mobile so that its units can reach the company. Not the contact's name or e-mail,
the attachments, the internal notes or the timeline.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from supervise.domain.redaction import redact, terms_for
from supervise.domain.workflow.engine import record
from supervise.models import Forwarding, Peer, Ticket

TIMEOUT_SECONDS = 10


class PeerError(Exception):
    """The peer could not be reached or refused the request (retried later)."""


def service_code_for(peer: Peer, ticket: Ticket) -> str | None:
    """The peer's service code for the ticket's category (None when the peer has no mapping for it)."""
    return (peer.service_codes or {}).get(str(ticket.category_id))


def client_request_id(ticket: Ticket) -> str:
    """The same on every attempt: the peer files one complaint however often a retry posts it."""
    return f"forward-{ticket.tracking_no}"


def payload(forwarding: Forwarding) -> dict[str, str]:
    """The form of the POST: only what the peer needs to handle the complaint (see the module's doc)."""
    t = forwarding.ticket
    data = {
        "api_key": forwarding.peer.api_key,
        "service_code": forwarding.service_code,
        "description": redact(t.description, terms_for(t))[:4000],
        "attribute[credit_code]": t.enterprise.credit_code,
        "attribute[company_name]": t.enterprise.name,
        "attribute[client_request_id]": client_request_id(t),
        # The company's choice about publication travels with its complaint.
        "attribute[publish_consent]": "true" if t.publish_consent else "false",
    }
    if t.contact_mobile:
        data["phone"] = t.contact_mobile
    return data


def _call(url: str, data: dict | None = None) -> object:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310 (admin-given URL)
            return json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        text = err.read().decode("utf-8", "replace")[:500]
        raise PeerError(f"HTTP {err.code}: {text}") from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise PeerError(f"{type(err).__name__}: {err}") from None


def _url(peer: Peer, path: str) -> str:
    return peer.base_url.rstrip("/") + "/" + path


def post(forwarding: Forwarding) -> str:
    """POST the request to the peer; its service_request_id. Raises :class:`PeerError`."""
    answer = _call(_url(forwarding.peer, "requests.json"), payload(forwarding))
    try:
        return str(answer[0]["service_request_id"])
    except (KeyError, IndexError, TypeError):
        raise PeerError(f"unexpected answer: {str(answer)[:300]}") from None


def fetch(forwarding: Forwarding) -> dict:
    """The peer's public representation of the forwarded request. Raises :class:`PeerError`."""
    rid = urllib.parse.quote(forwarding.remote_id or "", safe="")
    answer = _call(_url(forwarding.peer, f"requests/{rid}.json"))
    if not isinstance(answer, list) or not answer or not isinstance(answer[0], dict):
        raise PeerError(f"unexpected answer: {str(answer)[:300]}")
    return answer[0]


def record_sent(forwarding: Forwarding, remote_id: str, at: datetime) -> None:
    """The peer took the request: keep its number and say so on the timeline (the enterprise sees it)."""
    forwarding.remote_id = remote_id
    forwarding.status, forwarding.sent_at, forwarding.last_error = "sent", at, None
    t = forwarding.ticket
    data = {"peer": forwarding.peer.name, "zone": forwarding.peer.zone, "remote_id": remote_id}
    record(t, "forward_received", None, t.state, t.state, at, public=True, data=data)


def record_status(forwarding: Forwarding, remote: dict, at: datetime) -> bool:
    """Put the peer's status and public notes on the timeline when they changed since the last fetch
    (a repeated fetch records nothing). True when something was recorded."""
    status = str(remote.get("status_extended") or remote.get("status") or "")[:40]
    notes = str(remote.get("status_notes") or "")
    forwarding.fetched_at = at
    if status == (forwarding.remote_status or "") and notes == (forwarding.remote_notes or ""):
        return False
    forwarding.remote_status, forwarding.remote_notes = status, notes
    t = forwarding.ticket
    data = {"peer": forwarding.peer.name, "remote_id": forwarding.remote_id, "status": status}
    record(t, "forward_update", None, t.state, t.state, at, note=notes[:2000], public=True, data=data)
    return True
