"""Coarse attributes kept with a ballot for breakdowns: never more precise than these bands."""

from __future__ import annotations

AGE_BANDS = ((0, 17, "до 18"), (18, 24, "18–24"), (25, 34, "25–34"), (35, 44, "35–44"), (45, 54, "45–54"),
             (55, 64, "55–64"), (65, 200, "65+"))


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return "не указан"
    age = year - birth_year
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "не указан"
