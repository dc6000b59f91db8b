"""Forms of the unit workbench: one per action a unit takes on a ticket, made from the transitions'
declarations (``supervise.action_forms``); a missing required value reopens the panel with the error.

Field names are unique across the forms because several panels share one page (one HTML id each):
where two actions read the same key, the workbench's form names it apart (``UNIQUE_NAMES``).
The hidden ``version`` field is rendered by ``_ticket.version_field`` and read by ``web.act``.
"""

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField

from supervise.action_forms import ActionForm, action_form, forms_for

#: Declared name -> the field's name on the workbench, per action.
UNIQUE_NAMES = {
    "request_extension": {"reason": "extension_reason"},
    "request_material": {"note": "material"},
    "answer_order": {"text": "answer"},
}


class _WithFiles(ActionForm):
    files = MultipleFileField(_l("Attachments"), description=_l("Up to 5 files: JPEG, PNG, PDF, Word or Excel."))


#: The actions the workbench offers (a lead or co-handling unit's), each with its form.
FORMS: dict[str, type[ActionForm]] = {
    **forms_for({"unit", "co_unit"}, check_required=True, rename=UNIQUE_NAMES),
    "reply": action_form("reply", check_required=True, base=_WithFiles),  # the reply carries attachments
}
