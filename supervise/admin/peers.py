"""Administration of peers: the platforms of other zones that tickets are forwarded to (跨域转办).

A peer's API key for our requests is kept (it must be sent) but never shown back in full: the form
leaves it empty, and an empty field keeps the stored key.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from supervise.admin import bp
from supervise.extensions import db
from supervise.models import ApiKey, Category, Peer, Role
from supervise.web import roles_required


def parse_service_codes(text: str) -> dict[str, str]:
    """``category id = service code`` lines (blank lines ignored) as the stored mapping.

    Raises ValueError naming the first line that is not of that form or names no category.
    """
    mapping: dict[str, str] = {}
    known = {str(i) for i in db.session.scalars(select(Category.id))}
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        local, sep, remote = (part.strip() for part in line.partition("="))
        if not sep or local not in known or not remote or len(remote) > 50:
            raise ValueError(_("Line %(n)s: write a category number, “=”, and the peer's service code.", n=number))
        mapping[local] = remote
    return mapping


class PeerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    zone = StringField(
        _l("Zone"), validators=[DataRequired(), Length(max=100)], description=_l("The jurisdiction it serves.")
    )
    base_url = StringField(
        _l("Open311 address"),
        validators=[DataRequired(), URL(require_tld=False), Length(max=300)],
        description=_l("The base of its Open311 endpoint, e.g. https://example.gov.cn/open311/v2"),
    )
    api_key = StringField(
        _l("Its API key for our requests"),
        validators=[Optional(), Length(max=200)],
        description=_l("Issued by the other platform. Leave empty to keep the stored key."),
    )
    inbound_key_id = SelectField(_l("Our API key it files with"), coerce=int, validators=[Optional()])
    service_codes = TextAreaField(
        _l("Services"),
        description=_l("One line per category forwarded: our category number = its service code."),
    )
    active = BooleanField(_l("Active"), default=True)

    def validate_service_codes(self, field) -> None:
        try:
            self.mapping = parse_service_codes(field.data)
        except ValueError as err:
            raise ValidationError(str(err)) from None


def _form(peer: Peer | None) -> PeerForm:
    form = PeerForm(obj=peer)
    live = db.session.scalars(select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.name))
    form.inbound_key_id.choices = [(0, _("None"))] + [(k.id, f"{k.name} ({k.prefix}…)") for k in live]
    if peer is not None and not form.is_submitted():
        form.api_key.data = ""
        form.inbound_key_id.data = peer.inbound_key_id or 0
        form.service_codes.data = "\n".join(f"{k} = {v}" for k, v in (peer.service_codes or {}).items())
    return form


def _save(peer: Peer, form: PeerForm) -> None:
    peer.name, peer.zone, peer.active = form.name.data.strip(), form.zone.data.strip(), form.active.data
    peer.base_url = form.base_url.data.strip()
    if form.api_key.data:
        peer.api_key = form.api_key.data.strip()
    peer.inbound_key_id = form.inbound_key_id.data or None
    peer.service_codes = form.mapping


@bp.route("/peers")
@roles_required(Role.ADMIN)
def peers():
    rows = db.session.scalars(select(Peer).order_by(Peer.name)).all()
    return render_template("admin/peers.html", peers=rows)


@bp.route("/peers/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def peer_new():
    return _edit(None)


@bp.route("/peers/<id:peer_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def peer_edit(peer_id: int):
    return _edit(db.get_or_404(Peer, peer_id))


def _edit(peer: Peer | None):
    form = _form(peer)
    if form.validate_on_submit():
        if peer is None and not form.api_key.data:
            form.api_key.errors = [_("Give the key the other platform issued for our requests.")]
        elif _name_taken(form.name.data.strip(), peer):
            form.name.errors = [_("Another peer has this name.")]
        else:
            peer = peer or Peer()
            _save(peer, form)
            db.session.add(peer)
            db.session.commit()
            flash(_("The peer %(name)s is saved.", name=peer.name), "success")
            return redirect(url_for("admin.peers"))
    return render_template("admin/peer_form.html", form=form, peer=peer)


def _name_taken(name: str, peer: Peer | None) -> bool:
    other = db.session.scalar(select(Peer).where(Peer.name == name))
    return other is not None and other is not peer
