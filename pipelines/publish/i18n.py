"""The site's words in Chinese and English; department and standard names come from their YAML."""

from __future__ import annotations

from pipelines.standards.spec import Dimension

LANGUAGES = ("zh", "en")

DIMENSIONS = {d.value: d.names for d in Dimension}

WORDS = {
    "site_title": {"zh": "政务数据质量评分", "en": "Government data quality scorecards"},
    "league_table": {"zh": "部门排名", "en": "League table"},
    "league_note": {
        "zh": "每个季度和月份列出全部部门，最新一期在前。规则不合格率不超过阈值即为达标，维度得分为达标规则的加权占比；"
        "综合得分达到合格线且无单项否决项为合格。",
        "en": "Every department in every quarter and month, newest first. A rule is met when its failure rate is at "
        "or under its threshold; a dimension scores the weighted share of its rules met. A department passes at "
        "or above the pass mark with no single-veto item.",
    },
    "department": {"zh": "部门", "en": "Department"},
    "period": {"zh": "数据期", "en": "Period"},
    "overall": {"zh": "综合得分", "en": "Overall score"},
    "result": {"zh": "结论", "en": "Result"},
    "pass": {"zh": "合格", "en": "Pass"},
    "fail": {"zh": "不合格", "en": "Fail"},
    "rank": {"zh": "排名", "en": "Rank"},
    "change": {"zh": "较上期", "en": "Change"},
    "rules_failed": {"zh": "未达标规则", "en": "Rules failed"},
    "repeat_failures": {"zh": "连续未达标", "en": "Repeat failures"},
    "rules_met": {"zh": "达标规则", "en": "Rules met"},
    "vetoes": {"zh": "单项否决", "en": "Single-veto items"},
    "deliveries": {"zh": "交付（迟交）", "en": "Deliveries (late)"},
    "pass_mark": {"zh": "合格线", "en": "Pass mark"},
    "dimensions": {"zh": "各维度得分", "en": "Dimension scores"},
    "trend": {"zh": "得分趋势", "en": "Trend"},
    "periods": {"zh": "历期评分", "en": "Scorecards by period"},
    "problems": {"zh": "问题数（按维度）", "en": "Problems by dimension"},
    "rules": {"zh": "规则检查结果", "en": "Rules checked"},
    "rules_note": {
        "zh": "本部门已校验的全部数据批次。",
        "en": "Every batch of this department validated so far.",
    },
    "resource": {"zh": "资源", "en": "Resource"},
    "column": {"zh": "字段", "en": "Column"},
    "rule": {"zh": "规则", "en": "Rule"},
    "standard": {"zh": "标准", "en": "Standard"},
    "dimension": {"zh": "维度", "en": "Dimension"},
    "checked": {"zh": "检查数", "en": "Checked"},
    "failing": {"zh": "不合格数", "en": "Failing"},
    "failing_rate": {"zh": "不合格率", "en": "Failing rate"},
    "waived": {"zh": "豁免", "en": "Waived"},
    "failing_keys": {"zh": "当前不合格记录数", "en": "Records failing now"},
    "where_records": {
        "zh": "不合格记录编号与脱敏样例仅在本部门的数据仓库中提供（quality.failing_keys、quality.rule_samples），不对外公开。",
        "en": "Their record keys and masked samples are in the department's own warehouse "
        "(quality.failing_keys, quality.rule_samples), never on this public site.",
    },
    "spot_check": {"zh": "抽查结果", "en": "Spot check"},
    "spot_check_note": {
        "zh": "随机抽取记录校验，给出合格率及其置信区间。",
        "en": "A random sample of records, with each pass rate's confidence interval.",
    },
    "sampled": {"zh": "抽样记录", "en": "Records sampled"},
    "pass_rate": {"zh": "合格率", "en": "Pass rate"},
    "interval": {"zh": "置信区间", "en": "Confidence interval"},
    "dormant": {"zh": "长期未更新的资源", "en": "Dormant resources"},
    "last_delivered": {"zh": "最近交付", "en": "Last delivered"},
    "never": {"zh": "从未交付", "en": "never"},
    "standards": {"zh": "标准索引", "en": "Standards index"},
    "elements": {"zh": "数据元", "en": "Data elements"},
    "cross_field": {"zh": "跨字段规则", "en": "Cross-field rules"},
    "checks": {"zh": "检查项", "en": "Checks"},
    "severity": {"zh": "级别", "en": "Severity"},
    "data": {"zh": "数据（JSON）", "en": "Data (JSON)"},
    "other_language": {"zh": "English", "en": "中文"},
    "home": {"zh": "首页", "en": "Home"},
    "generated": {"zh": "生成于", "en": "Generated"},
    "none": {"zh": "无", "en": "none"},
    "weight": {"zh": "权重", "en": "Weight"},
    "disputes": {"zh": "转交本部门核实的数据争议", "en": "Disputes routed to this department"},
    "disputes_note": {
        "zh": "其他部门提供的数据与本部门（权威来源）不一致时，转交本部门核实：待核实、确认对方正确、维持本部门数据、已更正。"
        "确认后，下一次构建的主数据采用对方的值，且不再计入对方的一致性扣分。记录明细仅在本部门的数据仓库中提供（quality.disputes）。",
        "en": "Where another department's value disagrees with this department's, the authority's, the dispute is "
        "routed here: open, confirmed (the other department is right), rejected (ours stands) or corrected. A "
        "confirmed value becomes the golden one at the next build and no longer counts against the department "
        "that gave it. The records are in the department's own warehouse (quality.disputes), never on this site.",
    },
    "disputed_by": {"zh": "提出部门", "en": "Disputed by"},
    "attribute": {"zh": "属性", "en": "Attribute"},
    "status_open": {"zh": "待核实", "en": "Open"},
    "status_confirmed": {"zh": "已确认", "en": "Confirmed"},
    "status_rejected": {"zh": "已驳回", "en": "Rejected"},
    "status_corrected": {"zh": "已更正", "en": "Corrected"},
    "oldest_open": {"zh": "最久待核实（天）", "en": "Oldest open (days)"},
    "disputes_open": {"zh": "待核实争议", "en": "Open disputes"},
    "rectification": {"zh": "问题整改", "en": "Rectification"},
    "rectification_note": {
        "zh": "本部门被记录级检查标记的每条记录，在其后的报送中跟踪：同一记录再次报送并通过该检查即为已整改，"
        "被撤销即为已注销，否则仍待整改。多次报送仍不合格的为重复问题。记录编号仅在本部门的数据仓库中提供"
        "（quality.rectification）。",
        "en": "Every record of this department a record-level check flagged, followed across its later "
        "deliveries: rectified when the same record is delivered again and passes the check, gone when it is "
        "withdrawn, open otherwise; failed by more than one delivery, a repeat. The records are in the "
        "department's own warehouse (quality.rectification), never on this site.",
    },
    "problems_flagged": {"zh": "问题数", "en": "Problems"},
    "problems_rectified": {"zh": "已整改", "en": "Rectified"},
    "problems_gone": {"zh": "已注销", "en": "Gone"},
    "problems_open": {"zh": "待整改", "en": "Open"},
    "problems_repeat": {"zh": "重复问题", "en": "Repeats"},
    "oldest_open_problem": {"zh": "最久待整改（天）", "en": "Oldest open (days)"},
    "problems_open_period": {"zh": "待整改问题（最久天数）", "en": "Open problems (oldest)"},
    "held": {"zh": "暂扣的报送", "en": "Deliveries held back"},
    "held_note": {
        "zh": "某项计分检查的不合格比例超过资源的上限（有99%把握）的报送，视为报送错误（如列错位），由质量闸门暂扣，"
        "不进入主题库，主题库保持上一次的正确状态；其检查结果照常计分。部门重新报送并通过检查后该报送被替换，"
        "或经管理员说明理由放行（记入审计日志）。",
        "en": "A delivery in which a scored check fails on more of its rows than the resource's ceiling (with 99% "
        "confidence) is broken (a shifted column, say): the quality gate holds it back from the subject "
        "databases, which keep their last good state; its results are scored as usual. The hold ends when the "
        "department re-delivers and the delivery passes (replaced), or when an administrator releases it with "
        "a reason (audited).",
    },
    "delivery": {"zh": "报送", "en": "Delivery"},
    "held_on": {"zh": "暂扣时间", "en": "Held on"},
    "checks_tripped": {"zh": "超限检查", "en": "Checks over the ceiling"},
    "hold_status": {"zh": "状态", "en": "Status"},
    "hold_held": {"zh": "暂扣中", "en": "Held"},
    "hold_released": {"zh": "已放行", "en": "Released"},
    "hold_replaced": {"zh": "已重新报送", "en": "Replaced by a re-delivery"},
    "divisions": {"zh": "按行政区划", "en": "By division"},
    "divisions_note": {
        "zh": "各区县分支报送的记录及其中未通过计分检查的记录，逐级汇总到市、省：上级为下级之和。记录的区划取自记录本身的"
        "区划代码，或其当事方在主题库中的户籍地、登记地（见资源目录的 division）；无有效区县代码的记录计入“未知”。",
        "en": "Records delivered by each district branch and those a scored check failed, rolled up to the city "
        "and the province: each level is the sum of the one below. A record's division is its own division "
        "code, or its party's registered division in the subject database (the catalogue's division entry); a "
        "record with no valid district code counts as unknown.",
    },
    "division": {"zh": "区划", "en": "Division"},
    "division_level": {"zh": "层级", "en": "Level"},
    "level_province": {"zh": "省", "en": "Province"},
    "level_prefecture": {"zh": "市", "en": "City"},
    "level_county": {"zh": "区县", "en": "District"},
    "division_unknown": {"zh": "未知", "en": "Unknown"},
    "records_judged": {"zh": "记录数", "en": "Records"},
    "records_failing": {"zh": "未通过", "en": "Failing"},
}


def words(lang: str) -> dict[str, str]:
    return {key: text[lang] for key, text in WORDS.items()}


def dimension_names(lang: str) -> dict[str, str]:
    return {key: text[lang] for key, text in DIMENSIONS.items()}
