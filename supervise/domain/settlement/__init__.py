"""The quarter's settlement (一季一结账): a versioned scheme scores each unit from measured figures,
a supervisor previews and settles, and the settled quarter stays as it was settled."""

from supervise.domain.settlement.scoring import (
    Card,
    SettlementError,
    adjust,
    current_scheme,
    history,
    preview,
    quarter_over,
    save_scheme,
    settle,
    settlement_of,
    weights_of,
)
from supervise.models.settlement import Settlement

__all__ = [
    "Card",
    "Settlement",
    "SettlementError",
    "adjust",
    "current_scheme",
    "history",
    "preview",
    "quarter_over",
    "save_scheme",
    "settle",
    "settlement_of",
    "weights_of",
]
