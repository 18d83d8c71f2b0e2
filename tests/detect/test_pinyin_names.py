"""Chinese names in pinyin in Latin-script text (gateway/detect/pinyin_names.py)."""

from __future__ import annotations

import pytest

from gateway.detect import Detector
from gateway.detect.pinyin_names import find_pinyin_names, syllables


def _names(text: str) -> list[str]:
    return [text[start:end] for start, end in find_pinyin_names(text)]


@pytest.mark.parametrize(("text", "names"), [
    ("Called Zhang Wei at 3pm, no answer.", ["Zhang Wei"]),
    ("borrower LIU Yang refused to pay", ["LIU Yang"]),            # passport style
    ("Spoke with Xiaoming Wang yesterday", ["Xiaoming Wang"]),     # English order
    ("Contact: Li Xiao-Ming, mobile 138", ["Li Xiao-Ming"]),       # hyphenated given name
    ("Meeting with Ouyang Nana", ["Ouyang Nana"]),                 # compound surname
    ("Chen Jianguo and Wang Fang", ["Chen Jianguo", "Wang Fang"]),
    ("Hu Gang requested an extension", ["Hu Gang"]),
])
def test_names(text: str, names: list[str]) -> None:
    assert _names(text) == names


@pytest.mark.parametrize("text", [
    "Our Hong Kong branch", "Hang Seng Bank", "The Ping An policy", "You Can pay online",
    "He Said no", "Long Term Loan", "Sun Life Insurance", "Mr Li called", "Wang",
    "zhang wei in lower case", "Customer In Default Status",
    "Sun Gang",  # both ordinary English words: given up
    "ZhangWei", "Zhang  Wei",  # one word; two spaces
])
def test_not_names(text: str) -> None:
    assert _names(text) == []


def test_syllables() -> None:
    assert syllables("xiaoming") == 2 and syllables("wei") == 1 and syllables("jianguo") == 2
    assert syllables("term") == 0 and syllables("life") == 0 and syllables("xian") == 1


def test_both_paths_and_field_hints() -> None:
    detector = Detector()
    text = "Borrower Zhang Wei promised to repay"
    found = detector.detect(text)
    assert [(f.entity_type, text[f.start:f.end], f.recognizer) for f in found] == [
        ("PERSON_NAME", "Zhang Wei", "ProseNameFinder")]
    assert found == detector.python_many([(text, ())])[0]
    assert detector.detect(text, ("homeAddress",)) == []  # no prose pass under an address
