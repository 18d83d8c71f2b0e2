"""Chinese surnames: the common single-character ones and the compound ones.

About 300 single surnames cover well over 99% of the population; the list is
data, not logic, and is extended here when a miss shows up.
"""

from __future__ import annotations

SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强"
    "帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓"
    "修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植"
    "衡富尧闭由阎萧"
)
COMPOUND = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "公孙", "司徒", "夏侯", "尉迟",
    "长孙", "宇文", "轩辕", "端木", "申屠", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "闻人",
    "赫连", "澹台", "公冶", "太史", "仲孙", "钟离", "宗政", "濮阳", "淳于", "单于", "司空", "第五",
)


def surname_pattern() -> str:
    """A regex alternative matching one surname (compound ones first)."""
    singles = "".join(dict.fromkeys(SINGLE))
    return f"(?:{'|'.join(COMPOUND)}|[{singles}])"


def starts_with_surname(name: str) -> bool:
    return name[:2] in COMPOUND or (bool(name) and name[0] in SINGLE)
