"""Every diagnostic code raised anywhere in the package is registered (transpiler/ir/codes.py) and
documented on the generated page docs/codes.md; the registry holds no code nothing raises."""

from __future__ import annotations

import re

from transpiler.ir import codes

from .conftest import ROOT

FAMILIES = "|".join(sorted(codes.FAMILIES, key=len, reverse=True))
CODE = re.compile(rf"""["']((?:{FAMILIES})\d{{3}}|INTERNAL)["']""")


def _used() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "transpiler").rglob("*.py")):
        if path.name == "codes.py":
            continue
        for code in CODE.findall(path.read_text()):
            found.setdefault(code, set()).add(path.name)
    return found


def test_every_code_raised_is_registered():
    missing = {c: sorted(f) for c, f in _used().items() if c not in codes.CODES}
    assert missing == {}


def test_every_registered_code_is_raised_somewhere():
    assert sorted(set(codes.CODES) - set(_used())) == []


def test_one_naming_scheme():
    for code in codes.CODES:
        assert code == "INTERNAL" or (re.fullmatch(r"[A-Z]{1,5}\d{3}", code)
                                      and codes.family(code) in codes.FAMILIES), code


def test_codes_page_is_current():
    assert (ROOT / "docs" / "codes.md").read_text() == codes.page(), \
        "regenerate: python -c 'from transpiler.ir import codes; print(codes.page(), end=\"\")' " \
        "> docs/codes.md"
