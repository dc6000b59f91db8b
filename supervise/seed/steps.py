"""The parts of a demo ticket's step: the units it goes to, its notes, material requests,
extensions, supervision orders, replies and ratings (:mod:`.plans` strings them into a scenario).

Every choice is drawn from the demo's one ``random.Random``: reordering the draws changes the demo.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from supervise import seed_data as D
from supervise.models import Category, Ticket, Unit
from supervise.seed.plans import Plan, Step


class Steps:
    """The single steps of the scenarios (a part of :class:`supervise.seed.demo.Demo`)."""

    def _step(self, action: str, actor: str, wd: int = 0, kind: str = "staff", data=None) -> Step:
        return Step(action, actor, wd, self.rng.random(), kind, data if data is not None else {})

    def _queue_category(self, category: Category) -> bool:
        ruled = {name for name, *_ in D.CATEGORY_RULES}
        return self.specs[category.name]["lead"] is None and category.name not in ruled

    def _alternatives(self, plan: Plan) -> list[str]:
        spec = self.specs[plan.category.name]
        slugs = list(dict.fromkeys(spec["alt"] + spec["co"]))
        self.rng.shuffle(slugs)
        return slugs

    def _other_unit(self, ticket: Ticket, slugs: list[str]) -> Unit:
        """The first of ``slugs`` (``street``: the ticket's street office) that is not the current lead."""
        for slug in slugs + ["econ", "housing"]:
            unit = self.street_of.get(ticket.area_id) if slug == "street" else self.units[slug]
            if unit is not None and unit is not ticket.lead_unit:
                return unit
        raise AssertionError("no unit to dispatch to")

    def _note_data(self) -> dict:
        rng = self.rng
        if rng.random() < 0.5:
            return {"note": rng.choice(D.PUBLIC_NOTES), "public": True}
        return {"note": rng.choice(D.INTERNAL_NOTES + D.CO_UNIT_NOTES), "public": False}

    def _material(self, gap: int) -> list[Step]:
        rng, s = self.rng, self._step
        return [
            s("request_material", "handler", rng.randint(1, gap), data={"note": rng.choice(D.MATERIAL_REQUESTS)}),
            s(
                "provide_material",
                "enterprise",
                rng.randint(1, 5),
                "enterprise",
                data={"note": rng.choice(D.MATERIAL_PROVIDED)},
            ),
        ]

    def _extension(self, granted: bool | None, gap: int) -> list[Step]:
        """Request an extension; the supervisor grants it, refuses it, or (None) has not decided yet."""
        rng, s = self.rng, self._step
        extra, reason = rng.randint(5, 15), rng.choice(D.EXTENSION_REASONS)
        steps = [
            s(
                "request_extension",
                "handler",
                rng.randint(1, gap),
                data=lambda t, at: {"new_due": self.cal.add_working_days(t.handle_due.date(), extra), "reason": reason},
            )
        ]
        if granted is True:
            steps.append(
                s("grant_extension", "supervisor", rng.choice([0, 1]), data={"note": rng.choice(D.GRANT_NOTES)})
            )
        elif granted is False:
            steps.append(
                s("refuse_extension", "supervisor", rng.choice([0, 1]), data={"note": rng.choice(D.REFUSE_NOTES)})
            )
        return steps

    def _order(self, answered: bool, gap: int) -> list[Step]:
        rng, s = self.rng, self._step
        level = rng.choices(["general", "key", "listed"], weights=[6, 3, 1])[0]
        days, note = rng.randint(3, 7), rng.choice(D.ORDER_NOTES)
        steps = [
            s(
                "issue_order",
                "supervisor",
                rng.randint(1, gap),
                data=lambda t, at: {"level": level, "deadline": at.date() + timedelta(days=days), "note": note},
            )
        ]
        if answered:
            steps.append(
                s(
                    "answer_order",
                    rng.choice(["handler", "leader"]),
                    rng.randint(1, min(gap, days)),
                    data={"text": rng.choice(D.ORDER_ANSWERS)},
                )
            )
        return steps

    def _reply_data(self, plan: Plan, resolved: bool = False) -> Callable[[Ticket, datetime], dict]:
        choices = D.REPLIES[plan.category.name]
        if resolved:
            choices = [c for c in choices if c[0] == "resolved"] or choices
        outcome, text = self.rng.choice(choices)

        def data(ticket: Ticket, at: datetime) -> dict:
            unit = ticket.lead_unit.short_name or ticket.lead_unit.name
            return {"outcome": outcome, "text": text.format_map({**plan.facts, "unit": unit})}

        return data

    def _rating(self, good: bool) -> dict:
        rng = self.rng
        if good:
            rating = rng.choices([r for r, _ in D.GOOD_RATINGS], weights=[w for _, w in D.GOOD_RATINGS])[0]
            return {
                "rating": rating,
                "solved": rating >= 4 or rng.random() < 0.6,
                "comment": rng.choice(D.GOOD_COMMENTS),
            }
        return {"rating": rng.choice([2, 2, 1]), "solved": False, "comment": rng.choice(D.BAD_COMMENTS)}
