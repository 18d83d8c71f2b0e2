"""PERSON_NAME in prose without a cue: word boundaries from a real segmenter's
dictionary.

Collectors, agents and borrowers write names anywhere in a sentence (与郭琳通话,
委托庄晓燕代为还款, 张伟的电话停机, 我要投诉于华忠). The cue-based patterns of
`recognizers/person_name.py` find a name only next to a cue; this pass finds a
surname followed by a one- or two-character given name wherever the text's
words allow one, with jieba's dictionary (through rjieba, jieba-rs: 350,000
words with frequencies and part-of-speech tags, shipped inside the wheel; no
download) telling words from names:

- the surname may not end a word that starts before it (一张卡, 主张, 时间):
  the two or three characters ending with it are no dictionary word; nor
  follow a digit or numeral (12577元于, 3张), a middle dot (买买提·艾力) or
  the same character (廖廖, a typo of 寥寥);
- the surname and the next character are no frequent dictionary word (高兴,
  马上, 黄金, 周末, 钱款: ordinary words that start with a surname's
  character; names that are also words, such as 高峰, are given up);
- the given name holds no function character (的, 了, 说, 已, 均, 我, ...) and,
  when it is two characters, is no time, numeral, pronoun or particle word
  (周五, 一下) and no frequent ordinary word (家中; names such as 建国 or 秀英
  are tagged as names or places and stay);
- no frequent word starts inside the given name and goes on past its end,
  unless a word starts right after it (张伟你好 is 张伟, not 张伟你; 张三通话 is
  张三); a two-character given name is tried first, then one;
- no place of the division table starts at the surname, and no place or
  street marker follows within two characters (易俗河镇, 高新南一道); the
  placeholder words and common starts of the cue-based patterns are refused;
- where a surname's next character is a more common surname (外访时张铭: 时
  is rarer than 张), the name starts there;
- title-first display names (老王, 小李): 老 or 小 and a single surname that
  are no frequent word (老师, 小时, 小区, 老赖, 小米) and do not go on as one
  (小王子, 小张罗).

It runs on texts with at least `MIN_HAN` Chinese characters (notes, chats,
remarks; not a single name or a label such as 销售经理, nor an organisation's
name: ...有限公司 with no clause break), outside name and address fields
(`Detector.prose_for`), and reports at `SCORE`, so it
counts alone, like the cue-based free-text patterns. Findings merge with the
recognizers' the way presidio merges recognizers (duplicates dropped); where
they overlap another finding, the usual overlap rules choose. Both paths call
this same function (the native core hands the qualifying texts back to it), so
their results stay identical. docs/detection.md gives the measured recall and
false-positive rate.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import rjieba

from gateway.detect.pinyin_names import find_pinyin_names
from gateway.detect.recognizers.address import PLACE_WORDS
from gateway.detect.recognizers.person_name import COMMON_STARTS, NOT_NAMES, TEXT_SINGLE
from gateway.detect.recognizers.surnames import COMPOUND, SINGLE
from gateway.detect.results import Finding
from gateway.native import core

ENTITY = "PERSON_NAME"
RECOGNIZER = "ProseNameFinder"
SCORE = 0.5
MIN_HAN = 6
# Words of lending and collection traffic jieba's dictionary (2020) lacks,
# added to this module's own segmenter instance (贵司催收员 holds no 司催收).
DOMAIN_WORDS = ("贵司", "我司", "官网", "催收", "催收员", "网贷", "花呗", "借呗", "白条", "微粒贷",
                "停息挂账", "征信", "代扣", "代偿", "展期", "结清", "逾期", "罚息", "客服", "坐席",
                "工单", "外访", "失联", "借款人", "联系人", "老赖")
# A surname and the next character that form a dictionary word this frequent
# (高兴, 马上, 黄金) start no name; rarer entries are often names themselves.
WORD_FREQ = 30
# A two-character given name that is a word this frequent in jieba's
# dictionary, and not tagged as a name or place, is the sentence going on.
COMMON_WORD_FREQ = 300
NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nz"})
# Characters a given name in running text does not hold: particles, pronouns,
# adverbs and prepositions that follow or precede names (刘洋均表示, 张三也说).
# 氏 and 记 make shop and clan names (王氏贸易, 李记餐饮), 卡 cards (金卡), and
# the markers of places and streets (曹县, 金港镇, 珞喻路).
PLACE_MARKERS = frozenset("省市区县镇乡村路街道巷弄楼栋号")
FUNCTION_CHARS = frozenset(
    "的了是在说称均都也已就又才未和与等被把将对向给跟让不没还很再会要能可这那其他她它们我你您"
    "吗呢吧啊呀么着过地得之所而且并或及个些氏记去因卡") | PLACE_MARKERS
# Digits and Chinese numerals: a surname's character right after one is a
# unit or measure word (12577元于, 3张卡, 两万).
_NUMERALS = frozenset("0123456789０１２３４５６７８９一二两三四五六七八九十百千万亿〇零几")
# A text that ends so, with no clause break, names an organisation, a shop or
# a brand (杭州云帆信息技术有限公司): no prose.
ORGANISATION_ENDS = ("公司", "集团", "银行", "分行", "支行", "医院", "学校", "大学", "学院", "中心",
                     "商行", "商店", "超市", "饭店", "酒店", "门店", "工作室", "事务所", "研究所",
                     "委员会", "协会", "餐饮", "贸易", "易购", "科技", "网络", "传媒", "实业",
                     "控股", "物流", "电子", "商贸", "服饰", "食品", "置业", "投资", "咨询", "局",
                     "厂", "店", "社", "部", "处")
CLAUSE_BREAKS = frozenset("，。；！？、,;!? \t\n：:")
# The cue-based patterns leave out surnames that are also prepositions; here
# the dictionary tells 于洁 from 于是 and 向倩 from 向银行, so 于 and 向 (two
# common surnames) are in.
_SURNAMES = frozenset(TEXT_SINGLE + "于向")
_COMPOUND = frozenset(COMPOUND)
_DOTS = frozenset("·•")
_CAPITAL = re.compile(r"[A-Z][A-Za-z]* [A-Z]")  # two capitalised words: maybe a pinyin name
_NOT_BEFORE = _DOTS | _NUMERALS
_STARTS = re.compile(  # a surname and a Chinese character that is no function character
    f"(?:{'|'.join(COMPOUND)}|[{''.join(sorted(_SURNAMES))}])"
    f"(?=[\u4e00-\u9fff])(?![{''.join(sorted(FUNCTION_CHARS))}])")
# Title-first display names (老王, 小李): 老 or 小 before a single surname.
_TITLE_FIRST = re.compile(f"[老小](?=[{''.join(sorted(_SURNAMES))}])")
# 老X / 小X that the dictionary tags as a name and uses less often than this
# are names (老王 190, 老李 299); more often, a word (老公 1065, 小康 736).
TITLE_FIRST_NAME_FREQ = 350
NOT_TITLE_FIRST = frozenset({"小白", "老白", "小黄", "小金"})  # slang: a novice, ...
# The longest given name at a position: one or two Chinese characters that
# are no function characters.
_GIVEN = re.compile(f"(?:(?![{''.join(sorted(FUNCTION_CHARS))}])[\u4e00-\u9fff]){{1,2}}")
_RANK = {c: i for i, c in enumerate(SINGLE)}
_PLACE_STARTS = frozenset(word[:2] for word in PLACE_WORDS if len(word) >= 2)
_PLACES = frozenset(PLACE_WORDS)
_PLACE_LENGTHS = tuple(sorted({len(w) for w in PLACE_WORDS}, reverse=True))


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def qualifies(text: str) -> bool:
    """Whether the pass runs on `text`: enough Chinese characters (the native
    core hands over the texts with `MIN_HAN`), and no organisation's name."""
    if text.isascii():
        return False
    count = 0
    for c in text:
        if "\u4e00" <= c <= "\u9fff":
            count += 1
            if count >= MIN_HAN:
                break
    else:
        return False
    return not (text.rstrip().endswith(ORGANISATION_ENDS)
                and not any(c in CLAUSE_BREAKS for c in text.strip()))


def _segmenter() -> Any:
    jieba = rjieba.Jieba()
    for word in DOMAIN_WORDS:
        jieba.add_word(word, 1000, "n")
    return jieba


_JIEBA = _segmenter()


@lru_cache(maxsize=1 << 16)
def _word(text: str) -> bool:
    return bool(_JIEBA.has_word(text))


@lru_cache(maxsize=1 << 16)
def _frequent(text: str, least: int) -> bool:
    """A dictionary word at least this frequent."""
    return bool(_JIEBA.has_word(text)) and int(_JIEBA.suggest_freq(text)) > least


@lru_cache(maxsize=1 << 16)
def _function_word(text: str) -> bool:
    """A dictionary word tagged as a time, numeral, measure, pronoun, adverb,
    preposition, conjunction, particle or locality word (周五, 一下, 这里)."""
    tags = _JIEBA.tag(text, False)
    return len(tags) == 1 and _JIEBA.has_word(text) and tags[0][1][:1] in "tmqrdpcufy"


@lru_cache(maxsize=1 << 16)
def _name_like(text: str) -> bool:
    """Tagged as one name or place by the dictionary."""
    tags = _JIEBA.tag(text, False)
    return len(tags) == 1 and tags[0][1] in NAME_TAGS


@lru_cache(maxsize=1 << 16)
def _opens(pair: str) -> bool:
    """A single surname and the next character may open a name: not the same
    character twice (廖廖) and not a frequent word (高兴)."""
    return pair[0] != pair[1:] and not _frequent(pair, WORD_FREQ)


def _surname_at(text: str, p: int) -> int:
    if text[p:p + 2] in _COMPOUND and not _word(text[p + 1:p + 3]):  # 上官网 is 上 官网
        return 2
    return 1 if text[p] in _SURNAMES else 0


def _place_at(text: str, p: int) -> bool:
    if text[p:p + 2] not in _PLACE_STARTS:
        return False
    return any(text[p:p + n] in _PLACES for n in _PLACE_LENGTHS)


def _name_end(text: str, p: int) -> int:
    """Where a name starting at `p` ends, or 0 where none starts."""
    size = _surname_at(text, p)
    if not size:
        return 0
    given = p + size
    if size == 1 and not _opens(text[p:given + 1]):
        return 0
    if p > 0:
        before = text[p - 1]
        if before in _NOT_BEFORE or before == text[p]:
            return 0  # a middle dot (买买提·艾力), a digit or numeral (3张), 廖廖
        if _han(before) and (text[p] in PLACE_MARKERS or _word(text[p - 1:given])
                             or (p > 1 and _word(text[p - 2:given]))):
            return 0  # the surname ends a word (一张, 主张) or is a marker (南康区)
    if text[given + 1:given + 2] in PLACE_MARKERS or text[given + 2:given + 3] in PLACE_MARKERS \
            or _place_at(text, p):
        return 0  # a place: 易俗河镇, 高新南一道
    run = _GIVEN.match(text, given)
    for k in (2, 1):
        end = given + k
        if run is None or run.end() < end:
            continue
        name = text[p:end]
        if name in NOT_NAMES or name[:2] in COMMON_STARTS or text[end:end + 1] in _DOTS:
            continue
        if k == 2 and ((_word(name) and not _name_like(name)) or _function_word(text[given:end])
                       or (_frequent(text[given:end], COMMON_WORD_FREQ)
                           and not _name_like(text[given:end]))):
            continue
        if _runs_on(text, given, end) and not _frequent(text[end:end + 2], COMMON_WORD_FREQ):
            continue  # a word goes on past the name, and no word starts after it
        return end
    return 0


def _runs_on(text: str, given: int, end: int) -> bool:
    """A frequent word starts inside the given name [given, end) and ends one
    or two characters past it."""
    n = len(text)
    for start in range(given, end):
        if end + 1 <= n and _frequent(text[start:end + 1], WORD_FREQ):
            return True
        if end + 2 <= n and _frequent(text[start:end + 2], WORD_FREQ):
            return True
    return False


def _title_first(text: str, p: int) -> bool:
    """老王, 小李 at `p`: 老 or 小 and a surname that are no frequent word (老师,
    小时, 小区, 老赖, 小米; the dictionary's own 老王 and 小林 are names),
    after no word that ends in 老 or 小 (从小, 养老), and followed by no
    character that goes on with the surname (小王子, 小张罗) unless a word
    starts there (老王说, 小李今天来电)."""
    pair = text[p:p + 2]
    if pair in NOT_TITLE_FIRST or (_frequent(pair, WORD_FREQ) and not (
            _name_like(pair) and not _frequent(pair, TITLE_FIRST_NAME_FREQ))):
        return False
    if p > 0 and _han(text[p - 1]) and _word(text[p - 1:p + 1]):
        return False
    after = text[p + 2:p + 3]
    if not after or not _han(after) or after in FUNCTION_CHARS:
        return True
    if _frequent(text[p + 1:p + 3], WORD_FREQ):
        return False
    return _word(text[p + 2:p + 4]) or _word(text[p + 2:p + 5])


def find_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each name the pass finds in `text`, in order: in the
    native core where it was built (the same steps over the same dictionary
    answers, `gateway/native/prose.pxi`), else `_find_names`."""
    if not qualifies(text):
        return []
    return native_finder.find(text) if native_finder is not None else _find_names(text)


def _find_names(text: str) -> list[tuple[int, int]]:
    """The pass in Python (the reference), on a text that qualifies."""
    found = [(m.start(), m.start() + 2) for m in _TITLE_FIRST.finditer(text)
             if _title_first(text, m.start())]
    taken = {start + 1 for start, _ in found}  # their surnames start no other name
    n = len(text)
    p = 0
    while p < n:
        start = _STARTS.search(text, p)
        if start is None:
            break
        p = start.start()
        if p in taken:
            p += 1
            continue
        end = _name_end(text, p)
        if end and _surname_at(text, p) == 1 and text[p + 1] in _SURNAMES \
                and _RANK.get(text[p + 1], 1 << 20) < _RANK.get(text[p], 1 << 20):
            later = _name_end(text, p + 1)
            if later:
                p, end = p + 1, later
        if end:
            found.append((p, end))
            p = end
        else:
            p += 1
    return sorted(found)


def _ask(text: str) -> tuple[int, int]:
    """What the core keeps of one string the pass asks about: its flags (a
    word 1, a function word 2, name-like 4) and its frequency where a word."""
    word = _word(text)
    flags = (1 if word else 0) | (2 if _function_word(text) else 0) | (4 if _name_like(text) else 0)
    return flags, int(_JIEBA.suggest_freq(text)) if word else 0


def native_tables() -> dict[str, Any]:
    """This module's character sets and word lists, for the core's finder."""
    return {
        "surnames": "".join(sorted(_SURNAMES)), "function_chars": "".join(sorted(FUNCTION_CHARS)),
        "markers": "".join(sorted(PLACE_MARKERS)), "not_before": "".join(sorted(_NOT_BEFORE)),
        "dots": "".join(sorted(_DOTS)), "rank": SINGLE, "compound": sorted(_COMPOUND),
        "not_names": sorted(NOT_NAMES), "common_starts": sorted(COMMON_STARTS),
        "places": sorted(_PLACES), "not_title_first": sorted(NOT_TITLE_FIRST),
        "word_freq": WORD_FREQ, "common_word_freq": COMMON_WORD_FREQ,
        "title_first_freq": TITLE_FIRST_NAME_FREQ}


# The pass in the native core; the core's JSON path calls it directly
# (`JsonPlan(finder=...)`).
native_finder = core.ProseFinder(native_tables(), _ask) if core is not None else None


def prose_spans(text: str) -> list[tuple[int, int]]:
    """Names in prose: in Chinese (`find_names`) and in pinyin in Latin
    script (`pinyin_names.py`), in order."""
    found = find_names(text)
    if _CAPITAL.search(text) is not None:
        latin = find_pinyin_names(text)
        if latin:
            found = sorted(found + latin)
    return found


def prose_findings(text: str) -> list[Finding]:
    """`prose_spans` as findings of the PERSON_NAME entity."""
    return [Finding(ENTITY, start, end, SCORE, RECOGNIZER) for start, end in prose_spans(text)]
