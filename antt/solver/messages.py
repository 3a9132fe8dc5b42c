"""Every sentence the solver shows a person, in Vietnamese and English.

The Django side has gettext; this package does not, so the solver keeps its own small table:
reason codes (uncovered demand, infeasibility, format errors) mapped to templates with named
parameters. ``render(code, params, lang)`` fills a template; every code has both languages (a test
checks it).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LANGUAGES", "MESSAGES", "render"]

LANGUAGES = ("vi", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # Why a demand slot stays uncovered.
    "no_skill": {
        "en": "No officer holds the skill {skill} valid on {when}.",
        "vi": "Không có cán bộ nào có kỹ năng {skill} còn hiệu lực vào {when}.",
    },
    "no_clearance": {
        "en": "Officers with the skill {skill} exist, but none has clearance level {clearance} or higher.",
        "vi": "Có cán bộ có kỹ năng {skill} nhưng không ai có cấp độ tiếp cận từ {clearance} trở lên.",
    },
    "all_unavailable": {
        "en": "All {count} qualified officers are unavailable or on a day off at {when}.",
        "vi": "Tất cả {count} cán bộ đủ điều kiện đều vắng mặt hoặc nghỉ vào {when}.",
    },
    "all_busy": {
        "en": "All {count} qualified officers are busy elsewhere at that time: {duties}.",
        "vi": "Tất cả {count} cán bộ đủ điều kiện đều đang làm nhiệm vụ khác vào thời điểm đó: {duties}.",
    },
    "rules_blocked": {
        "en": "Each of the {count} qualified, free officers would break a rule: {rules}.",
        "vi": "Mỗi người trong {count} cán bộ đủ điều kiện và đang rảnh đều sẽ vi phạm quy định: {rules}.",
    },
    "not_chosen": {
        "en": "{count} officers could still take this duty; the solver stopped first or preferred "
        "higher-priority demand.",
        "vi": "Vẫn còn {count} cán bộ có thể nhận nhiệm vụ này; bộ giải đã dừng trước hoặc ưu tiên "
        "nhu cầu quan trọng hơn.",
    },
    # Names of the hard rules, used inside other sentences.
    "rule_rest": {"en": "minimum rest between duties", "vi": "thời gian nghỉ tối thiểu giữa hai ca"},
    "rule_overlap": {"en": "one place at a time", "vi": "mỗi lúc chỉ ở một nơi"},
    "rule_travel": {"en": "travel time between sites", "vi": "thời gian di chuyển giữa các địa điểm"},
    "rule_succession": {"en": "forbidden shift succession", "vi": "thứ tự ca bị cấm"},
    "rule_max_24h": {"en": "maximum minutes in 24 hours", "vi": "số phút tối đa trong 24 giờ"},
    "rule_max_total": {"en": "maximum total minutes", "vi": "tổng số phút tối đa"},
    "rule_min_total": {"en": "minimum total minutes", "vi": "tổng số phút tối thiểu"},
    "rule_max_consecutive": {"en": "maximum consecutive duty days", "vi": "số ngày làm liên tiếp tối đa"},
    "rule_min_days_off": {"en": "minimum consecutive days off", "vi": "số ngày nghỉ liên tiếp tối thiểu"},
    "rule_day_off": {"en": "required day off", "vi": "ngày nghỉ bắt buộc"},
    "rule_unavailable": {"en": "officer unavailable", "vi": "cán bộ vắng mặt"},
    "rule_skill": {"en": "skill missing or expired", "vi": "thiếu kỹ năng hoặc kỹ năng hết hạn"},
    "rule_clearance": {"en": "clearance too low", "vi": "cấp độ tiếp cận không đủ"},
    # Infeasible inputs.
    "pin_conflict": {
        "en": "Locked assignment {assignment} breaks the rule “{rule}” together with {other}.",
        "vi": "Phân công đã khóa {assignment} vi phạm quy định “{rule}” cùng với {other}.",
    },
    "pin_invalid": {
        "en": "Locked assignment {assignment} breaks the rule “{rule}”.",
        "vi": "Phân công đã khóa {assignment} vi phạm quy định “{rule}”.",
    },
    "pin_unknown": {
        "en": "Locked assignment {assignment} does not match any officer or duty.",
        "vi": "Phân công đã khóa {assignment} không khớp với cán bộ hoặc ca trực nào.",
    },
    "hard_rules_conflict": {
        "en": "The hard rules cannot all be met (for example minimum total minutes): {detail}.",
        "vi": "Không thể đáp ứng đồng thời mọi quy định bắt buộc (ví dụ tổng số phút tối thiểu): {detail}.",
    },
    "nothing_to_roster": {
        "en": "Nothing to roster: there is no demand or no officer.",
        "vi": "Không có gì để phân công: không có nhu cầu hoặc không có cán bộ.",
    },
    # Reading benchmark files.
    "format_error": {
        "en": "{file}, line {line}: expected {expected}; found “{found}”.",
        "vi": "{file}, dòng {line}: cần {expected_vi}; nhận được “{found}”.",
    },
    "format_missing_section": {
        "en": "{file}: section {section} is missing.",
        "vi": "{file}: thiếu mục {section}.",
    },
    "file_unreadable": {
        "en": "{file}: cannot be read ({detail}).",
        "vi": "{file}: không đọc được tệp ({detail}).",
    },
}


def render(code: str, params: Mapping[str, object], lang: str = "en") -> str:
    """The sentence for ``code`` in ``lang`` ("vi" or "en") with ``params`` filled in."""
    templates = MESSAGES[code]
    template = templates.get(lang, templates["en"])
    return template.format(**{key: _value(value, lang) for key, value in params.items()})


def _value(value: object, lang: str) -> object:
    """Lists are joined with commas; reason codes inside them (``rule_rest``) are translated."""
    if isinstance(value, str) and value in MESSAGES:
        return MESSAGES[value].get(lang, MESSAGES[value]["en"])
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_value(item, lang)) for item in value)
    return value
