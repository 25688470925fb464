"""Source and target strings for sequence to sequence: dates written many ways, and reversal.

**Dates.** A date written the way people write it in one of 13 languages of Latin script, in one of
several formats, is the source; the same date in ISO 8601 is the target::

    "samedi 14 mars 2026"         -> "2026-03-14"
    "14. März 2026"               -> "2026-03-14"
    "14/03/2026"                  -> "2026-03-14"

The written forms come from the CLDR data that ``babel`` ships (the full, long and medium formats of
each language) and from four numeric patterns, all with the year in four digits and the day before the
month, so that every source names exactly one date ("1/4/50" would be the 4th of January in New York
and the 1st of April in Madrid, and in which century?). Dates are drawn uniformly from 1900 to 2099.

**Reversal.** A string of ``length`` letters and the same string backwards: a task whose length can be
dialled, to measure what a fixed-size state can carry.

Taught in Chapter 8, "Sequence to sequence".
"""

from __future__ import annotations

import datetime

import numpy as np

from ._validation import generator, integer, positive_integer

DATE_LOCALES = (
    "en_GB",
    "en_US",
    "fr_FR",
    "de_DE",
    "es_ES",
    "it_IT",
    "pt_PT",
    "nl_NL",
    "sv_SE",
    "pl_PL",
    "cs_CZ",
    "fi_FI",
    "da_DK",
)
"""The 13 locales of the dates, all written in Latin script (the book's fonts have every letter)."""
CLDR_FORMATS = ("full", "long", "medium")
NUMERIC_PATTERNS = ("dd/MM/yyyy", "dd.MM.yyyy", "d.M.yyyy", "dd-MM-yyyy")  # day first, four-digit year
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)
REVERSAL_LETTERS = "abcdefgh"


def write_date(day: datetime.date, locale: str, pattern: str) -> str:
    """``day`` written in ``locale`` with a CLDR format name (``"long"``) or a numeric pattern (``"dd.MM.yyyy"``)."""
    from babel.dates import format_date  # babel is only needed to make the data

    if pattern not in CLDR_FORMATS + NUMERIC_PATTERNS:
        raise ValueError(f"Expected a pattern in {CLDR_FORMATS + NUMERIC_PATTERNS}. Received: pattern={pattern!r}.")
    if locale not in DATE_LOCALES:
        raise ValueError(f"Expected a locale in {DATE_LOCALES}. Received: locale={locale!r}.")
    if locale == "en_US" and pattern in NUMERIC_PATTERNS:  # the United States write the month first
        raise ValueError("Expected a CLDR format for en_US: its numeric dates put the month first.")
    return format_date(day, pattern, locale=locale)


def date_symbols() -> str:
    """Every character a written date can contain, sorted: those of every day of a leap year written in every
    language and format, and the ten digits (the years and days add no others)."""
    written = set("0123456789")
    for offset in range(366):
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=offset)
        for locale in DATE_LOCALES:
            for pattern in CLDR_FORMATS + (() if locale == "en_US" else NUMERIC_PATTERNS):
                written |= set(write_date(day, locale, pattern))
    return "".join(sorted(written))


def date_pairs(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """``n`` pairs (written date, ISO date), each a day drawn uniformly from 1900-01-01 to 2099-12-31, a language
    drawn from :data:`DATE_LOCALES` and a format from its three CLDR formats and, except for en_US, the four
    numeric patterns, all equally likely."""
    rng, n = generator("rng", rng), positive_integer("n", n)
    span = (LAST_DAY - FIRST_DAY).days + 1
    days = rng.integers(0, span, size=n)
    locales = rng.integers(0, len(DATE_LOCALES), size=n)
    choices = rng.random(n)
    pairs = []
    for offset, locale_index, choice in zip(days.tolist(), locales.tolist(), choices.tolist()):
        day = FIRST_DAY + datetime.timedelta(days=offset)
        locale = DATE_LOCALES[locale_index]
        patterns = CLDR_FORMATS if locale == "en_US" else CLDR_FORMATS + NUMERIC_PATTERNS
        pattern = patterns[int(choice * len(patterns))]
        pairs.append((write_date(day, locale, pattern), day.isoformat()))
    return pairs


def reversal_pairs(
    rng: np.random.Generator, n: int, min_length: int, max_length: int, letters: str = REVERSAL_LETTERS
) -> list[tuple[str, str]]:
    """``n`` pairs (string, the string reversed) of random ``letters``, lengths uniform in [min_length, max_length]."""
    rng, n = generator("rng", rng), positive_integer("n", n)
    min_length = positive_integer("min_length", min_length)
    max_length = integer("max_length", max_length, minimum=min_length)
    if not isinstance(letters, str) or len(set(letters)) < 2:
        raise ValueError(f"Expected at least two distinct letters. Received: letters={letters!r}.")
    lengths = rng.integers(min_length, max_length + 1, size=n)
    pairs = []
    for length in lengths.tolist():
        text = "".join(letters[i] for i in rng.integers(0, len(letters), size=length).tolist())
        pairs.append((text, text[::-1]))
    return pairs
