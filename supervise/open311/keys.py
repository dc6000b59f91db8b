"""Open311 API keys: issued by administrators (admin pages or the CLI), checked on every POST.

Only a hash of each key is stored; the secret is shown once, when it is issued.
"""

from sqlalchemy import select

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import ApiKey, User, hash_secret

NAME_MAX = 100


def issue(name: str, by: User | None = None) -> tuple[ApiKey, str]:
    """A new key for the client ``name`` and its secret; adds it to the session, does not commit."""
    name = (name or "").strip()
    if not name:
        raise ValueError("an API key needs a name")
    key, secret = ApiKey.issue(name[:NAME_MAX], by)
    db.session.add(key)
    return key, secret


def revoke(key: ApiKey) -> bool:
    """Revoke ``key`` (kept for the record); False when it was revoked already. Does not commit."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = now()
    return True


def authenticate(secret: str | None) -> ApiKey | None:
    """The live key with this secret, its use recorded; None for a missing, unknown or revoked key."""
    secret = (secret or "").strip()
    if not secret:
        return None
    digest = hash_secret(secret)
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    if key is None or key.revoked_at is not None:
        return None
    key.last_used_at = now()
    return key
