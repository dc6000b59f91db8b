from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import Optional

from supervise.forms_common import valid_email, valid_mobile


class PreferencesForm(FlaskForm):
    notify_email = BooleanField(_l("Also send notifications by e-mail"))
    email = EmailField(_l("E-mail"), validators=[valid_email])
    notify_sms = BooleanField(_l("Also send notifications by SMS"))
    mobile = StringField(_l("Mobile"), validators=[Optional(), valid_mobile])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.notify_email.data and not self.email.data:
            self.email.errors.append(_l("Give an e-mail address to receive e-mail."))
            ok = False
        if self.notify_sms.data and not self.mobile.data:
            self.mobile.errors.append(_l("Give a mobile number to receive SMS."))
            ok = False
        return ok
