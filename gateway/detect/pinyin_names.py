"""PERSON_NAME in Latin script: Chinese names written in pinyin in English text
(`called Zhang Wei at 3pm`, `borrower LIU Yang refused`, `Xiaoming Wang`).

Two adjacent words, one space apart, each capitalised or in capitals: a
common surname in pinyin (`SURNAMES`) and a given name of one or two pinyin
syllables (`Wei`, `Xiaoming`, `Xiao-Ming`), in either order. Refused: pairs
where both words are ordinary English words (`You Can`, `He Long`: a name
such as 贺龙 is given up), and places and brands written the same way
(`Hong Kong`, `Hang Seng`, `Ping An`). Runs, like the prose pass, outside name
and address fields (a name field's value is found whole by the hinted Latin
pattern); the native core hands over ASCII texts with a capitalised surname
next to a capitalised word (`pinyin_surnames`).
"""

from __future__ import annotations

import re
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common surnames in pinyin (the census order, romanised), and compound ones.
SURNAMES = _words("""
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng
liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan cai jiang yu du ye
cheng su wei lv lyu ding ren shen yao lu zhong cui tan fan jin shi liao jia xia fu fang zou
meng xiong qin qiu hou yin xue yan duan lei long tao mao hao gu gong shao wan qian dai mo
kong xiang chang kang yi qiao lai wen niu bai ouyang sima zhuge shangguan situ murong
dongfang xiahou huangfu linghu
""")
# Every syllable of Standard Chinese without tones (ü as v or u).
SYLLABLES = _words("""
a o e ai ei ao ou an en ang eng er yi ya yo ye yao you yan yin yang ying yong yu yue yuan
yun wu wa wo wai wei wan wen wang weng ba bo bai bei bao ban ben bang beng bi bie biao bian
bin bing bu pa po pai pei pao pou pan pen pang peng pi pie piao pian pin ping pu ma mo me
mai mei mao mou man men mang meng mi mie miao miu mian min ming mu fa fo fei fou fan fen
fang feng fu da de dai dei dao dou dan den dang deng dong di die diao diu dian ding du duo
dui duan dun ta te tai tao tou tan tang teng tong ti tie tiao tian ting tu tuo tui tuan tun
na ne nai nei nao nou nan nen nang neng nong ni nie niao niu nian nin niang ning nu nuo nuan
nv nve la le lai lei lao lou lan lang leng long li lia lie liao liu lian lin liang ling lu
luo luan lun lv lve ga ge gai gei gao gou gan gen gang geng gong gu gua guo guai gui guan
gun guang ka ke kai kao kou kan ken kang keng kong ku kua kuo kuai kui kuan kun kuang ha he
hai hei hao hou han hen hang heng hong hu hua huo huai hui huan hun huang ji jia jie jiao
jiu jian jin jiang jing jiong ju jue juan jun qi qia qie qiao qiu qian qin qiang qing qiong
qu que quan qun xi xia xie xiao xiu xian xin xiang xing xiong xu xue xuan xun zha zhe zhi
zhai zhei zhao zhou zhan zhen zhang zheng zhong zhu zhua zhuo zhuai zhui zhuan zhun zhuang
cha che chi chai chao chou chan chen chang cheng chong chu chua chuo chuai chui chuan chun
chuang sha she shi shai shei shao shou shan shen shang sheng shu shua shuo shuai shui shuan
shun shuang re ri rao rou ran ren rang reng rong ru ruo rui ruan run za ze zi zai zei zao
zou zan zen zang zeng zong zu zuo zui zuan zun ca ce ci cai cao cou can cen cang ceng cong
cu cuo cui cuan cun sa se si sai sao sou san sen sang seng song su suo sui suan sun
""")
# English words that are also pinyin: a pair of two of them is English.
ENGLISH = _words("""
a an he she me her you we ye die lie tie pie men hen pen ben den ten can man fan pan ran tan
van ban sun run gun bun fun hun long hang bang gang sang ping bin pin tin chin shin ma pa ha
zen ken gene dean bay may say way hey sue joe jan king ring sing ding dong wing song
""")
# Places, brands and words of the trade written as two pinyin words.
NOT_NAMES = frozenset({
    ("hong", "kong"), ("hang", "seng"), ("ping", "an"), ("li", "ning"), ("tai", "chi"),
    ("feng", "shui"), ("yin", "yang"), ("xi", "an"), ("shen", "zhen"), ("bei", "jing"),
    ("shang", "hai"), ("guang", "zhou"), ("nan", "jing"), ("wu", "han"), ("hang", "zhou"),
    ("su", "zhou"), ("tian", "jin"), ("chong", "qing"), ("xia", "men"), ("qing", "dao"),
    ("da", "lian"), ("tai", "wan"), ("ao", "men"), ("zhong", "guo"), ("ren", "min"),
    ("hua", "wei"), ("xiao", "mi"), ("tao", "bao"), ("jing", "dong"), ("bai", "du"),
    ("mei", "tuan"), ("wei", "bo"), ("dou", "yin"), ("wei", "xin"), ("zhi", "fu"),
    ("jie", "bei"), ("hua", "bei"), ("wei", "li"), ("kung", "fu"), ("dim", "sum"),
})
_WORD = re.compile(r"(?<![A-Za-z'\-])(?:[A-Z][a-z]+|[A-Z]{2,})(?:-(?:[A-Z]?[a-z]+|[A-Z]+))?"
                   r"(?![A-Za-z'\-])")


@lru_cache(maxsize=4096)
def syllables(word: str) -> int:
    """How many pinyin syllables `word` (lower case, no hyphen) splits into,
    the fewest (0 if it does not split)."""
    if not word:
        return 0
    best = 0
    for size in range(min(6, len(word)), 0, -1):
        if word[:size] in SYLLABLES:
            if size == len(word):
                return 1
            rest = syllables(word[size:])
            if rest and (best == 0 or rest + 1 < best):
                best = rest + 1
    return best


def _given(word: str) -> bool:
    return 1 <= syllables(word.replace("-", "")) <= 2


def _pair(first: str, second: str) -> bool:
    a, b = first.lower(), second.lower()
    if (a, b) in NOT_NAMES or (a in ENGLISH and b in ENGLISH):
        return False
    return (a in SURNAMES and _given(b)) or (b in SURNAMES and _given(a))


def find_pinyin_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each pinyin name in `text`, in order."""
    words = list(_WORD.finditer(text))
    found: list[tuple[int, int]] = []
    k = 0
    while k + 1 < len(words):
        first, second = words[k], words[k + 1]
        if text[first.end():second.start()] == " " and _pair(first[0], second[0]):
            found.append((first.start(), second.end()))
            k += 2
        else:
            k += 1
    return found
