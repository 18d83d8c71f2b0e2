"""What a log line, a metric label or an error message must not carry, in one place.

Two rules, for two kinds of text:

- `looks_like_data` for a name the gateway did not choose (a path segment, a
  query key, a field name): four or more digits in a row, an `@` or a
  non-ASCII character means it may itself be personal data, and it is shown
  as `*`;
- `scrub_text` for free text (a foreign library's message, an exception's
  words), the last line of defence before a log line is written: runs of
  seven or more digits (with separators) and e-mail addresses are replaced.
"""

from __future__ import annotations

import re

# A name is data when it has four digits in a row, an '@', or a character
# outside printable ASCII (non-ASCII, a control character, space, DEL): the
# regex `\d{4,}|@|[^\x21-\x7e]`. Checked as str methods and one search for
# the digits, at about half the cost of the alternation, which tried three
# branches at every position; on every request's path for the access line.
# (`\d` would match other scripts' digits too: those names are non-ASCII.)
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
# Seven or more digits, allowing separators in between: mobiles, ID and card numbers.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-.]?\d){6,}")
_EMAIL = re.compile(r"[^\s@\"']+@[^\s@\"']+\.[A-Za-z]{2,}")


def looks_like_data(name: str) -> bool:
    """A path segment, query key or field name that may be personal data."""
    if not (name.isascii() and name.isprintable()) or " " in name or "@" in name:
        return True
    return _FOUR_DIGITS.search(name) is not None


def scrub_text(text: str) -> str:
    """Free text with digit runs and e-mail addresses replaced."""
    return _EMAIL.sub("[email]", _DIGIT_RUN.sub("[digits]", text))
