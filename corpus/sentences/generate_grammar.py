#!/usr/bin/env python3
"""Authoring-time tool: writes grammar.txt, English sentences generated from a small grammar
written for this project (no outside text, so no licence beyond the project's own).

    python3 generate_grammar.py 520 > grammar.txt

Deterministic: a fixed seed, so the same count gives the same file. Sentences have 4-16 words
of plain ASCII, and no sentence appears twice.
"""
import random
import sys

SUBJECTS = ["the old farmer", "my younger sister", "a tired doctor", "the quiet student", "our new neighbour",
            "the ship's captain", "a clever fox", "the baker", "her grandfather", "the small child",
            "a young painter", "the weather report", "the evening train", "my best friend", "the museum guide",
            "a careful driver", "the village teacher", "the hungry bear", "a famous singer", "the night watchman",
            "his brother", "the garden club", "a stranger in a grey coat", "the city council", "the fisherman"]
VERBS_T = ["found", "carried", "painted", "opened", "borrowed", "repaired", "described", "forgot", "noticed",
           "washed", "measured", "ordered", "hid", "sold", "bought", "returned", "wrapped", "studied", "dropped",
           "counted", "cleaned", "chose", "lifted", "pushed", "answered"]
OBJECTS = ["a wooden box", "the yellow kettle", "three green apples", "the heavy door", "an old map",
           "the broken clock", "a letter from home", "the silver key", "two loaves of bread", "the blue umbrella",
           "a basket of eggs", "the last question", "a pair of boots", "the kitchen window", "a strange noise",
           "the morning paper", "a bright lamp", "the warm blanket", "a bag of flour", "the garden gate",
           "a jar of honey", "the river stones", "a thick book", "the chess board", "a bowl of soup"]
PLACES = ["near the harbour", "behind the church", "under the bridge", "at the market", "in the attic",
          "beside the lake", "on the hill", "in the station", "at the edge of town", "inside the barn",
          "along the coast", "by the fire", "in the library", "across the field", "outside the bakery"]
TIMES = ["yesterday", "this morning", "last winter", "before dawn", "after supper", "on Sunday",
         "every evening", "in the spring", "late at night", "at noon", "once again", "the next day"]
ADJS = ["cold", "quiet", "bright", "heavy", "strange", "gentle", "narrow", "muddy", "golden", "crowded",
        "empty", "smooth", "noisy", "careful", "patient", "thirsty", "proud", "sleepy", "lucky", "brave"]
NOUNS = ["road", "kitchen", "river", "winter", "market", "garden", "tower", "valley", "harbour", "forest",
         "meadow", "workshop", "journey", "answer", "promise", "window", "village", "mountain", "island", "storm"]
INTRANS = ["laughed", "waited", "slept", "sang", "shivered", "listened", "hurried home", "sat down",
           "looked around", "stood still", "smiled", "walked slowly", "called out", "kept quiet", "turned back"]
QUESTIONS = ["Why did {s} leave {o} {p}?", "Where did {s} find {o}?", "Did {s} really {v0} {o} {t}?",
             "How long has {s} been waiting {p}?", "Who told {s} about {o}?", "Will {s} come back {t}?"]
TEMPLATES = [
    "{S} {v} {o} {p}.",
    "{S} {v} {o} {t}.",
    "{T}, {s} {v} {o}.",
    "{S} {i} {p} {t}.",
    "The {a} {n} was {a2} {t}.",
    "{S} said that the {n} was too {a}.",
    "If the {n} is {a}, {s} will stay {p}.",
    "{S} {v} {o}, and then {s2} {i}.",
    "We {v} {o} {p}, but nobody {i}.",
    "Nobody expected the {n} to be so {a}.",
    "Please put {o} {p} before it gets {a}.",
    "When {s} {i}, the {n} grew {a}.",
    "{S} never {v} {o} again.",
    "It was a {a} {n}, and {s} {i}.",
    "Everyone {p} knew that {s} had {v} {o}.",
]
BASE = {"found": "find", "carried": "carry", "painted": "paint", "opened": "open", "borrowed": "borrow",
        "repaired": "repair", "described": "describe", "forgot": "forget", "noticed": "notice", "washed": "wash",
        "measured": "measure", "ordered": "order", "hid": "hide", "sold": "sell", "bought": "buy",
        "returned": "return", "wrapped": "wrap", "studied": "study", "dropped": "drop", "counted": "count",
        "cleaned": "clean", "chose": "choose", "lifted": "lift", "pushed": "push", "answered": "answer"}


def cap(s):
    return s[0].upper() + s[1:]


def sentence(r):
    s, s2 = r.sample(SUBJECTS, 2)
    a, a2 = r.sample(ADJS, 2)
    v = r.choice(VERBS_T)
    values = dict(s=s, S=cap(s), s2=s2, v=v, v0=BASE[v], o=r.choice(OBJECTS), p=r.choice(PLACES),
                  t=r.choice(TIMES), i=r.choice(INTRANS), a=a, a2=a2, n=r.choice(NOUNS))
    values["T"] = cap(values["t"])
    template = r.choice(QUESTIONS) if r.random() < 0.15 else r.choice(TEMPLATES)
    return template.format(**values)


def main(count):
    r = random.Random(20240405)
    seen, out = set(), []
    while len(out) < count:
        s = sentence(r)
        words = s.replace("-", " ").split()
        if 4 <= len(words) <= 16 and s.lower() not in seen:
            seen.add(s.lower())
            out.append(s)
    print("\n".join(out))


if __name__ == "__main__":
    main(int(sys.argv[1]))
