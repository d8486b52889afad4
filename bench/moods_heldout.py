"""Mood parsing on phrasings written after the parser was frozen (held out): measured once, reported in the README.

Run: .venv/bin/python bench/moods_heldout.py   (prints accuracy, exact and within one point, and the misses)
"""

from dialogue.moods import parse_mood

# (what someone says, the number a listener would write down, or None when no mood was said)
HELD_OUT = [
    ("Eh, five-ish I suppose.", 5), ("I'm sitting at like a 3 today", 3), ("Somewhere around seven, maybe.", 7),
    ("Rating today? Solid six.", 6), ("I'm feeling pretty rubbish.", 3), ("Today's been lovely actually.", 7),
    ("I'm all over the place, maybe a five.", 5), ("I feel wrecked.", 3), ("Kind of meh, honestly.", 5),
    ("I'm doing way better than last week.", 7), ("A bit worse than yesterday I think.", 4),
    ("I'm not doing so well.", 4), ("Pretty decent day.", 6), ("I'd put myself at an eight.", 8),
    ("Four, maybe three and a half.", 4), ("not even a two", 1), ("I'm okay-ish.", 5), ("Feeling quite good tonight.", 7),
    ("It's been a horrible week.", 2), ("I'm genuinely happy today.", 8), ("Low. Really low.", 2),
    ("My mood's about a five.", 5), ("Eight out of ten, no question.", 8), ("Maybe 4/10?", 4),
    ("I feel flat and tired.", 4), ("Things are okay I guess.", 5), ("I'm in a good place right now.", 7),
    ("Honestly? Terrible.", 2), ("I'd say five or six.", 6), ("Better. A lot better.", 7),
    ("I slept for eight hours.", None), ("My dad turned seventy.", None), ("She's been really down lately.", None),
    ("I had a good chat with my boss.", None), ("We need about six chairs.", None), ("Is it good to feel this way?", None),
    ("I read four chapters.", None), ("The meeting was at ten.", None), ("My friend says she's okay.", None),
    ("I hope tomorrow is better.", None),
]


def main() -> None:
    exact = close = 0
    misses = []
    for text, expected in HELD_OUT:
        mood = parse_mood(text)
        got = mood.value if mood else None
        if got == expected:
            exact += 1
            close += 1
        elif got is not None and expected is not None and abs(got - expected) <= 1:
            close += 1
            misses.append((text, expected, got))
        else:
            misses.append((text, expected, got))
    n = len(HELD_OUT)
    print(f"{n} held-out phrasings: exact {exact}/{n} ({exact / n:.0%}), within one point or correctly none "
          f"{close}/{n} ({close / n:.0%})")
    for text, expected, got in misses:
        print(f"  {text!r}: expected {expected}, got {got}")


if __name__ == "__main__":
    main()
