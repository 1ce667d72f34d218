#!/usr/bin/env python3
"""Authoring-time tool: extracts plain English sentences from Debian's fortunes-min.

Run once by hand when (re)authoring the sentence list; the corpus build never runs it and
works from the committed fortunes-min.txt alone.

    apt-get download fortunes-min && dpkg-deb -x fortunes-min_*.deb x
    python3 extract_fortunes.py x/usr/share/games/fortunes > fortunes-min.txt

Rules: each fortune is one paragraph of text (attribution lines starting with "--", indented
verse and dialogue lines "NAME:" are dropped whole); it is split into sentences at . ! ? ;
a sentence is kept when it has 4-16 words, only ASCII letters, spaces and , . ; : ' ! ? -,
at least one lower-case word (no names-only or shouting lines), and has not been seen before
(case-insensitive). Files are read in the order fortunes, literature, riddles.
"""
import re
import sys
from pathlib import Path

ALLOWED = re.compile(r"^[A-Za-z ,.;:'!?-]+$")
SPLIT = re.compile(r"(?<=[.!?])\s+")


def fortunes(path):
    text = path.read_text(encoding="latin-1")
    for block in text.split("\n%\n"):
        lines = block.strip("\n").split("\n")
        # drop attributions and anything that is formatted (verse, dialogue, code, lists)
        if any(l.lstrip().startswith("--") for l in lines):
            lines = [l for l in lines if not l.lstrip().startswith("--")]
        if any(l.startswith((" ", "\t")) for l in lines) or any(re.match(r"^[A-Z][A-Za-z ]*:", l) for l in lines):
            continue
        yield " ".join(l.strip() for l in lines if l.strip())


def sentences(paragraph):
    for s in SPLIT.split(paragraph):
        s = re.sub(r"\s+", " ", s).strip()
        if s:
            yield s


def keep(s):
    if not ALLOWED.match(s):
        return False
    if s.count("'") % 2 == 1 and not re.search(r"[A-Za-z]'[A-Za-z]", s):
        return False
    words = [w for w in re.split(r"[ -]+", s) if re.search(r"[A-Za-z]", w)]
    if not 4 <= len(words) <= 16:
        return False
    if not any(w.strip(",.;:'!?").islower() for w in words):
        return False
    if not s[-1] in ".!?":
        return False
    return True


def main(folder):
    seen = set()
    for name in ("fortunes", "literature", "riddles"):
        for paragraph in fortunes(Path(folder) / name):
            for s in sentences(paragraph):
                key = re.sub(r"[^a-z ]", "", s.lower())
                if keep(s) and key not in seen:
                    seen.add(key)
                    print(s)


if __name__ == "__main__":
    main(sys.argv[1])
