"""Evaluation samples of names in prose with no cue, and prose with none.

Written from how collection notes, call transcripts, chat messages, complaints
and service tickets read, not from the prose pass's rules: names anywhere in a
sentence (after verbs and prepositions, before particles, in lists, in
greetings and self-introductions). The names come from their own generator:
surnames drawn by how common they are (the census order, the first forty
weighted), given names from characters parents choose in each generation,
one in six a single character, one in twenty-five under a compound surname.
None of these lists is the recognizers' or the demo's.

The negatives are notes a lender's systems hold that name no one, many of them
starting words with a surname's character (高兴, 马上, 周末, 钱款, 黄金, 江苏,
石家庄, 于是), with typos collectors make (寥寥 written 廖廖), shop, brand and
and company names.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.detect.samples import Part, Sample, build

# Surnames in the order of the 2020 census, most common first.
CENSUS = ("王李张刘陈杨黄赵吴周徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田萧潘袁蔡蒋余于杜叶程"
          "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛"
          "郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文")
COMPOUNDS = ("欧阳", "司马", "上官", "诸葛", "慕容", "司徒", "夏侯", "皇甫", "令狐", "东方")
# Given-name characters by the decades that chose them.
GIVEN_1950S = "国建军华平明英秀兰玉珍桂芳淑德志红文立新民荣福金忠永海"
GIVEN_1970S = "伟敏静丽强磊勇艳杰娟涛超霞刚燕辉鹏斌波宁琳洁慧颖峰云飞春梅晶"
GIVEN_1990S = "浩宇轩欣怡佳俊婷雪晨思嘉睿博涵萱琪瑶璐蕾薇菲媛妍悦晓楠婧倩瑞凯航"
GIVEN_2010S = "梓子沐辰宸泽昊然奕若依诺彤汐语芮安心一鑫玥琦瑾煜铭皓钰"
GENERATIONS = (GIVEN_1950S, GIVEN_1970S, GIVEN_1990S, GIVEN_2010S)


def prose_name(rng: random.Random) -> str:
    if rng.random() < 0.04:
        surname = rng.choice(COMPOUNDS)
    elif rng.random() < 0.7:
        surname = rng.choice(CENSUS[:40])
    else:
        surname = rng.choice(CENSUS[40:])
    chars = rng.choice(GENERATIONS)
    size = 1 if rng.random() < 1 / 6 else 2
    return surname + "".join(rng.choice(chars) for _ in range(size))


def prose_names(rng: random.Random, count: int) -> list[Sample]:
    def pn() -> Part:
        return ("PERSON_NAME", prose_name(rng))
    money = lambda: str(rng.randrange(200, 20000))  # noqa: E731
    day = lambda: f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日"  # noqa: E731
    templates: list[Callable[[], list[Part]]] = [
        # collection notes
        lambda: ["电话联系", pn(), "，对方称在外地，月底回来处理。"],
        lambda: [day(), "与", pn(), "通话，承诺", money(), "元于周五前还清。"],
        lambda: ["拨打", pn(), "的号码提示空号，短信已发送。"],
        lambda: ["外访未见", pn(), "本人，其母亲代收催收函。"],
        lambda: ["联系紧急联系人", pn(), "，表示不认识借款人。"],
        lambda: [pn(), "的单位说她已经辞职两个月了。"],
        lambda: ["已委托", pn(), "转告，暂无回复。"],
        lambda: ["找到了", pn(), "的新地址，下周安排上门。"],
        lambda: ["借款人称钱已经借给", pn(), "了，要等他还。"],
        lambda: ["通过", pn(), "联系上借款人，答应分三期还。"],
        # call transcripts
        lambda: ["坐席：您好，请问是", pn(), "先生的家属吗？客户：不是，打错了。"],
        lambda: ["客户：我是", pn(), "，这笔钱不是我借的。坐席：好的，我记录一下。"],
        lambda: ["坐席：您认识", pn(), "吗？客户：认识，是我同事。"],
        lambda: ["对方自称", pn(), "，说会转告。"],
        lambda: ["客户：你们找", pn(), "去，别找我。"],
        # chats
        lambda: [pn(), "你好，你的借款已逾期", str(rng.randrange(1, 90)), "天，请尽快处理。"],
        lambda: ["亲爱的", pn(), "，您本期账单", money(), "元将于明日到期。"],
        lambda: ["我帮", pn(), "还了", money(), "，你们核对一下"],
        lambda: ["你问问", pn(), "吧，钱在他那"],
        lambda: ["@", pn(), " 明天把截图发群里"],
        # complaints and tickets
        lambda: ["投诉：贵司催收员", pn(), "多次拨打我单位电话，影响工作。"],
        lambda: ["我要投诉", pn(), "，他在电话里辱骂我的家人。"],
        lambda: ["工单：用户反映", pn(), "冒用其身份信息借款，请核实。"],
        lambda: ["经办人：", pn(), "；复核：", pn(), "。"],
        lambda: ["本人", pn(), "因疫情失业，申请停息挂账。"],
        lambda: ["家里人", pn(), "和", pn(), "都知道这件事。"],
        lambda: [pn(), "、", pn(), "、", pn(), "三人均为共同借款人。"],
        lambda: ["请", pn(), "于", day(), "前到公司签署还款协议。"],
        lambda: ["据", pn(), "说，借款人已经回老家了。"],
        lambda: ["转账人", pn(), "备注：代还"],
    ]
    return [build(rng.choice(templates)(), (), "prose") for _ in range(count)]


NEGATIVES = (
    "客户称本月工资未发，申请延期还款，已告知逾期后果。",
    "借款人电话关机，短信已发送，明天继续跟进。",
    "外访时家中无人，邻居说已经搬走半年了。",
    "钱已经转过去了，麻烦查一下是否到账。",
    "钱还没到账，银行说要等三个工作日。",
    "黄色预警客户，连续三期未还款，建议转委外。",
    "周一到周五上午九点到下午六点可以联系。",
    "白天上班不方便接电话，晚上八点以后回电。",
    "高速公路收费站附近出了车祸，客户住院了。",
    "石家庄分公司的同事已经上门核实。",
    "于是客户挂断了电话，再拨打提示关机。",
    "林业局的工作单位证明已经上传。",
    "金融机构的征信报告显示有多头借贷。",
    "万一客户失联，按流程走司法途径。",
    "常规提醒已完成，客户承诺月底还清。",
    "毛利率下降导致公司裁员，客户失业。",
    "马上就去银行转账，请不要再打电话了。",
    "高兴地说已经找到新工作了。",
    "方便的话请把还款截图发一下。",
    "江苏南京的房子已经抵押给银行。",
    "叶子黄了，天气转凉，客户说换季生病了。",
    "温度太高，空调坏了，客户情绪激动。",
    "严重逾期，已上报征信，请尽快处理。",
    "曹县的工厂停工，客户暂时没有收入。",
    "贺卡和礼品已经寄出，快递单号在系统里。",
    "田地被征收，补偿款下个月到账。",
    "董事会决议已经通过，等待放款。",
    "司法催收流程已启动，律师函已发送。",
    "何时还款？客户说不确定。",
    "任何时候都可以通过客服热线联系我们。",
    "安全验证失败，请重新登录后再试。",
    "许多客户反映短信验证码收不到。",
    "车贷和房贷一起还，压力太大。",
    "苏州工业园区的公司已经注销。",
    "上官网查询最新的还款计划。",
    "东方财富的账户已经冻结。",
    "夏天的电费太贵了，客户说缓几天。",
    "经核实，该笔借款已于上月结清。",
    "关于分期的方案，客户同意按月还款。",
    "时间不够了，客户说下次再谈。",
    "向银行申请了停息挂账。",
    "付款方式改为银行代扣。",
    "包括本金和利息一共三万元。",
    "成功扣款五百元，剩余部分下期扣。",
    "全额还款后可申请开具结清证明。",
    "陆续还了两期，之后就失联了。",
    "廖廖数语就挂断了电话。",
    "崔促还款的短信已发送三次。",
    "岳父岳母帮忙还了一部分。",
    "客户说孩子发烧住院，这周没法还。",
    "已发送律师函，客户表示会尽快筹钱。",
    "逾期罚息按日万分之五计算。",
    "客户要求提供借款合同原件。",
    "本期应还金额已通过支付宝代扣。",
    "平安普惠信息服务有限公司",
    "杭州云帆信息技术有限公司",
    "苏宁易购",
    "王氏贸易",
)


def prose_negatives(rng: random.Random, count: int) -> list[Sample]:
    return [build([rng.choice(NEGATIVES)], (), "prose_negative") for _ in range(count)]


def holdout_names(rng: random.Random, count: int) -> list[Sample]:
    """Written after the prose pass was tuned on `prose_names`, and measured
    once, untuned: docs/detection.md reports both."""
    def pn() -> Part:
        return ("PERSON_NAME", prose_name(rng))
    templates: list[Callable[[], list[Part]]] = [
        lambda: ["借款人表示", pn(), "是他表哥，愿意担保。"],
        lambda: ["短信通知", pn(), "：您的还款日为本月15日。"],
        lambda: ["回访记录：", pn(), "态度良好，已还清。"],
        lambda: ["第三方", pn(), "来电询问借款人下落，未透露信息。"],
        lambda: ["已向", pn(), "发送还款提醒。"],
        lambda: ["客户说他把卡借给了", pn(), "用"],
        lambda: ["借款人前妻", pn(), "接听，说早就离婚了。"],
        lambda: ["录音中", pn(), "承认借款事实。"],
        lambda: ["老板", pn(), "说他上个月就没来上班了"],
        lambda: ["你好，我是", pn(), "的朋友，他让我问一下还款金额"],
        lambda: ["房东", pn(), "称租客已经搬走"],
        lambda: ["审批人", pn(), "同意展期三个月。"],
        lambda: ["转告", pn(), "尽快回电，否则将上报征信。"],
        lambda: ["和", pn(), "约好周三见面，地点在公司楼下。"],
        lambda: ["法院已受理对", pn(), "的起诉。"],
    ]
    return [build(rng.choice(templates)(), (), "prose_holdout") for _ in range(count)]


HOLDOUT_NEGATIVES = (
    "客户说等发了年终奖一次性结清。",
    "高利贷的事情客户不愿意多谈。",
    "马路对面就是客户的公司，保安不让进。",
    "石头剪刀布的游戏链接是诈骗短信。",
    "黄金首饰已经抵押给典当行。",
    "常年在外打工，很少回家。",
    "方案已经发给客户，等待回复。",
    "金卡用户可以享受免息分期。",
    "万家乐的燃气热水器是客户的抵押物。",
    "江湖救急，客户说下周一定还。",
    "钱包被偷了，身份证也丢了。",
    "周转不开，希望能延期一个月。",
    "白条和花呗都逾期了。",
    "申请减免的材料已经齐全。",
    "连续三天联系不上，建议外访。",
    "汤药费和住院费花了不少钱。",
    "邓家村的房子已经拆迁。",
    "任性的消费导致负债累累。",
    "孟夏时节，客户的茶园收入还没到账。",
    "谢绝一切催收电话，客户情绪激动。",
)


def holdout_negatives(rng: random.Random, count: int) -> list[Sample]:
    return [build([rng.choice(HOLDOUT_NEGATIVES)], (), "prose_holdout_negative")
            for _ in range(count)]


# Words that start with 老 or 小 and a surname's character, and words that end
# in them, in notes that name no one (hard negatives of 老王/小李).
TITLE_NEGATIVES = (
    "小时候家里条件不好，客户说现在也没钱。",
    "小区物业说客户已经搬走了。",
    "老师说孩子的学费还没交。",
    "老公说会还的，请再等等。",
    "老赖名单已经上报，客户很着急。",
    "客户从小在农村长大，没有固定收入。",
    "养老保险已经断缴三个月了。",
    "小米手机被客户拿去抵押了。",
    "逾期金额小于五百元的不用外访。",
    "客户说自己是理财小白，被人骗了。",
    "老家的房子已经卖了还债。",
    "小额贷款公司的合同已经上传。",
    "老板说工资下个月才发。",
    "他的小车已经被法院查封。",
    "客户开了一家小商品店，生意不好。",
    "古老的街区正在拆迁，补偿款未到。",
)


def title_negatives(rng: random.Random, count: int) -> list[Sample]:
    return [build([rng.choice(TITLE_NEGATIVES)], (), "prose_negative") for _ in range(count)]


# Pinyin as names are romanised: the commonest surnames, given names of one or
# two syllables (written by hand, not from the recognizer's tables).
PINYIN_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
                   "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng",
                   "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng", "Zeng",
                   "Xiao", "Tian", "Dong", "Yuan", "Pan", "Cai", "Jiang", "Du", "Ye", "Cheng",
                   "Su", "Wei", "Ding", "Ren", "Shen", "Yao", "Lu", "Zhong", "Cui", "Ouyang")
PINYIN_GIVEN = ("Wei", "Fang", "Na", "Min", "Jing", "Qiang", "Lei", "Jun", "Yong", "Yan", "Jie",
                "Juan", "Tao", "Ming", "Chao", "Xiuying", "Xia", "Ping", "Gang", "Hua", "Jianguo",
                "Wenjie", "Haiyan", "Xiaoming", "Zihan", "Yuxuan", "Haoran", "Yichen", "Xinyi",
                "Jiahui", "Zhiqiang", "Lili", "Hong", "Bo", "Yu", "Hui", "Ying", "Kai", "Rui",
                "Shuang", "Xue", "Tingting", "Guoqing", "Dandan", "Shuai", "Lan", "Qing")
_PINYIN_SYLLABLE_SPLITS = {"Xiaoming": "Xiao-Ming", "Jianguo": "Jian-Guo", "Haiyan": "Hai-Yan",
                           "Zihan": "Zi-Han", "Yichen": "Yi-Chen"}


def pinyin_name(rng: random.Random) -> str:
    surname, given = rng.choice(PINYIN_SURNAMES), rng.choice(PINYIN_GIVEN)
    roll = rng.random()
    if roll < 0.15:
        return f"{surname.upper()} {given}"           # passport order, surname in capitals
    if roll < 0.3:
        return f"{given} {surname}"                   # English order
    if roll < 0.4 and given in _PINYIN_SYLLABLE_SPLITS:
        return f"{surname} {_PINYIN_SYLLABLE_SPLITS[given]}"
    return f"{surname} {given}"


def pinyin_notes(rng: random.Random, count: int) -> list[Sample]:
    """English notes, tickets and chats of lenders and their partners that
    name people in pinyin."""
    def pn() -> Part:
        return ("PERSON_NAME", pinyin_name(rng))
    templates: list[Callable[[], list[Part]]] = [
        lambda: ["Called ", pn(), " at 3pm, no answer."],
        lambda: ["Borrower ", pn(), " promised to repay by Friday."],
        lambda: ["Spoke with ", pn(), " (emergency contact); unaware of the loan."],
        lambda: ["Ticket: customer ", pn(), " disputes the late fee."],
        lambda: [pn(), " requested an extension of 30 days."],
        lambda: ["Agent: ", pn(), ". Reviewer: ", pn(), "."],
        lambda: ["Hi ", pn(), ", your repayment of CNY 2,000 is due tomorrow."],
        lambda: ["Transfer from ", pn(), ", memo: loan repayment"],
        lambda: ["Field visit: ", pn(), " not at home, neighbour says moved."],
        lambda: ["Guarantor ", pn(), " will pay on behalf of the borrower."],
    ]
    return [build(rng.choice(templates)(), (), "pinyin") for _ in range(count)]


PINYIN_NEGATIVES = (
    "Payment received at our Hong Kong branch.",
    "Account opened with Hang Seng Bank last year.",
    "Policy issued by Ping An Insurance, renewal due.",
    "Long Term Loan approved, amount CNY 50,000.",
    "Customer works for Sun Life as an agent.",
    "He Said he would pay next week.",
    "You Can repay online through the app.",
    "Transfer from Bank Of China, reference 20261201.",
    "Customer bought a Xiao Mi phone on instalments.",
    "Meeting at the Li Ning store on Nanjing Road.",
    "Tai Chi class fees were charged twice.",
    "Customer In Default Status, Case Closed.",
    "Please Contact Customer Service For Details.",
    "Man United shirt purchased with the credit line.",
    "Wire sent via Bank Of Communications, Shanghai Branch.",
)


def pinyin_negatives(rng: random.Random, count: int) -> list[Sample]:
    return [build([rng.choice(PINYIN_NEGATIVES)], (), "pinyin_negative") for _ in range(count)]
