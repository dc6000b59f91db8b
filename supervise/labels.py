"""Display labels for the domain's codes (English msgids; the zh_CN catalogue gives the Chinese)."""

from flask_babel import lazy_gettext as _l

from supervise.models import (
    LimitClass,
    Outcome,
    Rating,
    Role,
    Source,
    State,
    UnitKind,
    Verification,
    VerificationMethod,
)

STATE = {
    State.SUBMITTED: _l("Awaiting acceptance"),
    State.AWAITING_DISPATCH: _l("Awaiting dispatch"),
    State.DISPATCHED: _l("Awaiting signing"),
    State.RETURNED: _l("Return under review"),
    State.IN_PROGRESS: _l("In progress"),
    State.AWAITING_MATERIAL: _l("Awaiting material"),
    State.REPLIED: _l("Reply under review"),
    State.AWAITING_RATING: _l("Awaiting rating"),
    State.RATING_REVIEW: _l("Rating under review"),
    State.CLOSED: _l("Closed"),
    State.DECLINED: _l("Declined"),
    State.MERGED: _l("Merged"),
    State.FORWARDED: _l("Forwarded to another zone"),
}
SOURCE = {
    Source.ONLINE: _l("Online"),
    Source.HOTLINE: _l("Hotline"),
    Source.HALL: _l("Service hall"),
    Source.VISIT: _l("Liaison visit"),
    Source.CAMPAIGN: _l("Quarterly campaign"),
    Source.PROVINCIAL: _l("Provincial feedback"),
    Source.SELF_INSPECTION: _l("Self-inspection"),
    Source.MEDIA: _l("Media"),
    Source.API: _l("Open API"),
}
OUTCOME = {
    Outcome.RESOLVED: _l("Resolved"),
    Outcome.PARTLY: _l("Partly resolved"),
    Outcome.EXPLAINED: _l("Explained, cannot be resolved"),
}
RATING = {
    Rating.VERY_SATISFIED: _l("Very satisfied"),
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.DISSATISFIED: _l("Dissatisfied"),
    Rating.VERY_DISSATISFIED: _l("Very dissatisfied"),
}
ROLE = {
    Role.ENTERPRISE: _l("Enterprise"),
    Role.HANDLER: _l("Unit handler"),
    Role.LEADER: _l("Unit leader"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.CADRE: _l("Liaison cadre"),
    Role.ADMIN: _l("Administrator"),
}
LIMIT_CLASS = {
    LimitClass.SIMPLE: _l("Simple (5 working days)"),
    LimitClass.STANDARD: _l("Standard (15 working days)"),
    LimitClass.COMPLEX: _l("Complex (30 working days)"),
}
UNIT_KIND = {
    UnitKind.OFFICE: _l("Office"),
    UnitKind.DEPARTMENT: _l("Department"),
    UnitKind.STREET: _l("Street / town"),
    UnitKind.UTILITY: _l("Utility"),
}
WARNING = {
    "yellow": _l("Due soon"),
    "orange": _l("Overdue"),
    "red": _l("Seriously overdue"),
}
VERIFICATION = {
    Verification.UNVERIFIED: _l("Not verified"),
    Verification.PENDING: _l("Licence under review"),
    Verification.VERIFIED: _l("Verified"),
}
VERIFICATION_METHOD = {
    VerificationMethod.CODE: _l("code sent to the contact on record"),
    VerificationMethod.LICENCE: _l("business licence checked by the office"),
    VerificationMethod.INVITATION: _l("invitation accepted"),
    VerificationMethod.COLLEAGUE: _l("added by a verified colleague"),
    VerificationMethod.STAFF: _l("set up by the office"),
    VerificationMethod.EXISTING: _l("account older than verification"),
}
LICENCE_STATE = {
    "pending": _l("Awaiting review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "replaced": _l("Replaced by a later upload"),
}
