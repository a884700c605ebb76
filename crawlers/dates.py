"""Dates as authorities write them in their lists and gazettes: "26 April 2021", "25 Julai 2023"
(Malay, the Federal Gazette's first language) and "February 3, 2022" (Pakistan's NTC).

Month names are looked up, not left to strptime, because strptime knows only the process's
locale and the Malay months (Mac, Mei, Julai, Ogos, Disember) are in none the service runs in.
"""

import re
from datetime import date

_ENGLISH = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december")
_MALAY = ("januari", "februari", "mac", "april", "mei", "jun", "julai", "ogos", "september",
          "oktober", "november", "disember")
MONTHS = ({name: number for number, name in enumerate(_ENGLISH, start=1)}
          | {name[:3]: number for number, name in enumerate(_ENGLISH, start=1)}
          | {"sept": 9}
          | {name: number for number, name in enumerate(_MALAY, start=1)})
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")


def written_date(text: str) -> date | None:
    """The first real date written out in `text` (day month year, or month day, year, in
    English or Malay), None if there is none ("31 February 2024" is none)."""
    found = [(match.start(), match.group(3), match.group(2), match.group(1))
             for match in DAY_MONTH_YEAR.finditer(text)]
    found += [(match.start(), match.group(3), match.group(1), match.group(2))
              for match in MONTH_DAY_YEAR.finditer(text)]
    for _, year, month, day in sorted(found):
        number = MONTHS.get(month.lower())
        if number is None:
            continue
        try:
            return date(int(year), number, int(day))
        except ValueError:
            continue
    return None
