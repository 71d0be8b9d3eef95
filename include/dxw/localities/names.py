"""Matching keys for Vietnamese unit names: Unicode form, case, spacing, prefix, tone marks."""

from __future__ import annotations

import re
import unicodedata

#: Canonical unit types (the administrative prefix of a full name) and the levels each can denote.
UNIT_TYPE_LEVELS: dict[str, frozenset[str]] = {
    "Tỉnh": frozenset({"province"}),
    "Thành phố": frozenset({"province", "district"}),
    "Quận": frozenset({"district"}),
    "Huyện": frozenset({"district"}),
    "Thị xã": frozenset({"district"}),
    "Phường": frozenset({"commune"}),
    "Xã": frozenset({"commune"}),
    "Thị trấn": frozenset({"commune"}),
    "Đặc khu": frozenset({"commune"}),
}

# Written forms of each prefix (matched case-insensitively); abbreviations may be glued with a dot.
_PREFIX_FORMS: dict[str, str] = {
    "thành phố": "Thành phố",
    "tp": "Thành phố",
    "thị trấn": "Thị trấn",
    "tt": "Thị trấn",
    "thị xã": "Thị xã",
    "tx": "Thị xã",
    "đặc khu": "Đặc khu",
    "tỉnh": "Tỉnh",
    "quận": "Quận",
    "q": "Quận",
    "huyện": "Huyện",
    "h": "Huyện",
    "phường": "Phường",
    "p": "Phường",
    "xã": "Xã",
    "x": "Xã",
}
_SINGLE_LETTER = {"q", "h", "p", "x"}  # only accepted with a dot: "Q. 1", "P.Hồng Hải"
_PREFIX_RE = re.compile(
    r"^(?P<form>"
    + "|".join(sorted(map(re.escape, _PREFIX_FORMS), key=len, reverse=True))
    + r")(?P<sep>\.\s*|\s+)(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
# Old-style tone placement on a final "oa", "oe", "uy" ("hoà", "thuỷ") -> GSO style ("hòa", "thủy").
_TONE_RE = re.compile(rf"(?<!q)([ou])([aey])([{_TONES}])(?![\w\u0300-\u036f])")
_CHAR_MAP = str.maketrans(
    {
        "Ð": "Đ",  # Icelandic eth, a frequent mis-encoding of Đ
        "ð": "đ",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
    }
)


def clean_text(text: str) -> str:
    """NFC, unify look-alike characters and collapse whitespace, keeping case."""
    text = unicodedata.normalize("NFC", text).translate(_CHAR_MAP)
    return " ".join(text.split())


def split_prefix(text: str) -> tuple[str | None, str]:
    """Split off an administrative prefix: "TP. Hạ Long" -> ("Thành phố", "Hạ Long")."""
    text = clean_text(text)
    match = _PREFIX_RE.match(text)
    if match is None:
        return None, text
    form = match["form"].casefold()
    if form in _SINGLE_LETTER and not match["sep"].startswith("."):
        return None, text
    return _PREFIX_FORMS[form], match["rest"]


def _key(unit_type: str | None, rest: str) -> str:
    """Matching key of a bare name, keeping the unit type for numbered units ("quận 1")."""
    rest = unicodedata.normalize("NFC", rest.casefold()).strip(" .")
    rest = re.sub(r"\s*-\s*", "-", rest)
    rest = unicodedata.normalize("NFC", _TONE_RE.sub(r"\1\3\2", unicodedata.normalize("NFD", rest)))
    # isdecimal, not isdigit: "²" is a digit that int() refuses (it crashed validation).
    if rest.isdecimal():
        number = str(int(rest))
        return f"{unit_type.casefold()} {number}" if unit_type else number
    return rest


def name_key(text: str) -> tuple[str | None, str]:
    """Parse a written name into (canonical unit type or None, matching key)."""
    unit_type, rest = split_prefix(text)
    return unit_type, _key(unit_type, rest)


def normalise_name(text: str) -> str:
    """NFC, collapse whitespace, strip the prefix, casefold: the key ("TP Hạ Long" -> "hạ long")."""
    return name_key(text)[1]
