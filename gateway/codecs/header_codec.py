"""Selected headers and cookies as leaves (`X-User-Mobile`, a `mobile` cookie).

Only the names the policy lists are inspected (`actions.inspect_headers`,
`actions.inspect_cookies`), and on requests the name of every cookie (a key
leaf, `cookie.{key}`: names can be data too); their leaf paths are `("header", name)` and
`("cookie", name)`, lower-cased, so rules can select them
(`header.x-user-mobile`, `cookie.*`). Cookie values are percent-decoded for
detection and percent-encoded again when changed. Changes are written into the
header multidict given; `encode` writes the Cookie headers back.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from multidict import CIMultiDict

from gateway.codecs.base import KEY, Leaf


class HeaderDocument:
    def __init__(self, headers: CIMultiDict[str], names: frozenset[str],
                 cookies: frozenset[str], request: bool = True) -> None:
        self._headers = headers
        self._leaves: list[Leaf] = []
        # (kind, name, which header line, which value / cookie pair in it)
        self._where: list[tuple[str, str, int, int]] = []
        for name in sorted(names):
            for i, value in enumerate(headers.getall(name, [])):
                self._leaves.append(Leaf(("header", name), value))
                self._where.append(("header", name, i, 0))
        self._cookies: list[list[str]] = []
        self._keys: list[Leaf] = []  # every cookie's name: names can be data too
        self._key_where: list[tuple[int, int]] = []
        for line, value in enumerate(headers.getall("Cookie", []) if request else ()):
            pairs = [p.strip() for p in value.split(";")]
            self._cookies.append(pairs)
            for j, pair in enumerate(pairs):
                key, sep, raw = pair.partition("=")
                key = key.strip()
                if key:
                    self._keys.append(Leaf(("cookie", KEY), unquote(key)))
                    self._key_where.append((line, j))
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
        current = self._cookies[line][pair].partition("=")[0]  # renamed, perhaps
        self._cookies[line][pair] = f"{current}={quote(text, safe='')}"
        self._cookies_changed = True

    def key_leaves(self) -> list[Leaf]:
        return self._keys

    def set_key(self, index: int, text: str) -> None:
        line, j = self._key_where[index]
        _, sep, raw = self._cookies[line][j].partition("=")
        self._cookies[line][j] = quote(text, safe="") + sep + raw
        self._keys[index].text = text
        self._cookies_changed = True

    def encode(self) -> bytes:
        if self._cookies_changed:
            self._headers.popall("Cookie", None)
            for pairs in self._cookies:
                self._headers.add("Cookie", "; ".join(pairs))
        return b""
