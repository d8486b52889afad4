"""What a person is doing and feeling in one turn, read locally before anything is said back.

The replies never improvise from raw text: they are chosen from a reviewed repertoire by this
reading. It has two halves:

- **Rules** for the moments where a wrong guess does harm and the words are predictable: asking
  what Stillpoint is, asking about medication, asking to breathe, a mood score, closing the
  session, asking for advice, a loss (condolence is only ever offered when a loss was named).
- **A small linear classifier** on the shared sentence embedding (`dialogue.embedding`) for the
  rest: telling, sadness, anxiety, anger, loneliness, grief, shame, conflict, good news,
  gratitude and "I don't know". Its weights are a few KB in `data/intent_model.npz`, trained by
  `bench/train_intents.py` on `data/intents.tsv`.

Besides the intent, the reading keeps the person's own words worth giving back: a feeling word
they used, the people they named ("my brother" → "your brother"), a content phrase ("the
presentation", "work") and a short key phrase turned to the second person.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from .cues import is_dismissal
from .honesty import asks_what_i_am
from .practices import wants_breathing
from .topics import CALENDAR, PEOPLE, PLACES, STOP_WORDS, topics

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
MODEL_PATH = DATA / "intent_model.npz"

INTENTS = (
    "telling", "sadness", "anxiety", "anger", "loneliness", "grief", "shame", "conflict", "good_news",
    "gratitude", "advice", "medication", "breathe", "mood", "closing", "identity", "filler",
)
# Intents the classifier may not decide alone: each needs its rule (they change what is allowed).
RULE_ONLY = {"medication", "closing", "breathe", "advice", "gratitude"}
# Harmless when wrong, so the classifier may decide them, but only when it is sure.
SURE_ONLY = {"identity": 0.6, "mood": 0.6}
# Naming a feeling the person did not have is worse than a plain reflection: below these, read as telling.
FEELING_CONFIDENCE = {"good_news": 0.6, "sadness": 0.45, "anxiety": 0.45, "anger": 0.45, "loneliness": 0.45,
                      "shame": 0.45, "conflict": 0.4, "grief": 0.4}
MIN_CONFIDENCE = 0.3  # below this the classifier's guess is treated as plain telling
CONFLICT_NAMED_CONFIDENCE = 0.3  # conflict with its words said (criticised, argued, shouted) needs less certainty
_NEGATIVE_FEELINGS = {"sadness", "anxiety", "anger", "loneliness", "shame", "conflict"}


class Embedder(Protocol):
    def embed(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Reading:
    """One turn, understood: what the replies may use, and why each part was decided."""

    text: str
    intent: str
    confidence: float
    why: str  # "rule: …" or "classifier 0.82"
    feeling: str | None = None  # a feeling word the person used, as an adjective ("anxious")
    people: tuple[str, ...] = ()  # as spoken back: "your sister", "Sam"
    topic: str | None = None  # a content phrase the person said, spoken back: "the presentation", "your job"
    phrase: str | None = None  # a short key phrase in the second person: "your brother didn't call you back"
    loss: bool = False  # a death or loss was named in these words
    dismissal: bool = False  # "leave it", "drop it", "not now"
    scores: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def person(self) -> str | None:
        return self.people[0] if self.people else None


# -- rules -------------------------------------------------------------------------------------
_MED_WORDS = (
    r"pills?|tablets?|meds|medication|medicines?|medicine|dose|doses|dosage|prescri\w+|antidepressants?|sertraline|"
    r"citalopram|fluoxetine|prozac|zoloft|diazepam|valium|xanax|lorazepam|zopiclone|zolpidem|ambien|lithium|"
    r"propranolol|codeine|tramadol|paracetamol|ibuprofen|melatonin|painkillers?|benzos?|benzodiazepines?|"
    r"antipsychotics?|sedatives?|sleeping (pills?|tablets?|medication)|milligrams?|mg"
)
_MEDICATION = re.compile(
    rf"\b({_MED_WORDS})\b.*(\?|$)|\b(should|can|could|may|do|would) i\b.*\b({_MED_WORDS})\b"
    rf"|\b(double|doubling|more|extra|stop|stopping|come off|coming off|skip|mix|mixing|cut down|up my|halve|borrow)\b.*\b({_MED_WORDS})\b"
    rf"|\b({_MED_WORDS})\b.*\b(wine|beer|alcohol|drinks?|drinking|vodka|whisky|nightcap|weed|grapefruit)\b",
    re.I,
)
_MED_ASKING = re.compile(
    r"\?|\b(should|can|could|is it|is that|will|would|how (much|many|long)|what (dose|happens|medication)|"
    r"thinking of|want to (stop|come off)|cold turkey|been taking double|do i need)\b",
    re.I,
)
MEDICATION_RISK_WORDS = re.compile(
    r"\b(more|extra|double|doubling|two|three|another|whole|too much|maximum|higher|up my|strip|knock myself out|"
    r"wine|beer|alcohol|drinks?|drinking|drank|vodka|whisky|nightcap|codeine|borrow|someone else'?s|my (mum|partner|friend)'?s)\b",
    re.I,
)
_CLOSING = re.compile(
    r"^((ok(ay)?|right|righto|right then|ok then|alright|well|so|anyway|yeah|thanks?( you)?|thank you|cheers)[ ,.!]*)*"
    r"(good ?night|night( night)?|bye( bye| for now)?|goodbye|cheerio|see (you|ya)( (tomorrow|later|soon))?|"
    r"talk (to you )?(tomorrow|later|soon)|catch you later|gotta go|got to (go|run)|i('ve)? (have|got) to (go|run)( now)?|"
    r"stop|please stop|stop (now|here|talking|the session|please)|finish|end (the )?session|"
    r"(i'?m|i am|that'?s me) (done|finished)( now| here| for (now|today|tonight|the night))?|"
    r"i think i'?m done( for (tonight|today|now))?|that'?s (all|enough|it)( for (now|today|tonight|me))?|"
    r"(let'?s|can we|we can|i'?ll|i will|i'?d like to|i want to) (stop|end|finish|leave it there|call it a (night|day))( (it|there|here|now))?( for (today|tonight|now))?|"
    r"i'?m (going|off|heading) (to (bed|sleep)|now|off|to go|to head off|to log off|to stop|to close this|to call it a night)|"
    r"time (for bed|to go)|i'?m signing off|enough for (today|tonight)|that'?ll do( me| us)?( for (today|tonight|now))?|"
    r"sleep time|i'?ll come back (another time|later|tomorrow)|i'?m wrapping up( now)?|i'?m tired,? i'?m going to (sleep|bed)|"
    r"i'?m going to try to sleep|i need to go\b.*|i'?m going now|okay,? i'?ll talk to you later|"
    r"right,? i'?m going to leave it there( for (today|tonight))?|i'?m done talking( for now)?|we can finish here|"
    r"that'?s all i wanted to say( tonight| today)?|i'?m going to (stop|go) (here|now)|i'?ll (stop|leave it) there( for (tonight|today))?|"
    r"that'?s me( done)?( for (now|today|tonight|the night|the day))?|that'?s all from me( for (now|today|tonight))?|"
    r"i'?ll let you go|i'?m off( now| to bed| to sleep)?|"
    r"(i think )?(i'?ll|i'?m going to|i'?m gonna|gonna|going to|think i'?ll) (try (to|and) )?(get some sleep|sleep|go to sleep|"
    r"head (off|to bed|to sleep)|go to bed|go)( now)?( for (a (few|couple( of)?) hours|a bit|a while))?)"
    r"([ ,.!]+(thanks?( you)?|ta|cheers|good ?night|night|bye|now|for now|then|for tonight|for today|bye for now))*[ ,.!]*$",
    re.I,
)
_CLOSING_ANYWHERE = re.compile(
    r"\b(bye|goodbye|good ?night|night night|cheerio)\W*$|\b(i'?m )?off to (bed|sleep)\b|\bbed ?time\b|\bheading to bed\b|"
    r"\b(done for (tonight|today|the night)|call it a night|i'?m going to (bed|sleep) now|going to go to (bed|sleep)|"
    r"that'?s (it|all) for (tonight|today|me tonight)|i'?ll leave it there|leave it there for (tonight|today)|"
    r"i'?ll stop (here|there|now|for (tonight|today|now))|that'?s enough for (now|tonight|today))\b"
    r"|(^|[.,;!] ?)(night|nite|night all)\W*$",  # "…I'll stop for tonight. night"
    re.I,
)
_MOOD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})( and a half)?( out of (ten|10)|/10)\b"
    r"|(\b(i'?m|i am|i'?d say|today'?s|today is|it'?s|mood( is|'s)?( around| about)?|rate (it|myself|my mood)|give today|"
    r"put myself at|score myself|hovering around)|^(\w+,? )?(probably|maybe|about|around|honestly,?|eh,?|like))"
    r"( a| an| at| about| at about| around)? (one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\b(?! (?!(today|tonight|now|this|i think|maybe|probably|really|honestly|at|or|and|out|ish|too|either|if that|kind|sort|type|day|feeling|same|for)\b)[a-z])"
    # "it's six months today", "I'm doing three jobs": a number with a noun after it counts things, it is no score
    r"|\bmood\b.*\b(good|low|okay|ok|alright|up|down|neutral|middling|fine)\b|\b(so-so|middling|meh)\b"
    r"|^(i'?m (feeling )?|feeling )(okay|alright|fine|average|so-so|okay-ish|pretty good|not bad)( today| tonight| now| actually)*[.!]*$"
    r"|^(okay|alright|fine|so-so|not bad)(,)? (today|tonight)[.!]*$",
    re.I,
)
_ADVICE = re.compile(
    r"^(so |but |and |um |okay |ok )?(what|how) (should|do|can|could|would|am) i\b|\bshould i\b|^should\b|\bwhat would you do\b|"
    r"\b(any|some|give me( some)?|your) (advice|tips|suggestions|ideas)\b|\bwhat'?s your advice\b|\btell me (what|how) to\b|"
    r"\bwhat do you (suggest|recommend|think i should)\b|\brecommend something\b|\bhelp me decide\b|"
    r"\bhow (do|can|should) i (stop|deal|cope|handle|get|make|tell|set|say|know|talk)\b|\bwhich (option|one) should\b|"
    r"\bwhat'?s the (best|right) (way|thing)\b|\bis it a good idea\b|\bdo you think i should\b|\bwhat should my\b|"
    r"\bhow would you handle\b|\bwhat can i do\b|\bis there anything i can do\b|\bhow am i supposed to\b",
    re.I,
)
# "What are you?" always speaks to the companion: without one of these words it was something else
# ("I don't know. I keep replaying it" once got the whole AI disclosure).
_ADDRESSES_ME = re.compile(r"\b(you|your|you'?re|yourself|u|ur|stillpoint|bot|ai|robot|machine|computer|program|human|person|real)\b"
                           r"|\b(any|some)(body|one)\b.*\b(there|listening|reading)\b", re.I)
# Asking what is wrong with them: a companion never diagnoses; it says who can look at it properly.
_DIAGNOSIS = re.compile(
    r"\b(what'?s|what is|whats) (wrong|the matter) with me\b|\bwhat do you think (is )?wrong with me\b|"
    r"\b(is|do you think) (it|this|that|what i have|it'?s|this is)? ?(a panic attack|an? (anxiety|panic) attack|depression|"
    r"anxiety|adhd|ocd|ptsd|bipolar|burn ?out|my heart|something wrong with my (heart|head|brain|chest))\b.*\?|"
    r"\b(do|could|might) i (have|be having) (depression|anxiety|adhd|ocd|ptsd|bipolar|a disorder|an? (anxiety|panic) disorder|"
    r"a heart attack|a breakdown|burn ?out)\b|"
    r"\bam i (depressed|bipolar|mentally ill|crazy|going crazy|having a (heart attack|breakdown|panic attack))\b.*\?|"
    r"\bis (there )?something (wrong|the matter) with me\b|\b(is|could) (it|this) be (my heart|a heart attack|a panic attack|depression|anxiety)\b",
    re.I,
)


# Asking the companion to judge ("am I overreacting?", "what do you think?"): it does not judge, and says so kindly.
_OPINION = re.compile(
    r"\bwhat do you (think|reckon|make of (it|that|this))\b(?! i should)|\bwhat'?s your (opinion|take|view)\b|"
    r"\bam i (just )?(overreacting|being (silly|stupid|unreasonable|dramatic|selfish|petty|ridiculous|oversensitive|too sensitive|"
    r"paranoid|mean|horrible|awful|a baby|childish))\b|\bam i (a )?(bad|terrible|awful|horrible|selfish|useless) "
    r"(person|mum|mom|dad|parent|daughter|son|friend|partner|wife|husband|sister|brother)\b|"
    r"\b(is|was) (that|it|this|i) (wrong|bad|selfish|unreasonable|too much|fair|out of order)( of me)?\b.*\?|"
    r"\bwas i (wrong|right|out of order|unfair|too harsh)\b|\bdo you think i('?m| am| was) (wrong|right|being|overreacting|mad)\b",
    re.I,
)


def asks_my_opinion(text: str) -> bool:
    return bool(_OPINION.search(text))


def asks_for_a_diagnosis(text: str) -> bool:
    return bool(_DIAGNOSIS.search(text))


_IDENTITY_MORE = re.compile(
    r"\b(do you (have|actually have) (feelings|a body|emotions)|can you (feel|think for yourself|really understand)|"
    r"are you (conscious|sentient|alive|even real|just software|one of those|some kind of|trained)|you'?re not real|"
    r"you'?re (a|an|just a) (bot|ai|robot|program|machine)|is (there )?(someone|anyone|a human|anybody|somebody)( actually| really| even)? (reading|listening|there)|"
    r"who is (listening|reading)|is this (being )?(a recording|recorded|sent anywhere|ai|chatgpt|a program|thing real|an ai)|"
    r"do you record|who made you|what (am i talking to|kind of thing are you|exactly is stillpoint)|do you (actually )?care|"
    r"do you remember me|do you understand what i'?m saying|is anyone there|is it a person|do you know you'?re)\b",
    re.I,
)
_LOSS = re.compile(
    r"\b(died|dies|dead|death|passed away|passed on|passed|funeral|grave|cemetery|ashes|buried|mourning|grieving|grief|"
    r"put (him|her|them|it|our \w+|the \w+) (down|to sleep)|put down|miscarriage|lost the baby|my late|hospice|"
    r"took (his|her|their) own life|killed in|bereave\w*|widow\w*|anniversary of|since (she|he) (went|left us)|"
    r"lost my (mum|mom|mother|dad|father|brother|sister|son|daughter|wife|husband|partner|friend|best friend|twin|grandad|"
    r"grandma|grandmother|grandfather|nan|baby|dog|cat|uncle|aunt)\b(?! (job|keys|phone|temper|way|wallet|nerve)))\b",
    re.I,
)
_FILLER_WORDS = set(
    """i don't dont know not sure um uh er erm hmm hm mm yeah yes no maybe okay ok guess suppose dunno idea right well
    sort of kind so whatever pass sure really eh huh uh-huh just fine same as usual nothing much say think let me
    give a second thinking where was blank lost for words who knows what to talk about now""".split()
)
_CONFLICT_WORDS = re.compile(
    r"\b(argu\w*|fight\w*|fought|row|rows|rowed|fell out|falling out|fallen out|yell\w*|shout\w*|scream\w*|criticis\w*|"
    r"criticiz\w*|ignor\w*|blam\w*|clash\w*|bicker\w*|accus\w*|hung up|won'?t (speak|talk)|not speaking|had words|"
    r"had a go|undermin\w*|picks? on|picking on|interfer\w*|nasty|hurtful|hates? me|selfish|snapp\w*|standoff|feud\w*|"
    r"refuses?|never listens|takes? (my|his|her) side|disagree\w*|slamm?\w*|tense|owes? me|lied|lying|took credit)\b",
    re.I,
)
_GRATITUDE = re.compile(
    r"^(thank|thanks|ta\b|cheers|much appreciated|many thanks|appreciate|i (really )?appreciate|honestly,? thank)"
    r"|\b(thank you|thanks|grateful|thankful|i appreciate|appreciate (it|you|this|that))\b", re.I)


# Leaving, said as one clause of a longer goodbye: "thanks for listening, I'd better check on him", "ok I should go,
# early start tomorrow". Only going-away words: "I'm done, he never listens" or "stop, stop" are not goodbyes.
_LEAVING = re.compile(
    r"^((ok(ay)?|right|alright|well|so|anyway|yeah|thanks?( you)?|cheers)[ ,]+)*"
    r"(i('d| had)? better (go|get going|head off|get off|get to bed|get some sleep|sleep|check on \w+|get back to \w+)|"
    r"i (should|must|need to|have to|gotta|ought to) (probably |really )?(go|get going|head off|get to bed|get some sleep|"
    r"try (to|and) sleep|sleep)|(i'?ll|i will|i'?m going to|i'?m gonna) (try (to|and) )?(get some sleep|sleep|go to sleep|"
    r"go to bed|head (off|to bed)|let you go|go)|time (for bed|to go|to sleep)|early start( tomorrow)?|"
    r"i'?m off( now| to bed| to sleep)?|(good ?)?night|bye( for now)?)( now| then| for now| for tonight)?"
    r"( before [\w' ]{1,40}?)?( (ta|thanks|thank you|cheers)( for (that|this|listening|the chat))?)?\W*$",
    re.I,
)
# A sign-off built on thanks: "anyway, cheers for listening", "right, thanks for tonight".
_THANKS_SIGN_OFF = re.compile(
    r"^(anyway|right|ok(ay)?|well|so)[ ,.]+(thanks|thank you|cheers|ta)( (you )?for (listening|that|this|tonight|the chat|"
    r"talking|having me|your time))?( then)?\W*$", re.I)

_SHORT_REASON = re.compile(r"^(?!.*\b(but|though|except|can'?t|won'?t|not)\b)(\S+\s+){0,3}\S+$", re.I)  # "she's stirring"
_THANKS_ONLY = re.compile(r"^((thanks?( you)?|cheers|ta)( (again|for (listening|that|this|tonight|everything|the chat)))?|"
                          r"(i )?appreciate (the chat|it|that|this|you|you listening)( a lot)?)\W*$", re.I)
# what someone is off to do after saying goodbye ("that's me. going to have a cup of tea and watch something rubbish")
_PLAN_AFTER = re.compile(r"^(going to|gonna|i'?m going to|i'?m gonna|i'?ll|off to|time to) (?!(be|have to|need to)\b)"
                         r"(?!.*\b(but|tell you|talk about|ask|nothing|never|can'?t)\b).{1,60}$", re.I)
# a clause that can only be a sign-off ("that's it" or "i'm done" before a plan is a decision, not a goodbye)
_SIGN_OFF = re.compile(r"^((ok(ay)?|right|righto|anyway|cheers|thanks?)[ ,.!]*)*(that'?s me|that'?ll do|(good ?)?night|bye|cheerio|"
                       r"i'?m off|i'?ll leave it there|call it a night|(i'?m )?done for (tonight|today|now))\b", re.I)
# "thanks for letting me ramble, i think i'm gonna do five more and then crash": thanks for the space, then a plan
_THANKS_FOR_SPACE = re.compile(r"^((ok(ay)?|right|anyway|so)[ ,]+)?(thanks?( you)?|cheers|ta) for letting me (ramble|vent|talk|rant|go on)\b"
                               r"(?!.*\b(but|also|one more|another thing|the other thing|anyway the)\b)", re.I)


def is_closing(text: str) -> bool:
    """Saying goodbye or asking to stop: the session should end (live: it stops listening).

    A goodbye often comes after thanks or a reason ("thanks, that helps a bit. I think I'll try to sleep now"):
    the last clause is read on its own too, and a going-away clause anywhere in a short turn counts."""
    stripped = text.strip()
    if stripped and len(stripped.split()) <= 24 and _THANKS_FOR_SPACE.match(stripped):
        return True
    if not stripped or len(stripped.split()) > 14:
        return False
    if _CLOSING.match(stripped) or _CLOSING_ANYWHERE.search(stripped) or _THANKS_SIGN_OFF.match(stripped):
        return True
    clauses = [c.strip() for c in re.split(r"[.!?;]+|,\s*", stripped) if c.strip()]
    if len(clauses) > 1 and _CLOSING.match(clauses[-1]) and not re.fullmatch(r"(please )?stop|finish", clauses[-1], re.I):
        return True
    # a goodbye clause, then only thanks or what they are off to do ("Cheers, that's me. Going to have a cup of tea.")
    if any(_CLOSING.match(clause) and _SIGN_OFF.match(clause)
           and clauses[i + 1:] and all(_THANKS_ONLY.match(c) or _PLAN_AFTER.match(c) for c in clauses[i + 1:])
           for i, clause in enumerate(clauses)):
        return True
    # the going-away clause ends the turn, or only more goodbye follows it ("I should sleep, but I can't" is no goodbye),
    # or a short reason does ("I'd better go, she's stirring. Thank you.")
    return any(_LEAVING.match(clause) and all(_LEAVING.match(c) or _THANKS_ONLY.match(c) or _SHORT_REASON.match(c)
                                              for c in clauses[i + 1:])
               for i, clause in enumerate(clauses))


def asks_about_medication(text: str) -> bool:
    return bool(_MEDICATION.search(text) and _MED_ASKING.search(text))


_MED_NAMED = re.compile(rf"\b({_MED_WORDS})\b", re.I)
_MED_FOLLOW_UP = re.compile(
    r"\b(stop|stopping|take|taking|halve|double|more|another|two|three|extra|skip|come off|with (a |some )?(glass|drink|beer|wine|alcohol)|"
    r"wine|beer|alcohol|vodka|whisky|drink)\b.*(\?|$)",
    re.I,
)


def names_medication(text: str) -> bool:
    return bool(_MED_NAMED.search(text))


def medication_follow_up(text: str) -> bool:
    """'What about with a glass of wine?' or 'should I just stop?' right after medication was named:
    still a medication question, though the medicine is only 'it'."""
    return bool(_MED_FOLLOW_UP.search(text) and _MED_ASKING.search(text))


def medication_risk(text: str) -> bool:
    """More than prescribed, someone else's pills, or mixing with alcohol: a safety question first."""
    return asks_about_medication(text) and bool(MEDICATION_RISK_WORDS.search(text))


def mentions_loss(text: str) -> bool:
    return bool(_LOSS.search(text))


def _is_filler(text: str) -> bool:
    words = re.findall(r"[a-z'-]+", text.lower())
    return 0 < len(words) <= 8 and all(w.strip("'") in _FILLER_WORDS or w in {"don't", "i'm", "can't"} for w in words)


def rule_intent(text: str, breath_offered: bool = False) -> tuple[str, str] | None:
    """(intent, rule name) where a rule decides; None leaves it to the classifier."""
    if asks_what_i_am(text) or _IDENTITY_MORE.search(text):
        return "identity", "asks what I am"
    if asks_about_medication(text):
        return "medication", "asks about medication"
    if asks_for_a_diagnosis(text):
        return "diagnosis", "asks what is wrong"
    if asks_my_opinion(text) and not _ADVICE.search(text):
        return "opinion", "asks me to judge"
    if is_closing(text):
        return "closing", "closing words"
    if wants_breathing(text, breath_offered):
        return "breathe", "asks to breathe"
    if _MOOD.search(text) and len(text.split()) <= 14 and not mentions_loss(text):
        return "mood", "a mood score"
    if _ADVICE.search(text):
        return "advice", "asks what to do"
    if _is_filler(text):
        return "filler", "only filler words"
    if _GRATITUDE.search(text.strip()) and len(text.split()) <= 14:
        return "gratitude", "thanks"
    return None


# -- the person's own words --------------------------------------------------------------------
_FEELINGS = {
    "sad": "sad", "sadness": "sad", "low": "low", "down": "down", "depressed": "low", "miserable": "miserable",
    "empty": "empty", "numb": "numb", "hopeless": "hopeless", "heartbroken": "heartbroken", "flat": "flat",
    "blue": "blue", "gutted": "gutted", "crushed": "crushed", "defeated": "defeated", "deflated": "deflated",
    "hollow": "hollow", "heavy": "heavy", "anxious": "anxious", "anxiety": "anxious", "worried": "worried",
    "worry": "worried", "worrying": "worried", "nervous": "nervous", "scared": "scared", "afraid": "afraid",
    "frightened": "frightened", "terrified": "terrified", "panic": "panicky", "panicking": "panicky",
    "panicky": "panicky", "stressed": "stressed", "stress": "stressed", "tense": "tense", "uneasy": "uneasy",
    "overwhelmed": "overwhelmed", "dread": "full of dread", "dreading": "full of dread", "restless": "restless",
    "angry": "angry", "anger": "angry", "furious": "furious", "livid": "livid", "annoyed": "annoyed",
    "irritated": "irritated", "frustrated": "frustrated", "frustrating": "frustrated", "fuming": "furious",
    "seething": "furious", "raging": "furious", "mad": "angry", "resentful": "resentful", "bitter": "bitter",
    "fed": "fed up", "exasperated": "exasperated", "cross": "cross", "lonely": "lonely", "alone": "alone",
    "isolated": "isolated", "invisible": "invisible", "forgotten": "forgotten", "left": "left out",
    "guilty": "guilty", "guilt": "guilty", "ashamed": "ashamed", "shame": "ashamed", "embarrassed": "embarrassed",
    "humiliated": "humiliated", "mortified": "mortified", "awful": "awful", "terrible": "terrible",
    "horrible": "horrible", "proud": "proud", "happy": "happy", "excited": "excited", "relieved": "relieved",
    "hopeful": "hopeful", "pleased": "pleased", "chuffed": "pleased", "grateful": "grateful",
    "thankful": "thankful", "pride": "proud", "calm": "calm", "calmer": "calmer", "lighter": "lighter", "tired": "tired",
    "exhausted": "exhausted", "drained": "drained", "hurt": "hurt", "lost": "lost", "confused": "confused",
    "jealous": "jealous", "disappointed": "disappointed", "upset": "upset", "worn": "worn out",
    "crying": "tearful", "cried": "tearful", "tearful": "tearful", "tears": "tearful", "sobbing": "tearful",
}
_FEELING_INTENT = {}
for _intent, _words in {
    "sadness": "sad low down miserable empty numb hopeless heartbroken flat blue gutted crushed defeated deflated hollow heavy hurt upset tearful",
    "anxiety": "anxious worried nervous scared afraid frightened terrified panicky stressed tense uneasy overwhelmed restless",
    "anger": "angry furious livid annoyed irritated frustrated resentful bitter cross exasperated",
    "loneliness": "lonely isolated invisible forgotten",
    "shame": "guilty ashamed embarrassed humiliated mortified",
    "good_news": "proud happy excited relieved hopeful pleased",
}.items():
    for _w in _words.split():
        _FEELING_INTENT[_w] = _intent
_FEELING_INTENT.update({"full of dread": "anxiety", "fed up": "anger", "left out": "loneliness"})

POSITIVE_FEELINGS = {"proud", "happy", "excited", "relieved", "hopeful", "pleased", "grateful", "thankful", "calm",
                     "calmer", "lighter"}
_FEELING_CONTEXT = re.compile(r"\b(feel|feeling|felt|i'?m|i am|so|really|very|been|just|bit|quite|makes me|made me)\s+(\w+\s+)?$", re.I)

_SWAPS = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are", "i'm": "you're",
    "im": "you're", "i've": "you've", "i'll": "you'll", "i'd": "you'd", "our": "your", "ours": "yours",
    "we": "you", "us": "you", "we're": "you're", "we've": "you've", "ourselves": "yourselves",
}
_OPENERS = re.compile(
    r"^(so|well|and|but|um|uh|er|honestly|basically|like|okay|ok|yeah|just|i mean|i think|i guess|i feel like|"
    r"the thing is|so the thing is|anyway|lately|today|tonight|right)[, ]+",
    re.I,
)
_NOT_NOUNS = set(
    """end way thing things lot rest bit middle kind sort point same whole first last next other only own best worst
    most fact moment minute second time day night week morning evening afternoon year years hour hours month other
    one ones place reason idea truth chance side start top bottom heart head mind chest body eyes hands stomach phone
    breath sleep life brain knees knee legs leg back feet foot arms arm hand shoulders neck face hair skin teeth ears
    shops third fourth fifth sixth seventh eighth ninth tenth umpteenth hundredth millionth""".split()
) | CALENDAR  # "I shouted at her yesterday" names no "her yesterday"
_DETERMINER_NOUN = re.compile(
    r"\b(my|our|the|his|her|their)\s+((?:[a-z]+[- ])?[a-z]+)",
    re.I,
)
_VERBISH = re.compile(r"(ing|ed|ly)$")
# Nouns that only look like a verb or adverb form: "the wedding" is a thing they named, "the going" is not.
_NOUNS_LIKE_VERBS = set(
    """wedding meeting building ceiling painting christening sibling training housing parking funding hearing evening
    morning thing ring king wing spring string bed shed red feed need seed speed breed reed weed steed family belly
    rally bully jelly supply assembly reply lily holly fly ally""".split()
)


# Things that happen somewhere keep their place in what was said: "at the party", "at the wedding".
_EVENTS = {"wedding", "funeral", "party", "meeting", "interview", "exam", "appointment", "christening", "reunion",
           "match", "concert", "gig", "game", "date", "service", "hearing", "trial", "ceremony", "presentation", "do"}
# The second noun of a compound that names the thing: "the bowls club", "the corner shop", "my sales report".
_HEAD_NOUNS = set("""club group team meeting party report course exam test job interview shop office school class
    appointment results bill review deadline project match""".split())


def _verbish(word: str) -> bool:
    return bool(_VERBISH.search(word)) and word not in _NOUNS_LIKE_VERBS
_ADJECTIVES = set("""new old best first last little big whole own younger older younger final big small late dear
    ex close elderly baby twin other favourite favorite usual normal""".split())
# an adjective not in the list above, known by its ending ("the immediate predecessors", "my financial worries"):
# keep the noun after it, or recall would say "when we were talking about the immediate"
_ADJECTIVE_ENDING = re.compile(r"(ate|ive|ous|ful|less|ical|ial|able|ible|ary|ish)$")
_PHRASE_STARTS = set("""you your you're you've you'd you'll he she they it it's that there everyone nobody people the his
    her their things everything work we someone my""".split())


def _swap_person(text: str) -> str:
    out = []
    for word in text.split():
        core = word.strip(".,!?;:\"").lower()
        swapped = _SWAPS.get(core)
        out.append(swapped if swapped else word.strip(".,!?;:\""))
    result = " ".join(out)
    result = re.sub(r"\byou was\b", "you were", result)
    return re.sub(r"\byou (is)\b", "you are", result)


def feeling_word(text: str) -> str | None:
    """A feeling word the person used, in a form that fits 'you're feeling …'."""
    return next(feeling_words(text), None)


def feeling_words(text: str) -> Iterator[str]:
    """Every feeling word the person used, in order ("excited but also terrified": excited, terrified)."""
    lowered = text.lower()
    for match in re.finditer(r"[a-z]+", lowered):
        word = match.group(0)
        if word not in _FEELINGS:
            continue
        if word in {"down", "low", "heavy", "flat", "blue", "left", "fed", "lost", "mad", "cross", "worn", "empty",
                    "alone", "hurt", "calm"}:
            before = lowered[: match.start()]
            if not _FEELING_CONTEXT.search(before) and len(re.findall(r"[a-z']+", lowered)) > 3:  # "Hurt." alone is one
                continue
            after = lowered[match.end():].lstrip()
            if word == "fed" and not after.startswith("up"):
                continue
            if word == "worn" and not after.startswith("out"):
                continue
            if word == "left" and not after.startswith("out"):
                continue
        if re.search(r"\b(not|n't|never)\s+(\w+\s+)?$", lowered[: match.start()]):
            continue  # "not worried" is not worry
        yield _FEELINGS[word]


def _bad_feelings(text: str) -> list[str]:
    """Hard feeling words ("tearful" is not one: people cry with relief too)."""
    return [f for f in feeling_words(text) if f != "tearful" and _FEELING_INTENT.get(f) in _NEGATIVE_FEELINGS]


def _good_feelings(text: str) -> list[str]:
    return [f for f in feeling_words(text) if f in POSITIVE_FEELINGS]


def _only_good_feelings(text: str) -> bool:
    """Good feeling words and no hard ones: "proud of myself" is not shame, "excited but terrified" is both."""
    said = list(feeling_words(text))
    return bool(said) and all(f in POSITIVE_FEELINGS for f in said)  # "a bit lighter today" too


# A capital after these is somewhere, not someone: "I moved to Leeds" must not become "So Leeds are part of this."
_A_PLACE = re.compile(r"\b(in|to|from|at|near|around|into|through|outside|visit|visiting|left|leave|leaving|back home in)\s+$", re.I)


# Languages and nationalities are capitalised but nobody: "My English is good" once got "How are things with English?"
# A list, not an ending rule: "-an", "-ic", "-ean" would also take Ryan, Eric and Sean.
_LANGUAGE_OR_NATION = re.compile(
    r"^(English|British|Welsh|Scottish|Scots?|Irish|American|Canadian|Australian|French|German|Spanish|Italian|"
    r"Portuguese|Dutch|Polish|Czech|Slovak|Hungarian|Romanian|Bulgarian|Greek|Turkish|Russian|Ukrainian|Lithuanian|"
    r"Latvian|Swedish|Norwegian|Danish|Finnish|Icelandic|Swiss|Austrian|Belgian|Arabic|Hebrew|Persian|Farsi|Urdu|Hindi|"
    r"Punjabi|Bengali|Gujarati|Tamil|Chinese|Mandarin|Cantonese|Japanese|Korean|Thai|Vietnamese|Filipino|Tagalog|"
    r"Indonesian|Malay|Nigerian|Somali|Swahili|Yoruba|Igbo|Brazilian|Mexican|Jamaican|Pakistani|Indian|Bangladeshi)$")


_ROLES = {"doctor", "therapist", "teacher"}


def people_named(text: str) -> tuple[str, ...]:
    """People the person named, as the companion would say them: 'your sister', 'Sam'."""
    found = []
    for t in topics(text):
        if t.kind == "person":
            phrase = _person_phrase(text, t.word)
            if phrase:
                found.append(phrase)
        elif t.kind == "name" and t.word.lower() not in {"stillpoint", "christmas", "easter", "monday"} and len(t.word) > 2 \
                and not t.word.isupper() and not _A_PLACE.search(text.split(t.word)[0]) \
                and not _LANGUAGE_OR_NATION.search(t.word):  # "the MOT" is no one, nor is "English"
            found.append(t.word)
    return tuple(dict.fromkeys(found))


def _person_phrase(text: str, word: str) -> str | None:
    """'my friend' → 'your friend'; 'my friends' → 'your friends'; 'his mum' → 'his mum'; a bare 'boss' → 'your boss'.

    None for people in general ("everyone's already made friends"): nobody in particular was named."""
    if re.search(rf"\b(a|an)\s+(\w+\s+)?{re.escape(word)}\b", text, re.I) and \
            not re.search(rf"\b(my|our|his|her|their|the)\s+(\w+\s+)?{re.escape(word)}", text, re.I):
        return None  # "I feel like a terrible mother" is how they see themselves, not someone they named
    match = re.search(rf"\b(my|our|his|her|their|the)\s+(?:\w+\s+)?({re.escape(word)}s?)\b", text, re.I)
    if match and match.group(1).lower() == "the" and word in _ROLES:
        return None  # "the doctor says he'll be fine" is part of the story, not someone of theirs to ask after
    if match:
        said = match.group(2).lower()
        return f"{match.group(1).lower()} {said}" if match.group(1).lower() in {"his", "her", "their"} else f"your {said}"
    if not re.search(rf"\b{re.escape(word)}\b(?!s)", text, re.I) and word not in {"parents", "kids", "children", "family"}:
        return None  # only the plural, with nobody's: people in general
    return f"your {word}"


def content_phrase(text: str) -> str | None:
    """A thing the person named, worth saying back: a person, a place, or a determiner + noun.

    Never a bare verb or filler word: that is how recall once said "when we were talking about done"."""
    people = people_named(text)
    if people:
        return people[0]
    return next(_things_named(text), None)


def phrases_named(text: str) -> list[str]:
    """Everyone and everything named, as it would be said back: ['your sister', 'the wedding']."""
    return list(dict.fromkeys([*people_named(text), *_things_named(text)]))


# A thing named as where something happened ("asleep on the rug", "sat at my desk", "in the car") is seldom what it
# was about: asking "what's weighing on you most about the rug?" is a slip. Events keep their place ("at the party").
_WHERE = re.compile(r"\b(on|in|at|under|by|near|onto|into|inside|behind|beside|outside|across|round|around|out of)\s+$",
                    re.I)


def _things_named(text: str) -> Iterator[str]:
    for match in _DETERMINER_NOUN.finditer(text):
        det, rest = match.group(1).lower(), match.group(2).lower()
        if _WHERE.search(text[: match.start()]) and not set(re.split(r"[- ]", rest)) & (_HEAD_NOUNS | _EVENTS):
            continue
        if _LANGUAGE_OR_NATION.search(match.group(2).split()[0]):
            continue  # "my English"
        words = re.split(r"[- ]", rest)
        if words[0] not in _ADJECTIVES and not _ADJECTIVE_ENDING.search(words[0]) and \
                not (len(words) == 2 and words[1] in _HEAD_NOUNS):  # "the bowls club", not "the bowls"
            words = words[:1]
        if words[-1] in STOP_WORDS or words[-1] in _NOT_NOUNS or _verbish(words[-1]) or len(words[-1]) < 3:
            if len(words) == 2 and words[0] in _ADJECTIVES:
                continue  # "the last …", "the big …": an adjective without its noun is not a thing they named
            words = words[:1]
        if not words or words[0] in STOP_WORDS or words[0] in _NOT_NOUNS or len(words[0]) < 3:
            continue
        if len(words) == 2 and (words[1] in STOP_WORDS or words[1] in _NOT_NOUNS or _verbish(words[1])):
            words = words[:1]
        if len(words) == 1 and (_verbish(words[0]) or words[0] in _FEELINGS):
            continue
        if det == "the" and words[-1] in _ROLES:
            continue  # "the doctor says he'll be fine": part of the story
        spoken_det = {"my": "your", "our": "your"}.get(det, det)
        yield f"{spoken_det} {' '.join(words)}"
    lowered = text.lower()
    for place in PLACES:
        if re.search(rf"\b(at|to|from|about|with|after|in|for) {place}\b", lowered):
            yield place


def key_phrase(text: str, max_words: int = 9) -> str | None:
    """The clause most worth reflecting, in the second person, or None when no short one exists.

    'My brother didn't call me back.' → 'your brother didn't call you back'. Clauses that speak to
    the companion ('you …') or ask a question are not reflected."""
    clauses = [c.strip(" ,") for c in re.split(r"[.!?;]+|,\s*(?:but|and|so)\s+|\s+but\s+", text) if c.strip(" ,")]
    best = None
    for clause in clauses:
        clause = _OPENERS.sub("", clause).strip()
        clause = _OPENERS.sub("", clause).strip()
        words = clause.split()
        if not 3 <= len(words) <= max_words:
            continue
        if re.search(r"\b(you|your|you're)\b", clause, re.I) or re.match(
            r"(should|can|could|would|will|what|how|why|when|where|who|is|are|do|does|did|am)\b", clause, re.I
        ):
            continue
        if best is None or len(words) > len(best.split()):
            best = clause
    if best is None:
        return None
    swapped = _swap_person(best)
    if swapped.split()[0].lower() not in _PHRASE_STARTS:
        return None  # a fragment ("First time in months"), not a clause worth giving back
    first = swapped.split()[0]
    return swapped if first in people_named(text) else swapped[0].lower() + swapped[1:]
    return swapped[0].lower() + swapped[1:] if not re.match(r"[A-Z][a-z]+\b", swapped) or swapped.split()[0] in {
        "The", "Your", "It", "Everything", "Nothing", "Work", "Today", "Everyone", "Nobody", "My", "We", "He", "She",
        "They", "There", "This", "That", "Things", "Some", "Every", "All", "No", "Since", "When"} else swapped


# -- the classifier ----------------------------------------------------------------------------
@dataclass(frozen=True)
class IntentModel:
    """Multinomial logistic regression on sentence embeddings: scores = softmax(W·x + b)."""

    labels: tuple[str, ...]
    weights: np.ndarray  # (labels, dim)
    bias: np.ndarray  # (labels,)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        z = self.weights @ vector + self.bias
        z = np.exp(z - z.max())
        return z / z.sum()

    def save(self, path: Path) -> None:
        np.savez_compressed(path, labels=np.array(self.labels), weights=self.weights.astype(np.float32),
                            bias=self.bias.astype(np.float32))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "IntentModel":
        with np.load(path) as data:
            return cls(tuple(str(x) for x in data["labels"]), data["weights"], data["bias"])


def train_model(vectors: np.ndarray, labels: list[str], *, l2: float = 1e-4, steps: int = 1500, lr: float = 8.0) -> IntentModel:
    """Full-batch gradient descent on the cross-entropy; small and deterministic (no extra library)."""
    names = tuple(sorted(set(labels)))
    index = {n: i for i, n in enumerate(names)}
    y = np.zeros((len(labels), len(names)), dtype=np.float32)
    y[np.arange(len(labels)), [index[l] for l in labels]] = 1.0
    x = vectors.astype(np.float32)
    w = np.zeros((len(names), x.shape[1]), dtype=np.float32)
    b = np.zeros(len(names), dtype=np.float32)
    for _ in range(steps):
        z = x @ w.T + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = p - y
        w -= lr * (grad.T @ x / len(x) + l2 * w)
        b -= lr * grad.mean(axis=0)
    return IntentModel(names, w.astype(np.float32), b.astype(np.float32))


def load_labelled(path: Path = DATA / "intents.tsv") -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, text = line.split("\t", 1)
            rows.append((intent.strip(), text.strip()))
    return rows


@lru_cache(maxsize=1)
def _default_model() -> IntentModel:
    return IntentModel.load()


class Understanding:
    """Reads a turn: rules first, then the classifier on the shared embedding."""

    def __init__(self, embedder: Embedder | None = None, model: IntentModel | None = None):
        self._embedder = embedder
        self._model = model

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from .embedding import default_embedder

            self._embedder = default_embedder()
        return self._embedder

    @property
    def model(self) -> IntentModel:
        if self._model is None:
            self._model = _default_model()
        return self._model

    def classify(self, text: str) -> dict[str, float]:
        probs = self.model.probabilities(self.embedder.embed(text))
        return {label: float(p) for label, p in zip(self.model.labels, probs)}

    def read(self, text: str, *, breath_offered: bool = False, medication_named: bool = False) -> Reading:
        """`medication_named`: a medicine was named earlier this session, so a follow-up about
        'it' (stopping, more, with wine) is read as a medication question too."""
        text = text.strip()
        loss = mentions_loss(text)
        ruled = rule_intent(text, breath_offered)
        if (ruled is None or ruled[0] in {"advice", "filler", "mood"}) and medication_named and medication_follow_up(text):
            ruled = ("medication", "follows up a medication question")
        scores: dict[str, float] = {}
        if ruled is not None:
            intent, why, confidence = ruled[0], f"rule: {ruled[1]}", 1.0
        else:
            scores = self.classify(text) if text else {"filler": 1.0}
            allowed = {k: v for k, v in scores.items() if k not in RULE_ONLY}
            total = sum(allowed.values()) or 1.0
            allowed = {k: v / total for k, v in allowed.items()}
            intent = max(allowed, key=allowed.get)
            confidence = allowed[intent]
            why = f"classifier {confidence:.2f}"
            if intent == "grief" and not loss:
                intent, why = "sadness", why + "; no loss named, so read as sadness"
            elif loss and intent not in {"grief", "shame", "conflict", "good_news", "gratitude"}:
                intent, why = "grief", "rule: a loss is named"
            elif intent in _NEGATIVE_FEELINGS and _only_good_feelings(text):  # "I feel kind of proud of myself"
                intent, why = "good_news", why + f"; only good feeling words ('{feeling_word(text)}'), so good_news"
            elif intent == "good_news" and (bad := _bad_feelings(text)) and not _good_feelings(text):
                # "I'm so stressed, everyone else has it sorted": hard feelings said, none good, so no "what lovely news"
                intent = _FEELING_INTENT[bad[0]]
                why += f"; only hard feelings named, so {intent}"
            elif intent == "conflict" and _CONFLICT_WORDS.search(text) and confidence >= CONFLICT_NAMED_CONFIDENCE:
                why += "; conflict words"  # "criticised my report in front of everyone": named, so less certainty will do
            elif intent == "conflict" and not _CONFLICT_WORDS.search(text):
                intent = _FEELING_INTENT.get(feeling_word(text) or "", "telling")
                why += f"; no conflict named, so read as {intent}"
            elif intent == "telling" and _CONFLICT_WORDS.search(text) and scores.get("conflict", 0) > 0.1:
                intent, why = "conflict", why + "; conflict words, so conflict"
            elif intent == "filler" and feeling_word(text):  # "Embarrassed." answers "what's the feeling?"
                intent = _FEELING_INTENT.get(feeling_word(text), "telling")
                why += f"; the feeling word '{feeling_word(text)}' is an answer, so {intent}"
            elif intent == "identity" and not _ADDRESSES_ME.search(text):
                rest = {k: v for k, v in allowed.items() if k != "identity"}
                intent = max(rest, key=rest.get)
                why += f"; nothing asked of me, so {intent}"
            elif intent in SURE_ONLY and confidence < SURE_ONLY.get(intent, 0):
                rest = {k: v for k, v in allowed.items() if k not in SURE_ONLY}
                intent = max(rest, key=rest.get)
                why += f"; not sure enough, so {intent}"
            elif (intent == "telling" or confidence < FEELING_CONFIDENCE.get(intent, 0)) and \
                    _FEELING_INTENT.get(feeling_word(text) or "") not in (None, intent):
                intent, why = _FEELING_INTENT[feeling_word(text)], why + f"; the feeling word '{feeling_word(text)}' decides"
            elif intent in FEELING_CONFIDENCE and confidence < FEELING_CONFIDENCE[intent] and \
                    not (feeling_word(text) and intent != "good_news") and \
                    _FEELING_INTENT.get(feeling_word(text) or "") != intent:  # "kind of proud": their own word
                intent, why = "telling", why + f" (below {FEELING_CONFIDENCE[intent]}: read as telling)"
            elif confidence < MIN_CONFIDENCE:
                intent, why = "telling", why + f" (below {MIN_CONFIDENCE}: read as telling)"
        return Reading(
            text=text,
            intent=intent,
            confidence=confidence,
            why=why,
            feeling=feeling_word(text),
            people=people_named(text),
            topic=content_phrase(text),
            phrase=key_phrase(text),
            loss=loss,
            dismissal=is_dismissal(text),
            scores=scores,
        )
