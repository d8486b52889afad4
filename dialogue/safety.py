"""Crisis-language assessment: every user transcript, before any model sees it.

Three levels: `acute` (suicidal intent or plans, self-harm or an overdose happening, intent to
harm someone, danger from someone else now), `concern` (hopelessness, worthlessness, passive
wishes not to exist, past ideation, worry about someone else in crisis) and `none`.

Keyword lists alone miss most real cases and fire on "this traffic is killing me", so the
rules here work on clauses of normalised text and look at who the subject is, whether the
statement is negated, whether it is reported or quoted, and whether it is in the past. Each
rule is a regular expression with a level and a reason a clinician can read. Beside the rules,
a semantic layer (`safety_classifier.py`: sentence embeddings and two small trained heads)
hears crisis in words the rules never saw, and a language model may give a further opinion (see
`SecondOpinion`); both can only raise the level, never lower it: the rules are never switched off.

What this cannot do is written in the README: it reads words, not tone; it does not know the
person's history; sarcasm, very indirect hints and words Whisper mis-hears can slip past it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from .safety_classifier import ClassifierOpinion, SafetyClassifier

log = logging.getLogger(__name__)

Level = Literal["none", "concern", "acute"]
LEVELS: tuple[Level, ...] = ("none", "concern", "acute")


@dataclass(frozen=True)
class SafetyAssessment:
    level: Level
    reason: str = ""
    evidence: str = ""  # the words that triggered it
    set_aside: str = ""  # when `none`: a crisis phrase was heard but read as negated, reported or an idiom
    someone_else: bool = False  # acute, and the person at risk right now is a third party ("my friend just took an overdose")

    @property
    def flagged(self) -> bool:
        return self.level != "none"


# -- normalisation -----------------------------------------------------------------------------
_CONTRACTIONS = [
    (r"\bi'm\b", "i am"),
    (r"\bim\b", "i am"),
    (r"\b(there|that|it|what|he|she|who|everything|nothing|life)'s\b", r"\1 is"),
    (r"\b(theres|thats|whats|hes|shes|everythings|nothings|lifes)\b", lambda m: m.group(1)[:-1] + " is"),
    (r"\bits (\w+ing|not|going|over|too|all|so|like)\b", r"it is \1"),
    (r"\bive\b", "i have"),
    (r"\bi'?d\b", "i would"),
    (r"\b(he|she|they|we|you|it|that|everyone|everybody)'d (?=(be|have|rather|never|not|like|love|want|feel|do|go|say|care|mind|prefer|probably|all|just|really)\b)", r"\1 would "),
    (r"\bi'?ll\b", "i will"),
    (r"\b(he|she|they|we|you|that|it|this|there|everything|everyone)'ll\b", r"\1 will"),
    (r"\b(do|does|did|is|are|was|were|would|could|should|have|has|had)n'?t\b", r"\1 not"),
    (r"\bcan'?t\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bwon'?t\b", "will not"),
    (r"\b(dont)\b", "do not"),
    (r"\b(didnt)\b", "did not"),
    (r"\b(doesnt)\b", "does not"),
    (r"\b(wont)\b", "will not"),
    (r"\b(cant)\b", "can not"),
    (r"\b(isnt)\b", "is not"),
    (r"\b(wasnt)\b", "was not"),
    (r"\b(wouldnt)\b", "would not"),
    (r"\b(havent)\b", "have not"),
    (r"\b(you|we|they) ?'re\b", r"\1 are"),
    (r"\b(he|she|it|that|there|what) ?'s\b", r"\1 is"),
    (r"'ve\b", " have"),
    (r"\bwanna\b", "want to"),
    (r"\bgonna\b", "going to"),
    (r"\bgotta\b", "have to"),
    (r"\bkinda\b", "kind of"),
    (r"\bmy ?self\b", "myself"),
    (r"\bur\b", "your"),
    (r"\bu\b", "you"),
    (r"\bpls\b", "please"),
]
_SPELLING = [
    (r"\b(sucide|suicde|suiside|suicid|suecide|sewercide)\b", "suicide"),
    (r"\b(sucidal|suicdal|suisidal|suicidle|suicidel|sucidle|suicidial)\b", "suicidal"),
    (r"\bcomm?it+\b", "commit"),
    (r"\bded\b", "dead"),
    (r"\bhop(e)?less?\b", "hopeless"),
    (r"\bworthles\b", "worthless"),
    (r"\bto many\b", "too many"),
    (r"\bbetter of\b", "better off"),
    (r"\bkil+ing\b", "killing"),
    (r"\bkil\b", "kill"),
    (r"\b(myslef|mysef|myselve|myselfe|meself)\b", "myself"),
    (r"\bwann?a\b", "want to"),
    (r"\bgonn?a\b", "going to"),
    (r"\bkms\b", "kill myself"),
    (r"\bunalive (myself|me)\b", "kill myself"),
    (r"\bunaliving\b", "killing myself"),
    (r"\bover dose", "overdose"),
    (r"\bod'?d\b", "overdosed"),
    (r"\bpils\b", "pills"),
    (r"\bslef\b", "self"),
    (r"\b(lyfe|lif)\b", "life"),
    (r"\btonite\b", "tonight"),
    (r"\bnite\b", "night"),
    (r"\bbrige\b", "bridge"),
    (r"\brite now\b", "right now"),
    (r"\btuk\b", "took"),
    (r"\bevry\b", "every"),
    (r"\barr?ound\b", "around"),
    (r"\boverdoes\b", "overdose"),
    (r"\bleters\b", "letters"),
    (r"\brop\b", "rope"),
    (r"\brealy\b", "really"),
    (r"\bbled(d)?ing\b", "bleeding"),
    (r"\btrainstation\b", "train station"),
    (r"\binfront\b", "in front"),
    (r"\bfrend\b", "friend"),
    (r"\bpiont\b", "point"),
    (r"\bswoll?(ed|owed)\b", "swallowed"),
    (r"\btablits\b", "tablets"),
    (r"\breddy\b", "ready"),
    (r"\bgoodby\b", "goodbye"),
    (r"\btomm?orr?ow\b", "tomorrow"),
    (r"\bgunn?a\b", "going to"),
    (r"\bege\b", "edge"),
    (r"\bcutt\b", "cut"),
    (r"\bto deep\b", "too deep"),
    (r"\bjump of the\b", "jump off the"),
    (r"\bburdan\b", "burden"),
    # session 3: an overdose told with misspellings ("i tooke like 30 of my anti depresents")
    (r"\b(tooke|tuk|tok|tookd)\b", "took"),
    (r"\banti[- ]?dep+res+\w*", "antidepressants"),
    (r"\bparac[ei]t[ae]m[oa]ll?\b", "paracetamol"),
    (r"\bhole (packet|box|bottle|strip|pack|lot|month)\b", r"whole \1"),
    (r"\b(swalowed|swallowd|swollowed)\b", "swallowed"),
    (r"\b(tabs|tablits|tablettes)\b", "tablets"),
    (r"\bhart\b", "heart"),
    (r"\b(platfrom|platfom)\b", "platform"),
    (r"\btmrw\b", "tomorrow"),
    # session 5: loose spellings of the development rounds ("took alot of my sleepin tablets", "wont be alive tomoro")
    (r"\b(tomoro|tomorro|tommoro|tomora)\b", "tomorrow"),
    (r"\balot\b", "a lot"),
    (r"\bsleepin\b", "sleeping"),
    (r"\b(ibuprofens|iboprofen|ibuprofin)\b", "ibuprofen"),
    (r"\b(paracetamols)\b", "paracetamol"),
    (r"\b(phone|mobile|mum|mam|mom|dad)'s (off|dead|switched off)\b", r"\1 is \2"),
    (r"\bgoodbys\b", "goodbyes"),
    (r"\bevry ?one\b", "everyone"),
    (r"\b(mornin|morinng|moring|mornig)\b", "morning"),
    (r"\bdoin\b", "doing"),
    (r"\b(sory|sorri)\b", "sorry"),
    (r"\btel\b", "tell"),
    (r"\bbe hear\b", "be here"),
    (r"\bfone\b", "phone"),
    (r"\b(does not|did not|do not|doesnt|didnt|dont) no\b", r"\1 know"),
    (r"\b(\w+)'s (sent|texted|messaged|posted|locked|taken|swallowed|gone|left|rung|called|said|stopped|started|been|got|had|given)\b", r"\1 has \2"),
]


_SOFTENERS = re.compile(r"\b(really|just|honestly|actually|truly|literally|kind of|sort of|seriously|kinda|like|even|so|basically)\b ?")


def normalise(text: str, keep_softeners: bool = False) -> str:
    """Lowercase, standard spelling and contractions, and softeners dropped ("i don't really want
    to exist" → "i do not want to exist"), so one pattern covers many ways of saying a thing.
    `keep_softeners` keeps them where they are the meaning ("kind of" as an answer)."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    for pattern, repl in _SPELLING + _CONTRACTIONS:
        text = re.sub(pattern, repl, text)
    if not keep_softeners:
        text = _SOFTENERS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


# -- what does not count -----------------------------------------------------------------------
_IDIOMS = re.compile(
    r"\b(is|are|was|were|it is|that is|they are|this is) (\w+ )?killing me\b"
    r"|\b(my|the|these|those|this|that) [\w ]{1,20}? (is|are|was|were) killing me\b"
    r"|\b(i would|i could|i'd) (die|kill) for\b|\bto die for\b|\bdying (to|for)\b|\bdie (of|from) (laughing|embarrassment|boredom)\b"
    r"|\b(bored|scared|worried|freezing|starving|tickled) to death\b|\bkill(ed|ing)? (it|time|the (lights|engine|mood|vibe))\b"
    r"|\bkiller (app|feature|workout|deal|idea)\b|\bdead (tired|serious|beat|end)\b|\bi am (so )?dead\b(?! inside| weight)"
    r"|\bcould (kill|murder) (a|an|for) \w+\b|\bmurder (a|an) \w+ (right now|tonight)\b"
    r"|\bdrop dead (gorgeous|handsome)\b|\bmy (phone|battery|laptop|car|plant|plants) (is|are|was) (dead|dying)\b"
    r"|\b(not )?the end of the world\b|\b('ll|will|would|is going to) be the (death|end) of me\b|\b(kill|murder|strangle) (him|her|them|my \w+) (if|when) (he|she|they) (\w+ )?(gets home|borrows?|eats?|ate|takes?|touches?|forgets?|does that|is late|wakes?|uses?)\b|\bshoot (me|you|him|her) (a|an) (message|text|email|line)\b"
    r"|\bplanning my murder\b|\b(rather|sooner) die than\b|\b(fake|faking) my (own )?death\b"
    # session 3: dark humour about things ("my basil is staging a mass suicide"), anger said as "i could kill him"
    r"|\b(plants?|houseplants?|basil|herbs?|succulents?|cact(us|i)|orchids?|seedlings|tomatoes|ferns?|phone|battery|laptop|printer|router|"
    r"sourdough( starter)?|toaster|kettle|hoover|car|bike|lemmings|goldfish|fish|sims?|character|team|career|diet|bank account|wallet)"
    r"( is| are| was| were| has been| have been| keeps?| seems? to be| look like they are| are all|'s) ((?!(i|am|me|feel|feeling|and|so|but)\b)\w+ ){0,3}?(suicide|suicidal)( tendencies)?\b"
    r"|\b(plants?|houseplants?|basil|succulents?|phone|battery|laptop|printer|goldfish) (is |are |keeps? )?(trying to|tried to|want to) (kill|off|end) (itself|themselves)\b"
    r"|\bi (could|would|will) ((actually|honestly|literally|really|just|so) )?(kill|murder|strangle|throttle) (him|her|them|my (\w+ )?(brother|sister|mum|mom|dad|husband|wife|partner|boyfriend|girlfriend|flatmate|roommate|boss|kids?|son|daughter))\b"
    r"(?!.*\b(knife|gun|weapon|bat|hammer|plan|planned|exactly how|know where|bringing|waiting for|tonight i|tomorrow i|mean it|not joking|for real|seriously)\b)"
    # session 4: the exasperated "if i have to sit through one more meeting i am walking into the sea" (one more *thing*,
    # not one more day or night of this)
    r"|\bif i (have|had) to (\w+ ){1,4}?one more (?!(day|days|night|nights|week|weeks|month|year|minute|hour|second|time|of this)\b)"
    r"([\w'-]+ ){1,7}?i (am|will|would) (going to |gonna )?(walk\w* into the (sea|river|lake)|shoot myself|jump\w* (off|out of) (\w+ ){1,3}?|throw myself (\w+ ){1,4}?|kill myself)\b"
    r"(?!.*\b(mean it|not joking|for real|seriously|tonight)\b)",
)
# An explicit denial ("i'm not suicidal", "i would never hurt myself"): when no rule fires, the
# semantic layer is not asked either, since sentence embeddings barely tell a statement from its negation.
_DENIAL = re.compile(
    r"\bi do not feel (unsafe|suicidal|like (hurting|harming|killing) myself)\b|\bi am not (suicidal|going to (kill|hurt|harm|do anything)|thinking (about|of) (suicide|killing|hurting|ending|harming|dying)|in (any )?danger|unsafe)\b"
    r"|\bi (would|will) never (hurt|kill|harm|do anything|take)\b|\bno (thoughts|plans?|intentions?) (of|to|like that)\b"
    r"|\bi do not want to (die|kill myself|hurt myself|end (it|my life))\b|\bi have never (thought|considered) (about )?(suicide|ending|killing)\b"
    r"|\bnot (suicidal|thinking like that)\b|\bi am safe\b"
)
# The denial and the words that finish its clause ("i am not going to do anything stupid,"): what is left is what the
# semantic layer reads, so a passive wish told beside a denial of intent ("i'm not going to do anything, i just
# wouldn't mind not waking up") is still heard, and "i'm not suicidal, just fed up with my job" reads as the job.
_DENIAL_CLAUSE = re.compile(r"(?:\b(?:no|don't worry|to be clear),? )?(?:" + _DENIAL.pattern + r")(?: [\w']+){0,3}?(?=[,.;:!?]|$| (?:but|just|i|or anything)\b)[,.;:!?]?")
_REPORTED = re.compile(
    r"\b(documentary|film|movie|show|series|book|novel|song|poem|poetry|lyrics?|article|podcast|lecture|class|course|essay|training|"
    r"workshop|campaign|awareness|prevention|statistics|research|study|game|character|episode|news|headlines?)\b"
)
# Works that words can be quoted from: after "a … called" (below) and as the named source of words already said
# (_SOURCE_AFTER).
_WORK = r"(song|film|movie|show|series|book|novel|poem|podcast|episode|game|article|documentary|play|album|video)"
_REPORTED_VERBS = re.compile(rf"\b(the (song|line|character|lyric|book|film|movie) (says|goes|said)|({_WORK}|track|thing|one) "
                             rf"(called|titled|named)|(asked|asking|asks|ask) (me )?(if|whether))\b")
# A clinician's risk questions, answered no ("did the usual check whether i had had thoughts of hurting myself and i
# could say no"): the crisis words in the asking clause are the question, not the person's state. An answer of yes
# (or "sometimes") keeps them: that is a disclosure.
_SCREENING = re.compile(
    r"\b(asked|asks|ask|asking|check(ed|s|ing)?|screen(ed|s|ing)?|question(s|ed|naire)?|assessment|form|went through|goes through|"
    r"go through|ticks? through|ran through|runs through|the usual)\b( me)?( (about|on|for))?( (if|whether|about))?"
)
_SCREENED_NO = re.compile(
    r"\b(i (said|answered|could say|can say|told (her|him|them)|was able to say)( (honestly|truthfully))? no|all (of it )?no|"
    r"no to (all|everything|each|both|every one)|said no to|none of (that|those|them|it)( applies| apply)?|(answered|ticked) no|"
    r"all no|no on (all|every|each))\b"
)
_ANSWERED_YES = re.compile(r"\b(i (said|answered|admitted|told (her|him|them))( that)? (yes|yeah|sometimes|maybe|i (have|had|do|did))|had to say yes|ticked yes)\b")
_NEGATION = re.compile(
    r"\b(not|never|no way|no (thoughts?|intention|plans?|desire|urge|wish)( at all)? (of|to)|nothing like|would never|do not|does not|did not|will not|am not|is not|are not)\b(?! (sure|certain|know if|know whether))"
)
# words whose "not" is part of the crisis phrase itself ("the idea of not being here"), not a negation of it
_UNNEGATE = re.compile(r"\b(can not|could not|do not|cannot) (stop|help|shake|get rid of|quit)\b|\bnot sure\b|\b(of|about) not (being|be) (here|around|alive)\b")
_PAST = re.compile(
    r"\b(used to|years? ago|months? ago|when i was \w+|i (tried|attempted)|last (year|month|summer|winter|spring|autumn|fall)|when i was (young|younger|a kid|a teenager|in (school|college|high school))|"
    r"in the past|back then|as a (kid|teenager|child)|once,? (years|a long time) ago|in (high )?school|at university|"
    r"(19|20)\d\d)\b"
)
_PAST_TIME = re.compile(r"\b((\w+ )?(years?|months?) ago|last year|when i was \w+|as a (teenager|kid|child)|in the past)\b")
_WEEKDAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# What puts a statement now or ahead, whatever else in it is past ("my husband died last year and tomorrow morning i am
# going to walk into the sea" is a plan, not past ideation)
_PRESENT = re.compile(rf"\b(now|again|still|tonight|today|right now|these days|lately|this week|anymore|tomorrow|next (week|month|"
                      rf"weekend|{_WEEKDAY})|this (weekend|evening|afternoon|morning)|on {_WEEKDAY}|i am (going|heading|driving|walking|on my way))\b")
# A past told of a place, not of the act: "the cliffs where we used to go on holiday" dates the place, so it must not
# make a plan to go there read as past ideation.
_PAST_OF_A_PLACE = re.compile(r"\b(where|that|which|when) (we|they|he|she|you|i|my \w+) used to \w+")


@dataclass(frozen=True)
class Rule:
    level: Level
    reason: str
    pattern: re.Pattern[str]
    negatable: bool = True  # a negation just before the match cancels it
    past_downgrades: bool = True  # described as past → concern ("past ideation")
    whole_line: bool = False  # read across the whole turn, not clause by clause ("I'm on the roof. It's windy up here.")


def _r(level: Level, reason: str, pattern: str, **kw) -> Rule:
    return Rule(level, reason, re.compile(pattern), **kw)


_BODY = r"(wrists?|arms?|legs?|thighs?|skin|stomach|body|face|hands?)"
_MEDS = r"(pills?|tablets?|meds|medication|medicine|antidepressants|painkillers|paracetamol|acetaminophen|tylenol|ibuprofen|aspirin|sleeping pills|insulin|lithium|opioids|oxy|prescription|co-?codamol|codeine|tramadol|diazepam|sertraline|citalopram|fluoxetine|amitriptyline|mirtazapine|propranolol|quetiapine|zopiclone|capsules)"
_SEDATIVES = (
    r"(sleeping (pills?|tablets?|meds)|sleepers|benzos?|benzodiazepines?|xanax|alprazolam|valium|diazepam|ativan|lorazepam|"
    r"klonopin|clonazepam|temazepam|zopiclone|zolpidem|ambien|opioids?|opiates?|oxy(codone|contin)?|tramadol|codeine|"
    r"morphine|fentanyl|methadone|hydrocodone|vicodin|percocet|gabapentin|pregabalin|lyrica|quetiapine|seroquel|"
    r"sedatives?|tranquill?i[sz]ers?|painkillers|(anxiety|sleep) (meds|medication|pills|tablets))"
)
_ANY_MED = rf"({_MEDS}|{_SEDATIVES}|dose|doses)"
_ALCOHOL = r"(alcohol|wine|beers?|vodka|whiske?y|gin|rum|tequila|booze|drinks|drinking|drink(?! (of )?(water|milk|juice|tea))|drunk|pints?|cider|a glass|a bottle|had a few)"
_SELF_HARM_VERBS = r"(kill|killing|hang|hanging|shoot|shooting|stab|stabbing|poison|poisoning|drown|drowning|suffocate|suffocating|strangle|hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving|gas|electrocute)"
_INTENT_WORDS = r"(want|wants|wanted|wanting|keep wanting|going|gonna|plan|planning|planned|ready|about|decided|intend|intending|will|need|needing|thinking (of|about)|considering|try|trying|tempted|feel like|urge)"
_INTEND = (
    r"(going to|about to|planning (to|on)|plan to|want to|wanted to|will|intend to|ready to|decided to|have decided to|"
    r"am gonna|am going to|think i will|think i am going to|might|feel like i want to|need to|wish i could|should just|"
    r"thinking (about|of)|have been thinking (about|of)|keep thinking (about|of)|considering)"
)

RULES: list[Rule] = [
    # acute: intent or plan to die
    _r("acute", "suicidal intent", rf"\bi (am |have been |keep )?{_INTEND} (kill|killing|end|ending|take|taking|off|offing) ?(myself|my (own )?life|it all)\b(?! (back|into|in (my|your) (own )?hands|seriously|more seriously))"),
    _r("acute", "suicidal intent", r"\b(kill|killing|end|ending|take|taking) (myself|my (own )?life)\b(?! (back|into|in (my|your) (own )?hands|seriously|more seriously|off|out))"),
    _r("acute", "suicidal intent", r"\bi (just |really |honestly )?(want|wanted|wish|need) to die\b|\bi am (going|ready) to die\b(?! (alone|old|of (embarrassment|shame|boredom|laughing|cringe)|laughing|happy|on (this|that) hill))|\bi would (rather|sooner) (be dead|die)\b"),
    # gone somewhere to jump: "i came up here to jump", "drove out to the bridge to do it" (round 12 heard it, blind), also
    # with the place told of ("drove to the cliffs where we used to go camping, to jump": session 6)
    _r("acute", "suicidal intent", r"\b(came|come|went|gone|walked|drove|climbed|got|took|caught|headed|cycled|rode|hiked|travelled|traveled)( (up|out|down))?( (here|there))?( \w+){0,5}(,? (where|that|which) [^,.]{3,40})?,? (to|so i can|so i could) (jump|end it|throw myself)\b(?! (on|in|into|around|over|for|up|about|at|off the diving|the queue|ship|with|between))|\b(bridge|roof|edge|cliffs?|tracks|platform|multi-?storey|car park|top floor|viaduct|overpass) (\w+ )?(to|so i can) (do it|end it|jump)\b(?! (on|in|into|for))"),
    # round 13 (blind) misses, added after it was measured: a goodbye told as not being around "in the morning"; "then it
    # stops for good"; an overdose told as a number "of the" with the medicine misheard ("30 of the para seat a mall")
    _r("acute", "suicide plan or preparation", r"\b(will not|not going to|am not going to) be (here|around|alive)\b( \w+){0,5} (in the morning|tomorrow( morning)?|by (the )?morning|after tonight)\b(?!.*\b(visiting|holiday|away|working|at work|trip|off (to|work)|staying|travelling|flying|conference|busy|night shift|early shift)\b)", negatable=False),
    _r("acute", "suicidal intent", r"^(?!.*\b(retir\w*|shifts?|job|work|contract|course|exams?|term|season|renovation|building|noise|lease|treatment|chemo)\b).*\b(a few (more )?hours|hours|tonight|by morning|one more night|the clock)\b.*\b(then|and) (it|this|everything|all of it|all this) (stops|ends|is over) for good\b", whole_line=True),
    _r("acute", "overdose taken", r"\b(took|have taken|swallowed) (like |about |around |maybe )?(\d{2,3}|twenty|thirty|forty|fifty|sixty) of (the|my|them|those)\b.*\b(ago|stomach|sick|dizzy|drowsy|sleepy|throwing up|vomit\w*)\b"),
    # the British and Irish slang for it: "top myself" ("off myself" and "unalive" are heard above / by normalising)
    _r("acute", "suicidal intent", r"\b(top|topping|topped) (myself|meself|me self)\b"),
    _r("acute", "suicidal intent", r"\b(commit|committing|attempt|attempting) suicide\b|\bi am (suicidal|feeling suicidal)\b|\bfeel(ing)? suicidal\b|\bsuicidal (thoughts|feelings)\b(?! (in|among))"),
    _r("acute", "suicidal intent", r"\bend it all\b|\bend things (tonight|today|now|for good)\b|\bi am going to end things\b(?! with)|\btonight is the night\b"),
    _r("acute", "suicidal intent", r"\b(will not|not going to|am not going to) be (here|around|alive) (tomorrow|much longer|by (tomorrow|morning|the weekend)|for long)\b(?!.*\b(visiting|holiday|away|working|at work|trip|off (to|work)|at my|staying|travelling|flying|conference|busy|i am going to)\b)", negatable=False),
    _r("acute", "suicide plan or preparation", r"\b(suicide|goodbye) (note|letter)\b|\bwr(o|i)te (a|my) (note|letter) (to|for) (everyone|my family)\b"),
    _r("acute", "suicide plan or preparation", r"\b(giving|gave|give) (away )?(all )?(my|away my) (things|stuff|belongings|possessions|cat|dog|pets?)( away)?\b|\bstarted giving (my )?(things|stuff) away\b", past_downgrades=False),
    _r("acute", "suicide plan or preparation", r"\b(bought|got|have|saving|saved|stockpiling|collecting|hoarding) (a |some |enough |the )?(rope|noose|gun|pills|tablets|razor|blades?)\b.*\b((for|to) (myself|end|do it)|what it is for|when the time comes)\b|\b(pills|tablets|meds|medication)\b.*\b(going to|will|about to|want to) (take|swallow) (them all|it all|all of them|every one|the lot)\b|\b(saving|stockpiling|hoarding|collecting) (up )?(my )?(pills|tablets|meds|medication)\b"),
    _r("acute", "suicide plan or preparation", r"\b(said|saying) my goodbyes\b|\b(said|saying) goodbye to (everyone|everybody|my family|the world|all of you)\b(?! at (work|school|the (party|office|station|airport))|.*\b(last day|new job|leaving do|moving|holiday|party|term)\b)|\bthis is (my )?goodbye\b(?! for (now|tonight|today|the (day|night|week)))|\bwhere to jump\b|\b(jump|jumping) (off|from|in front of) (a |the )?(bridge|roof|building|train|cliff)\b"),
    # acute: self-harm or overdose happening
    _r("acute", "self-harm now", r"\bi (am|have been|have just|just) (cutting|cut|burning|burnt|burned|hurting|harming|hitting) myself\b|\bi (cut|burned|hurt|harmed) myself\b(?! (cooking|shaving|on|by accident|accidentally|in the kitchen))"),
    _r("acute", "self-harm now", r"\b(cutting|burning|hurting|harming|starving) myself\b|\b(self ?harm|self-harm|cutting) again\b|\bi (need|am going) to (cut|hurt|harm|burn) myself\b"),
    _r("acute", "overdose taken", r"^(?!.*\b(back to|to the (pharmacy|chemist)|for disposal)\b).*\b(took|taken|take|swallowed|swallow|have taken) (a lot of|lots of|all (of )?(my|the)|too many|a (whole )?(bottle|box|packet) of|a (whole )?bunch of|every one of my|handfuls? of|(\w+ )?(dozen|twenty|thirty|forty|fifty)) ?\w* ?(pills|tablets|meds|medication|sleeping pills|painkillers|paracetamol|tylenol|ibuprofen)\b|\b(i|just) overdosed\b|\btook an overdose\b|\bi (have |had |just |have just )?(took|taken|had) (a |an )?(massive |huge |big |serious |deliberate )?overdose\b(?!.*\b(years?|months?) ago\b)", past_downgrades=False),
    # acute: harm to others
    _r("acute", "intent to harm someone", r"\bi (am |really )?(going to|want to|will|am about to|plan to|could|might) (kill|hurt|shoot|stab|strangle|murder|beat up) (him|her|them|someone|somebody|everyone|people|my (\w+ ){0,2}(husband|wife|partner|boyfriend|girlfriend|dad|father|mum|mom|mother|brother|sister|boss|son|daughter|baby|kid|kids|neighbou?r|roommate|coworker|colleague))\b(?! if (she|he|they) (\w+ )?(borrows?|eats?|takes?|touches?|forgets?|does that|is late|wakes?|uses?|moves?|says that|tells)|.*\b(he|she|they) (ate|eats|drank|finished|borrowed|used|nicked|pinched) my\b)"),
    # acute: danger from someone else now
    _r("acute", "in danger from someone", r"\b(he|she|they|my (\w+ )?(husband|wife|partner|boyfriend|girlfriend|ex|dad|father|mum|mom|mother|stepdad|brother|flatmate|roommate)) (is|are|has been|keeps|just) (hitting|beating|choking|strangling|hurting|threatening|attacking) me\b"),
    _r("acute", "in danger from someone", r"\b(he|she|they|my (\w+ )?(husband|wife|partner|boyfriend|girlfriend|ex|dad|father|mum|mom|mother)) (is|are|said (he|she|they) (is|was|would)) (going to|gonna|trying to|will) (kill|hurt|hit) me\b|\bsomeone is (breaking in|trying to get in|outside my door with)\b|\bhe has a (gun|knife)\b"),
    _r("acute", "in danger from someone", r"\bi am (not safe|in danger|scared for my life|afraid for my life)( at home| here| with (him|her|them))?\b", negatable=False),
    # frames: a first-person intent + a way of dying or self-injury, in whatever words
    _r("acute", "suicidal intent", rf"\bi (\w+ ){{0,2}}?{_INTENT_WORDS} (to )?(\w+ ){{0,2}}?{_SELF_HARM_VERBS} myself\b"),
    _r("acute", "suicidal intent", rf"\bi (\w+ ){{0,2}}?{_INTENT_WORDS} (to )?(overdose|od|end it|end it all|end everything|(?<!\bwill )(?<!\bneed )(?<!\bneed to )(?<!\btry )(?<!\btry to )do it|go through with it)\b(?! (with|for|at|on|by|in|before|after) \w| (there|here)\b)(?!.*\b(when i have (time|a minute)|later|first thing|after (work|lunch|school|class)|homework|essay|laundry|dishes|washing|chores|shopping)\b)"),
    _r("acute", "suicidal intent", rf"\bi (\w+ ){{0,2}}?{_INTENT_WORDS} (to )?(jump|throw myself|step|walk|drive( my car)?)( off| in front of| into| from)? (the |a |my )?(roof|ledge|bridge|building|balcony|window|cliff|train|tracks|traffic|wall|tree|river|sea|lorry|truck|bus)\b"),
    _r("acute", "suicidal intent", r"\b(standing|sitting|up) on (the |a )?(roof|ledge|edge|bridge|railing|balcony|tracks)\b.*\b(jump|end|fall|die|let go)\b|\b(knife|blade|razor|pills|rope|noose|gun) (is )?in my hand\b"),
    _r("acute", "suicide plan or preparation", r"\b(written|wrote|writing|left) (letters?|notes?|messages?) (to|for) (everyone|everybody|all of (you|them)|my (family|kids|children|parents|loved ones))\b(?!.*\b(pen ?pals?|christmas|birthday|thank you cards?|cards)\b)|\bmade (my )?peace\b.*\bready\b|\bi am ready to go\b$|\bput my affairs in order\b"),
    _r("acute", "suicide plan or preparation", r"\b(after|from|by) (tonight|tomorrow|this weekend)\b.*\b(nobody|no one|everyone|anyone) (will|would|won't|will not) (have to|need to) (deal with|worry about|put up with|see) me\b|\bnobody will have to (deal with|worry about|put up with) me\b", negatable=False),
    _r("acute", "suicide plan or preparation", r"\b(do not|am not) (plan|planning|intend|intending|going|expect|expecting) (on|to) (be|being) (alive|around|here)\b", negatable=False),
    _r("acute", "suicidal intent", r"\b(do not|no longer) want to (live|be alive|be here|exist)\b.*\b(have|got|made) a plan\b|\b(have|got|made) a plan to (die|end it|kill myself)\b", negatable=False),
    _r("acute", "overdose taken", r"\b(took|have taken|swallowed) (\w+ )?(\d+|twenty|thirty|forty|fifty|sixty|a hundred) (\w+ )?(pills|tablets|paracetamol|tylenol|painkillers|aspirin|ibuprofen|sleeping pills)\b"),
    _r("acute", "overdose taken", r"\b(swallow|take) (all|every one|the lot) of (them|it)\b"),
    # frames over word classes: a way of self-injury on the body, a quantity of medication, a last time
    _r("acute", "self-harm now", rf"\b(cut|cutting|slit|slitting|slash|slashing|burn|burning|carve|carving) (open )?my (own )?{_BODY}\b(?! (on|with|while|when|chopping|cooking|shaving|opening|in the|at work|by accident))"),
    _r("acute", "overdose taken", rf"\b(took|taking|have taken|swallowed|swallowing|taken|take|swallow|going to take|going to swallow) (all|every|the whole|the rest of|a whole|most) (of )?(my |the |those |these |a )?(\w+ )?({_MEDS}|bottle|packet|box|cabinet|stash)\b(?! (back|to (the )?(pharmacy|chemist)|in to (the )?(pharmacy|chemist)|for disposal)\b)(?! of (chocolates?|biscuits?|cookies|sweets|cake|doughnuts|crisps|cereal|tissues|water|juice|tea|coffee|books|clothes|toys))(?!.*\b(for (the|to)day|this morning is|morning (tablets|pills|meds)|as (prescribed|usual|normal)|like (always|usual)|dosette|on time|checked the box)\b)"),
    _r("acute", "overdose taken", rf"\b(took|have taken|swallowed) (\w+ )?(\d+|twenty|thirty|forty|fifty|a hundred|a lot of|loads of|too many) (\w+ )?{_MEDS}\b"),
    _r("acute", "suicide plan or preparation", r"\b(tonight|today|this) (is|will be) (my|the) last (night|day|time)\b(?!.*\b(lending|lend|paying|buying|cigarette|smoking|drinking|helping|doing (that|this) for|before (the|my) (move|holiday|trip))\b)|\bmy last (night|day) (alive|on earth|here)\b|\b(the )?(note|letter) is (on|in|under|by)\b|\b(got|have) everything ready\b(?! for (the|a|my|our|tomorrow|work|school|christmas)|.*\b(party|trip|holiday|move|wedding|exam|interview|school|work)\b)"),
    _r("acute", "in danger from someone", r"\b(he|she|they|my (\w+ )?(husband|wife|partner|boyfriend|girlfriend|ex|dad|father|mum|mom|mother|stepdad|brother)) (says?|said|is saying|threatens?|threatened) (that )?(he|she|they) (will|would|is going to|are going to) (kill|hurt|hit|shoot|stab) me\b|\b(outside|at my door|in my house|here) with a (knife|gun|weapon)\b", negatable=False),
    _r("acute", "suicide plan or preparation", r"\b(planning|plan|planned|preparing) (my|a) (suicide|death|overdose)\b|\b(affairs|things) in order\b.*\b(goodbye|goodbyes|note|letter|gone)\b|\b(written|wrote|writing|said) my goodbyes\b"),
    _r("acute", "self-harm now", rf"\b(razor|blade|knife|glass) (is )?(to|on|against|at) my {_BODY}\b"),
    _r("acute", "overdose taken", r"\bi (have |had |just |have just |think i have |already )?(overdosed|taken an overdose|od'd)\b"),
    _r("acute", "suicidal intent", r"\b(gun|knife|rope|pills|blade|razor)\b.*\b(use|using|turn|point|pointing) (it|them) on myself\b|\b(standing|sitting) on (the |a )?(ledge|edge of the (roof|bridge|cliff)|railing|parapet)\b"),
    _r("acute", "suicide plan or preparation", r"\b(this is )?my last (message|text|post|words|goodbye) (to|for)\b|\bwrote (a|my) (note|letter) (for|to) (my )?(mum|mom|dad|family|kids|children|wife|husband|partner|sister|brother|parents)\b"),
    _r("acute", "in danger from someone", r"\b(he|she|they|my (\w+ )?(husband|wife|partner|boyfriend|girlfriend|ex|dad|father|mum|mom|mother|stepdad|brother|flatmate|roommate)) (just |has |have been |keeps? )?(hit|hitting|beat|beaten|hurt|hurting|attacked|choked|strangled) me\b.*\b(still here|is here|in the house|coming back|outside)\b", negatable=False),
    _r("acute", "suicidal intent", r"\b(on|at|by) (the |a )?(bridge|roof|ledge|edge|cliff|tracks|platform|balcony)\b.*\b(want to|going to|about to|will) (jump|fall|let go|end it)\b|\b(be )?(gone|dead) (for good|forever)\b.*\b(tomorrow|tonight|by)\b|\b(by|after) (tomorrow|tonight|this time tomorrow)\b.*\b(be )?(gone|dead) (for good|forever)\b"),
    _r("acute", "intent to harm someone", r"\bi (am |really )?(going to|want to|will|am about to|plan to) (kill|hurt|shoot|stab|harm|drown|poison) (the|my|our) (kids|children|baby|babies|son|daughter|child)\b"),
    # -- issue 11 families: the shapes that fresh phrasings took and no rule above heard ------------
    # means at hand: a way of dying held, loaded, rigged or counted out (not a toy, a range or a camping trip)
    _r("acute", "means at hand", r"^(?!.*\b(toy|water pistol|nerf|range|instructor|game|glue gun|camping|climbing|boat|swing|washing)\b).*(\b(gun|pistol|shotgun|rifle)\b.*\b(is |it is )?(loaded|in my (lap|hand|mouth)|to my head)\b|\b(holding|sitting with|picked up|got out|keep picking up) (the|a|my|his|her|\w+ is) (gun|pistol|shotgun|rifle)\b|\b(tied|tying|tested|testing) (the |a )?noose\b|\bpractised tying (the |a )?(knot|noose)\b|\b(rope|noose|belt)\b.*\b(beam|hook|banister|ceiling|around my neck|round my neck|which tree)\b|\b(hook|beam)\b.*\b(strong enough|tested)\b|\bbelt (around|round) my neck\b|\b(gun|pistol|shotgun|rifle)\b.*\b(one|a single|the) (bullet|cartridge|shell|round)\b|\b(cord|cable|rope|belt|scarf) (is )?(around|round) my neck\b)"),
    _r("acute", "means at hand", rf"\bgarage\b.*\bengine (is )?running\b|\bengine (is )?running\b.*\bgarage\b|\bhose\b.*\b(exhaust|tape)\b|\b(charcoal|barbecue)\b.*\b(tape|tent|sealed)\b.*\b(today|tonight|ready|all)\b|\b(stones|rocks) in my pockets\b|\bpockets with (stones|rocks)\b|\bhairdryer\b.*\bbath\b|^(?!.*\b(shave|shaving|legs)\b).*\bbath\b.*\b(razor|blades)\b|\bbath\b.*\b(tablets|pills)\b.*\b(ready|beside it|next to (it|me))\b|\b(hiding|hidden|kept back|keeping back|saving up) (\w+ ){{0,2}}?(my )?({_MEDS}|prescriptions)\b(?!.*\b(kids|children|toddler|dog|baby|reach|safe place)\b)|\b{_MEDS}\b.*\b(enough now|now (i )?(have|got) enough|finally (have|got) enough|there are enough)\b|\b(counted|lined up|laid out|counted out)\b (\w+ ){{0,3}}?{_MEDS}\b(?!.*\b(holiday|trip|pill box|pillbox|organiser|week ahead|refill|dosette|check|checked|pharmacy|pharmacist|chemist|nurse)\b)"),
    # at a dangerous place now: a height, a bridge or the rails, with a sign that it is not a day out
    _r("acute", "at a dangerous place now", r"^(?!.*\b(fix|fixing|clean|cleaning|repair|repairing|photos?|pictures?|sunset|view|watering|plants|painting|gutter|chimney|solar|delayed|late again|commute|walk across|party|drinks?|barbecue|terrace|see you|on my way|nearly (home|there)|stuck|minutes late|running late|slow one|getting the|my stop|change at)\b)(?=.*\b(edge|over the|drop|looking down|jump|let go|wrong side|legs over|leaning|high enough|(go|come|swim) (back|down)|next train|fast (one|train)|does not stop|express|lorries|traffic|tide|freight|locked)\b).*\bi am (?!not )(\w+ ){0,3}?(on|at|by|up on|out on|in|over) (the |a |my )?(wrong side of the |edge of the |top of the |top floor of the |roof of (the|my|a) )?(\w+ ){0,2}?(bridge|roof|rooftop|ledge|cliffs?|clifftop|cliff road|tracks|railway( line)?|level crossing|platform( edge)?|multistorey|car park|balcony|pier|reservoir|quarry|overpass|parapet|railing|stairwell|window ledge|station|train station)\b", negatable=False),
    _r("acute", "at a dangerous place now", r"\bi am (?!not )(standing|sitting|sat|stood|up|out) (\w+ ){0,2}?(on|at) (the |a )?(edge of (the |a )?)?(\w+ )?(bridge|roof|rooftop|ledge|cliff|cliffs|clifftop|parapet|railing|overpass|tracks|railway line)\b(?!.*\b(fix|fixing|clean|cleaning|repair|photos?|pictures?|sunset|view|watering|painting|gutter|chimney|solar|party|drinks?|terrace|waiting for (my|a|her|him|them|the bus|you)|meet|meeting|nearly|on my way)\b)(?=.*\b(right now|now|alone|nobody|no one|quiet|edge|tonight)\b)", negatable=False),
    _r("acute", "at a dangerous place now", r"\b(walk|walking|walked|going) (out )?(into|in to) the (sea|river|lake|water|waves)\b(?!.*\b(joking|ha|haha|lol|kidding)\b)|\bwalk out to the middle\b|\b(do not want to|not going to|will not) swim back\b|\b(step|throw myself|jump|walk|lie down) (in front of|under) (a|the|the next) (bus|train|lorry|truck|car|tube)\b|\b(swerve|drive|crash|steer) (my car |the car )?into (a|the) (lorry|truck|wall|tree|central reservation|river|oncoming \w+|bridge)\b|\bi am (going|about) to jump\b(?! \w)|\b(climbed|climbing) (over|onto) (the )?(barrier|railing|fence|parapet|ledge)\b(?!.*\b(ball|cat|kite|garden|festival|gig|concert)\b)|\b(moved|put) the chair (to|by|against) the (rail|railing|edge|window)\b|\b(window ?sill|windowsill|ledge)\b.*\b(feet|legs) (outside|over|dangling|hanging)\b|\b(sat|sitting|standing) (on|in) (the |my )?(window ?sill|windowsill|open window)\b.*\b(floor|storey|high|up)\b|\bwaiting for (a|the) (lorry|bus|truck|car|train) to come (fast|quick) enough\b|\bwaiting for the (next|fast|express|freight) (train|one)\b.*\b(edge|jump|does not stop|tracks)\b", negatable=False),
    # finality: affairs settled, things and pets handed on, the future cancelled, because the person will not be there
    _r("acute", "finality", r"\b(because|since|as|coz|cos|so) i (will not|am not going to|would not) be (here|around|alive|needing)\b|\bi will not be (around|here|alive) (for (it|christmas|my birthday|the appointment|long|much longer)|after (tonight|this|sunday|friday|the weekend))\b|\b(gave|given|giving|cancelled|deleted|sold|told)\b.*(\bi |(^|[.,;]) ?)will not (be )?(need|needing) (them|it|the flat|my \w+)\b(?! (in|for|at|on|when|until|till|because|since|as|there|now|any ?more now)\b)(?!.*\b(holiday|trip|abroad|summer|new one)\b)|\b(after|by) (sunday|monday|friday|saturday|tonight|tomorrow|the weekend|this weekend|next week)\b.*\b(i|nothing) (will not|would not) (matter|be a problem)\b|\b(will not|is not going to) be a problem (for anyone |to anyone )(after|by) (tonight|tomorrow|this weekend|the weekend|sunday|monday|friday)\b", negatable=False),
    _r("acute", "finality", r"\b(made sure|taken care) of (it|everything|that)\b.*\b(better off|will not|would not|wake up|much longer|free of me|ever again|be gone|(be )?fine (by|without me))\b|\b(better off|will not (have to|need to)|free of me)\b.*\b(made sure|taken care) of (it|everything)\b|\bfree of me\b|\b(not going to|will not) be a (problem|burden) (for|to) (anyone|anybody|everyone|you)\b.*\b(after|much longer|for long|tonight|soon)\b|\b(fine|better off) by (next week|monday|tomorrow|the weekend)\b.*\bmade sure\b|\b(will not|never) (have to )?(worry|deal) (about|with) me\b.*\b(after|again|longer|tonight|sunday|soon)\b|\bwill not (be|have) (your|anyone is|a) (problem|burden) (after|much longer|by)\b|\bwhen they find me\b|\blooks? like an accident\b|\bwho gets what\b|\b(bury|burying) me in\b|\b(life )?insurance\b.*\b(pays out|know where to look)\b|\bpasswords\b.*\b(written down|on the fridge|who to call)\b|\baffairs (are )?(sorted|in order)\b(?!.*\b(move|moving|abroad|trip|holiday|baby)\b)", negatable=False),
    _r("acute", "finality", r"\b(letters?|notes?)\b.*\b(sealed|(is not|was not|not) (their|your|anyone is) fault|when i am gone|for when i|they will find|find (them|it) (tomorrow|in the morning))\b|\b(new home for|rehomed|rehoming) (my )?\w+\b.*\b(will not|am not going to) be (here|around)\b|\bmy (dog|cat|rabbits?|pets?) (is|are) (staying|living) with \w+ for good\b|\b(gave|given|giving) (\w+ ){0,2}my \w+\b.*\b(keep it forever|will not need)\b(?! (it|them) (in|for|at|on|when|until|till|because|since|as|there|now)\b)", negatable=False),
    # goodbye: a last message, in words that close for good
    _r("acute", "goodbye", r"\bthe last time (you will|you are going to|we will|we are going to|i will) (hear from me|talk|speak|hear my voice)\b|\b(one|for the) last time\b.*\b(love|goodbye|thank)\b|\b(love|goodbye|thank)\b.*\bone last time\b|\b(signing off|saying goodbye|goodbye) for good\b|\bi will not be talking to (you|anyone) again\b|\bbefore i go\b.*\b(know|tried|sorry|love|thank)\b|\bplease tell my \w+ (that )?i loved\b|\bbecause it is the last time\b|\bthis is the last (voice note|message|recording)\b(?!.*\b(before|until|till|for (today|now|tonight|this week))\b)|\b(sending|sent|texting) (my |all my )?goodbye\b|\bgoodbye (messages|texts?)\b|\bgoodbye, you (have been|were)\b|\bjust wanted to say (thank you for everything and )?goodbye\b", negatable=False),
    # just done: an overdose, a poison or a wound happening now, in plain words
    _r("acute", "just done", rf"\b(swallowed|took|taken|drank|drunk|ate) (everything|all|the lot|what was) in (the|my) (medicine )?(cabinet|cupboard|drawer)\b|\b(took|taken|swallowed|taking) (about |like |nearly |almost )?(\d+|ten|twenty|thirty|forty|fifty|a hundred|a whole (strip|pack|packet|box|bottle|month)|the whole (strip|pack|packet|box|bottle|month)|my whole (month|prescription|supply)|a strip|the rest) of (my |the |those )?(\w+ )?({_MEDS}|them)\b|\bi (took|have taken|swallowed) (them|it) all\b|\b(took|taken) the whole (pack|packet|box|bottle|strip|lot)( of (my |the |those )?(\w+ )?{_MEDS})?\b(?! (of|to|into|with|home|back|out|in|for|round|along|away)\b)|\bhalfway through the (bottle|box|packet|pack) of\b|\b(swallowed|drank|drunk|took|had) (some |a |a (load|lot|bottle|cup|glass|mouthful) of |loads of )?(bleach|antifreeze|weed ?killer|poison|drain cleaner|rat poison)\b|\b(pills|tablets|what i took)\b.*\b(starting to work|kicking in|starting to kick in)\b.*\b(sleepy|dizzy|heart|can not|fading|slipping|blurry|sick)\b|\bwhat i took\b.*\btoo much\b|\bi (think i )?have taken too (much|many)\b(?! (on|time|of)\b)|\btaken too much on purpose\b|\b(took|taken) (the pills|them|a lot|loads) (\d+|ten|twenty|thirty|forty) minutes ago\b", negatable=False, past_downgrades=False),
    _r("acute", "just done", r"\bcut (too|really|so|very) deep\b|\b(the )?cuts? (are|is) (deep|too deep|really deep|bad|not stopping)\b|\b(towel|bandage|sheets?) (is |are )?(soaked|full of blood|covered in blood)\b|^(?!.*\b(fell|accident|trampoline|bike|knee|nose|he is fine|she is fine|they are fine|it is fine)\b).*\bblood everywhere\b|\b(will not|does not|can not) stop (the )?bleeding\b(?!.*\b(finger|onion|shaving|knee|nose|chopping|cooking|tin)\b)|\bbleeding (will not|would not|does not) stop\b|\bi (have )?hurt myself (badly|really badly|bad)\b|\bneed stitches\b.*\b(myself|not going)\b|\bpressing the (blade|knife|razor)\b|\b(burning|burned|burnt) (myself|my arm|my \w+) with (a |cigarettes|the )\b(?!.*\b(oven|cooking|kettle|iron|tray|pan|a little|a bit|only|not deep|small one)\b)", negatable=False, past_downgrades=False),
    # someone else in danger now: a person at risk right now needs a person's help right now
    _r("acute", "someone else in danger now", r"^(?=.*\b(now|right now|just|not answering|is not answering|will not answer|can not get hold|not waking|will not wake|passed out|slurring|phone is off|phone off|alone|walked out|left the house|can not feel|tonight|live ?stream|climbing|saying (he|she|they) will|threatening|said sorry|last message|photo of)\b)(?=.*\b(overdose|pills|tablets|taken something|took something|with a knife|with a gun|gun to (his|her|their) head|blood|on the roof|on (a|the) bridge|jump|goodbye|last message|hang|drive into|at the cliffs|empty packets|railway|tracks|kill (himself|herself|themselves))\b).*\b(my (\w+ ){0,2}(friend|mate|brother|sister|son|daughter|mum|mom|mother|dad|father|partner|husband|wife|boyfriend|girlfriend|flatmate|roommate|cousin|colleague|neighbour)|she|he|they|someone|somebody|a (man|woman|girl|boy|person))( (is|has|have|just|says|said|texted|messaged|sent|told me|is standing|is on|locked|took|has taken|cut))\b(?!.*\b(hair|train to|bus to|photos|walk across|skydiving|fixing|cleaning)\b)", negatable=False, past_downgrades=False),
    # harm to others and danger from someone, in further words
    _r("acute", "intent to harm someone", r"\bi am going to (run (him|her|them) over|set fire to (his|her|their)|burn down (his|her|their)|shoot up (the|my)|poison (his|her|their|my)|beat (him|her|them|my \w+) (until|till)|make (him|her|them|my \w+) pay)\b(?! (for (the|dinner|lunch|drinks|it|a|his share|her share|their share|my)|back|rent|the bill|half)\b)|^(?=.*\b(knife|bat|gun|weapon|hammer) in (my |the )?(bag|car|pocket|coat)\b)(?=.*\b(hurt|kill|stab|make \w+ pay|get (him|her|them))\b)|\bnext time i will make sure (she|he|they) can not\b|\b(going to|will) (his|her|their) room now\b|\bwaiting (for (him|her|them)|outside (his|her|their) (work|house|flat|school))\b.*\b(knife|run|hurt|kill|bat|make)\b", negatable=False),
    _r("acute", "in danger from someone", r"\b(hands?|arm) (round|around) my (throat|neck)\b|\b(said|says|saying|told me) (that )?i am next\b|\bi will not leave (this house|here|this flat) alive\b|\bsomeone (is )?(in my garden|trying (the|my) (back |front )?(door|window))\b(?!.*\b(postman|delivery|courier|neighbou?r|it is (only|just))\b)|\bhiding\b.*\b(he|she|they) (is|are) (looking for me|coming)\b|\b(he|she|they|my \w+) (just )?(pushed|kicked|threw) me\b.*\b(still|here|in the house|home|coming)\b|\blocked me in\b", negatable=False),
    # resolve and timing: a moment chosen, the means researched, safety already gone
    _r("acute", "suicide plan or preparation", r"\bi have (chosen|picked|set) (the|a) (date|day|spot|place)\b(?!.*\b(wedding|party|holiday|trip|move|meeting|interview|dinner|celebration|launch|appointment|surgery|exam|picnic)\b)|\bresearch(ed|ing)? (how many (pills|tablets)|how much (\w+ )?(it takes|would)|how high|the best way to (die|do it|go))\b|\b(bridge|roof|balcony|building|car park|multistorey|cliff|window|floor)\b.*\bhigh enough\b|\bhigh enough\b.*\b(jump|fall|die)\b|\bi know (exactly )?how (i am going to|to|i will) do it\b|\b(can not|could not) keep myself safe\b|\b(do not|can not) trust myself (alone|tonight|on my own)\b(?! (with|around|near)\b)|\b(i have|i have got) what i need\b(?! \w)|\btonight is (it|the night)\b|\b(talk|stop) me out of it\b|\bgo to sleep in the snow\b|\b(do not|no longer) intend to wake up\b|\b(make|made|making) sure i (do not|will not|never) wake up\b|\bgo through with it (tonight|tomorrow|this time)\b", negatable=False),
    # further words for the same families: wounds, poisons and overdoses in the past tense, water, roads, rope, last words
    _r("acute", "just done", rf"\bi (just |have just |have |already )?(cut|slashed|slit|stabbed|burned|burnt|hanged|hung|strangled|poisoned|shot) (myself|my (own )?(throat|wrists?|arms?|thighs?|legs?|stomach|neck|chest))\b(?!.*\b(cooking|shaving|by accident|accidentally|kitchen|chopping|opening|oven|iron|kettle|gardening)\b)|\b(tried|trying) to (hang|strangle|drown|poison|kill) myself (just now|tonight|earlier|an hour ago)\b|\b(jumped|fell on purpose) (from|off|out of) (the|a|my) (\w+ )?(window|balcony|roof|bridge|floor)\b(?!.*\b(puddle|pool|trampoline|step|stage|boat|wall to|fence)\b)|\b(hit|hitting|smashed|smashing|beat|beating) myself (in the \w+ )?with (a|the) (hammer|brick|bat|rock)\b|\b(drank|swallowed|took|had) the (\w+ )?(weed ?killer|bleach|antifreeze|poison|drain cleaner)\b|\b(took|taken|swallowed) everything i (had|have|could find)\b|\b(took|taken|swallowed) my whole (prescription|supply|stash|month)\b|\b(far |way )?too many of my {_MEDS}\b|\bafter what i (swallowed|took|drank)\b|^(?!.*\b(fell|accident|nose|test|donat\w*|gave blood|period|trampoline|knee|he is fine|she is fine|okay)\b).*\b(so much|a lot of|lots of|loads of) blood\b", negatable=False, past_downgrades=False),
    _r("acute", "at a dangerous place now", r"\b(waded|wading|walked|walking|swam|swimming) out (past|beyond|to|into)\b.*\b(can not feel|cold|freezing|not coming back|tide|dark)\b|\bin the (river|sea|lake|water) up to my (waist|chest|neck)\b|\b(slipping|slip) in\b|\btide times\b.*\b(go in|know when)\b|\bdrive (it |my car |the car )?(off|into) (the|a) (quay|cliff|edge|harbour|river|sea|lake|reservoir|bridge)\b|\b(hit|crash into|drive into) (a|the) (wall|tree|bridge|lorry)\b.*\b(full speed|on purpose|as fast)\b|\b(wall|tree) to hit\b|\bcrash my car\b.*\b(tonight|on purpose|accident)\b|\bi am (?!not )(on|at the top of|in the middle of|at the edge of) (the|a) (\w+ )?(bridge|roof|ledge|cliff|viaduct|multistorey( car park)?|car park roof)\b(?!.*\b(fix|fixing|clean|cleaning|repair|photos?|pictures?|sunset|view|watering|painting|gutter|chimney|solar|party|drinks?|terrace|signal|lunch|waiting for|meet|meeting|nearly|on my way|traffic is)\b)(?=.*\b(right now|quiet|alone|nobody|no one|edge|lorries|tonight)\b)|\b(walking|going|heading|driving|on my way) (down |back )?(to|towards) the (tracks|railway( line)?|bridge|cliffs?|quarry|viaduct|river|reservoir)\b(?!.*\b(fireworks|festival|party|picnic|swim|swimming|fishing|walk the dog|dog|run|friends|date|meet|see)\b)(?=.*\b(tonight|freight|train comes|jump|not coming back|for good|midnight)\b)", negatable=False),
    _r("acute", "means at hand", rf"^(?!.*\b(tug|game|climb|climbing|camp|camping|swing|washing|boat|tent|skipping|gym|lead|tow|sailing|horse)\b).*(\b(rope|noose)\b.*\b(chair|stool|ready|bag|woods|stairs|tonight|garage|i know (where|when|which))\b|\b(chair|stool|woods)\b.*\b(rope|noose)\b)|^(?!.*\b(shave|shaving|legs|beard)\b).*\b(blade|razor)\b.*\b(ready|clean and ready)\b|\bbath\b.*\bhairdryer\b|\b{_MEDS} (counted|lined up|laid out)( out)?\b|\b(different|three|several|two) (shops|chemists|pharmacies)\b.*\b(so (they|nobody|no one) (would not|will not|does not|did not) ask|big packs)\b|\b(pills|gun|blade)\b.*\bi know (where|when|which)\b|\b(somewhere|place|spot) (quiet |nobody will find me )?to do it\b|\b(made my decision|made up my mind|mind is made up|my decision is made)\b.*\b(tonight|at peace with it|knife|rope|pills|blade)\b|\b(stop breathing|way out)\b.*\bi know how\b"),
    _r("acute", "goodbye", r"\bwhen i am gone\b(?!.*\b(holiday|trip|week|weekend|away|abroad|visiting|work|out)\b)|\bby the time (you|anyone|they|everyone|somebody) \w+ (this|up|it|me)\b.*\b(gone|over|dead|too late)\b|\b(please )?do not (look|come looking) for me\b|\bthis is my last (entry|note|post|recording)\b(?! (for|before|until|of the|this))|\bi am saying goodbye\b(?! to\b)|\bthank(s| you) for trying\b.*\b(not enough|goodbye)\b|\bgoodbye\b.*\bthank(s| you) for trying\b|\b(so )?they will see (the|my) (letter|note)\b|\bnobody has to (sort through|clean up after|deal with) (my|me)\b|\bexplains everything\b|\b(all my|my savings|all the) money\b.*\bwill understand\b|\b(chosen|picked|planned|planning|arranged) (\w+ ){0,3}my (own )?funeral\b|\b(playlist|song|songs|outfit|music|readings?|flowers) for my (own )?funeral\b|\bi am done\b(?! with)(?=.*\b(going to|will) finish it\b)", negatable=False),
    _r("acute", "someone else in danger now", r"\b(my (\w+ ){0,2}(friend|mate|brother|sister|son|daughter|mum|mom|mother|dad|father|partner|husband|wife|boyfriend|girlfriend|flatmate|roommate|cousin)|she|he|they|a (man|woman|girl|boy|person)) (has |have |just )?(swallowed|taken) (a handful|a bottle|a box|all|loads|a load|the lot)\b(?!.*\b(for (the|to)day|as (prescribed|usual|normal)|like (always|usual)|dosette|checked the box|back to)\b)|\b(my (\w+ ){0,2}(friend|mate|brother|sister|son|daughter|mum|mom|mother|dad|father|partner|husband|wife|boyfriend|girlfriend|flatmate|roommate|cousin)|he|she|they) (has )?(gone out|left) with (his|her|their|a) (shotgun|gun|rifle|rope|knife)\b|\bblood (under|coming from under) the door\b|\b(a|the) (girl|boy|man|woman|person|someone) (on|at) the edge of\b|\b(he|she|they|my \w+) (is|are) (on|at) the (roof|edge|bridge|cliff)\b.*\b(saying|said|says|threatening) (he|she|they) (will|is going to|are going to|wants? to) jump\b|\b(gun|knife) to (his|her|their) (head|throat|wrist)\b|^(?!.*\b(plane|charity|bungee|pool|trampoline|parachute|skydiv\w*|lake|river for|queue)\b)(?=.*\b(now|right now|tonight|just|roof|bridge|edge|window|ledge|cliffs?|tracks|balcony)\b).*\b(he|she|they|my \w+|someone|a (man|woman|girl|boy))\b.*\b(saying|said|says|shouting|screaming|threatening|texted|messaged)( that)? (he|she|they) (is|are|will|is going to|are going to|wants? to) (jump|kill (himself|herself|themselves)|end it)\b|\b(her|his|their) (wrists?|arms?|throat) (bleeding|cut open|slashed)\b|\b(cut|slashed) (his|her|their) (arms|wrists|throat)\b.*\bblood\b", negatable=False, past_downgrades=False),
    _r("acute", "intent to harm someone", r"\bi am going to push (him|her|them) (down|off|under|in front of)\b|\bi am going to (stab|kill|hurt|shoot) (the man|the guy|the woman|the boys?|the girls?|the people|the kids) who\b", negatable=False),
    _r("acute", "in danger from someone", r"\b(someone|a man|a woman|he|she|they) (is |are )?(following|chasing) me\b.*\b(knife|gun|weapon|bat)\b|\b(knife|gun) to my (throat|head)\b|\b(he|she|they|my \w+) (is |are )?(outside|here|downstairs|at the door|at my door) with (a|the) (\w+ )?(bat|knife|gun|hammer|weapon|machete)\b(?=.*\b(kill|hurt|smash|get me|threat\w*|scared|saying|said)\b)|\b(kicking|breaking|smashing) the door (in|down)\b.*\b(kill|hurt|get) me\b|\bthreatened to kill me\b.*\b(coming|here|stairs|outside|home)\b", negatable=False),
    # concern: self-harm told as small ("not deep", "only scratches"): still self-harm, asked about gently
    _r("concern", "self-harm, minimised", r"\b(scratch|scratching|scratched|scrached|pinch|pinched|pinching|bite|biting|bit|hitting|hit|banging|punching|dug|digging|snapped|snapping|pulling|picked|picking|burn|burning|cut|cutting)\b (at )?(\w+ ){0,2}?(my|into my) (own )?(arms?|wrists?|legs?|thighs?|skin|head|hands?|palms?)\b(?!.*\b(brambles?|thorns?|gardening|cat|dog|accident|accidentally|by mistake|eating|mosquito|bites?|itch|itchy|rash|eczema|bike|fell|door|cupboard)\b)(?=.*\b(again|when (it gets bad|i am (upset|stressed|overwhelmed|angry|low))|until (they|it) (bled|bruised|was raw|bleeds|hurts)|(not|only|just a|nothing) (deep|serious|surface|little|bit|small|much)|leaves marks|on purpose|it helps|helps a bit)\b)|\bpulling (out )?my hair( out)?\b(?! (out )?(over|with|about))(?=.*\b(again|when it gets bad|when i am)\b)|\b(relapsed|relapse)\b.*\b(marks|cuts|self ?harm|cutting|scratches)\b|\bonly (little |small )?(scratches|marks)\b.*\bnot (like i am |really )?(properly )?hurting myself\b|\b(skipping|skip|starving) (meals|food|eating) (on purpose|because i do not deserve)\b", negatable=False, past_downgrades=False),
    # concern: an urge to self-harm, not an act or a plan (session 4: blind writers and the development set agree)
    _r("concern", "self-harm urge", r"\bi (really |just |so )?(want|wanted) to (cut|hurt|harm|burn) myself\b|\burges? to (cut|hurt|harm|burn|self ?harm)\b|"
       r"\bthe urges? (is|are|has been|have been|was|were) (back|so strong|strong|really strong|bad|really bad|loud)\b"),
    # concern: further words for passive wishes, burden, hopelessness, worthlessness, thoughts of death
    _r("concern", "passive wish not to exist", r"\b(hope|hoping|hoped|wish|wishing) (that )?(it|the plane|the illness|the cancer|something|the car) (would|will) (go down|crash|take me|kill me|hit me)\b|\b(being dead|death|not existing) (sounds|seems|would be|feels) (peaceful|nice|like a relief|easier|better)\b|\b(would not|wouldn't) mind if i (did not|do not|never) wake up\b|\bgo to sleep and stay (asleep|there)\b|\bhate being alive\b|\bnot (sure|certain) i want to be (around|here|alive)( anymore)?\b|\bif i got (sick|ill) and died\b|\bthink about not waking up\b", negatable=False),
    _r("concern", "feels a burden", r"\bin everyone is way\b|\ba (drain|weight) on (everyone|everybody|my family|them)\b|\bi am (just )?taking up space\b|\bwaste of (everyone is|everybody is) (time|money|space)\b|\bdisappointment to (everyone|everybody|my family)\b|\b(freer|easier|better off) if i (was|were) not in the picture\b|\bput up with me out of pity\b|\bbetter off with the insurance\b", negatable=False),
    _r("concern", "hopelessness", r"\b(running|run|ran) out of reasons\b|\bnothing (left )?to look forward to\b|\bgiven up on (everything|life|getting better|myself|everything getting better)\b|\bi (feel like i )?(have )?already given up\b(?! (on (the|my|that|this)|sugar|\w+ing))|\bcan not (see|picture) (any way|myself (getting through|making it)|how this (gets|will get) better|a way (out|through))\b|\bwhy i am (even )?still here\b|\bcan not take (much|any) more of this\b|\bwhy i (even )?bother( any ?more)?\b(?! (with|to|\w+ing))|\b(stopped caring|do not care) what happens to me\b|\b(drive|drove|driving) (too |really )?fast\b.*\b(do not|did not) care\b|\btired of being me\b(?!.*\b(ha|haha|lol|joking|kidding)\b)|\bexhausted by being me\b|\btired of fighting\b(?! (with|about|over|for))|\bghost in my own life\b|\bdisappearing and nobody notices\b", negatable=False),
    _r("concern", "worthlessness", r"\bwaste of a person\b|\bi am pathetic\b|\bdisgusted (with|by) myself\b|\bnothing good about me\b", negatable=False),
    _r("concern", "thoughts of death", r"\bthoughts of not being (here|around|alive)\b|\b(imagine|picture|picturing|imagining) my (own )?funeral\b|\b(thought|idea) of (ending it|ending things|not being here)\b|\bmy mind goes to dark places\b"),
    _r("concern", "past ideation", r"\b(after|since) (an|my) (attempt|overdose)\b|\bmy last attempt\b|\b(came|come) close to (ending|killing)\b|\bhad a plan once\b|\bused to cut\b", negatable=False, past_downgrades=False),
    _r("concern", "someone else in crisis", r"\b(sounded|sounds|looked|read) like a goodbye\b|\b(scared|worried|afraid|frightened)\b.*\b(do something to|hurt|harm|kill) (himself|herself|themselves)\b|\b(talking|talks|talked|been saying) about not (being|wanting to be) (around|here)\b|\b(he|she|they) wish(es)? (he|she|they) could (just )?disappear\b|\bnobody would miss (him|her|them)\b|\b(said|told me|says) (he|she|they) (has|have|had) been cutting\b|\b(he|she|they|my \w+) (might be|is|has been|may be) (cutting|hurting (herself|himself|themselves))\b|\b(cuts|marks|scars) on (her|his|their) (arms|wrists|legs)\b|\b(he|she|they|my \w+) (said|says) (he|she|they) (does not|do not) see the point\b|\bwill not show me (her|his|their) arms\b", negatable=False, past_downgrades=False),
    _r("concern", "medication: more than prescribed", rf"\bhow much (of )?(my |the |these )?(\w+ )?{_ANY_MED} is too much\b|\bwhat is the (most|maximum) (\w+ )?{_ANY_MED}\b"),
    # acute: more medication taken *in order to* die or not wake up
    _r("acute", "overdose intent", rf"\b(take|taking|took|swallow|swallowing|enough|all|how many)\b (\w+ ){{0,4}}?{_ANY_MED}\b.*\b(so (that )?i (do not|will not|never|would not) wake up|to (not|never) wake up|and (not|never) wake up|(will not|would not|do not) (have to )?(feel|wake up|be here)|to (die|end it|kill (me|myself)|make it (all )?(stop|end)))\b", negatable=False),
    # concern: medication questions that are safety questions first (more than prescribed, sedatives with alcohol)
    _r("concern", "medication: more than prescribed", rf"\b(take|taking|took|have|had|use|using|swallow|pop|popping)\b (\w+ ){{0,2}}?(more|extra|another|a few more|a couple (of )?(more|extra)|a few extra|some extra|an extra( couple of| few)?|twice|double) (of )?(my |the |these |those |some )?(\w+ ){{0,2}}?{_ANY_MED}\b"),
    _r("concern", "medication: more than prescribed", rf"^(?!.*\b(doctor|gp|nurse|psychiatrist|prescriber|consultant|pharmacist) (has |have )?(doubled|increased|raised|upped|put me on)\b).*\b(double|doubling|doubled|triple|tripling) (up )?(on )?(my |the |a )?(\w+ )?({_ANY_MED})\b|\b(double|triple|twice|two times|three times) (my|the) (usual |normal |prescribed )?dose\b|\bmore (\w+ ){{0,2}}?than (i am supposed to|i should|prescribed|the (doctor|prescription|label|box|pharmacist) (says|said))\b"),
    _r("concern", "medication: more than prescribed", rf"\b(two|three|four|five|\d+) (of (my|the|these) )?(\w+ )?({_ANY_MED} )?instead of (one|two|the (usual|normal) (one|dose))\b|\bhow many (of )?(my |these |the |those )?(\w+ )?{_ANY_MED} (can|could|would|should|is it|is|does it|would it)\b"),
    _r("concern", "medication: sedatives with alcohol", rf"\b{_SEDATIVES}\b.*(?<!\bno )(?<!\bwithout )(?<!\bavoid )(?<!\bskip )\b{_ALCOHOL}\b|(?<!\bno )(?<!\bwithout )(?<!\bavoid )\b{_ALCOHOL}\b.*\b{_SEDATIVES}\b"),
    # concern: passive wishes, hopelessness, worthlessness, burden
    _r("concern", "passive wish not to exist", r"\b(sleep|go to sleep|fall asleep) and (never|not) wake up\b(?! (until|till|before|for|on time|early|in time))|\bnever wake up\b|\bwish i (was|were) (dead|never born|gone|not here|not alive)\b|\bwish i (could|would) (just )?(disappear|vanish|stop existing|not exist|not wake up)\b(?! (to|for|on|off|into|somewhere|abroad|from|under|with|until|till|in) )", negatable=False),
    _r("concern", "passive wish not to exist", r"\b(do not|does not|no longer) want to (be here|exist|be alive|live|wake up|be around|go on)\b(?! (at|in|for|with|on|to|tomorrow|today|tonight at) )|\bno longer want to live\b|\btired of (living|being alive|existing|life)\b|\b(why|what is the point of) (am i|being) (even )?(alive|here)\b|\bdisappear forever\b", negatable=False),
    _r("concern", "feels a burden", r"\b(everyone|everybody|they|my (family|kids|friends|parents)|the world|people) (would|will) be better off without me\b|\bbetter off (if i was|if i were|without me|dead)\b|\bi (am|feel like) (just |such )?a (burden|waste of space|waste of oxygen)\b|\bno one would (care|notice|miss me) if i (died|was gone|were gone|disappeared)\b", negatable=False),
    _r("concern", "hopelessness", r"\b(there is )?no (point|reason) (in |to )?(living|going on|carrying on|anything|trying|any of (it|this))\b|\bwhat is the point( of (anything|living|it all|going on))?\b(?! (of|in) (?!(anything|living|life|it all|going on|trying|me|being|carrying on|any of|anymore|waking))\w)|\b(can not|can't) (go on|do this anymore|take (it|this|any more|anymore)|keep going)\b(?!( like)?( this)?( honestly| to be fair)? (at work|with (the|this|my) (rota|roster|rosters|job|boss|landlord|commute|shifts?|hours|neighbours?))\b)|\bi give up on (everything|life)\b|\b(life|everything) is (hopeless|pointless|meaningless)\b|\bi (feel|am) (so )?(hopeless|worthless)\b(?! (at|with|when it comes to) (?!(everything|anything|life|living|being)))|\bnothing (will|is) (ever )?(going to )?(ever )?get better\b|\bnever going to get better\b", negatable=False),
    _r("concern", "worthlessness", r"\bi (am|feel) (completely |totally |so |such a |just )?(worthless|useless|a failure at everything|nothing|unlovable)\b(?! (at|with|when it comes to) (?!(everything|anything|life|living|being)))|\bi hate myself\b(?!( (a (bit|little)|slightly|sometimes))? for (it|that|this|\w+ing (the|my|her|his|their|our|your|a|an|that|this|it|so|to|on|in|with)\b))|\bi do not deserve to (live|be happy|be here)\b", negatable=False),
    _r("concern", "passive wish not to exist", r"\bwish i (would|had|was|were)? ?never (have )?(been born|existed)\b|\b(easier|better|simpler) (for everyone )?if i (just )?(did not|do not|never|would not) (wake up|exist|be here|be around)\b|\b(easier|better|happier|simpler) (for everyone )?if i (was|were|just) (not|no longer) (around|here|alive|in the picture)\b|\b(easier|better|happier|simpler)\b.*\bif i (was|were) (gone|dead|not here|not around)\b", negatable=False),
    _r("concern", "feels a burden", r"\b(better off|happier) with(out)? (me|someone else)\b|\b(such|a real|a huge|a big) burden (on|to|for)\b|\bi (am|feel like|feel) (such |just |a real |a huge )?a burden\b", negatable=False),
    _r("concern", "hopelessness", r"\b(see|have) no (future|point|way out|reason to (live|go on))\b|\bno future for me\b|\bnothing matters( any ?more)?\b|\b(do not|can not) see (any|a|the) (reason|point|future|way out)\b(?! (of|in) (this|that|these|those|the|his|her|their|our|your|it) (?!(life|world|future)))|\b(can not|can't) keep (going|doing this|living)\b|\bno reason to (keep|go on|carry on|be) (living|going|alive|here)\b|\bno reason to live\b", negatable=False),
    _r("concern", "worthlessness", r"\b(complete|total|utter) failure\b|\bi hate (who i am|everything about me|my (self|existence))\b", negatable=False),
    _r("concern", "past ideation", r"\b(used to|would) (cut|hurt|harm|burn|starve) myself\b|\b(ago|when i was \w+|as a (teenager|kid|child)|in the past)\b.*\b(overdose|took an overdose|cut myself|tried to (kill|end))\b|\b(took|had|taken) an overdose\b.*\b(ago|when i was|last year|in the past)\b", negatable=False, past_downgrades=False),
    _r("concern", "someone else in crisis", r"\b(she|he|they|my \w+) (keeps|kept|has been|was|is|keeps on) (saying|telling me|talking about how) (that )?(she|he|they) (wants?|wanted|is going|was going) to (die|kill|end it|hurt)\b|\b(my \w+|she|he|they) (is|are|has been|might be|may be|seems to be) (self ?harming|cutting (herself|himself|themselves))\b", negatable=False, past_downgrades=False),
    _r("concern", "passive wish not to exist", r"\b(wish|wishes|wishing) i (did not|do not|could) (exist|stop existing|not exist|be gone|disappear forever)\b|\bwish(es)? i (was|were) (not|no longer) (alive|here|around|born)\b|\b(hope|wish|pray) (that )?i (do not|never|will not|would not|did not) wake up\b|\b(want|wish|wishing|like|hope) (i could |to )?(go to |fall )?(sleep|asleep) forever\b|\b(do not|can not) care (if|whether) i (live|die|wake up|am alive|was gone|were gone)\b|\b(want|wish) (it|everything|life) (all )?to (end|stop|be over)\b", negatable=False),
    _r("concern", "feels a burden", r"\b(better|happier|easier) without me\b|\bbetter off if i (vanished|disappeared|died|left|was gone|were gone|was not here|were not here)\b|\b(nobody|no one|none of them) would (care|notice|miss me|mind) if i (was|were|died|disappeared|left|went)\b(?! (the|early|work|a|this|that|for|to|out|home|before|after))|\bdragging (everyone|everybody|them|people) down\b", negatable=False),
    _r("concern", "hopelessness", r"\blost (all )?(hope|will to live|reason to live)\b|\b(do not|can not) (think|know if|know whether) i want to (live|be alive|be here|go on|keep going)\b|\b(fine|okay|ok|happy|glad|relieved) if (a|the) (bus|car|train|truck|lorry) (hit|hits|killed|ran over) me\b|\bwhy (should|would) i (keep going|go on|carry on|bother|keep living|stay)\b|\b(see|know) why i (should|would) (keep going|go on|carry on|keep living|bother)\b|\bno (hope|way out)( left| any ?more)?\b|\b(never|not) going to get better\b", negatable=False),
    _r("concern", "past ideation", r"\b(used to|would) self ?harm\b|\bself ?harm(ed)? (in|at|back|when|as)\b|\b(back in|in|at) (college|school|university|uni)\b.*\b(self ?harm|cut myself|suicid)", negatable=False, past_downgrades=False),
    _r("concern", "someone else in crisis", r"\b(she|he|they|my \w+) (has been|is|was|keeps|said (she|he|they) (has been|is|was)) (thinking|talking) about (suicide|killing (herself|himself|themselves)|ending it|dying)\b|\b(she|he|they|my \w+) (said|says|told me) (that )?(she|he|they) (does not|do not|did not|no longer) want(s)? to (live|be alive|be here|exist)\b|\b(she|he|they|my \w+) (said|says|told me|keeps saying) (that )?(she|he|they) (wants?|wanted) to (die|kill (herself|himself|themselves)|end it)\b", negatable=False, past_downgrades=False),
    _r("concern", "thoughts of death", r"\bi (think|thought|keep thinking|have been thinking) (a lot )?about (death|dying|not being here|suicide|ending it)\b|\bsuicidal thoughts\b|\bdark thoughts\b|\bthoughts of (suicide|ending it|dying|killing myself)\b"),
    _r("concern", "past ideation", r"\bi (tried|attempted) (to kill myself|suicide|to end (it|my life|things)|to take my (own )?life)\b|\bi (was|used to be) suicidal\b|\bi (used to|once) (think|thought) about (suicide|killing myself|ending it)\b|\b(my|a) (suicide )?attempt\b", negatable=False),
    _r("concern", "someone else in crisis", r"\bmy (\w+ )?(friend|sister|brother|son|daughter|mum|mom|mother|dad|father|partner|husband|wife|boyfriend|girlfriend|cousin|roommate|colleague|coworker) (is|has been|was|seems|sounds|said (he|she|they) (is|was|feels?)) (suicidal|talking about (suicide|killing (himself|herself|themselves)|ending it|dying)|(going|planning|wanting) to (kill|hurt) (himself|herself|themselves)|self harming|cutting)\b|\b(he|she|they) (wants?|is going|said (he|she|they) wants?|threatened) to (kill|hurt) (himself|herself|themselves)\b|\bworried (he|she|they|my \w+) (might|will|is going to) (hurt|kill) (himself|herself|themselves)\b", negatable=False, past_downgrades=False),
]

# Session 3 (#11): calm, practical talk with no crisis word, and a third person at risk now. Kept as
# their own list so that each is pinned by its own test (tests/test_safety_layers.py).
CALM_AND_THIRD_PARTY_RULES: list[Rule] = [
    # preparation and finality: things settled "for after", letters left for when they are found, a pet handed on for good
    _r("acute", "finality", r"\b(in order|sorted|ready|arranged|organised|organized|taken care of|tidied|squared away|set up|labelled|written down)\b (\w+ ){0,3}?for (after|afterwards|when i am (gone|not here|not around)|when it is (over|done)|whoever finds me)\b(?! (the|my|a|an|work|school|lunch|dinner|christmas|that|this|we|you|\w+ (move|trip|holiday|wedding|surgery|operation|baby|exam))\b)", negatable=False),
    _r("acute", "finality", r"\b(letters?|notes?|envelopes?|cards?|voice notes?|videos?)\b.*\bfor when (they|someone|somebody|people|my \w+|she|he|the \w+|you|everyone) (find|finds|found|come looking|get in|break in)\b(?!.*\b(easter|treasure|hunt|birthday|surprise|present|gift|clue)\b)", negatable=False),
    _r("acute", "finality", r"^(?!.*\b(allerg\w*|because|since|baby|moving|move|landlord|farm|bigger garden|space|new job|for good measure|for good behaviour)\b).*\b(gave|given|giving|handed|rehomed|rehoming|left|took)\b (\w+ ){0,3}?(dog|cat|pets?|rabbits?|hamster|budgie|parrot|fish|tortoise|horse|puppy|kitten|guinea pigs?)\b.*\b(for good|forever|for keeps|permanently)\b", negatable=False),
    _r("acute", "finality", r"^(?!.*\b(holiday|trip|abroad|travel\w*|fly|flying|flight|sitter|going away|be away|away (for|on|with)|sabbatical|retir\w*|new (job|place|flat|house)|moving|move|wedding|baby|switch\w*|cheaper|better deal)\b)(?!.*\b(debt|debt free|feels great|proud|budget|saving|savings|mortgage|cheaper)\b)(?=(.*\b(cancell?ed|cancelling|paid off|closed (my|the|all)|deleted (my|all)|left instructions|rehomed|gave away|made (a|my) will|updated my will|handed in my notice|returned (everything|all)|wrote (letters|notes))\b){2})", negatable=False),
    _r("acute", "finality", r"\b(wanted|want|needed|need) (someone|somebody|anyone|one person|you) to know where i (was|am|will be)\b(?!.*\b(hik\w*|walk\w*|lost|run|running|trip|in case i (get|got) lost|location|app|phone dies|late)\b)|\b(when|if) (they|someone|anyone) (come|comes) looking\b.*\b(tell|know|find)\b", negatable=False),
    # somewhere high or on the rails now, said calmly: the place and a feeling of being up there, in any sentence of the turn
    _r("acute", "at a dangerous place now", r"^(?!.*\b(fix\w*|clean\w*|repair\w*|photos?|pictures?|sunset|sunrise|view|stars|telescope|watering|plants|painting|gutter|chimney|aerial|satellite|solar|tiles|roofer|builder|scaffold\w*|party|drinks?|barbecue|bbq|terrace|garden|lunch|smok\w*|signal|fireworks|gig|we are|our|with (my|friends|the)|sunbath\w*|selfie)\b)(?=.*\b(up here|down there|long way down|windy|so quiet|quiet up|alone|nobody (is )?(around|here|knows)|no one (is )?(around|here|knows)|where i (am|was)|cold up|edge|railing|parapet|last)\b).*\bi am (?!not )(\w+ ){0,2}?(on|at the top of|up on|on top of|at the edge of) (the |a |my )?(roof|rooftop|top floor|top of (the|my) (building|flats|car park|multistorey|tower|cliff)|bridge|ledge|cliff|clifftop|multistorey|car park roof|viaduct)\b", negatable=False, whole_line=True),
    _r("acute", "at a dangerous place now", r"^(?!.*\b(delayed|late|cancell?ed|commute|to work|home|meet\w*|missed|my train|the (8|9|7|6)|every day|usual|drunk|tube strike|announce\w*|announcement|spotting|photos?|heading|on my way)\b).*\b(standing|stood|sat|sitting|waiting|am)\b (\w+ ){0,2}?(on|at|by) (the )?(platform|tracks|level crossing|railway line)( edge)?\b.*\b(fast (one|train)|next (fast )?train|through in|does not stop|not stopping|express|freight|yellow line|edge|step (off|forward|out))\b", negatable=False, whole_line=True),
    # an overdose just taken, told plainly or misspelled: a count of tablets taken, a whole supply finished, a dose "way more" than meant
    _r("acute", "just done", rf"\b(took|taken|swallowed|had|necked|downed|popped|chucked back|done) (about |nearly |almost |over |around |maybe )?(1\d|[2-9]\d|\d{{3}}|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|a hundred)( or so)? (of )?(my |the |those |these |his |her |my \w+ is |my \w+s )?(\w+ ){{0,2}}?{_MEDS}\b(?!.*\b(over (a|the) (week|month|year)|a (day|week|month)|since|last (year|month)|in total|prescribed|holiday|trip|with (him|her|me|them|us)|enough for)\b)|\b(emptied|finished|done) (the|my|a) (whole )?(bottle|packet|box|strip|pack|tub) of (my |the )?(\w+ )?{_MEDS}\b(?=.*\b(ago|just|now|tonight|feel|heart|sick|dizzy|sleepy|numb|going to)\b)|\b(took|taken|swallowed|necked|downed) (a |the |my )?(whole |full |entire )?(strip|packet|pack|box|bottle|tub|blister pack) of (my |the |his |her )?(\w+'s )?(\w+ )?{_MEDS}\b(?!.*\b(to work|with me|in my bag|back|to the|on holiday|for the trip|in case|over (a|the)|a (day|week|month))\b)|\b(taken|took|swallowed) (way|far|loads|a lot) more (\w+ )?than (i should|i was supposed|the box|it says|you are meant)\b(?=.*\b(ago|just|now|tonight|feel|heart|sick|dizzy|sleepy|numb)\b)", negatable=False, past_downgrades=False),
    # a plan with a time: an act named with a day or an hour, or the how and the when worked out
    _r("acute", "suicide plan or preparation", r"\b(tomorrow|tonight|this weekend|on (my|her|his|the) (birthday|anniversary)|at (midnight|dawn|sunrise)|next (week|weekend)|on (monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b.*\b(to|and|i will|i am going to|going to|when i) (jump|throw myself (off|in)|end it|end my life|kill myself|step off|step in front|let go)\b(?! (the queue|start|in|into|out of|on|at|over|around|ship|rope|up|with|of|there|here)\b)(?!.*\b(plane|bungee|parachute|skydiv\w*|charity|pool|trampoline|queue|lake swim)\b)|^(?!.*\b(plane|bungee|parachute|skydiv\w*|charity|pool|trampoline|queue|call|start|lake|sea swim)\b).*\b(jump|end it|end my life|kill myself)\b(?! (with|in|into|out|on|at|up|there|here|for (today|now|the (day|night|week))|off work)\b).*\b(tomorrow|tonight|this weekend|on my birthday)\b|\b(worked out|figured out|planned|know|decided|chosen) (exactly )?(how and when|when and how|how and where|where and when|where and how|the when and the how)\b(?! to (tell|ask|say|quit|leave|propose|break|move|do (the|my|our)))|\b(decision|decided|mind is made up|made up my mind) (about|on) (dying|death|ending it|ending my life|my death|my life)\b|\b(it is|it will be|this is) happening (this weekend|tonight|tomorrow|on (my|the) \w+|soon|at \w+)\b(?=.*\b(die|dying|death|end|calm|ready|decided|decision|goodbye)\b)|\b(nerve|courage|guts) to (finally )?(go through with|do) (ending|killing|it for real)\b|\bgo(ing)? through with ending (it|things|my life)\b|\bi am ending it (this|tonight|tomorrow|on|at|soon)\b|\bi am done\b.*\bending it\b(?! with)", negatable=False),
    # harm to others with a plan: a weapon taken along, a time, or the how worked out
    _r("acute", "intent to harm someone", r"\b(bringing|taking|carrying|bring|take|carry) (something|a knife|a blade|a weapon|a bat|a hammer|my gun|the gun|a gun|my knife) (in|into work|to work|to school|to college|with me|round (there|to his|to hers))\b(?=.*\b(hurt\w*|stab\w*|kill\w*|make (him|her|them) pay|get (him|her|them)|sort (him|her|them) out|teach (him|her|them))\b)|\b(hurting|stabbing|killing|shooting|hitting|hurt|stab|kill|shoot) (him|her|them|my (\w+ )?(boss|manager|ex|dad|stepdad|brother|neighbou?r|husband|wife|partner|teacher|landlord))\b.*\b(thought about|worked out|planned|know) (exactly )?(how|where (he|she|they) (lives?|parks?|works?|drinks?))\b|\b(know|worked out|found out) (exactly )?(where|when) (he|she|they) (lives?|parks?|walks?|works?|drinks?|is alone|leaves?)\b.*\b(going to|will|tonight|tomorrow) (hurt|stab|kill|shoot|get|make \w+ pay|do (him|her|them) in)\b", negatable=False),
    # a third person at risk right now, told by the user: someone announcing they will jump, or just taken an overdose
    _r("acute", "someone else in danger now", r"\b(my (\w+ ){0,2}(friend|mate|brother|sister|son|daughter|mum|mom|mother|dad|father|partner|husband|wife|boyfriend|girlfriend|flatmate|roommate|housemate|cousin|colleague|neighbou?r|aunt|uncle|nan|gran|grandad|kid)|she|he|they) (says|said|is saying|has said|just said|texted|has texted|messaged|rang|called|told me|is threatening|threatened|posted)( me)?( that)? (he|she|they) (is|are|has|have|was|were)? ?(going to|about to|gonna|will|has|have|had)? ?(jump|kill (himself|herself|themselves)|end it(?! with)|end (his|her|their) life|take (all )?(his|her|their) (\w+ )?pills|overdose(?! on)|taken (an overdose|all|everything|the lot|a load|loads)|swallowed|cut (his|her|their) (wrists|arms|throat))\b(?! (out of|from) (a|the) (plane|helicopter)| (in|into) (the|a) (pool|lake|sea|shower)| on (a|the) (call|train|bus)| the queue| start)(?!.*\b(charity|bungee|parachute|skydiv\w*|plane|pool|trampoline|game|film|book|joke|joking|kidding)\b)", negatable=False),
]
RULES.extend(CALM_AND_THIRD_PARTY_RULES)

# Session 4 (#11): families the two writers of session 4 showed the rules missing, each with few ordinary
# look-alikes; pinned one by one in tests/test_safety_layers.py (FRESH_WORDING_CASES).
FRESH_WORDING_RULES: list[Rule] = [
    # a goodbye said to the companion itself
    _r("acute", "goodbye", r"\b(this is|this will be|this'll be|it is) (the|my) last time i (talk|speak|chat) to you\b(?! (about|for a|until|till|before))|"
       r"\byou (will not|are not going to) (be )?hear(ing)? from me (after (tonight|today|this)|again|anymore|any more|ever)\b|"
       r"\bi (will not|am not going to) be needing you (after|anymore|any more)\b", negatable=False),
    # who will find them: arranging not to be found by someone, or for "whoever finds me"
    _r("acute", "finality", r"\b(whoever|the one who|the one to|the first (one|person) to|so (she|he|they) (is|are) not the one who) finds? me"
       r"(?=\s*($|[.,;!?]|(and|in|first|when|after|here|there|tomorrow|dead|at|with|before|so)\b))(?!.*\b(hide|seek|hiding|game)\b)", negatable=False),
    # an overdose misspelled or misheard ("i took an over those of my tablets")
    _r("acute", "overdose taken", r"\b(took|taken|had|done) an? (over ?dose|over those|overdoes|over dose|overdos)\b"),
    # the whole supply, now or tonight ("swallowed the lot", "tonight i am taking all of it", "having the lot with a bottle")
    _r("acute", "just done", r"\bswallowed the lot\b(?! of (?!(them|it|my (pills|tablets|meds|medication))\b))|\b(tonight|this evening|later|now) i am (taking|having|swallowing) (all of (it|them)|the lot|them all)\b|"
       r"\bi am having the lot with\b", negatable=False),
    # a third person who has just taken a load of something
    _r("acute", "someone else in danger now", rf"\b(he|she|they|my \w+) (is|has|have|had|is just|has just) (taken|swallowed|had) (a load|loads|a lot|a handful|a bunch|the lot|a (whole )?(bottle|box|packet|strip|pack))"
       rf"( of)?( (his|her|their|the|my|mum's|dad's))?( \w+)? {_ANY_MED}\b", negatable=False),
]
RULES.extend(FRESH_WORDING_RULES)

# Session 5 (#11): families that the rounds left out one at a time (bench/safety_eval.py --loro) showed both layers
# missing — quiet preparation and timing, a car running in a closed garage, an overdose told loosely, harm to a baby or
# a neighbour with a weapon, someone else on a railing or gone quiet after a goodbye, and concern said plainly (a heart
# that might stop in the night, dead weight, no way out, hitting oneself, a relative who says they'd be better off
# gone). Each is pinned by its own lines and look-alikes in tests/test_safety_layers.py (QUIET_SIGNS_CASES).
_WHEN = rf"(tonight|today|tomorrow|this weekend|the weekend|{_WEEKDAY})"
# the people close to someone ("my (best) friend", "my flatmate"), as a rule's subject and as who is at risk
_CLOSE = (r"friend|mate|brother|sister|son|daughter|mum|mom|mother|dad|father|partner|husband|wife|boyfriend|girlfriend|flatmate|"
          r"roommate|housemate|cousin|colleague|neighbou?r|aunt|uncle|nan|gran|grandad|grandma|kid|child")
_SOMEONE = (r"(he|she|they|someone|somebody|a (man|woman|girl|boy|person|lad|guy|kid)|the (man|woman|girl|boy|lad|guy|person|lady) "
            rf"(next door|upstairs|downstairs|across the (road|street|landing))|my (\w+ ){{0,2}}({_CLOSE}|mam|student)|"
            r"(mum|mom|mam|dad|nan|gran|grandad|grandma|grandpa))")
QUIET_SIGNS_RULES: list[Rule] = [
    # exhaust fumes: a car or engine left running in a closed garage (the older rule needed the word "engine")
    _r("acute", "means at hand", r"^(?!.*\b(by mistake|accident\w*|forgot|warm(ing)? (it|the car|the engine|up)|defrost\w*|mechanic|fix\w*|repair\w*|"
       r"battery|jump ?start\w*|check\w*)\b).*(\bgarage\b.*\b(car|engine|motor) (is |still |left )?(running|on)\b(?! (the|a|my|our|his|her|its|time)\b)|"
       r"\b(car|engine|motor) (is |still |left )?(running|on)\b(?! (the|a|my|our|his|her|its|time)\b).*\b(in the garage|garage door|door (is )?(down|shut|closed))\b)",
       negatable=False, whole_line=True),
    # at the far end of a platform waiting for the next train (not a late train or a commute)
    _r("acute", "at a dangerous place now", r"^(?!.*\b(delayed|late|cancell?ed|commute|to work|meet\w*|missed|my train|usual|announce\w*|spotting|"
       r"photos?|heading (home|to)|on my way|change (at|for)|carriage|quieter|seat)\b).*\b(end|edge|far end) of the platform\b.*\b(next (one|train)|"
       r"fast (one|train)|freight|express|comes through|does not stop|waiting)\b", negatable=False, whole_line=True),
    # things and people not needed "after" a day that ends
    _r("acute", "finality", rf"\b(will not|am not going to|would not) (be )?(need|needing) (you|them|it|this|that|any of (it|this|them)|anything|my \w+)"
       rf"( \w+)? (after|past|beyond) {_WHEN}\b(?!.*\b(holiday|trip|abroad|moving|move|new (one|job|car|phone|place|flat)|sold|selling|return\w*|"
       rf"rental|hire|loan|lease|finished|done with (the|my) (course|exams?|job|project))\b)", negatable=False),
    # someone else locked in with a means, or on a railing or ledge, now
    _r("acute", "someone else in danger now", r"\b(locked|shut|barricaded) (himself|herself|themselves) in\b.*\b(pills|tablets|meds|medication|"
       r"knife|blade|razor|rope|belt|gun|car running|engine running|wants? (it all |everything )?to (stop|end)|wants? to die|sleep forever)\b",
       negatable=False),
    _r("acute", "someone else in danger now", rf"^(?!.*\b(paint\w*|fix\w*|clean\w*|builder|roofer|window cleaner|scaffold\w*|selfie|photo\w*|"
       rf"cat|dog|bird|pigeon|parrot|gig|festival|party|concert|drunk and laughing|messing about)\b).*\b{_SOMEONE}( is| has been| keeps| was)? "
       rf"(sitting|standing|sat|stood|climbing|climbed|leaning|perched) (on|over|onto|out over) (the |her |his |their |a )?(balcony )?(railing|ledge|"
       rf"parapet|edge of the (roof|bridge|building|balcony|platform)|roof edge|wrong side of the (railing|barrier|fence))\b", negatable=False),
    # a goodbye sent, and now no answer
    _r("acute", "someone else in danger now", rf"\b{_SOMEONE}( just| has| has just| had)? (texted|messaged|sent|posted|rang|called|left)( me| us| everyone| "
       r"the group| the (group )?chat)?( a| her| his| their)? (goodbye|goodbyes|goodbye message|goodbye text|message saying goodbye)\b.*\b(phone (is |has been "
       r"|was )?(off|dead|switched off|going to voicemail)|not (answering|picking up|replying|responding)|will not (answer|pick up|reply)|"
       r"gone (quiet|silent|offline)|can not (reach|get hold of) (her|him|them))\b", negatable=False, whole_line=True),
    # where, worked out: which floor or bridge, a height "high enough"
    _r("acute", "suicide plan or preparation", r"\b(worked out|figured out|picked|chosen|chose|decided|know|looked up) (exactly )?(which|what) (floor|level|"
       r"storey|bridge|building|spot|cliff|part of the (bridge|cliff|river))\b(?!.*\b(office|meeting|flat|apartment|party|desk|gym|wedding|gig|photo\w*|"
       r"view|picnic|fishing|parked|parking space)\b)|\b(multi-?storey|car park|bridge|building|roof|cliff|tower|block of flats|viaduct)\b.*\b(is|it is|"
       r"that is|looks|will be|must be) (high|tall) enough\b(?!.*\b(lorry|lorries|van|truck|bus|boat|clearance|view|crane|signal|trees?|kids?)\b)",
       negatable=False),
    # a baby or a neighbour about to be hurt; a weapon taken round; "not just talk this time"; "gets what's coming"
    _r("acute", "intent to harm someone", r"^(?=.*\b(baby|cot|crying|screaming|scream|will not (stop|settle|sleep)|newborn|toddler|pram)\b)"
       r"(?!.*\b(never|would not|will not|could not|did not) (ever )?(shake|hurt|hit|smother|throw|drop)\b).*"
       r"\b(about to|going to|will|might|scared i will|afraid i will|frightened i will|could) (shake|hurt|hit|smother|throw|drop) (her|him|the baby|"
       r"my baby|the kids?|them)\b", negatable=False, whole_line=True),
    _r("acute", "intent to harm someone", r"\b(going|go|coming|heading|turning up) ((round|over)( to (his|her|their) (house|place|flat|work|door)| there| to "
       r"(his|hers|theirs))?|to (his|her|their) (house|place|flat|work|door))( tonight| tomorrow| now| later)? with (a|the|my|my dad's|my \w+'s|his|an) (\w+ ){0,2}(bat|knife|blade|hammer|gun|machete|"
       r"crowbar|axe|bar|wrench)\b(?!.*\b(fix|shelf|shelves|put up|help|build|diy|nail|picture|garden|fence post|cricket|baseball game|match)\b)"),
    _r("acute", "intent to harm someone", r"^(?=.*\b(wait(ing)? for (him|her|them)|outside (his|her|their) (work|house|flat|school|door)|go(ing)? round|"
       r"following (him|her|them))\b).*\bnot (going to )?(just )?(talk|talking|shout|shouting|argue|arguing)( to (him|her|them))? this time\b|"
       r"\b(following|followed|been following) (him|her|them) (home|from work|to work)\b.*\b(he|she|they) (gets?|will get|is going to get) what is coming\b",
       negatable=False, whole_line=True),
    # the date, the night, the how and the when: chosen, and calm about it
    _r("acute", "suicide plan or preparation", r"^(?!.*\b(wedding|party|move|moving|holiday|trip|surgery|operation|appointment|exam|interview|launch|"
       r"meeting|birthday|christening|funeral|baby|due|leaving do|retirement|reunion|match|gig|concert|opening|hen|stag|date night|first date|"
       r"scan|results?|court|hearing|flight)\b).*\b(picked|chosen|chose|set|decided on|fixed) (the|a|my) (date|day|night)\b.*\b(calm|ready|at peace|"
       r"peaceful|relief|relieved|nobody knows|no one knows|goodbye|for good)\b", negatable=False, whole_line=True),
    _r("acute", "suicide plan or preparation", rf"\b{_WHEN} (feels like|feels|is|will be|seems like|seems) the (right|perfect) (night|day|time)\s*($|[.,;!?]|and i am ready)|"
       r"\b(good|right|perfect) (one|day|date|night) to (finish|end it|end things) on\b(?=.*\b(date|ready|calm|peace)\b)", negatable=False),
    _r("acute", "suicide plan or preparation", r"\bi know (how|when|where),? and (i know |i have decided )?(when|how|where)\b(?! to\b)",
       negatable=False, whole_line=True),
    # affairs settled so nobody has to, "everything after tonight is sorted", who gets my things
    _r("acute", "finality", rf"\b(nobody|no one) (has|will have|needs|will need) to (sort|clear|deal with|go through|pack up|tidy) (out |up )?my (things|stuff|"
       rf"flat|room|affairs|mess|belongings)( out| up)? (after|when)\b(?!.*\b(move|moving|holiday|trip|away|abroad|the operation|surgery|hospital)\b)|"
       rf"\beverything (after|for after) {_WHEN} is (sorted|arranged|taken care of|in order|done)\b|"
       r"\b(written|wrote|writing|left|made) (down |a list of |a note of )?who (gets|is having|should have|will have|can have) my\b"
       r"(?!.*\b(move|moving|clear ?out|declutter\w*|charity|car boot|when we|after the (move|holiday))\b)", negatable=False),
    # an overdose told loosely: "a lot of my sleeping tablets like 40 min ago", "had a whole box of ibuprofen" + symptoms
    _r("acute", "just done", rf"(\b(took|taken|swallowed|had|necked|downed) (a lot|loads|lots|a load|a handful|handfuls|a bunch|heaps)|"
       rf"\b(had|eaten|ate) (a|the) whole (box|packet|bottle|strip|pack|tub)) of (my |the |her |his )?([\w']+ ){{0,2}}?{_ANY_MED}\b"
       r"(?=.*\b(\d+ (min|mins|minutes|hours?)|ago|fuzzy|dizzy|sleepy|woozy|sick|numb|heart|blurry|drowsy|stomach|on fire|burning|throwing up|"
       r"going dark|can not (see|stand|think))\b)", negatable=False, past_downgrades=False),
    # pills saved up and a time to take them; the lethal amount looked up
    _r("acute", "suicide plan or preparation", rf"\b{_ANY_MED} (\w+ )?(saved|stockpiled|hoarded|put (aside|by)|stashed)( up)?\b.*\b(going to|will|am taking|"
       r"tonight|when i get|take them|use them|do it)\b|"
       rf"\b(looked up|googled|searched|researched|read up on|worked out|checked online) how (many|much) (of )?(my |the |these |those |her |his )?"
       rf"(\w+ ){{0,2}}?({_ANY_MED} )?(it would take|would (kill|do it|be fatal|be enough)|to (die|kill|overdose|do it)|is (fatal|lethal|enough))\b",
       negatable=False),
    # not coming back (from a walk, a place), with an apology or a message left
    _r("acute", "goodbye", r"^(?!.*\b(holiday|job|work|office|uni|school|moving|move|abroad|visa|country|club|gym|team|restaurant|shop|cafe|pub|"
       r"there again|coming back to|ever again to|until|till|for a (while|bit|few))\b).*(\bnot (planning on |planning to be |going to be |intending on )?"
       r"coming back\b.*\b(sorry|love (him|her|them|you)|goodbye|forgive|tell \w+)\b|\b(sorry|goodbye|forgive)\b.*\bnot (planning on )?coming back\b)",
       negatable=False, whole_line=True),
    _r("acute", "goodbye", r"^(?=.*\b(river|weir|sea|cliffs?|bridge|walk|water|woods|hills|lake|beach|moors?)\b)(?!.*\b(holiday|trip|abroad|moving)\b)"
       r".*\bnot coming back from (it|there)\b", negatable=False, whole_line=True),
    # a last message to everyone, a last call, an apology to pass on
    _r("acute", "goodbye", r"\b(sent|texted|messaged|wrote to) (everyone|everybody|all of them|my family|the family|them all|all my (friends|family))( a)? "
       r"(message|text|messages|texts|note|notes)( each)? (saying|to say|telling them) (i love (them|you)|goodbye|sorry|thank you for everything)\b"
       r"(?!.*\b(birthday|christmas|new year|wedding|party|anniversary|mother is day|father is day|valentine|engaged|baby|results)\b)|"
       r"\b(hear|see|hold|hug) (her|his|their|your|my \w+ is|mum is|dad is) (voice|face) (one|for (the|one)) (last|final) time\b"
       r"(?!.*\b(funeral|coffin|hospice|body|chapel|passed|died|before (he|she) (died|passed)|viewing|wake|recording|voicemail|video)\b)|"
       r"^(?=.*\b(not (his|her|their|your) fault|that is all i wanted to say|i love (him|her|them)|goodbye)\b).*\btell (\w+ ){1,2}(that )?i am sorry\b"
       r"(?! (for|about) (being|the|missing|what|how|not|that|this|last|earlier|today|yesterday)\b)", negatable=False),
    # a prescription kept back, and used this evening
    _r("acute", "suicide plan or preparation", rf"^(?=.*\b(enough|never took|did not take|saved|kept back|last month)\b).*\b(prescription|{_ANY_MED}|supply)\b.*"
       r"\b(i will|i am going to|going to) (use|take) (it|them|all of (it|them)|the lot|the whole lot) (this evening|tonight|later tonight|after (they|everyone) "
       r"(go|goes|leave|leaves|are asleep))\b", negatable=False, whole_line=True, past_downgrades=False),
    # concern: a passive wish said as a hope or a prayer about the night, a rest from being alive
    _r("concern", "passive wish not to exist", r"\b(hope|hoping|pray|praying|wish|wishing) (that )?(my heart (will |would )?(stops?|gives? out|gives? up)|"
       r"((every|each) night |at night |sometimes )?(the lord|god|jesus|he) (takes?|will take|would take|comes? for) me|i (fall|go) (asleep|to sleep) and (do not|never|would not) wake)\b|"
       r"\b(fall|go) (to )?(sleep|asleep) and (not|never) (have to )?(come back|wake( up)?)\b(?! (up )?(until|till|before|for|on time|early|in time))|"
       r"\ba (break|rest|holiday|pause) from (being alive|existing|living|being a person|life itself)\b|\bdone with being (a person|alive|human|me)\b|"
       r"\b(would not|wouldn't|would not really) (care|mind) if (it|the plane|the car|the bus|the train|we) (went down|crashed|hit me|did not land)\b",
       negatable=False),
    # concern: a burden said as weight or cost; "calmer/lighter without me"; "stop being his problem"
    _r("concern", "feels a burden", r"\b(dead weight|extra weight|a weight|a cost|an expense|a drain|baggage|a liability) (to|for|on|round|around) "
       r"(her|him|them|my \w+|everyone|everybody|the family|this family|(her|his|their) neck)\b|\bi am (just |only |nothing but )?(dead weight|a cost|an expense|"
       r"in the minus column|a liability|extra weight)\b(?! (on|in|at) (the|my|this|that) (project|spreadsheet|budget|accounts|team|books|gym|scales)\b)|"
       r"\b(everyone|everybody|they|the house|the family|she|he|my \w+)( all)? (would|will) be (calmer|lighter|freer|free|quieter|richer|less stressed) "
       r"without me\b|\bstop being (his|her|their|everyone is|everybody is|anyone is) (problem|burden)\b", negatable=False),
    # concern: no way out, nothing lifting, "what am i even for"
    _r("concern", "hopelessness", r"\b(can not|cannot|do not) see (it|this|things|the grey|the fog) ever (lifting|changing|getting better|ending|clearing)\b|"
       r"\b(do not|can not) (think|see) (that )?there is (a|any) way out\b(?! of (the|this|my|that) (contract|deal|lease|meeting|car park|maze|job|mortgage))|"
       r"\bstopped believing (it|things|life) (gets?|will get|can get|is going to get) better\b|\bwhat am i (even )?(for|here for)( now| anymore| any more)?\s*($|[.,;!?])",
       negatable=False),
    # concern: hurting oneself on purpose, not to the point of danger
    _r("concern", "self-harm", r"\b(hitting|punching|slapping|banging|headbutting) (myself|my (own )?(head|arms?|legs?|face|thighs?))"
       r"( (on|in|against) (the|a) (head|wall|face|door))?\b(?=.*\b(when i|whenever i|till|until|again|keep|started|worse|bleed\w*|bruis\w*|mess up|"
       r"overwhelmed|angry at myself|punish\w*)\b)(?!.*\b(brick wall|against a wall with|trying to (fix|understand|get)|this (form|code|bug|paperwork)|"
       r"mosquito|midges?|accident\w*|by mistake|cupboard door)\b)|\bdigging my (nails|fingernails) (in|into my \w+) (till|until) (it|they|i) (bleeds?|bled|"
       r"hurts?|marks?)\b", negatable=False),
    # concern: someone close says they'd be better off gone, want to disappear, are ready to join the dead, see no point
    _r("concern", "someone else in crisis", rf"\b{_SOMEONE} (keeps? saying|kept saying|said|says|told (me|us|his \w+|her \w+|their \w+)|has been saying|"
       r"wrote|posted|texted)( that)? ((we|they|everyone|the kids|i|you) (would|will|are|were) (all )?be (better off|fine|happier|freer) without "
       r"(him|her|them)|(he|she|they) (wants?|wanted) to (disappear|not be here|stop existing)|(he|she|they) (is|was|are) ready to (join|be with) "
       r"(her|him|them|mum|dad|mam|\w+)|(he|she|they) (does not|do not|did not|can not) see (the|any) point (any ?more|in (anything|it|any of it|going on))|"
       r"(he|she|they) (sometimes )?wish(es|ed)? (he|she|they) (would not|did not|could not|will not) wake( up)?|(he|she|they) (is|was|are) "
       r"tired of (everything|living|life|being alive))\b", negatable=False, past_downgrades=False),
]

# Session 5: the shapes blind rounds 14-19 showed after they were measured (pinned in tests/test_safety_layers.py,
# ROUND_SHAPES_CASES)
ROUND_SHAPES_RULES: list[Rule] = [
    # "I'm ending things" said as a plan (not a relationship, a contract or this conversation)
    _r("acute", "suicidal intent", r"^(?!.*\b(relationship|break(ing)? up|dump(ing)?|contract|subscription|"
       r"lease|job|friendship|call|chat|conversation|session|tenancy|membership|here for|there for|for (today|tonight|now)|the night here)\b)"
       r".*\bi am (ending|going to end) (things|it|it all)\b(?! (with|between|off)\b)(?=.*\b(date|tonight|tomorrow|once|after|before|when|on the \w+|set|next \w+|"
       rf"this (week|weekend)|{_WEEKDAY})\b)", negatable=False, whole_line=True),
    # the time of one's death chosen: "i have chosen when i go"
    _r("acute", "suicide plan or preparation", r"\b(chosen|picked|decided|set|know|worked out|planned) (exactly )?(when|the day|the date|the time|how) "
       r"i (go|die|will go|am going|will die|am going to die|do it|end it|end things)\b(?! (to|on|back|home|into|in|out|abroad|away|for|up|down|"
       r"over|round|shopping|through|with)\b)", negatable=False),
    # a burden that "sorts itself out" on a given day
    _r("acute", "finality", r"\b(weight|burden|problem|drain|trouble|nuisance)\b.*\b(sorts? itself out|will (all )?be (over|sorted|gone|fixed)|"
       rf"will not be (a problem|for much longer)|ends|stops) (on|by|after|this|come) (tonight|tomorrow|{_WEEKDAY}|the weekend|weekend|"
       r"next week)\b", negatable=False, whole_line=True),
    # "tonight's my last patrol": a last anything tonight, that is not a last shift, class or night somewhere
    _r("acute", "suicide plan or preparation", r"^(?!.*\b(shift|job|work|office|school|term|class|lesson|exam|holiday|contract|course|"
       r"season|tour|gig|show|performance|game|match|cigarette|smoke|drink|leaving do|retir\w*|moving|move)\b)"
       r".*\b(tonight|today)('s| is) my last (?!(one|chance|try|attempt|go|turn|question|cigarette|drink|pint|bottle|glass|slice|piece|episode|"
       r"chapter|page|warning|payment|instalment|dose|tablet|pill|session|appointment|exam|paper|day off|night out)\b)(\w+)\b(?! (in|at|of|as|with|on|for|here|there|away|off|out)\b)\s*($|[.,;!?])",
       negatable=False, whole_line=True),
    # letters left on the table, and a goodbye or "want it done"
    _r("acute", "finality", r"^(?=.*\b(goodbye|said goodbye|want it (done|over)|before (she|he|they) (gets?|comes?) back|all done|"
       r"it is done|i am ready)\b).*\b(notes?|letters?|envelopes?)\b (are |is )?(left )?(on|in|under|by) the (kitchen |dining |bedside )?"
       r"(table|side|counter|worktop|mantelpiece|mantel|desk|pillow|bed)\b", negatable=False, whole_line=True),
    # counted, and "enough now"
    _r("acute", "means at hand", r"^(?!.*\b(chairs|plates|guests|people|money|votes|stitches|sheep|calories|steps|points|party|cash|coins|"
       r"sweets|cards|eggs|boxes)\b).*(\b(it is|that is|there is|there are|that will be|they are) enough now\b.*\bcounted\b|"
       r"\bcounted (them|it|what i have|the lot)\b.*\b(is|are) enough\b)", negatable=False, whole_line=True),
    # concern: someone close "said he doesn't see the point anymore" (the subject named earlier in the sentence)
    _r("concern", "someone else in crisis", r"\b(said|says|keeps saying|kept saying|told (me|us|(his|her|their|my) \w+|\w+))( that)? (he|she|they) (does not|do not|did not|can not) "
       r"see (the|any) point (any ?more|in (anything|it|any of it|going on))\b", negatable=False, past_downgrades=False),
    # concern: "better off with a different mum"
    _r("concern", "feels a burden", r"\b(better off|happier) with (a different|another|a better|a new|a proper) (mum|mom|mother|dad|father|parent|"
       r"wife|husband|partner|daughter|son|person|friend|sister|brother)\b", negatable=False),
    # "i'll do it" / "i need to do it" with a means or an act named in the turn (without one it is as often the bins)
    _r("acute", "suicidal intent", r"^(?=.*\b(pills|tablets|rope|noose|knife|blade|razor|gun|bridge|jump|die|dead|end it|goodbye|letters?|note|"
       r"overdose|suicide|kill|stuff i need|boot of the car|tracks|ledge|roof)\b).*\bi (will|need to|am going to try to) do it\b"
       r"(?! (for|with|by|on|at|later|first|after work|after school)\b)", whole_line=True),
    # "won't be a bother to anyone much longer": first person, or the subject left out
    _r("acute", "finality", rf"(\bi |(^|[.,;]) ?)(will not|am not going to|would not) be (a|any) (bother|problem|burden|worry|nuisance|trouble) "
       rf"(to|for) (\w+ ){{0,5}}?(much longer|for (much )?long|after {_WHEN})\b(?!.*\b(off to|away|holiday|trip|visiting|staying with|moving|"
       r"leaving for|new job|back (on|by|in))\b)", negatable=False),
    # someone else who says they won't be a burden for long, or won't be needing their things
    _r("concern", "someone else in crisis", r"\b(he|she|they) (will not|is not going to|are not going to) (be (a|any) (bother|problem|burden|worry) "
       r"(to|for) (\w+ ){0,3}?(much longer|for (much )?long)|(be )?(need|needing) (them|it|any of (it|them)|his \w+|her \w+))\b",
       negatable=False, past_downgrades=False),
    # "looked after once I'm gone", "the last thing I had to sort out"
    _r("acute", "finality", r"^(?!.*\b(holiday|trip|away (for|on)|abroad|to (work|uni|university|college|hospital)|on (tour|leave|nights))\b)"
       r"(?=.*\b(looked after|sorted|taken care of|last thing|will be (fine|okay|alright)|provided for)\b).*\b(once|when|after) i am gone\b",
       negatable=False, whole_line=True),
    # going to be with the one who died
    _r("acute", "suicidal intent", r"^(?=.*\b(death|died|dead|anniversary|grave|passed|lost (him|her|them)|heaven|funeral|ashes)\b).*\bi (have decided "
       r"(that )?i am going|am going|want|decided|will go|am ready) to be with (him|her|them|my (son|daughter|husband|wife|mum|mom|mother|dad|father|"
       r"partner|baby|boy|girl|brother|sister))( again| soon| tonight| tomorrow)?\b(?! (for|at|on|in|when|while|this)\b)",
       negatable=False, whole_line=True),
    # on the tracks, waiting
    _r("acute", "at a dangerous place now", r"^(?!.*\b(engineer\w*|maintenance|work(ing|s|ers)? on|signal\w*|delay\w*|leaves on|model|toy|"
       r"train set|photo\w*|documentary)\b).*\b(wait|waiting|lie|lying|stand|standing|sit|sitting|be) (down )?on the (tracks|rails|railway line)\b",
       negatable=False, whole_line=True),
    # goodbyes written to everyone
    _r("acute", "goodbye", r"\b(wrote|written|writing|sent|recorded|left) (my )?goodbyes? (to|for) (everyone|every one|everybody|all of them|my family|"
       r"the kids|my kids|all my friends)\b(?!.*\b(card|leaving|colleagues|team|office|class|school|moving|new job|last day)\b)", negatable=False),
    # a weapon taken in "for him"
    _r("acute", "intent to harm someone", r"\b(gun|knife|blade|machete|weapon|bat|hammer|axe)\b.*\b(bringing|taking|carrying|bring|take|carry) "
       r"it (in|into work|to work|to school|round|with me)\b.*\bfor (him|her|them|that \w+)\b(?! to\b)(?!.*\b(chef|sharpen\w*|kitchen|cook\w*|"
       r"repair\w*|fix\w*|show and tell|range|club)\b)", negatable=False),
    # concern: not waking up would be fine
    _r("concern", "passive wish not to exist", r"\bif i (did not|do not|never|would not|was not to) wake up\b(?! (till|until|before|for|in time|early|on time)\b).*\b(fine|okay|ok|sweet|alright|all right|"
       r"happy|relieved|good with (that|it)|at peace|would not mind|would not care|not mind|not care|be glad)\b", negatable=False),
    # concern: joking about ending it
    _r("concern", "thoughts of death", r"\b(joked|joking|jokes|joke|jokey) about (ending it|ending things|killing (himself|herself|themselves|myself)|"
       r"suicide|topping (himself|herself|myself)|not being (here|around))\b", negatable=False, past_downgrades=False),
    # concern: skin scratched or legs cut up "bad", not by accident
    _r("concern", "self-harm", r"\b(scratched|scraped|clawed|picked) (at )?my (legs|arms|wrists|skin|thighs|stomach) (up )?(pretty |really |so )?"
       r"(bad|badly|raw|till (they|it) bled)\b(?!.*\b(brambles?|nettles|cat|dog|rash|bites?|itch\w*|eczema|mosquito\w*|fell|fall|bike|accident)\b)",
       negatable=False),
    # concern: an attempt that ended in hospital, told in passing
    _r("concern", "past ideation", r"\b(ended up in|landed in|taken to|woke up in) (a ?& ?e|a and e|hospital|the er|the emergency room|icu|intensive care)\b"
       rf".*\b(after|from) (taking|i took|swallowing) (\w+ ){{0,3}}?({_ANY_MED}|an overdose|too many|everything)\b|\bhad my stomach pumped\b",
       negatable=False, past_downgrades=False),
    # after round 23 was measured: the mind made up to end things (not a relationship, a contract or a conversation)
    _r("acute", "suicidal intent", r"\b(made up my mind|decided|have decided|am determined) to end (things|it|it all|my life)\b(?! (with|between|off)\b)"
       r"(?!.*\b(relationship|contract|subscription|lease|job|friendship|membership|tenancy|call|chat|conversation|session|for (today|tonight|now))\b)",
       negatable=False),
    # rounds 18-19: the last talk with the companion said as "we"
    _r("acute", "goodbye", r"\b(this is|this will be|it is) (probably |likely |maybe |prob )?(the|my) last time (i|we) (talk|speak|chat)( to you)?\b"
       r"(?! (about|for a|until|till|before|this week|for now)\b)", negatable=False),
    # joining or being with someone who died, tonight
    _r("acute", "suicidal intent", r"^(?=.*\b(death|died|dead|anniversary|grave|passed|funeral|heaven|ashes|widow\w*|will is|my will)\b).*"
       r"\b(tonight|tomorrow|soon|this weekend|on \w+day) i (am going to |will |go and |am going and )?(go and )?join (him|her|them|my \w+|[a-z]+)\b"
       r"(?! (for|at|on|in|with|the|a)\b)", negatable=False, whole_line=True),
    # a goodbye scheduled, or said without the other knowing
    _r("acute", "goodbye", r"\b(scheduled|queued|set up|timed|drafted) (a |an |my |the )?(post|message|email|text|tweet|video)s?\b.*\b(bye|goodbye|"
       r"goodbyes)\b(?!.*\b(leaving do|new job|new one|last day at|moving|holiday|party|old job|job|team|colleagues)\b)|\b(did not|does not|do not) (know|realise|realize) it was "
       r"(a |my )?goodbye\b", negatable=False),
    # a pillow held over someone's face
    _r("acute", "intent to harm someone", r"\b(put|hold|press|putting|holding|pressing) (a |the )?pillow over (his|her|their|the baby is) face\b"),
    # a last day "full stop"
    _r("acute", "suicide plan or preparation", r"\blast (day|night|week) (full stop|period|of my life|on earth|alive|ever)\b|\bnot just at (the|my) "
       r"(site|job|work|office|school)\b.*\blast\b", negatable=False),
    # things not needed "where i am going"
    _r("acute", "finality", r"\b(will not|would not|do not|am not going to) need (them|it|any of (it|this|them)|those|these|my \w+|anything) "
       r"where i am (going|headed|heading|off to)\b", negatable=False),
    # a hose cut for the exhaust; a weapon ready and someone to "sort out for good"
    _r("acute", "means at hand", r"\bhose\b.*\b(cut to length|in the boot|fits the exhaust|taped)\b|\b(exhaust|car)\b.*\bhose\b.*\b(ready|tonight|"
       r"tomorrow|\w+day night)\b", negatable=False, whole_line=True),
    _r("acute", "intent to harm someone", r"^(?=.*\b(sort (him|her|them) out|for good|going round|make (him|her|them) pay|get (him|her|them)|finish "
       r"(him|her|them))\b).*\b(shotgun|gun|rifle|knife|machete|axe|bat|crossbow)\b('s| is)? (already )?(in the (truck|car|van|boot|ute|bag)|loaded|"
       r"ready|with me|under the seat)\b", negatable=False, whole_line=True),
    # concern: asking God to take me; bed "and that was it"; a better time without me; a waste of her money
    _r("concern", "passive wish not to exist", r"\b(ask|asking|beg|begging|pray|praying) (god|the lord|jesus|him) (every night )?to (take me|let me "
       r"go|not let me wake)\b|\bif i (went|go|just went) to (bed|sleep) and (that was|that is|it was) it\b|\bhoping (the doctor|they|the scan) "
       r"(finds?|shows?|comes? back with) something (serious|bad|terminal|nasty)\b", negatable=False),
    _r("concern", "feels a burden", r"\b(would|will) (have a better time|be (happier|better|relieved|better off|calmer|lighter)) if i (was not|were not|"
       r"was gone|were gone|was not in it|was not around|was not here)\b|\bi am (just |only )?a waste of (her|his|their|your|everyone is|"
       r"everybody is|my \w+ is) (money|time|space|energy|effort)\b", negatable=False),
    # concern: a past attempt told plainly
    _r("concern", "past ideation", r"\bi (tried|attempted) to (hang|drown|overdose|poison|gas) myself\b|\b(in|to) (a ?& ?e|a and e|hospital) "
       r"(before )?(for|after) trying (it|to)\b", negatable=False, past_downgrades=False),
    # concern: "doesn't see why she should carry on"; "don't see what I'm doing any of this for"
    _r("concern", "someone else in crisis", r"\b(he|she|they) (does not|do not|can not|did not) see why (he|she|they) should (carry on|go on|keep "
       r"going|bother|stay|live)\b|\b(been |keeps |started )giving (away )?(his|her|their) (things|stuff|clothes|belongings|possessions|"
       r"records|books)( away)?\b(?!.*\b(charity|baby clothes|old|outgrown|declutter\w*|clear(ing)? out|car boot|vinted|ebay|sell\w*|moving|"
       r"too small|uniform)\b)", negatable=False, past_downgrades=False),
    _r("concern", "hopelessness", r"\b(do not|can not) see what i am doing (any of )?(this|it) for( any ?more)?\b|\b(do not|can not) see why i "
       r"should (carry on|go on|keep going|bother)\b", negatable=False),
    # Session 6, from the misses of blind rounds 20-23 (measured before these rules existed).
    # "finishing myself off"; a timetable learned as the way ("the express times. that's how I'll do it")
    _r("acute", "suicidal intent", r"\b(finish|finishing|finished) (myself|meself) off\b"),
    _r("acute", "suicide plan or preparation", r"\b(train|express|freight|bus|tram) (times|timetable|timetables|schedule)\b.{0,60}\bthat is how i "
       r"(will|am going to|am gonna|would) do it\s*[.!]*$", negatable=False, whole_line=True),
    # gone soon, with the arrangements for after ("once I'm gone, which won't be long now")
    _r("acute", "finality", r"\b(once|when|after) i am gone,? (which|and that|and it) (will not|is not going to) be long\b", negatable=False),
    # left for the ones who find me: a door unlocked, a pet's food "to last until someone finds her"
    _r("acute", "suicide plan or preparation", r"\b(left|leaving) the (front |back )?door (unlocked|open)\b.{0,25}\bfind "
       r"me\b|\benough (food|cat food|dog food|water|biscuits)?\s?(to last )?(for (a|the) week )?(until|till) (someone|somebody|they|people) "
       r"(finds?|comes?)\b|\b(food|bowls?)\b.{0,40}\b(she|he|they|it)(ll| will) be (fine|okay|ok|alright) after\b", negatable=False),
    # not waking up, and making sure of it; no more Thursdays ("or any Thursday after that")
    _r("acute", "suicidal intent", r"\b(will not|am not going to|do not) wake up\b(?:(?!\b(before|until|till|early|in time)\b).){0,25}\b(making sure|make sure|i will see "
       r"to it)\b",
       negatable=False),
    _r("acute", "goodbye", r"\b(will not|can not|am not going to) (make|be at|come to|be there|see you)\b.{0,30}\bor any (\w+ )?(after that|after "
       r"this|ever again)\b(?! (until|till|for|because)\b)", negatable=False),
    # concern: a past attempt told in passing ("before I took those pills in 2019", "in hospital after I tried", "tried once before")
    _r("concern", "past ideation", r"\bbefore i took (those|all (those|the|my)) (pills|tablets)\b|\b(in|to) hospital after i tried\b|"
       r"\bi (have )?tried (once|twice|a couple of times) before\b(?! to\b)", negatable=False, past_downgrades=False),
    # concern: not minding not waking up; "they'd be better off" ending a sentence about what I cost
    _r("concern", "passive wish not to exist", r"\bwould not mind (not waking up|never waking up|if i did not wake up|not being here|not being "
       r"around)\b", negatable=False),
    _r("concern", "feels a burden", r"\bwhat i am costing (them|her|him|everyone|you)\b.{0,60}\b(they|she|he|everyone) would be better off"
       r"\s*[.!]*$", negatable=False, whole_line=True),
    # concern: hurting oneself "till it hurt" (not the idiom of banging one's head against a wall)
    # Session 6, from the misses of blind round 25 (measured before these rules existed).
    # not alive by a date, said as a decision; not around any more, "not quitting"; here "to be a problem" not much longer
    _r("acute", "suicidal intent", r"^(?!.*\b(lol|lmao|haha|jk|joking)\b)(?=.*\b(made my mind up|made up my mind|my mind is made up|it is decided)\b)"
       r".*\bi (will not|am not going to) be alive (by|for|when|at|on|this time)\b", negatable=False, whole_line=True),
    _r("acute", "finality", r"\bi (will not|am not going to) be around (any ?more|after (this|that|tonight|tomorrow))\b(?!.*\b(moving|move|moved|"
       r"emigrat\w*|new job|relocat\w*|transferr?\w*|retir\w*|abroad|overseas|travell?ing)\b)", negatable=False, whole_line=True),
    _r("acute", "finality", r"\b(will not|am not going to) be (here|around) to be (a|any) (problem|burden|bother|nuisance|trouble)\b.{0,25}\b(much "
       r"longer|long|for long)\b(?!.*\b(mov(e|ing)|moved|emigrat\w*|relocat\w*|new (job|place|flat|house))\b)", negatable=False, whole_line=True),
    # a message for after: "if anyone hears this later, tell…"
    _r("acute", "goodbye", r"^(?=.*\b(tell|sorry|love|insurance|goodbye|bye|look after|take care of|my will|passwords?|forgive)\b).*\bif (anyone|"
       r"someone|somebody|you) (hears|finds|reads|listens to|plays) this (later|after|afterwards|when i am gone)\b", negatable=False, whole_line=True),
    # a room away from home "so nobody has to find me"
    _r("acute", "suicide plan or preparation", r"\b(nobody|no one|the kids|my (kids|wife|husband|mum|mom|dad|partner|son|daughter|family|flatmate|"
       r"housemate)) (has|have|will have|would have|needs? to) to find me\b(?! (a|an|some|another|work|somewhere)\b)", negatable=False),
    # a weapon by the door and someone "not walking out of here"
    _r("acute", "intent to harm someone", r"^(?=.*\b(hammer|knife|bat|gun|axe|machete|crowbar|wrench|blade)\b).*\b(he|she|they) (is|are|will|will "
       r"be) not ((walking|walk|getting|get|going) out of|leaving|leave) (here|this (house|flat|room|place))\b", negatable=False, whole_line=True),
    # Session 6, from the misses of blind rounds 26-27 (measured before these rules existed): harm to someone, planned —
    # going in or waiting somewhere "to hurt him"; hurting "one of them" with "something on me"; a knife in the bag on the
    # way to his flat
    _r("acute", "intent to harm someone", r"\b(i am|i will|i will be|going to|i am going to) (going in|go in|going round|go round|wait(ing)?|be "
       r"waiting|turn(ing)? up)\b.{0,60}\bto (hurt|stab|kill|batter|beat up|glass|attack) (him|her|them|one of them)\b(?! (feelings|chances|"
       r"pride|ego)\b)|\b(hurt|stab|kill|batter|beat up|glass) (him|her|them|one of them|one of the \w+)\b.{0,40}\b(i have got|i have|got) "
       r"(something|a knife|a blade|a weapon|my knife) (on me|with me|in my (bag|pocket|coat|car))\b", negatable=False),
    _r("acute", "intent to harm someone", r"\b(i have got|i have|got|with) (a|my|the)( \w+'s)? (knife|blade|gun|hammer|bat|machete|axe|crowbar)\b (in|on) "
       r"(me|my (bag|pocket|coat|car|jacket|van))\b.{0,60}\b(driving|going|heading|on my way|walking|cycling) (to|round to|over to) (his|her|"
       r"their)\b(?!.*\b(fix|shelf|shelves|put up|help|build|diy|garden|cricket|baseball|camping|fishing)\b)", negatable=False, whole_line=True),
    # Session 6, from the misses of blind rounds 28-29 (measured before these rules existed).
    # a weapon kept "for exactly this", tonight the night; jumping from there on a day; waiting with a bat, "getting it
    # tonight"; someone over the railing of a bridge, still there
    _r("acute", "suicide plan or preparation", r"^(?=.*\b(sidearm|gun|pistol|rifle|shotgun|revolver|pills|tablets|rope|blade)\b).*\b(kept (it|them) "
       r"for (exactly |just )?this|(tonight|today) is the (night|day))\b", negatable=False, whole_line=True),
    _r("acute", "suicidal intent", r"\bi am jumping (from|off) (there|it|that|the top|the roof|the bridge|the car park|the cliff|the edge)\b(?! (into|"
       r"in|with)\b)|\bi (have )?decided it is (tonight|tomorrow|today|this weekend|on \w+day)\b(?! for\b)", negatable=False),
    _r("acute", "intent to harm someone", r"^(?!.*\b(party|cake|present|birthday|gift|surprise|match|game|cricket|baseball)\b)(?=.*\b(bat|knife|blade|hammer|gun|machete|crowbar|"
       r"axe)\b).*\b(he|she|they) (is|are) getting it (tonight|tomorrow|today|later)\b",
       negatable=False, whole_line=True),
    _r("acute", "someone else in danger now", r"^(?=.*\b(bridge|roof|cliff|ledge|car park|multi-?storey|overpass|flyover|viaduct|balcony)\b).*\b"
       r"((climb|climbed|climbing|gone|went|is|sitting|sat|standing|stood) (over|on|onto|outside)|on the wrong side of) the (rail|railing|railings|"
       r"barrier|edge|ledge|fence|parapet)\b.*\b(still (up )?(there|on it)|not moving|right now)\b", negatable=False, whole_line=True),
    # Session 6, round 30 (measured, then mended): a plan to die said plainly; having made sure of not waking; "it's
    # planned for tonight", waiting for dark
    _r("acute", "suicidal intent", r"\bi (am |have been )?(planning|plan|intend|intending|have decided|decided|have made up my mind) (to|on) "
       r"(die|dying)\b(?! (peacefully|old|happy|at \d+|in my sleep at|of (old age|embarrassment|laughing|boredom))\b)"),
    _r("acute", "suicide plan or preparation", r"\b(made|making) sure i (will not|am not going to|do not) (be )?wak(e|ing) up\b(?! (early|before|till|until|at)\b)|^(?=.*\b(waiting|"
       r"wait) (until|till) it (gets|is) dark\b).*\bit is (all )?planned for (tonight|tomorrow|today|this weekend|\w+day)\b", negatable=False,
       whole_line=True),
    # After blind rounds 32-37 were measured on the shipped weights (the only rules added after them): "tonight's the
    # night I stop living"; "this is our last chat, I won't be around to have another"; "tell my therapist it wasn't her
    # fault. Thanks for everything."
    _r("acute", "suicidal intent", r"\b(stop|end) (living|being alive|existing)\b(?! (like|a|an|the|my|our|his|her|their|for|in|with|as|off|on|at|under|beyond|paycheck|out|together|from)\b)(?=.*\b(tonight|today|tomorrow|this weekend|the night|mean "
       r"it|decided|planned|calm)\b)|^(?=.*\b(tonight|tomorrow|this weekend|the night|decided|planned)\b).*\b(stop|end) (living|being alive)\b(?! (like|a|an|the|my|our|his|her|their|for|in|with|as|off|on|at|under|beyond|paycheck|out|together|from)\b)",
       negatable=False, whole_line=True),
    _r("acute", "goodbye", r"\b(this is|it is) (our|my) last (chat|talk|conversation|session)\b(?!.*\b(before|until|till|of the|for (the|a|this)|"
       r"this (week|year|month)|holiday|break|away|moving|new)\b)|\b(will not|am not going to) be (around|here) to have another\b", negatable=False,
       whole_line=True),
    _r("acute", "goodbye", r"^(?=.*\b(thanks for everything|thank you for everything|goodbye|bye for good|i love (you|them|her|him))\b).*\btell "
       r"(my|the) \w+ (it|this|none of (it|this)) (was not|is not|was never) (her|his|their|your) fault\s*([.,!]|$)", negatable=False, whole_line=True),
    # concern: disappointed to wake; relieved by a terminal diagnosis or a bus; not bothering to wake; the world smoother
    # without me; stopped seeing the point of carrying on; nothing will fix me; a problem to be managed; never getting better
    _r("concern", "passive wish not to exist", r"^(?=.*\b(wake|woke|waking)\b).*\b(disappointed|gutted|annoyed|sorry) (that )?i (did|still woke|"
       r"woke up|am still here)\s*([.,!?]|$)|\b(terminal|something terminal|the cancer|cancer|it) (takes|took|would take|kills|took) me\b.{0,40}\b(relief|"
       r"relieved)\b|\b(something terminal|terminal|got hit by a (bus|car|lorry|train))\b.{0,50}\b(would|will) (\w+ )?(be|feel) relieved\b|"
       r"\b(not|never) bother waking up\b|\b(would|will) be (fine|okay|ok|alright|nice|easier|good) if i (did not|never|do not) wake( up)?\b(?!( up)? (till|until|before|early|at)\b)|\bwish(ing)? (sometimes )?i could (just )?(stop existing|not exist)\b|\bwish(ing)? (a|the) (car|bus|"
       r"lorry|truck|train) would (just )?(take me out|hit me|run me over)\b", negatable=False, whole_line=True),
    _r("concern", "feels a burden", r"\b(the world|everyone|everything|the family|life) would (run|be|go) (smoother|easier|better|simpler)\b.{0,20}"
       r"\bwithout me( in it| around| here)?\s*([.,!?]|$)|\ball i (have )?(ever )?(been|am) (to (her|him|them|everyone|you) )?is a (problem|burden|nuisance|weight|chore)\b",
       negatable=False),
    _r("concern", "hopelessness", r"\bstopped seeing the point (of|in) (carrying on|going on|living|anything|it all)\b|\bnothing (is going to|will|"
       r"can) (fix|help|change) me\b|\b(it is|things are|life is) never (getting|going to get) better\s*([.!]|$)", negatable=False),
    _r("concern", "someone else in crisis", r"\b(he|she|they) (does not|do not|did not) see (much|any) reason (to|for) (keep going|keep on|carry on|"
       r"carrying on|go on|going on|living|be here|being here|stay|staying)\b", negatable=False, past_downgrades=False),
    _r("concern", "medication: more than prescribed", r"\b(if i|should i|can i|could i|what if i) double (up )?(the|my) (dose|dosage)\b", negatable=False),
    # concern: wishing not to have woken; not minding if the plane went down; easier lives without me; fine if I was not here
    _r("concern", "passive wish not to exist", r"\bwish i (had|would have|would) (not|never) (woken|woke) up\b(?! (this|so|that|too) early| at \d| "
       r"before)|^(?!.*\b(lol|lmao|haha|day off|off work|delayed|cancelled)\b).*\bif (the|my) (plane|car|bus|train|ferry) (went down|crashed|came off|"
       r"goes down|crashes)\b.{0,60}\b(would not|do not think i would) (mind|care)\b", negatable=False, whole_line=True),
    _r("concern", "feels a burden", r"\b(would|will) (all )?(have|live) (an |a )?(easier|better|simpler|happier) (life|lives|time)\b.{0,25}\bwithout me"
       r"\b|\b(everyone|everybody|they|people|my \w+) would (all )?be (fine|okay|ok|alright|all right) if i (was not|were not) (here|around)\b(?! (this|next|for|on|tomorrow|tonight|at)\b)",
       negatable=False),
    # concern: someone else's bank details sent "in case"; jokes about the train that are not jokes; "nobody would notice if he disappeared"
    _r("concern", "someone else in crisis", r"\b(texted|sent|gave|emailed|messaged) me (his|her|their) (bank details|passwords?|pin|pin number)\b.{0,40}"
       r"\bin case\b|\bjok\w* about (stepping|jumping|throwing (himself|herself|themselves)|walking) in front of (a |the )?(train|bus|lorry|truck|"
       r"car|traffic)\b|\bjok\w* about (jumping|throwing (himself|herself|themselves)) off (a|the) (bridge|cliff|building|multi-?storey|car park|"
       r"flats)\b(?! into)|\b(nobody|no one) would (even )?notice if (he|she|they) (disappeared|was gone|were gone|died|was not here|were not "
       r"here)\b(?! (from|for a|off|at)\b)", negatable=False, past_downgrades=False),
    _r("concern", "self-harm", r"\b(hit|hitting|banged|banging|punched|punching|slapped) (my head|myself)( against the wall| on the wall)?\b.{0,15}"
       r"\b(till|until) it (hurt|hurts|bled|bruised)\b", negatable=False),
]
RULES.extend(QUIET_SIGNS_RULES)
RULES.extend(ROUND_SHAPES_RULES)

# Self-harm told as small and already over ("not deep", "a small one", "it is fine, it is covered"), with nothing
# said of danger now or of intent: concern (asked about gently, issue 11), not the emergency response. Read on the
# whole (normalised) turn, because the minimising often comes a sentence later ("Did cut Friday night. Not deep.").
MINIMISED_SELF_HARM = "self-harm, minimised"
_SELF_HARM_ACT = re.compile(
    r"\b(cut|cuts|cutting|burn|burned|burnt|burning|scratch\w*|razor|blade|lighter|compass|hurting myself|harming myself|self ?harm\w*)\b"
)
_MINIMISED = re.compile(
    r"\b(is|was|it is|it was|they are|they were) not (that |very |too |really )?(deep|bad|serious)\b|\bnot deep\b|"
    r"\ba (bit|little|small one|tiny one|scratch)\b|\bonly (a )?(couple|few|bit|little|small|scratch\w*|surface)\b|"
    r"\bit is (fine|nothing|okay|ok|covered|healing|healed)\b|\bno biggie\b|\bcream on\b|\bsuperficial\b|\bsurface\b|"
    r"\bcleaned it up\b|\bplasters? on\b|\bnothing serious\b|\bno big deal\b"
)
_DANGER_NOW = re.compile(
    r"\b(will not|can not|cannot|does not|did not|would not) stop bleeding\b|\bblood everywhere\b|\ba lot of blood\b|"
    r"\bbleeding (a lot|heavily|badly|loads|everywhere|through)\b|\b(throat|neck)\b|"
    r"\b(dizzy|faint|fainting|passing out|light ?headed)\b|\b(deeper|really deep|too deep|very deep|so deep)\b|\bhospital\b|"
    r"\bstitches\b|\b(kill|die|dying|dead|end it|end my life|suicid\w*|not wake up)\b|"
    r"\b(going to|want to|need to|about to|will|gonna) (do it|cut|burn|hurt)\b|\b(tonight|right now)\b"
)


# "I did cut Friday night", "i cut again last night": an act with no object after it (not "I cut my finger chopping")
_BARE_SELF_HARM = re.compile(
    r"\bi (did |have |had )?(cut|burned|burnt)( myself)?( again)?(?=( (last|this|on|yesterday|earlier|today|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\b)|\s*[.,;!?]|\s*$)"
)


# An urge to self-harm said as wanting ("i really want to hurt myself, the urge is so strong") with no word of dying,
# of means or of blood: concern, as the urge lines of the development set and two blind writers label it.
_URGE_WANT = re.compile(r"\b(want|wanted) to (cut|hurt|harm|burn) myself\b")
_URGE_DANGER = re.compile(
    r"\b(kill|die|dying|dead|suicid\w*|end it|end my life|blade|razor|knife|pills|tablets|rope|blood|bleeding|going to do it)\b"
)


def minimised_self_harm(norm: str) -> bool:
    """Whether a normalised turn tells of self-harm as small and over, with no danger or intent now."""
    return bool(_SELF_HARM_ACT.search(norm) and _MINIMISED.search(norm) and not _DANGER_NOW.search(norm))


_CLAUSE_SPLIT = re.compile(r"[.!?;]+|\bbut\b|,\s*(?:and|so)\b|\band then\b|\bhowever\b")


def _is_negated(clause: str, match: re.Match[str]) -> bool:
    """Negated when a negator stands between the nearest 'i' and the trigger, or inside it.

    'i am not going to kill myself' is negated; 'i do not know anymore, i just want to die' is not:
    the negation belongs to another verb."""
    inside = match.group(0)
    if inside.startswith("i "):
        return bool(_NEGATION.search(_UNNEGATE.sub(" ", inside)))
    before = clause[: match.start()]
    subjects = [m.end() for m in re.finditer(r"\bi\b", before)]
    span = before[subjects[-1] - 1 :] if subjects else " ".join(before.split()[-4:])
    return bool(_NEGATION.search(_UNNEGATE.sub(" ", span + " " + inside)))


# A media word after the crisis words marks them as a quotation only when it says where they come from ("…, that's a
# line from the song"), not when it is just part of the sentence ("I'm taking them when this song ends").
_SOURCE_AFTER = re.compile(
    rf"\b(from|in|on|of) (a|an|the|that|this|my|his|her|their) (\w+ )?{_WORK}\b|\blyrics?\b|\bquot(e|ing|ed)\b|"
    r"\b(the )?(song|film|book|show) (says|goes|said)\b"
)


def _is_reported(clause: str, start: int, end: int) -> bool:
    before = clause[:start]
    quoted = before.count('"') % 2 == 1
    return (quoted or bool(_REPORTED.search(before)) or bool(_REPORTED_VERBS.search(before))
            or bool(_SOURCE_AFTER.search(clause[end:])))


def assess(text: str) -> SafetyAssessment:
    """Level and reason for one utterance (rules only; never calls a model)."""
    norm = normalise(text)
    if not norm:
        return SafetyAssessment("none")
    best = SafetyAssessment("none")
    set_aside = ""
    answered_yes = bool(_ANSWERED_YES.search(norm))
    screened_no = bool(_SCREENED_NO.search(norm)) and not answered_yes
    whole = _IDIOMS.sub(" ", norm).strip()
    by_clause = [r for r in RULES if not r.whole_line]
    for clause, rules in [(c, by_clause) for c in _CLAUSE_SPLIT.split(norm)] + [(whole, [r for r in RULES if r.whole_line])]:
        if rules is by_clause and _IDIOMS.search(clause):
            set_aside = set_aside or "idiom"
        clause = _IDIOMS.sub(" ", clause).strip()
        if not clause:
            continue
        for rule in rules:
            for match in rule.pattern.finditer(clause):
                if rule.negatable and _is_negated(clause, match):
                    set_aside = "negated"
                    continue
                if screened_no and _SCREENING.search(clause[: match.start()]):
                    set_aside = "screened"  # a clinician's question about it, answered no
                    continue
                asked_and_yes = answered_yes and _SCREENING.search(clause[: match.start()])  # a disclosure, not a quote
                if _is_reported(clause, match.start(), match.end()) and rule.reason != "someone else in crisis" and not asked_and_yes:
                    set_aside = "reported"
                    continue
                level, reason = rule.level, rule.reason
                past = _PAST.search(_PAST_OF_A_PLACE.sub(" ", clause)) and not _PRESENT.search(clause)
                if level == "acute" and (rule.past_downgrades or _PAST_TIME.search(clause)) and past:
                    level, reason = "concern", "past ideation"
                if LEVELS.index(level) > LEVELS.index(best.level):
                    other = level == "acute" and _about_someone_else(clause, match, reason)
                    best = SafetyAssessment(level, reason, match.group(0), someone_else=other)
                break
    if best.level == "acute" and best.reason in ("self-harm now", "just done") and _SELF_HARM_ACT.search(best.evidence) \
            and minimised_self_harm(norm):
        best = SafetyAssessment("concern", MINIMISED_SELF_HARM, best.evidence)
    elif best.level == "acute" and best.reason in ("self-harm now", "suicidal intent") and _URGE_WANT.search(best.evidence) \
            and re.search(r"\burges?\b", norm) and not _URGE_DANGER.search(norm):
        best = SafetyAssessment("concern", "self-harm urge", best.evidence)
    elif best.level == "none" and _BARE_SELF_HARM.search(norm) and minimised_self_harm(norm):
        best = SafetyAssessment("concern", MINIMISED_SELF_HARM, _BARE_SELF_HARM.search(norm).group(0))
    if best.level == "none" and _past_context_only(norm):
        return SafetyAssessment("concern", "past ideation", "")
    if not best.flagged and not set_aside and _DENIAL.search(norm):
        set_aside = "denied"
    if not best.flagged and not set_aside and screened_no and _SCREENING.search(norm):
        set_aside = "screened"  # risk questions answered no: the semantic layer is not asked either
    return best if best.flagged else SafetyAssessment("none", set_aside=set_aside)


_THIRD_PERSON = re.compile(
    rf"\b(he|she|they|him|her|them|someone|somebody|a (man|woman|girl|boy|person|lad|kid)|my (\w+ ){{0,2}}({_CLOSE}|teenager))\b"
)
_FIRST_PERSON = re.compile(r"\b(i|me|myself)\b")
# Reasons where the person at risk is the speaker even though a third person is named (danger *from* someone) or
# where the speaker's own intent is the matter (harm to someone): these keep the response worded for the user.
_SPEAKER_REASONS = ("in danger from someone", "intent to harm someone")


def _about_someone_else(clause: str, match: re.Match[str], reason: str) -> bool:
    """Whether the person at risk in this acute match is a third party: the rule says so, or the
    nearest subject before the words (or inside them) is someone else, not 'i'."""
    if reason == "someone else in danger now":
        return True
    if reason in _SPEAKER_REASONS:
        return False
    words = match.group(0)
    if _FIRST_PERSON.match(words) or re.search(r"\bmyself\b", words):
        return False
    inside = _THIRD_PERSON.match(words)
    if inside:
        return True
    before = clause[: match.start()]
    last_third = max((m.end() for m in _THIRD_PERSON.finditer(before)), default=-1)
    last_first = max((m.end() for m in _FIRST_PERSON.finditer(before)), default=-1)
    return last_third > last_first


def _past_context_only(norm: str) -> bool:
    """'i tried it once, years ago' style statements only count with an explicit suicide word."""
    return bool(re.search(r"\bsuicide\b", norm) and _PAST.search(norm) and re.search(r"\bi (tried|attempted|thought about)\b", norm))


# -- the semantic layer beside the rules -------------------------------------------------------
@dataclass(frozen=True)
class LayeredAssessment:
    """Both layers' verdicts and the one acted on, so a clinician can see which layer said what."""

    rules: SafetyAssessment
    semantic: "ClassifierOpinion | None"  # None when the layer is off or its model is not installed
    final: SafetyAssessment
    semantic_note: str = ""  # why the semantic opinion was not applied, if it was not


_semantic_warned = False


def semantic_layer() -> "SafetyClassifier | None":
    """The shipped classifier, or None (logged once) when the embedding model is not installed."""
    global _semantic_warned
    from .embedding import EmbeddingUnavailable
    from .safety_classifier import default_classifier

    try:
        return default_classifier()
    except (EmbeddingUnavailable, OSError) as error:
        if not _semantic_warned:
            log.warning("semantic safety layer off, rules only: %s", error)
            _semantic_warned = True
        return None


# Concern reasons that come from reading tense or subject, which embeddings cannot do: the
# semantic layer does not raise these to acute ("my daughter told me she wants to die").
GRAMMATICAL_READINGS = ("past ideation", "someone else in crisis")


def rules_reading_stands(text: str, ruled: SafetyAssessment) -> bool:
    """Whether the rules' level is final, the semantic layer not applied: crisis words read as
    negated, quoted or denied; a reading of tense or subject (GRAMMATICAL_READINGS); or self-harm told
    as small and over with no danger now, which embeddings place beside self-harm now (issue 11)."""
    return (semantic_input(text, ruled) is None or ruled.reason in GRAMMATICAL_READINGS
            or (ruled.reason == MINIMISED_SELF_HARM and minimised_self_harm(normalise(text))))


def semantic_input(text: str, ruled: SafetyAssessment | None = None) -> str | None:
    """What the semantic layer reads: the utterance, less any idiom ("this traffic is killing me") or
    explicit denial ("i'm not going to do anything,"); None where the rules set crisis words aside as
    negated or quoted, or a denial is all there is (see assess_layers)."""
    ruled = ruled or assess(text)
    if ruled.set_aside == "denied":
        rest = _DENIAL_CLAUSE.sub(" ", normalise(text, keep_softeners=True))
        return rest if re.search(r"\w{3}", rest) else None
    if ruled.set_aside and ruled.set_aside != "idiom":
        return None
    if ruled.set_aside == "idiom":
        text = _IDIOMS.sub(" ", normalise(text, keep_softeners=True))
        return text if re.search(r"\w", text) else None
    return text


def assess_layers(text: str, semantic: "SafetyClassifier | bool" = True) -> LayeredAssessment:
    """Rules, then the semantic layer, which may raise the level and never lowers it.

    Where the rules heard crisis words and set them aside as negated or quoted, the semantic
    layer's opinion is shown but not applied: embeddings place "I'm not suicidal" right beside
    "I'm suicidal", and reading grammar is what the rules are for. Idioms and an explicit denial
    are cut out before the layer reads the rest ("I'm not going to do anything, I just wouldn't
    mind not waking up" is still a passive wish)."""
    ruled = assess(text)
    classifier = semantic_layer() if semantic is True else (semantic or None)
    if classifier is None:
        return LayeredAssessment(ruled, None, ruled)
    read = semantic_input(text, ruled)
    opinion = classifier.opinion(text if read is None else read)
    if read is None:  # the rules heard crisis words and read them as negated, quoted or denied
        return LayeredAssessment(ruled, opinion, ruled, f"not applied: the rules read the crisis words as {ruled.set_aside}")
    if rules_reading_stands(text, ruled):  # in the past, in someone else, or self-harm told as small and over
        return LayeredAssessment(ruled, opinion, ruled, f"not applied: the rules read it as {ruled.reason}")
    note = {"idiom": "read with the idiom cut out", "denied": "read with the denial cut out"}.get(ruled.set_aside, "")
    if LEVELS.index(opinion.level) > LEVELS.index(ruled.level):
        return LayeredAssessment(ruled, opinion, SafetyAssessment(opinion.level, opinion.reason, ""), note)
    return LayeredAssessment(ruled, opinion, ruled, note)


class SecondOpinion(Protocol):
    """An optional model-based classifier (e.g. Llama Guard 3 through Ollama)."""

    def classify(self, text: str) -> Level | None:
        """A level, or None when it cannot answer (it is then ignored)."""


def assess_with(
    text: str, second: SecondOpinion | None = None, semantic: "SafetyClassifier | bool" = True
) -> SafetyAssessment:
    """Rules first, then the semantic layer, then an optional second opinion: each may raise the
    level, none may lower it."""
    ruled = assess_layers(text, semantic).final
    if second is None or ruled.level == "acute":
        return ruled
    try:
        opinion = second.classify(text)
    except Exception:
        return ruled
    if opinion and LEVELS.index(opinion) > LEVELS.index(ruled.level):
        return SafetyAssessment(opinion, "flagged by the second-opinion model", "")
    return ruled
