"""ADDRESS: postal addresses, from field hints and from Chinese text.

- A value under an address field (`address`, `homeAddr`, 住址, ...) that has
  at least one address marker (省 市 区 县 路 街 号 室 ..., or Road/Street/Room
  ...). Scores 0.1 alone, so it counts only with the hint.
- In free text: a run starting with a province, a major city or any city,
  county or district by its full name (divisions.py: 宜昌市, 义乌市, 西陵区) and
  ending at a street-level marker (北京市朝阳区建国路88号, not 深圳市南山区 alone), or a
  run after a cue (住址, 地址, 家住, 住在, ...) ending at any marker (家住深圳市
  南山区); either way with at least two markers.
"""

from __future__ import annotations

import regex

from gateway.detect.hints import ADDRESS_HINT
from gateway.detect.recognizers.base import Gate, Spec, ValidatingRecognizer
from gateway.detect.recognizers.divisions import divisions, trie_pattern

PLACES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川",
    "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "深圳", "广州",
    "杭州", "成都", "武汉", "南京", "西安", "苏州", "郑州", "长沙", "青岛", "宁波", "东莞", "佛山",
    "合肥", "福州", "厦门", "济南", "昆明", "沈阳", "大连", "哈尔滨", "长春", "石家庄", "太原",
    "南昌", "南宁", "贵阳", "兰州", "乌鲁木齐", "呼和浩特", "无锡", "温州", "泉州", "珠海", "惠州",
    "中山", "常州", "徐州", "烟台", "潍坊", "绍兴", "嘉兴", "金华", "台州", "洛阳", "保定", "唐山",
)
# Where an address in free text may start: the places above and every city,
# county and district by its full name (宜昌市, 义乌市, 西陵区), longer first.
PLACE_WORDS = tuple(sorted(dict.fromkeys((*PLACES, *divisions())), key=len, reverse=True))
# A place's last character with the next one: another word (义乌市场 is a market,
# not 义乌市 + 场...; 县城, 区域).
PLACE_BLOCKED = ("市场", "市民", "市值", "市面", "市价", "市政", "县城", "区域", "区别", "区分",
                 "区块", "区间")
CUES = ("地址", "住址", "家住", "住在", "居住在", "现住", "户籍", "住所", "位于", "address")
# Where an address from a place may end, in the order the pattern tries them.
STREET_ENDS = ("号院", "号楼", "号", "室", "层", "楼", "单元", "栋", "幢", "座", "弄", "巷",
               "村", "组", "路", "街", "大道", "道", "镇", "乡")
# What makes a value look like an address (the check counts them, in this order).
MARKERS = ("省", "自治区", "市", "自治州", "区", "县", "旗", "镇", "乡", "村", "路", "街", "道",
           "巷", "弄", "胡同", "号", "栋", "幢", "座", "楼", "层", "室", "单元", "小区", "大厦",
           "花园", "公寓")
ENGLISH_MARKERS = ("road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "district",
                   "room", "rm", "floor", "fl", "building", "bldg", "block", "unit", "village",
                   "town", "county", "city", "province")
CUE_ENDS = (*STREET_ENDS, "区", "县")  # where an address after a cue may end
CUE_LINKS = ("是", "为", "在")  # 住址是..., 家住在...
_STREET_END = f"(?:{'|'.join(STREET_ENDS)})"
_END = f"(?:{'|'.join(CUE_ENDS)})"
_BODY = r"[\u4e00-\u9fff0-9A-Za-z#\-]"


def _not_blocked() -> str:
    """After a place: its last character and the next are no blocked word."""
    last = sorted({word[0] for word in PLACE_BLOCKED})
    parts = [f"(?<={c})(?![{''.join(w[1] for w in PLACE_BLOCKED if w[0] == c)}])" for c in last]
    return f"(?:{'|'.join(parts)}|(?<![{''.join(last)}]))"


# Which texts may hold an address from a place (the full pattern is costly to
# try everywhere): a major place, or a division's suffix after two characters
# with a street-level end within reach.
_PLACE_GATE = (f"(?:{'|'.join(PLACES)})|[\u4e00-\u9fff]{{2}}[市县区旗州盟]{_BODY}{{1,40}}"
               f"(?:{'|'.join(STREET_ENDS)})")
_CUE = f"(?:{'|'.join(CUES)})[:：]?[ \\t]*(?:{'|'.join(CUE_LINKS)})?[ \\t]*"
_MARKERS = regex.compile(
    f"{'|'.join(MARKERS)}|\\b(?:{'|'.join(ENGLISH_MARKERS)})\\b", regex.IGNORECASE)


def plausible_address(text: str) -> bool:
    value = text.strip()
    if not 4 <= len(value) <= 200:
        return False
    markers = len(_MARKERS.findall(value))
    return markers >= 2 or (markers == 1 and not value.isascii() and len(value) >= 6)


class AddressRecognizer(ValidatingRecognizer):
    ENTITY = "ADDRESS"
    SPECS = (
        Spec("address value", r"(?<=^[ \t]*)\S[^\n]{2,198}\S(?=[ \t]*$)", 0.1,
             Gate(trigger=r"^[ \t]*\S")),
        Spec("address from place",
             f"{trie_pattern(PLACE_WORDS)}{_not_blocked()}{_BODY}{{1,40}}{_STREET_END}",
             0.5, Gate(trigger=_PLACE_GATE)),
        Spec("address after cue", f"(?<={_CUE}){_BODY}{{1,40}}{_END}", 0.5,
             Gate(trigger=f"(?:{'|'.join(CUES)})")),
    )
    # Only the field hint raises scores: a cue in the text already has its own
    # pattern, and a whole line that merely mentions 地址 is not an address.
    CONTEXT = (ADDRESS_HINT,)

    def check(self, text: str) -> bool:
        return plausible_address(text)
