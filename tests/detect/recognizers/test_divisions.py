"""Division names from stdnum's table, and the trie pattern they are matched with."""

from __future__ import annotations

import random

import regex

from gateway.detect.recognizers.divisions import divisions, trie_pattern


def test_names_below_the_province() -> None:
    names = set(divisions())
    assert len(names) > 4000
    assert {"宜昌市", "西陵区", "义乌市", "长阳土家族自治县", "锡林郭勒盟",
            "达尔罕茂明安联合旗"} <= names
    assert not {"市辖区", "新城区", "开发区", "城区", "县", "湖北省"} & names
    assert all(len(n) >= 3 for n in names)
    lengths = [len(n) for n in divisions()]
    assert lengths == sorted(lengths, reverse=True)


def test_the_trie_matches_like_an_alternation_longest_first() -> None:
    rng = random.Random(4)
    alphabet = "甲乙丙丁市区"
    for _ in range(200):
        words = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 5)))
                        for _ in range(rng.randrange(1, 12))}, key=len, reverse=True)
        trie = regex.compile(trie_pattern(words) + "区")
        plain = regex.compile("(?:" + "|".join(words) + ")区")
        for _ in range(20):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
            assert [m.span() for m in trie.finditer(text)] == \
                [m.span() for m in plain.finditer(text)], (words, text)
