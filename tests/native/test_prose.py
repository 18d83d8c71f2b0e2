"""The core's prose pass (gateway/native/prose.pxi) against the Python
reference (`prose_names._find_names`): the same names on the evaluation set's
prose, on seeded texts dense in surnames, titles, places, numerals, dots and
compound surnames, and on texts that reach the ends of a string; and its
memo of dictionary answers, which must not change an answer when it fills
and empties."""

from __future__ import annotations

import random
import threading
import time

import pytest

from gateway.detect import prose_names
from gateway.detect.prose_names import PLACE_MARKERS, _find_names, qualifies
from gateway.detect.recognizers.address import PLACE_WORDS
from gateway.detect.recognizers.person_name import COMMON_STARTS, NOT_NAMES
from gateway.detect.recognizers.surnames import COMPOUND, SINGLE
from gateway.native import STATUS, core
from tests.detect.evalset import generate

pytestmark = pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")

# What a collection note is made of: verbs, particles, time words, amounts,
# the domain's words, punctuation, Latin and full-width characters.
FILLER = ("的了是在说与和跟向于给把被已就也都均还要会不没很再从自"
          "通话核实委托代为还款表示承诺今天明天下午周五上午电话停机无人接听"
          "借款人联系人催收外访家中单位同事客户投诉申请收入稳定元万"
          "0123456789一二两三十百千〇·•，。、；：！？ \n ABZaz１２")
PLACES = [w for w in PLACE_WORDS if len(w) <= 4][:200]


def _dense(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(1, 24)):
        pick = rng.random()
        if pick < 0.35:
            parts.append(rng.choice(SINGLE))
        elif pick < 0.45:
            parts.append(rng.choice("老小") + rng.choice(SINGLE))
        elif pick < 0.5:
            parts.append(rng.choice(sorted(COMPOUND)))
        elif pick < 0.55:
            parts.append(rng.choice(PLACES) + rng.choice(sorted(PLACE_MARKERS)))
        elif pick < 0.6:
            parts.append(rng.choice(sorted(NOT_NAMES | COMMON_STARTS)))
        else:
            parts.append("".join(rng.choice(FILLER) for _ in range(rng.randint(1, 4))))
    return "".join(parts)


def _same(texts: list[str]) -> int:
    finder = prose_names.native_finder
    assert finder is not None  # the core is built: the module uses it
    checked = 0
    for text in texts:
        if not qualifies(text):
            continue
        assert finder.find(text) == _find_names(text), text
        checked += 1
    return checked


def test_the_evaluation_sets_prose_gets_the_same_names() -> None:
    texts = [s.text for s in generate()]
    assert _same(texts) > 2000


def test_seeded_surname_dense_texts_get_the_same_names() -> None:
    rng = random.Random(20261202)
    texts = [_dense(rng) for _ in range(10_000)]
    found = sum(bool(_find_names(t)) for t in texts if qualifies(t))
    assert found > 8000  # the texts reach the pass's decisions, not only its refusals
    assert _same(texts) > 8000


def test_names_at_the_ends_of_a_text() -> None:
    ends = ["与张三", "老王", "欧阳娜", "据欧阳", "通话张", "小李", "老", "小王子", "张伟你",
            "三张", "廖廖", "张·", "向倩倩"]
    texts = [prefix + end for end in ends for prefix in ("", "今天下午", "客户说与", "12元")]
    _same(texts + [end + "今天下午来电" for end in ends])


def test_the_memo_empties_when_full_and_keeps_answering_the_same() -> None:
    asked: list[str] = []

    def ask(text: str) -> tuple[int, int]:
        asked.append(text)
        return prose_names._ask(text)

    finder = core.ProseFinder(prose_names.native_tables(), ask)
    rng = random.Random(7)  # ~60,000 different pairs: more than the memo holds
    texts = ["与" + "".join(rng.choice(SINGLE) + chr(rng.randrange(0x4E00, 0x9FA5))
                           for _ in range(30)) + "通话" for _ in range(2000)]
    first = [finder.find(t) for t in texts]
    assert len(set(asked)) > (1 << 16) * 3 // 4 > finder.remembered > 0
    assert first == [_find_names(t) for t in texts]
    asked.clear()
    assert [finder.find(t) for t in texts] == first
    assert asked  # emptied on the way: the early texts' answers were asked again
    asked.clear()
    finder.find(texts[-1])
    assert not asked  # the latest answers are kept


def test_threads_sharing_one_finder_get_the_same_names() -> None:
    """Large bodies are inspected on worker threads, all with the process's
    one finder; a thread that asks Python lets the others run (and empty the
    memo) before it stores its answer."""
    def ask(text: str) -> tuple[int, int]:
        time.sleep(0)  # let another thread take the GIL here
        return prose_names._ask(text)

    finder = core.ProseFinder(prose_names.native_tables(), ask)
    rng = random.Random(11)
    texts = [t for t in (_dense(rng) for _ in range(1200)) if qualifies(t)]
    expected = [_find_names(t) for t in texts]
    failures: list[str] = []

    def run(offset: int) -> None:
        for i in range(len(texts)):
            k = (i + offset) % len(texts)
            if finder.find(texts[k]) != expected[k]:
                failures.append(texts[k])
            if i % 500 == offset:
                finder.clear()

    threads = [threading.Thread(target=run, args=(j * 97,)) for j in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_refuses_tables_it_cannot_hold() -> None:
    tables = {"surnames": "张", "function_chars": "的", "markers": "省", "not_before": "0",
              "dots": "·", "rank": "张", "compound": ["欧阳"], "not_names": ["张三"],
              "common_starts": ["马上"], "places": ["北京"], "not_title_first": ["小白"],
              "word_freq": 30, "common_word_freq": 300, "title_first_freq": 350}

    def ask(text: str) -> tuple[int, int]:
        return (1, 1000) if text == "通话" else (0, 0)

    assert core.ProseFinder(tables, ask).find("与张伟通话") == [(1, 3)]
    with pytest.raises(ValueError, match="BMP"):
        core.ProseFinder({**tables, "dots": "\U00020000"}, lambda text: (0, 0))
    with pytest.raises(ValueError, match="below U\\+A000"):
        core.ProseFinder({**tables, "surnames": "\uff21"}, lambda text: (0, 0))
