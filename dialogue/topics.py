"""Topic words: the people, places, feelings and things a person names, for cues and themes.

Deliberately simple and local: content words with stop words removed, a light plural fold, and
small lexicons to tell people, places and feelings apart. Good enough to say "your sister" or
"work" back to someone; never used to judge what they said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOP_WORDS = set(
    """a about above after again against all almost also am an and any anymore are aren't around as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each even ever every few for from further get gets getting go goes going gone got gotta had hadn't has hasn't
    have haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if
    in into is isn't it it's its itself just kind know knew let let's like little lot lots made make makes many maybe me
    mean might more most much must mustn't my myself need never no nor not nothing now of off oh ok okay on once one only
    or other ought our ours ourselves out over own pretty quite rather really right said same say says see seem seemed
    shan't she she'd she'll she's should shouldn't so some something sometimes somehow still such sure take tell than
    that that's the their theirs them themselves then there there's these they they'd they'll they're they've thing
    things think thinking this those though thought through to today too try trying um uh under until up upon us very
    want wanted was wasn't way we we'd we'll we're we've well went were weren't what what's when when's where where's
    whether which while who who's whom why why's will with won't would wouldn't yeah yes yet you you'd you'll you're
    you've your yours yourself yourselves back bit day days time times week weeks year years keep kept come came
    talk talked talking feel felt feeling feels able another anything everything everyone someone anyone stuff
    thank thanks hello hi guess""".split()
)

CALENDAR = set(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december christmas easter weekend morning evening night tonight tomorrow yesterday""".split()
)

PEOPLE = set(
    """mother mom mum mummy mama father dad daddy papa parents sister brother sibling siblings son daughter kids
    children child baby wife husband partner boyfriend girlfriend fiance fiancee ex friend friends boss manager
    colleague colleagues coworker coworkers teacher grandmother grandma granny grandfather grandpa grandparents aunt
    uncle cousin family therapist doctor neighbour neighbor roommate flatmate""".split()
)
PLACES = set("work office job school college university home house flat apartment hospital church gym city town".split())
FEELINGS = set(
    """sad sadness angry anger anxious anxiety worried worry scared fear afraid lonely loneliness tired exhausted
    stressed stress overwhelmed hurt guilty guilt ashamed shame hopeful happy happiness calm grief grieving lost
    numb frustrated frustration jealous embarrassed proud relieved nervous panic upset disappointed""".split()
)


@dataclass(frozen=True)
class Topic:
    word: str
    kind: str  # person | place | feeling | thing | name

    def spoken(self) -> str:
        """How the companion refers to it: 'your sister', 'Sam', 'work'."""
        if self.kind == "person":
            return f"your {self.word}"
        return self.word


def _fold(word: str) -> str:
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) and w[:-1] in PEOPLE | PLACES:
        return w[:-1]
    return w


def topics(text: str) -> list[Topic]:
    """Topic words in order of appearance, each once."""
    seen: dict[str, Topic] = {}
    for match in re.finditer(r"[A-Za-z][A-Za-z']+", text):
        raw = match.group(0)
        word = _fold(raw)
        if word in STOP_WORDS or word in CALENDAR or len(word) < 3 or word in seen:
            continue
        if word in PEOPLE:
            kind = "person"
        elif word in PLACES:
            kind = "place"
        elif word in FEELINGS:
            kind = "feeling"
        elif raw[0].isupper() and match.start() > 0 and text[max(0, match.start() - 2) : match.start()].strip() not in {".", "!", "?"}:
            kind = "name"
            word = raw.strip("'").removesuffix("'s")
        else:
            kind = "thing"
        seen[word] = Topic(word, kind)
    return list(seen.values())


def main_topic(text: str) -> Topic | None:
    """The topic most worth naming back: a person or name first, then a place, a thing, a feeling."""
    found = topics(text)
    for kinds in (("person", "name"), ("place",), ("thing",), ("feeling",)):
        matching = [t for t in found if t.kind in kinds]
        if matching:
            return matching[-1]  # the most recent mention, nearest the silence
    return None
