"""Campaigns (专项活动): the rules of a campaign's setup, of who may record what for it, and of how the
problems it finds become tickets.

Every problem — from a visit, a questionnaire answer or a forum — is filed through the normal intake
(:func:`supervise.domain.intake.file_complaint`), routed by its category like any complaint, and
tagged with the campaign; the state machine, deadlines, disclosure and ratings then apply unchanged.
Write-side functions take the acting user and do not commit.
"""

from supervise.domain.campaigns.figures import CampaignFigures, Tally, campaign_figures, tallies
from supervise.domain.campaigns.rules import (
    MAX_PROBLEMS,
    MAX_QUESTIONS,
    CampaignError,
    Problem,
    Setup,
    answer_questionnaire,
    close_campaign,
    concrete_categories,
    enterprise_campaigns,
    is_target,
    may_visit,
    open_campaign,
    record_forum,
    record_visit,
    save_campaign,
    target_choices,
    target_clause,
    visitor_campaigns,
)

__all__ = [
    "MAX_PROBLEMS",
    "MAX_QUESTIONS",
    "CampaignError",
    "CampaignFigures",
    "Problem",
    "Setup",
    "Tally",
    "answer_questionnaire",
    "campaign_figures",
    "close_campaign",
    "concrete_categories",
    "enterprise_campaigns",
    "is_target",
    "may_visit",
    "open_campaign",
    "record_forum",
    "record_visit",
    "save_campaign",
    "tallies",
    "target_choices",
    "target_clause",
    "visitor_campaigns",
]
