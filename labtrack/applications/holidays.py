"""The State Council's holiday notices for the years the demo (and a fresh installation) carries:
public holidays and make-up working days (调休上班), as `calendar.load_days` takes them.

2010: 国办发明电〔2009〕19号. 2026: the notice of November 2025. Other years are entered by an
administrator on the working calendar page when the notice is published (usually in November).
"""

from datetime import date, timedelta

from labtrack.applications.values import DayKind

# (first day, last day, name, English name) of each holiday; make-up days one by one.
_HOLIDAYS: dict[int, list[tuple[date, date, str, str]]] = {
    2010: [
        (date(2010, 1, 1), date(2010, 1, 3), "元旦", "New Year's Day"),
        (date(2010, 2, 13), date(2010, 2, 19), "春节", "Spring Festival"),
        (date(2010, 4, 3), date(2010, 4, 5), "清明节", "Qingming Festival"),
        (date(2010, 5, 1), date(2010, 5, 3), "劳动节", "Labour Day"),
        (date(2010, 6, 14), date(2010, 6, 16), "端午节", "Dragon Boat Festival"),
        (date(2010, 9, 22), date(2010, 9, 24), "中秋节", "Mid-Autumn Festival"),
        (date(2010, 10, 1), date(2010, 10, 7), "国庆节", "National Day"),
    ],
    2026: [
        (date(2026, 1, 1), date(2026, 1, 3), "元旦", "New Year's Day"),
        (date(2026, 2, 15), date(2026, 2, 23), "春节", "Spring Festival"),
        (date(2026, 4, 4), date(2026, 4, 6), "清明节", "Qingming Festival"),
        (date(2026, 5, 1), date(2026, 5, 5), "劳动节", "Labour Day"),
        (date(2026, 6, 19), date(2026, 6, 21), "端午节", "Dragon Boat Festival"),
        (date(2026, 9, 25), date(2026, 9, 27), "中秋节", "Mid-Autumn Festival"),
        (date(2026, 10, 1), date(2026, 10, 7), "国庆节", "National Day"),
    ],
}
_WORKDAYS: dict[int, list[tuple[date, str, str]]] = {
    2010: [
        (date(2010, 2, 20), "春节调休", "Spring Festival make-up day"),
        (date(2010, 2, 21), "春节调休", "Spring Festival make-up day"),
        (date(2010, 6, 12), "端午节调休", "Dragon Boat Festival make-up day"),
        (date(2010, 6, 13), "端午节调休", "Dragon Boat Festival make-up day"),
        (date(2010, 9, 19), "中秋节调休", "Mid-Autumn Festival make-up day"),
        (date(2010, 9, 25), "中秋节调休", "Mid-Autumn Festival make-up day"),
        (date(2010, 9, 26), "国庆节调休", "National Day make-up day"),
        (date(2010, 10, 9), "国庆节调休", "National Day make-up day"),
    ],
    2026: [
        (date(2026, 1, 4), "元旦调休", "New Year make-up day"),
        (date(2026, 2, 14), "春节调休", "Spring Festival make-up day"),
        (date(2026, 2, 28), "春节调休", "Spring Festival make-up day"),
        (date(2026, 5, 9), "劳动节调休", "Labour Day make-up day"),
        (date(2026, 9, 20), "国庆节调休", "National Day make-up day"),
        (date(2026, 10, 10), "国庆节调休", "National Day make-up day"),
    ],
}
NOTES = {
    2010: "国办发明电〔2009〕19号",
    2026: "国务院办公厅关于2026年部分节假日安排的通知",
}


def known_years() -> list[int]:
    """The years this module carries."""
    return sorted(_HOLIDAYS)


def rows(year: int) -> list[tuple[date, str, str, str]]:
    """(day, kind, name, English name) of every holiday and make-up working day of a known year."""
    out = []
    for first, last, name, name_en in _HOLIDAYS.get(year, []):
        for n in range((last - first).days + 1):
            out.append((first + timedelta(days=n), DayKind.HOLIDAY.value, name, name_en))
    out += [(day, DayKind.WORKDAY.value, name, name_en) for day, name, name_en in _WORKDAYS.get(year, [])]
    return sorted(out)
