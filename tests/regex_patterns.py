"""Random regex patterns for the differential regex tests (RE2 in test_regex.py, Python's re in
test_pyregex.py): one generator over a dialect's table of atoms, anchors, quantifiers and group
openers."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """What a generated pattern is built from."""

    atoms: tuple[str, ...]
    anchors: tuple[str, ...]
    quantifiers: tuple[str, ...]
    openers: tuple[str, ...]


def pattern(rnd: random.Random, dialect: Dialect, depth: int = 2) -> str:
    """One to four parts: anchors, atoms and groups (of patterns one level shallower, sometimes
    an alternation), a part quantified about a third of the time."""
    parts = []
    for _ in range(rnd.randint(1, 4)):
        r = rnd.random()
        if r < 0.15:
            parts.append(rnd.choice(dialect.anchors))
            continue
        if r < 0.3 and depth > 0:
            inner = pattern(rnd, dialect, depth - 1)
            if rnd.random() < 0.4:
                inner += "|" + pattern(rnd, dialect, depth - 1)
            atom = rnd.choice(dialect.openers) + inner + ")"
        else:
            atom = rnd.choice(dialect.atoms)
        if rnd.random() < 0.35:
            atom += rnd.choice(dialect.quantifiers)
        parts.append(atom)
    return "".join(parts)
