"""Coarse attributes kept with a ballot for breakdowns: never more precise than these bands."""

from __future__ import annotations

# 14–17 is a band of its own: polls admit residents from 14 (min_age defaults to 14), and their
# answers are what a school or a youth centre asks about. Under 14 only a poll with a lower
# min_age admits anyone. Ballots recorded before the split keep «до 18» (a group label like any other).
AGE_BANDS = ((0, 13, "до 14"), (14, 17, "14–17"), (18, 24, "18–24"), (25, 34, "25–34"), (35, 44, "35–44"),
             (45, 54, "45–54"), (55, 64, "55–64"), (65, 200, "65+"))


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return "не указан"
    age = year - birth_year
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "не указан"
