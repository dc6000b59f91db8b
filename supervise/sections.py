"""The public registers beside the complaints, listed once: the 监督公开 page shows them, the menu's
监督公开 is active on their pages, and templates offer only those this application serves."""

from flask import current_app

#: (endpoint, the public endpoints of its pages)
REGISTERS = (
    ("public.projects", ("projects", "project")),
    ("public.campaigns", ("campaigns", "campaign", "campaign_report")),
    ("public.quarters", ("quarters", "quarter", "unit_quarters")),
    ("public.rectification", ("rectification",)),
    ("public.evaluations", ("evaluations", "evaluation")),
    ("public.cadres", ("cadres", "cadre")),
)
PUBLIC_REGISTERS = frozenset({"accountability", *(name for _e, names in REGISTERS for name in names)})


def has_endpoint(endpoint: str) -> bool:
    """Whether this application serves ``endpoint``."""
    return endpoint in current_app.view_functions
