"""Selected headers and cookies as leaves (`X-User-Mobile`, a `mobile` cookie).

Only the names the policy lists are inspected (`actions.inspect_headers`,
`actions.inspect_cookies`); their leaf paths are `("header", name)` and
`("cookie", name)`, lower-cased, so rules can select them
(`header.x-user-mobile`, `cookie.*`). Cookie values are percent-decoded for
detection and percent-encoded again when changed. Changes are written into the
header multidict given; `encode` writes the Cookie headers back.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from multidict import CIMultiDict

from gateway.codecs.base import Leaf


class HeaderDocument:
    def __init__(self, headers: CIMultiDict[str], names: frozenset[str],
                 cookies: frozenset[str]) -> None:
        self._headers = headers
        self._leaves: list[Leaf] = []
        # (kind, name, which header line, which value / cookie pair in it)
        self._where: list[tuple[str, str, int, int]] = []
        for name in sorted(names):
            for i, value in enumerate(headers.getall(name, [])):
                self._leaves.append(Leaf(("header", name), value))
                self._where.append(("header", name, i, 0))
        self._cookies: list[list[str]] = []
        if cookies:
            for line, value in enumerate(headers.getall("Cookie", [])):
                pairs = [p.strip() for p in value.split(";")]
                self._cookies.append(pairs)
                for j, pair in enumerate(pairs):
                    key, sep, raw = pair.partition("=")
                    key = key.strip()
                    if sep and key.lower() in cookies:
                        self._leaves.append(Leaf(("cookie", key.lower()), unquote(raw.strip('"'))))
                        self._where.append(("cookie", key, line, j))
        self._cookies_changed = False

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        kind, name, line, pair = self._where[index]
        self._leaves[index].text = text
        if kind == "header":
            values = self._headers.getall(name)
            values[line] = text
            self._headers.popall(name)
            for value in values:
                self._headers.add(name, value)
            return
        self._cookies[line][pair] = f"{name}={quote(text, safe='')}"
        self._cookies_changed = True

    def encode(self) -> bytes:
        if self._cookies_changed:
            self._headers.popall("Cookie", None)
            for pairs in self._cookies:
                self._headers.add("Cookie", "; ".join(pairs))
        return b""
