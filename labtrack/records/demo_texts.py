"""Titles and questions of the records demo, in Chinese and English."""

# The bureau's management rules written in 2010 (the six expert groups' work).
BUREAU_RULES = [
    ("检验检测机构评价规则", "Rules for evaluating inspection institutions"),
    ("实验室质量监督管理办法", "Measures for supervising laboratory quality"),
    ("检测工作整顿实施方案", "Plan for the testing-work rectification"),
    ("飞行检查工作规范", "Working rules for flight checks"),
    ("暗查暗访工作规程", "Procedure for undercover visits"),
    ("盲样比对和量值比对管理办法", "Measures for blind-sample and measurement comparisons"),
    ("整改检查验收规程", "Procedure for checking and accepting rectification"),
    ("投诉处理工作规范", "Working rules for handling complaints"),
    ("精品实验室建设标准", "Standard for model laboratories"),
    ("检测人员培训考核办法", "Measures for training and examining testing staff"),
    ("检测报告抽查规程", "Procedure for sampling test reports"),
]
# Procedures and forms each model laboratory wrote in 2010.
LAB_PROCEDURES = [
    ("文件控制程序", "Procedure for document control"),
    ("内部审核程序", "Procedure for internal audits"),
    ("纠正措施控制程序", "Procedure for corrective action"),
    ("投诉处理程序", "Procedure for handling complaints"),
]
LAB_FORMS = [
    ("不符合工作记录表", "Record of nonconforming work"),
    ("客户满意度调查表", "Customer satisfaction form"),
]
# Work instructions revised in 2010, five kinds (subjects).
WORK_INSTRUCTIONS = {
    "test_method": [("{}检测作业指导书", "Work instruction: testing {}")],
    "sampling": [("{}抽样作业指导书", "Work instruction: sampling {}")],
    "equipment": [("{}操作规程", "Operating instruction: {}")],
    "calibration": [("{}期间核查规程", "Intermediate checks of {}")],
    "sample_handling": [("{}样品流转作业指导书", "Work instruction: handling samples of {}")],
}
WI_TOPICS = [
    ("陶瓷餐具铅镉溶出量", "lead and cadmium release from ceramic tableware"),
    ("纺织品甲醛", "formaldehyde in textiles"),
    ("玩具小零件", "small parts of toys"),
    ("电器安全", "electrical safety"),
    ("食品中农药残留", "pesticide residues in food"),
    ("气相色谱仪", "the gas chromatograph"),
    ("原子吸收光谱仪", "the atomic absorption spectrometer"),
    ("天平", "balances"),
]
OLD_DOCUMENTS = [
    ("原始记录管理规定（2006版）", "Rules for raw records (2006 edition)"),
    ("样品管理规定（2006版）", "Rules for samples (2006 edition)"),
    ("报告签发规定（2006版）", "Rules for issuing reports (2006 edition)"),
    ("仪器设备管理规定（2006版）", "Rules for equipment (2006 edition)"),
]

INSIDE = {
    "code": "SQ-2010-IN",
    "title": ("检测工作整顿问卷（系统内）", "Testing-work rectification questionnaire (inside the system)"),
    "questions": [
        (
            "Q1",
            "scale",
            "检测工作整顿对提高检测质量的作用",
            "How much has the rectification improved testing quality?",
            ("很小", "very little"),
            ("很大", "very much"),
            [2, 4, 14, 42, 38],
        ),
        (
            "Q2",
            "scale",
            "质量管理体系文件的适用性",
            "How well do the quality-system documents fit the work?",
            ("很差", "poorly"),
            ("很好", "very well"),
            [3, 7, 22, 43, 25],
        ),
        (
            "Q3",
            "scale",
            "培训和考核的效果",
            "How useful were the training and exams?",
            ("无用", "useless"),
            ("很有用", "very useful"),
            [1, 3, 15, 45, 36],
        ),
        (
            "Q4",
            "choice",
            "最需要加强的方面",
            "What most needs strengthening?",
            None,
            None,
            [
                ("a", "人员能力", "Staff competence", 31),
                ("b", "仪器设备", "Equipment", 22),
                ("c", "质量控制", "Quality control", 27),
                ("d", "体系文件", "System documents", 14),
                ("e", "其他", "Other", 6),
            ],
        ),
        (
            "Q5",
            "choice",
            "是否参加过能力验证或比对",
            "Have you taken part in proficiency testing or comparisons?",
            None,
            None,
            [("y", "是", "Yes", 64), ("n", "否", "No", 36)],
        ),
    ],
}
OUTSIDE = {
    "code": "SQ-2010-OUT",
    "title": ("检测服务满意度问卷（系统外）", "Satisfaction with testing services (outside the system)"),
    "questions": [
        (
            "Q1",
            "scale",
            "对检测服务的总体满意度",
            "Overall satisfaction with the testing service",
            ("很不满意", "very dissatisfied"),
            ("很满意", "very satisfied"),
            [2, 5, 18, 46, 29],
        ),
        (
            "Q2",
            "scale",
            "检测报告的及时性",
            "Timeliness of test reports",
            ("很慢", "very slow"),
            ("很及时", "very timely"),
            [4, 9, 24, 40, 23],
        ),
        (
            "Q3",
            "scale",
            "检测人员的工作作风",
            "Conduct of the testing staff",
            ("很差", "very poor"),
            ("很好", "very good"),
            [1, 4, 16, 44, 35],
        ),
        (
            "Q4",
            "choice",
            "是否知道24小时投诉热线",
            "Do you know the 24-hour complaint hotline?",
            None,
            None,
            [("y", "知道", "Yes", 58), ("n", "不知道", "No", 42)],
        ),
        (
            "Q5",
            "choice",
            "总体评价",
            "Overall, the service is",
            None,
            None,
            [
                ("a", "满意", "Satisfying", 71),
                ("b", "基本满意", "Mostly satisfying", 24),
                ("c", "不满意", "Unsatisfying", 5),
            ],
        ),
    ],
}

COMPLAINT_SUBJECTS = [
    (
        "检测报告结论与复检结果不一致",
        "The report's conclusion differs from a re-test",
        "委托方称同一批样品送其他机构复检，结论不同，怀疑检测过程有误。",
    ),
    (
        "检测周期超过承诺时限",
        "Testing took longer than promised",
        "委托方反映报告比合同约定晚两周出具，影响产品出口。",
    ),
    ("收费标准不透明", "The fees were not clear", "委托方称收费项目未事先告知，要求说明收费依据。"),
    (
        "抽样人员未出示证件",
        "The samplers showed no identification",
        "企业反映抽样人员到场时未出示执法证件和抽样通知书。",
    ),
    (
        "样品保存不当导致无法复检",
        "Samples were kept badly and could not be re-tested",
        "委托方申请复检时被告知留样已变质。",
    ),
    ("检测人员服务态度差", "Rude testing staff", "来访人员反映窗口人员态度生硬，不解释检测流程。"),
    ("报告信息填写错误", "Wrong details on the report", "报告中的产品批号与送检样品不符。"),
    ("检测方法标准已作废", "A withdrawn standard method was used", "报告引用的检测方法标准已于去年作废。"),
]
INVESTIGATIONS = {
    "substantiated": (
        "经现场核查，情况属实；实验室已当场纠正并重新出具报告。",
        "Checked on site: the complaint is founded; the laboratory corrected it and reissued the report.",
    ),
    "partly_substantiated": (
        "经核查，部分情况属实；已要求实验室说明并改进。",
        "Checked: partly founded; the laboratory was told to explain and improve.",
    ),
    "unsubstantiated": (
        "经调阅原始记录和复核，检测过程符合标准要求，投诉不成立。",
        "Raw records and a re-check show the testing met the standard: the complaint is not founded.",
    ),
    "outside_remit": (
        "该事项属于合同纠纷，不属于本局职责范围，已告知投诉人向有关部门反映。",
        "A contract dispute outside the bureau's remit; the complainant was told where to turn.",
    ),
}
FEEDBACK = (
    "已电话告知投诉人调查结果和处理意见，投诉人表示认可。",
    "The complainant was told the outcome by telephone and accepted it.",
)
