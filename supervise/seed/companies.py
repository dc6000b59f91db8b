"""The demo's enterprises: their accounts, their liaison cadres, and one that registered itself and
waits for its licence to be reviewed."""

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from supervise import seed_data as D
from supervise import storage
from supervise.domain import credit_code, verification
from supervise.extensions import db
from supervise.models import Enterprise, LiaisonPair, Role, User
from supervise.operations import enterprises, users
from supervise.seed.accounts import demo_user, mobile

# The demo applicant's "business licence": a one-page PDF.
DEMO_LICENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Companies:
    """Enterprises and their accounts (a part of :class:`supervise.seed.demo.Demo`)."""

    def _credit_code(self, taken: set[str]) -> str:
        while True:
            first17 = "91420600MA4" + "".join(self.rng.choice(credit_code.ALPHABET) for _ in range(6))
            code = first17 + credit_code.check_character(first17)
            if code not in taken:
                taken.add(code)
                return code

    def _enterprise(self, number: int, name: str, alias: str, industry: str, area: str, code: str, since) -> Enterprise:
        """One listed company, registered as staff would, with the details the demo gives it."""
        rng = self.rng
        contact = self.names()
        phone = mobile(rng)
        email = f"contact{number:02d}@example.com" if rng.random() < 0.6 else None
        address = f"襄阳市高新区{rng.choice(D.ROADS)}{rng.randint(1, 300)}号"
        enterprise = enterprises.register_enterprise(
            None,
            enterprises.NewCompany(
                code, name, industry=industry, contact_name=contact, contact_mobile=phone, email=email
            ),
        )
        enterprise.address, enterprise.area = address, self.areas[area]
        enterprises.set_aliases(None, enterprise, alias)
        enterprise.created_at = since + timedelta(days=rng.randint(0, 40), hours=rng.randint(8, 17))
        return enterprise

    def _accounts(self, number: int, enterprise: Enterprise) -> list[User]:
        """The company's demo accounts: the first ones have one, a few a second."""
        found = []
        if number <= D.ENTERPRISES_WITH_USERS:
            found.append(
                demo_user(
                    f"ent{number:02d}",
                    enterprise.contact_name,
                    Role.ENTERPRISE,
                    self.password_hash,
                    enterprise.created_at,
                    enterprise=enterprise,
                    mobile=enterprise.contact_mobile,
                    email=enterprise.email,
                )
            )
        if number in D.SECOND_USERS:
            found.append(
                demo_user(
                    f"ent{number:02d}b",
                    self.names(),
                    Role.ENTERPRISE,
                    self.password_hash,
                    enterprise.created_at + timedelta(days=3),
                    enterprise=enterprise,
                    mobile=mobile(self.rng),
                )
            )
        return found

    def add_enterprises(self) -> None:
        codes: set[str] = set()
        since = self.now - timedelta(days=420)
        accounts: list[tuple[int, User]] = []
        for number, (name, alias, industry, area) in enumerate(D.ENTERPRISES, 1):
            code = self._credit_code(codes)
            enterprise = self._enterprise(number, name, alias, industry, area, code, since)
            self.enterprises.append(enterprise)
            accounts += [(number, user) for user in self._accounts(number, enterprise)]
        db.session.flush()
        for number, user in accounts:
            self.filers.setdefault(self.enterprises[number - 1].id, []).append(user)
        for username, numbers in D.CADRES:
            cadre = self.users[username]
            for number in numbers:
                enterprise = self.enterprises[number - 1]
                db.session.add(
                    LiaisonPair(
                        cadre_id=cadre.id,
                        enterprise_id=enterprise.id,
                        created_at=enterprise.created_at + timedelta(days=7),
                    )
                )
                self.cadre_of.setdefault(enterprise.id, cadre)
        db.session.flush()

    def add_pending_registration(self) -> None:
        """A company that registered itself and uploaded its licence: the console's queue shows it."""
        name, industry, area, username = D.PENDING_REGISTRATION
        first17 = "91420600MA4" + "".join(self.rng.choice(credit_code.ALPHABET) for _ in range(6))
        at = self.now - timedelta(days=1)
        # Self-registered: its contact is the applicant's own, not on record (see register_applicant).
        enterprise = Enterprise(
            name=name,
            credit_code=first17 + credit_code.check_character(first17),
            industry=industry,
            contact_name=self.names(),
            contact_mobile=mobile(self.rng),
            area=self.areas[area],
            contact_on_record=False,
            created_at=at,
        )
        db.session.add(enterprise)
        applicant = users.create_user(
            None,
            username=username,
            name=enterprise.contact_name,
            role=Role.ENTERPRISE,
            enterprise=enterprise,
            mobile=enterprise.contact_mobile,
            password_hash=self.password_hash,
            created_at=at,
        )
        db.session.flush()
        licence = FileStorage(io.BytesIO(DEMO_LICENCE), filename="营业执照.pdf")
        review = verification.submit_licence(applicant, storage.check_upload(licence, storage.LICENCE_TYPES))
        review.submitted_at = at + timedelta(minutes=10)

    def enterprise_actor(self, enterprise_id: int) -> User:
        """Who answers for the enterprise on its tickets: its first account, else its liaison cadre."""
        accounts = self.filers.get(enterprise_id)
        return accounts[0] if accounts else self.cadre_of[enterprise_id]
