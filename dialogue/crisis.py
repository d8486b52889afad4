"""What Stillpoint says when someone may be in danger: fixed, reviewed words, never model text.

The acute response is calm and short enough to follow when distressed: it says plainly that
a person can help right now, gives the numbers for the user's region, offers to stay and breathe
together, and does not end the conversation. The concern response checks in gently and offers
the resources once per session; when what was said sits near thoughts of suicide (a wish not to
exist, feeling a burden, "what's the point") it asks plainly whether the person is thinking about
ending their life, as clinicians do (see `screening.py` for how the answer is treated). Questions
about taking more medication than prescribed, or mixing sedatives with alcohol, get the fixed
medication line: no dosing advice, a pharmacist or the prescriber instead. Resources come from
config by region, with these defaults.
"""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass

DEFAULT_RESOURCES: dict[str, str] = {
    "US": "In the US, you can call or text 988, the Suicide and Crisis Lifeline, at any hour. If you are in danger right now, call 911.",
    "CA": "In Canada, you can call or text 988 at any hour. If you are in danger right now, call 911.",
    "UK": "In the UK, you can call Samaritans free on 116 123, at any hour. If you are in danger right now, call 999.",
    "IE": "In Ireland, you can call Samaritans free on 116 123, at any hour. If you are in danger right now, call 112 or 999.",
    "AU": "In Australia, you can call Lifeline on 13 11 14, at any hour. If you are in danger right now, call 000.",
    "NZ": "In New Zealand, you can call or text 1737, at any hour. If you are in danger right now, call 111.",
    "OTHER": "You can find a free helpline for your country at find a helpline dot com. If you are in danger right now, call your local emergency number.",
}

# The emergency number alone, for the third-party response ("call 999 for them now"); a region
# not listed here (or one given only as overridden text) gets "your local emergency number".
EMERGENCY_NUMBERS: dict[str, str] = {"US": "911", "CA": "911", "UK": "999", "IE": "112 or 999", "AU": "000", "NZ": "111"}

_COUNTRY_TO_REGION = {"US": "US", "CA": "CA", "GB": "UK", "UK": "UK", "IE": "IE", "AU": "AU", "NZ": "NZ"}


def region_from_locale() -> str:
    """'en_GB.UTF-8' → 'UK'; anything unknown → 'OTHER' (the international directory)."""
    for value in (os.environ.get("LC_ALL"), os.environ.get("LANG"), locale.getlocale()[0]):
        if value and "_" in value:
            country = value.split("_", 1)[1][:2].upper()
            return _COUNTRY_TO_REGION.get(country, "OTHER")
    return "OTHER"


@dataclass(frozen=True)
class CrisisResources:
    region: str
    text: str

    @classmethod
    def for_region(cls, region: str = "auto", overrides: dict[str, str] | None = None) -> "CrisisResources":
        chosen = region_from_locale() if region == "auto" else region.upper()
        table = {**DEFAULT_RESOURCES, **{k.upper(): v for k, v in (overrides or {}).items()}}
        return cls(chosen, table.get(chosen, table["OTHER"]))


# Asked in these exact words, like the Columbia screener: plain, not euphemistic, one question.
DIRECT_QUESTION = "I want to ask you directly, because it matters: are you thinking about ending your life?"

# Also used by the replies for ordinary medication questions: one reviewed line, never model advice.
MEDICATION_LINE = (
    "I can't give advice about medicines or doses. A pharmacist or the person who prescribed them can tell you "
    "what's safe, tonight if you need it; many pharmacies and out-of-hours services answer the phone."
)
MEDICATION_RISK = "Taking more than prescribed, or mixing it with alcohol, can be dangerous."

# After a "no" to the direct question: believe it, stay, carry on gently (the flag stays on the session).
AFTER_NO = [
    "Thank you for telling me. I believe you, and I'm still here.",
    "What's been weighing on you most?",
]


def acute_response(resources: CrisisResources) -> list[str]:
    return [
        "I'm really glad you told me.",
        "What you're feeling matters, and you deserve help from a person right now.",
        resources.text,
        "I'm an AI, so I can't keep you safe, but I can stay here with you while you reach out.",
        "If it helps, we can take one slow breath together first.",
    ]


def third_party_acute_response(resources: CrisisResources) -> list[str]:
    """When the person in danger right now is someone else ("my friend just took an overdose"): the
    same calm shape as `acute_response`, worded for the one who is worried. Emergency services first,
    because the person at risk needs someone who can reach them; staying with them only if it is safe;
    and the crisis lines, which also help people worried about someone else."""
    number = EMERGENCY_NUMBERS.get(resources.region.upper())
    call = f"call {number}" if number else "call your local emergency number"
    return [
        "Thank you for telling me. It sounds like they could be in danger right now.",
        f"Please {call} for them now, and tell them where the person is and what has happened.",
        "If it is safe for you, stay with them, or keep them talking on the phone, until help arrives.",
        "Crisis lines help people who are worried about someone else, too. " + resources.text,
        "I'm an AI, so I can't reach them, but I can stay here with you while you get help.",
    ]


def concern_response(resources: CrisisResources, offer_resources: bool, ask_directly: bool = False) -> list[str]:
    """Gentle check-in; with `ask_directly`, it ends on DIRECT_QUESTION instead of an open question."""
    lines = [
        "That sounds really heavy, and I'm glad you said it out loud.",
        "You don't have to carry it alone.",
    ]
    if offer_resources:
        lines.append("If it ever feels like too much, talking to a person can help. " + resources.text)
    lines.append(DIRECT_QUESTION if ask_directly else "Would you like to tell me a little more about what's been weighing on you?")
    return lines


def medication_response(resources: CrisisResources, offer_resources: bool) -> list[str]:
    """The medication line, the risk in one sentence, the resources once, and the direct question."""
    lines = [MEDICATION_LINE, MEDICATION_RISK]
    if offer_resources:
        lines.append("If part of you is thinking of hurting yourself, a person can help right now. " + resources.text)
    lines.append(DIRECT_QUESTION)
    return lines

