"""PERSON_NAME: people's names, from field hints and from cues in Chinese text.

- In structured bodies a value under a name field (`name`, `realName`, 姓名,
  联系人, ...; see `hints.py`) that looks like a name: a surname and one to
  three characters, a minority name with a middle dot (买买提·艾力), or two to
  four capitalised Latin words. These patterns score 0.1 alone, so they count
  only with the hint.
- In free text: a surname and one or two characters right after a cue
  (借款人, 联系人, 姓名, 客户, 配偶, ...), or right before 先生/女士/小姐, ending
  where the sentence goes on (的, 已, 电话, punctuation, ...).
- Contact display names, as people save contacts and collectors write notes:
  a surname and a kinship or title word (王姐, 李总, 吴老师, 张叔, 陈阿姨,
  王先生), where a word may start (after punctuation, a space, the start, or a
  word such as 联系/给/找/和/的/同事), unless the title goes on as another word
  (总额, 总计, 姐妹, 哥们) or the whole is a common word (师姐, 帅哥).
- Names where a clause starts (the start, punctuation, 今天/下午/随后) right
  before what people in notes do (来电, 表示, 称, 说, 承诺, 拒接, ...).
- Names right before a mobile number, as contact lists and shipping labels pair
  them (收货信息：郭琳 13125461017, 李四（139...）), where a word may start.
A name starting with a common word (明天, 公司, 所以) is none. Names elsewhere
in free text are not found; docs/detection.md gives the measured recall.
"""

from __future__ import annotations

import regex

from gateway.detect.hints import PERSON_HINT
from gateway.detect.recognizers.base import Gate, Spec, ValidatingRecognizer
from gateway.detect.recognizers.surnames import (
    COMPOUND,
    SINGLE,
    starts_with_surname,
    surname_pattern,
)

_HAN = r"[\u4e00-\u9fff]"
_WHOLE_BEFORE = r"(?<=^[ \t]*)"
_WHOLE_AFTER = r"(?=[ \t]*$)"
# Surnames that are also prepositions or conjunctions are left out of free text.
_FUNCTION_WORDS = "和向于与及给对把被让跟同由从在"
TEXT_SINGLE = "".join(c for c in SINGLE if c not in _FUNCTION_WORDS)
_TEXT_SURNAME = f"(?:{'|'.join(COMPOUND)}|[{TEXT_SINGLE}])"
CUES = ("姓名", "名字", "联系人", "借款人", "申请人", "持卡人", "户名", "开户名", "客户", "本人",
        "配偶", "父亲", "母亲", "担保人", "收款人", "付款人", "债务人", "当事人", "收件人", "name")
CUE_LINKS = ("是", "为", "叫")  # 借款人是张三
# What may follow a name found after a cue (besides the end and non-Chinese text).
FOLLOWERS = ("的", "已", "于", "在", "说", "称", "表示", "同意", "承诺", "还", "借", "申请", "本人",
             "先生", "女士", "小姐", "电话", "手机", "身份", "住", "现", "因", "欠", "逾期", "联系",
             "和", "与", "及", "向", "为", "是", "目前", "今天", "昨天", "明天")
_CUE = f"(?:{'|'.join(CUES)})[:：]?[ \\t]*(?:{'|'.join(CUE_LINKS)})?[ \\t]*"
_FOLLOW = f"(?=$|[^\\u4e00-\\u9fff]|{'|'.join(FOLLOWERS)})"
HONORIFICS = ("先生", "女士", "小姐")
# Kinship, job and office titles of contact display names, longest first.
DISPLAY_TITLES = tuple(sorted((
    "阿姨", "叔叔", "大哥", "大姐", "姐姐", "哥哥", "老师", "经理", "总经理", "主任", "主管",
    "师傅", "老板", "老总", "医生", "律师", "大夫", "会计", "书记", "先生", "女士", "小姐",
    "董事长", "局长", "处长", "科长", "院长", "校长", "所长", "部长", "组长", "队长", "厂长",
    "行长", "村长", "总", "姐", "哥", "叔", "姨", "婶", "嫂", "伯"), key=len, reverse=True))
# Words right before a display name (besides anything that is no Chinese character):
# verbs and particles, and the relations a note names a contact by (同事李总).
DISPLAY_LEFT = ("联系", "告诉", "通知", "致电", "给", "找", "问", "和", "跟", "与", "同", "及",
                "叫", "是", "的", "其", "让", "请", "向", "被", "称", "说", "由", "同事", "朋友",
                "邻居", "亲戚", "同学", "领导", "老乡", "家属", "房东")
# A title's last character with the next one: another word, not a name (李总额 is no 李总).
DISPLAY_BLOCKED = ("总额", "总计", "总共", "总数", "总体", "总部", "总结", "总量", "总价", "总值",
                   "总裁", "总监", "总署", "总局", "总站", "总行", "总队", "总统", "总线", "姐妹",
                   # 总 as an adverb: 钱总是不够 is no 钱总
                   "总是", "总算", "总有", "总要", "总会", "总得", "总之", "总归", "总而", "总在",
                   "总不", "总能", "长期", "长度", "长远", "长大", "长得", "长久", "长时",
                   *(f"{last}们" for last in sorted({title[-1] for title in DISPLAY_TITLES})))
NOT_NAMES = frozenset({"未知", "暂无", "测试", "本人", "其他", "先生", "女士", "小姐", "无名",
                       "师姐", "师哥", "帅哥", "师叔", "师伯", "富哥", "万总", "班主任", "阿姨",
                       "阿哥", "阿叔", "阿伯", "阿婶", "阿嫂", "阿姐"})
# Cue-less names in notes: a name where a sentence or clause starts (the text's
# start, punctuation, a time word) right before what people in collection
# notes do (今天张三来电说..., 王小明表示..., 李四承诺月底还款).
VERB_LEFT = ("今天", "昨天", "前天", "今日", "昨日", "上午", "下午", "中午", "晚上", "早上", "刚才",
             "随后", "后来", "然后", "当时", "目前")
VERBS = ("来电", "致电", "回电", "表示", "声称", "称", "说", "承诺", "同意", "拒绝", "答应", "回复",
         "接听", "接电话", "挂断", "失联", "拒接", "不接", "还款", "已还", "欠款", "逾期", "借款")
# Common words that begin with a surname's character: a "name" starting with
# one is the sentence going on (客户明天还款, 借款人马上到, 客户付款), not a person.
COMMON_STARTS = frozenset({
    "明天", "明日", "明年", "明白", "明确", "明显", "马上", "高兴", "高度", "关于", "关系", "关注",
    "安排", "安全", "文件", "万一", "迟到", "迟迟", "毛病", "江湖", "方便", "方面", "方式", "方法",
    "常常", "常年", "全部", "全额", "全家", "余额", "金额", "于是", "向来", "许多", "许久", "程序",
    "时间", "时候", "成功", "成为", "陆续", "路过", "习惯", "计划", "应该", "曾经", "尚未", "原来",
    "申请", "单位", "包括", "包含", "左右", "平时", "付款", "支付", "查询", "查看", "查到", "何时",
    "任何", "任务", "解释", "解决", "费用", "房贷", "车贷", "都是", "都有", "尤其", "季度", "经常",
    "经过", "欧元", "司机", "通过", "通知", "严重", "连续", "项目", "相关", "宁愿", "景区", "康复",
    "孙子", "温度", "熊猫", "卫生", "凤凰", "苗条", "叶子", "华为", "时光", "龙头", "公司", "平台",
    "高层", "所以", "简单", "严格", "相对", "银行", "法院", "双方", "官方", "家人", "全体", "师傅",
    "来电", "来访", "来人", "万元", "王府", "单号", "车号", "房号", "门号",
})
_LATIN_WORD = regex.compile(r"[A-Z][a-z'\-]*|[A-Z'\-]+")


def _display_title(title: str) -> str:
    blocked = "".join(word[1] for word in DISPLAY_BLOCKED if word[0] == title[-1])
    return f"{title}(?![{blocked}])" if blocked else title


_VERB = (f"(?<=^|[^\\u4e00-\\u9fff]|{'|'.join(VERB_LEFT)}){_TEXT_SURNAME}{_HAN}{{1,2}}?"
         f"(?={'|'.join(VERBS)})")
# A mobile number right after the name: up to two of space, tab, colon or
# opening parenthesis (full-width forms are folded), then 11 digits.
_PHONE = (f"(?<=^|[^\\u4e00-\\u9fff]){_TEXT_SURNAME}{_HAN}{{1,2}}?"
          f"(?=[ \\t:(]{{0,2}}1[3-9][0-9]{{9}}(?![0-9]))")
_DISPLAY = (f"(?<=^|[^\\u4e00-\\u9fff]|{'|'.join(DISPLAY_LEFT)}){_TEXT_SURNAME}"
            f"(?:{'|'.join(_display_title(t) for t in DISPLAY_TITLES)})")


def plausible_name(text: str) -> bool:
    name = text.strip()
    if name in NOT_NAMES:
        return False
    if "·" in name or "•" in name:
        return all(part for part in regex.split(r"[·•]", name))
    if name.isascii():
        return all(_LATIN_WORD.fullmatch(word) for word in regex.split(r"[ .]+", name) if word)
    return 2 <= len(name) <= 4 and starts_with_surname(name) and name[:2] not in COMMON_STARTS


class PersonNameRecognizer(ValidatingRecognizer):
    ENTITY = "PERSON_NAME"
    SPECS = (
        Spec("name value", f"{_WHOLE_BEFORE}{surname_pattern()}{_HAN}{{1,3}}{_WHOLE_AFTER}", 0.1,
             Gate(trigger=f"^[ \\t]*{surname_pattern()}")),
        Spec("name value (middle dot)",
             f"{_WHOLE_BEFORE}{_HAN}{{1,8}}[·•]{_HAN}{{1,10}}(?:[·•]{_HAN}{{1,10}})?{_WHOLE_AFTER}",
             0.1, Gate(trigger="[·•]")),
        Spec("name value (latin)",
             f"{_WHOLE_BEFORE}[A-Z][A-Z'\\-]{{0,30}}(?:[ .]{{1,2}}[A-Z][A-Z'\\-]{{0,30}}){{1,3}}"
             f"{_WHOLE_AFTER}", 0.1, Gate(trigger="^[ \\t]*[a-z]")),
        Spec("name after cue", f"(?<={_CUE}){_TEXT_SURNAME}{_HAN}{{1,2}}?{_FOLLOW}", 0.5,
             Gate(trigger=f"(?:{'|'.join(CUES)})")),
        Spec("name before honorific",
             f"{_TEXT_SURNAME}{_HAN}{{1,2}}?(?={'|'.join(HONORIFICS)})", 0.5,
             Gate(trigger="|".join(HONORIFICS))),
        Spec("display name", _DISPLAY, 0.5, Gate(trigger="|".join(DISPLAY_TITLES))),
        Spec("name before verb", _VERB, 0.5, Gate(trigger="|".join(VERBS))),
        Spec("name before mobile", _PHONE, 0.5, Gate(min_digits=11)),
    )
    # Only the field hint raises scores (see address.py for why).
    CONTEXT = (PERSON_HINT,)

    def check(self, text: str) -> bool:
        return plausible_name(text)
