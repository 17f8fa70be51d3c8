"""Dates at the precision a source gives: 2014, 2022-12 or 2024-02-15, never padded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kg.errors import BadParameterError

__all__ = ["XSD_DATE", "XSD_GYEAR", "XSD_GYEARMONTH", "PartialDate", "parse_date"]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_GYEAR = XSD + "gYear"
XSD_GYEARMONTH = XSD + "gYearMonth"
XSD_DATE = XSD + "date"
ACCEPTED = "YYYY, YYYY-MM or YYYY-MM-DD"

_FORM = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date that knows its precision; it sorts by its first day ("2014" < "2014-06")."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def datatype(self) -> str:
        """The XSD datatype IRI that keeps this precision."""
        if self.day is not None:
            return XSD_DATE
        return XSD_GYEARMONTH if self.month is not None else XSD_GYEAR

    @property
    def precision(self) -> str:
        """year, month or day."""
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    def first_day(self) -> date:
        """The first day the date covers, for sorting and for axes."""
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        """The last day the date covers, for inclusive upper bounds."""
        if self.day is not None:
            return self.first_day()
        if self.month is None:
            return date(self.year, 12, 31)
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


def parse_date(text: str) -> PartialDate:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD, keeping the precision.

    >>> str(parse_date("2022-12"))
    '2022-12'
    >>> parse_date("2014").datatype.rsplit("#")[1]
    'gYear'

    Raises:
        BadParameterError: the text is in none of the accepted forms or names no real day.
    """
    match = _FORM.fullmatch(text.strip())
    if match is None:
        raise BadParameterError(f"{text!r} is not a date: use {ACCEPTED}")
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if month is not None and not 1 <= month <= 12:
        raise BadParameterError(
            f"{text!r} is not a date: use {ACCEPTED} (month {month} is out of range)"
        )
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError as error:
            raise BadParameterError(f"{text!r} is not a date: use {ACCEPTED} ({error})") from None
    return PartialDate(year, month, day)
