"""What a demo ticket says: the complaint, its moderated public texts and the public result."""

from supervise import seed_data as D
from supervise.domain.disclosure import terms_for
from supervise.domain.redaction import redact
from supervise.models import Ticket
from supervise.seed.plans import Plan

RATING_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


class Texts:
    """The texts of a plan (a part of :class:`supervise.seed.demo.Demo`)."""

    def _fill_texts(self, plan: Plan) -> None:
        rng = self.rng
        plan.facts = D.story_facts(
            rng, plan.created_at, self.names, plan.enterprise.area.name if plan.enterprise.area else "园区"
        )
        title, description = (plan.decline[1], plan.decline[2]) if plan.decline else plan.template
        plan.facts["title"] = title.format_map(plan.facts)
        plan.facts["description"] = description.format_map(plan.facts)
        spec = self.specs[plan.category.name]
        plan.facts["answers"] = (
            {q: rng.choice(options).format_map(plan.facts) for q, options in spec["questions"]}
            if rng.random() < 0.8
            else None
        )
        contact = ""
        if rng.random() < 0.25:
            contact = f"联系人：{plan.enterprise.contact_name}，电话{plan.enterprise.contact_mobile}。"
        plan.facts["full_description"] = plan.facts["description"] + contact

    def _public(self, plan: Plan, ticket: Ticket) -> dict:
        """The moderated public texts (晒问题): masked, and told about the enterprise, not by it."""
        terms = terms_for(ticket)
        summary = redact(plan.facts["description"], terms)
        summary = summary.replace("我公司", "该企业").replace("我们", "企业")
        if summary.startswith("公司"):
            summary = "该企业" + summary[2:]
        return {
            "public_title": redact(ticket.title, terms),
            "public_summary": f"{ticket.enterprise.public_label}反映：{summary}",
        }

    def _public_reply(self, plan: Plan, ticket: Ticket) -> str:
        """The public result (晒结果): the unit's reply, masked, and how it ended."""
        text = redact(ticket.reply_text or "", terms_for(ticket))
        if ticket.rating is not None and ticket.rating.is_satisfied:
            text += f"企业评价：{RATING_WORDS[ticket.rating.value]}。"
        elif ticket.rating is not None:
            text += "经营商办复核，维持办理结果。"
        else:
            text += "企业未在规定时间内评价，按期办结。"
        return text
