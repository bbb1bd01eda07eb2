"""The news item that informs residents of a result reads as they write dates: дд.мм.гггг."""

from aj74.polls.informing import russian_date


def test_report_dates_read_as_day_month_year():
    assert russian_date("2026-12-01") == "01.12.2026"
    assert russian_date("2027-01-31") == "31.01.2027"
