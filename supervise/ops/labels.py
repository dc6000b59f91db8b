"""The operations page's words: the periodic jobs, the queue modes and names, the channels and the
run summaries, in the reader's language. Jobs record their summaries in English ("handed over 3,
updates 0", read in the log too); the page translates each known term and keeps the figures."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

JOBS = {
    "relay_outbox": _l("Deliver the waiting messages"),
    "supervise_deadlines": _l("Deadline warnings and alerts"),
    "ratings": _l("Rating reminders and closing unrated tickets"),
    "monthly_reports": _l("Monthly progress report reminders"),
    "refresh_measures": _l("Recompute the changed measures"),
    "forwards": _l("Cross-zone forwards"),
    "nightly_refresh": _l("Nightly recomputation"),
}

MODES = {
    "rq": _l("Redis queue (RQ)"),
    "thread": _l("In-process thread"),
    "eager": _l("At once, within the request"),
}

QUEUES = {
    "default": _l("the default queue"),
    "mail": _l("the mail queue"),
    "in-process": _l("the in-process queue"),
}

CHANNELS = {
    "inapp": _l("In-app"),
    "email": _l("E-mail"),
    "sms": _l("SMS"),
}

SUMMARY_TERMS = {
    "handed over": _l("handed over"),
    "updates": _l("updates fetched"),
    "warnings": _l("warnings"),
    "deadline alerts": _l("deadline alerts"),
    "reminders": _l("reminders"),
    "reminded": _l("reminded"),
    "closed unrated": _l("closed unrated"),
    "overdue flags": _l("overdue flags"),
    "measure cells": _l("measure cells"),
    "cells": _l("measure cells"),
}

_PART = re.compile(r"^(?P<term>[a-z ]+?) (?P<count>\d+)$")


def summary(text: str | None) -> str:
    """A run summary with its known terms translated ("handed over 3, updates 0" -> "已移交 3，已更新 0");
    anything else (an error's message) is shown as recorded."""
    parts = (text or "").split(", ")
    matches = [_PART.match(part) for part in parts]
    if not text or not all(m and m["term"] in SUMMARY_TERMS for m in matches):
        return text or ""
    # The list separator is a word too: ", " in English, "，" in Chinese.
    return _(", ").join(f"{SUMMARY_TERMS[m['term']]} {m['count']}" for m in matches)
