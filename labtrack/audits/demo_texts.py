"""Bilingual texts of the demo's findings and rectification (Chinese first, then English)."""

# area -> [(clause, Chinese, English)]
FINDINGS: dict[str, list[tuple[str, str, str]]] = {
    "qms_documentation": [
        (
            "8.2",
            "质量手册未按ISO/IEC 17025:2005换版，部分条款仍引用已作废的程序文件。",
            "The quality manual was not revised to ISO/IEC 17025:2005; some clauses still cite withdrawn procedures.",
        ),
        (
            "8.3",
            "现场使用的作业指导书有三份为未受控复印件，无版本号和批准人签字。",
            "Three work instructions in use at the bench were uncontrolled copies without version or approval.",
        ),
        (
            "8.3",
            "程序文件《检测方法确认程序》未规定非标方法的确认要求。",
            "The method-validation procedure does not cover validation of non-standard methods.",
        ),
        (
            "8.2",
            "体系文件中岗位职责与实际组织机构不一致，技术负责人职责未明确。",
            "Job descriptions in the system documents do not match the organisation; the technical manager's duties are undefined.",
        ),
    ],
    "qms_operation": [
        (
            "8.8",
            "2009年度内部审核未覆盖全部要素，审核发现的不符合项未跟踪验证。",
            "The 2009 internal audit did not cover every element, and its nonconformities were not followed up.",
        ),
        (
            "8.9",
            "管理评审输入缺少能力验证结果和客户投诉，评审输出无改进措施。",
            "The management review lacked proficiency-testing results and complaints as inputs, and had no actions as outputs.",
        ),
        (
            "7.10",
            "不符合工作的识别和处理无记录，无法追溯对已发报告的影响评估。",
            "Nonconforming work was not recorded; the assessment of its effect on issued reports cannot be traced.",
        ),
        (
            "8.7",
            "上次外部评审提出的纠正措施未开展原因分析，同类问题重复出现。",
            "Corrective actions from the last external assessment had no root-cause analysis; the same problems recurred.",
        ),
    ],
    "personnel_training": [
        (
            "6.2",
            "两名检测人员未经考核即独立出具检测数据，无上岗授权记录。",
            "Two analysts reported results independently without a competence assessment or a written authorisation.",
        ),
        (
            "6.2",
            "年度培训计划未实施，ISO/IEC 17025培训签到表与实际参训人员不符。",
            "The annual training plan was not carried out; the ISO/IEC 17025 course attendance sheet did not match who attended.",
        ),
        (
            "6.2",
            "新进人员理论考试成绩未归档，监督员监督记录缺失。",
            "Theory exam results of new staff were not filed, and supervisors' monitoring records were missing.",
        ),
    ],
    "quality_control": [
        (
            "7.7.1",
            "重金属检测未按计划开展质控样和平行样测定，质控图未绘制。",
            "Heavy-metal testing ran without the planned control samples and duplicates; no control chart was kept.",
        ),
        (
            "7.7.2",
            "近两年未参加纺织品检测领域的能力验证或实验室间比对。",
            "No proficiency test or interlaboratory comparison in textile testing in the last two years.",
        ),
        (
            "7.7.3",
            "盲样比对结果可疑后未分析原因，也未评估对同期报告的影响。",
            "A questionable blind-sample result was not investigated, nor its effect on reports of the period assessed.",
        ),
    ],
    "equipment_traceability": [
        (
            "6.4",
            "原子吸收分光光度计检定证书已过期两个月，仍在使用。",
            "The atomic absorption spectrometer was in use two months after its verification certificate expired.",
        ),
        (
            "6.5",
            "天平校准结果未进行确认，修正值未在检测中使用。",
            "Balance calibration results were not reviewed and the corrections were not applied.",
        ),
        (
            "6.4",
            "设备档案不全，期间核查计划未执行。",
            "Equipment files were incomplete and intermediate checks were not performed as planned.",
        ),
    ],
    "records": [
        (
            "7.5",
            "原始记录存在涂改且未签名，部分记录事后补录。",
            "Raw records had unsigned alterations, and some were written up after the event.",
        ),
        (
            "8.4",
            "检测原始记录保存期限未规定，2008年部分记录无法找到。",
            "No retention period is set for raw records; some 2008 records could not be found.",
        ),
    ],
    "reports_certificates": [
        (
            "7.8.2",
            "抽查的检测报告中有12份未注明检测方法标准的版本号。",
            "Twelve of the sampled reports did not state the edition of the test method standard.",
        ),
        (
            "7.8.6",
            "符合性判定未说明所用判定规则。",
            "Statements of conformity did not state the decision rule applied.",
        ),
        (
            "7.8.8",
            "报告更改未以新报告形式发出，原报告未收回。",
            "Amended reports were not issued as new reports, and the originals were not withdrawn.",
        ),
    ],
    "facilities_environment": [
        (
            "6.3",
            "微生物实验室温湿度未监控记录，洁净区与非洁净区未有效隔离。",
            "Temperature and humidity in the microbiology lab were not recorded; clean and other areas were not separated.",
        ),
        (
            "6.3",
            "样品室与试剂室混用，互相干扰。",
            "Samples and reagents shared one room, with a risk of cross-contamination.",
        ),
    ],
    "sampling_handling": [
        (
            "7.4",
            "样品标识不唯一，留样未按规定期限保存。",
            "Samples were not uniquely identified, and retained samples were not kept for the required period.",
        ),
        (
            "7.3",
            "抽样记录未记录抽样地点和环境条件。",
            "Sampling records did not state the place and environmental conditions of sampling.",
        ),
    ],
    "impartiality_conduct": [
        (
            "4.1",
            "暗访发现窗口人员向客户推荐指定的咨询机构。",
            "The undercover visit found counter staff recommending a particular consultancy to customers.",
        ),
        (
            "4.1",
            "检测人员在受检企业兼职，未进行公正性风险识别。",
            "An analyst held a part-time job at an inspected enterprise; no impartiality risk was identified.",
        ),
        (
            "7.1",
            "政务服务窗口未公示收费标准和办理时限。",
            "The service counter did not display fees and processing times.",
        ),
    ],
}

ROOT_CAUSES = [
    (
        "five_whys",
        "对新版标准理解不到位，文件换版工作无人牵头。",
        "The new edition was not understood, and nobody led the revision of the documents.",
    ),
    (
        "fishbone",
        "人员、方法、管理三方面原因：培训不足、程序未规定、监督缺位。",
        "Causes in people, method and management: too little training, no procedure, no supervision.",
    ),
    (
        "five_whys",
        "质量负责人兼任检测岗位，质量活动时间得不到保证。",
        "The quality manager also works at the bench and has no protected time for quality work.",
    ),
    (
        "fishbone",
        "设备管理员调岗后交接不清，期间核查计划无人执行。",
        "When the equipment officer changed jobs the handover was incomplete, and nobody ran the checks.",
    ),
]

CORRECTIONS = [
    (
        "立即停止使用相关文件/设备，对受影响的报告进行追溯复核。",
        "Stopped using the documents or equipment at once and re-checked the reports affected.",
    ),
    (
        "对涉及的样品重新检测，结果一致，已记录。",
        "Re-tested the samples concerned; the results agreed and were recorded.",
    ),
]

ELSEWHERE = [
    (
        "已在全中心各科室排查，食品室存在同类问题，一并整改。",
        "Checked every section of the centre: the food section had the same problem and is included.",
    ),
    ("排查其他科室，未发现同类问题。", "Checked the other sections: no similar problem found."),
]

ACTIONS = [
    (
        "修订质量手册和程序文件，组织全员宣贯并考核；质量负责人每月抽查执行情况。",
        "Revise the quality manual and procedures, train and examine all staff; the quality manager checks monthly.",
    ),
    (
        "制定设备检定/校准计划并纳入信息系统提醒，设专人负责期间核查。",
        "Put the verification and calibration plan into the information system with reminders; name an owner for checks.",
    ),
    (
        "建立人员上岗考核和授权制度，补充培训档案，每半年组织理论考试。",
        "Set up competence assessment and authorisation, complete the training files, hold theory exams twice a year.",
    ),
    (
        "制定年度质量控制计划，每季度参加比对或能力验证，绘制质控图。",
        "Adopt an annual quality-control plan, join a comparison or PT every quarter, keep control charts.",
    ),
]

OWNERS = [
    "王静（质量负责人）",
    "李强（技术负责人）",
    "张敏（设备管理员）",
    "刘洋（内审员）",
    "陈杰（室主任）",
]

EVIDENCE = [
    (
        "已完成文件修订并发布（附发布通知和培训签到表），抽查20份记录均符合要求。",
        "The documents were revised and issued (release notice and attendance sheet attached); 20 records checked, all compliant.",
    ),
    (
        "设备已重新检定并张贴状态标识，附检定证书和期间核查记录。",
        "The instrument was re-verified and labelled; certificate and intermediate-check records attached.",
    ),
    (
        "已开展培训和考核，附考试成绩和授权书。",
        "Training and assessment held; exam results and authorisations attached.",
    ),
]

REVIEWS = [
    (
        "现场检查验收：整改措施已落实，抽查近三个月记录未发现同类问题，整改有效。",
        "Checked and accepted on site: the actions are in place; records of the last three months show no recurrence. Effective.",
    ),
    (
        "复查质控数据和比对结果均满意，同意关闭。",
        "Control data and comparison results are satisfactory on re-check; closure agreed.",
    ),
]

REJECTIONS = [
    (
        "原因分析停留在表面，请用5个为什么分析到管理层面后重新提交。",
        "The cause analysis is superficial; please take the 5 whys down to management level and resubmit.",
    ),
    (
        "证据不充分：缺少培训考核记录，请补充。",
        "Evidence insufficient: the assessment records are missing; please add them.",
    ),
]


def both(pair: tuple[str, str]) -> str:
    """Chinese first, English on the next line."""
    return f"{pair[0]}\n{pair[1]}"
