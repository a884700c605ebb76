"""The subscription form: its choices, what a reader filled in, and what is wrong with it.

The same form signs a new subscriber up (/subscribe) and changes a subscription (/manage). It
works without JavaScript: HS codes are one text field checked here (web.hs.parse_codes, the rule
engine's reading of codes), and every choice is checked against the configured vocabularies,
since a form can be posted by anything, not only by our page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from alerts.subscribers import ALL_SECTORS, MEASURES
from config.sectors import Sector
from rules import vocabulary
from storage.models import Subscriber
from storage.subscribers import SubscriberRecord
from web.form_input import has_control_characters, plain_address
from web.hs import parse_codes

KINDS = ("exporter", "association", "ministry")
LANGUAGES = ("vi", "en")
FREQUENCIES = ("immediate", "daily", "weekly")
MAX_TEXT = 200  # the name and organisation columns
MAX_CODES = 50
MAX_KEYWORDS = 20
MAX_KEYWORD_LENGTH = 100
_KEYWORD_SPLIT = re.compile(r"[;,\n]+")

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Choices:
    """What may be picked: sectors from config/sectors.yaml, the markets the rule engine knows."""

    sectors: tuple[Sector, ...]
    markets: tuple[str, ...]
    measures: tuple[str, ...] = tuple(sorted(MEASURES))

    @property
    def sector_ids(self) -> set[str]:
        return {sector.id for sector in self.sectors}


def choices_for(sectors: Sequence[Sector]) -> Choices:
    return Choices(tuple(sectors), tuple(sorted(vocabulary.markets().markets)))


@dataclass(frozen=True)
class SubscriptionForm:
    """The fields as typed or ticked (strings, unchecked), so a refused form comes back as the
    reader left it."""

    email: str = ""
    name: str = ""
    organisation: str = ""
    kind: str = "exporter"
    language: str = "vi"
    sectors: tuple[str, ...] = ()
    hs_codes: str = ""
    keywords: str = ""
    markets: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    frequency: str = "immediate"
    risk_warnings: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Any) -> SubscriptionForm:
        """From posted form data (a Starlette FormData: getlist for the ticked boxes)."""
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip() if isinstance(value, str) else ""

        def ticked(name: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v for v in form.getlist(name) if isinstance(v, str)))

        return cls(email=text("email"), name=text("name"), organisation=text("organisation"),
                   kind=text("kind"), language=text("language"), sectors=ticked("sectors"),
                   hs_codes=text("hs_codes"), keywords=text("keywords"),
                   markets=ticked("markets"), measures=ticked("measures"),
                   frequency=text("frequency"), risk_warnings=text("risk_warnings") == "yes")

    @classmethod
    def from_subscriber(cls, subscriber: Subscriber) -> SubscriptionForm:
        sub = subscriber.subscriptions[0] if subscriber.subscriptions else None
        if sub is None:
            return cls(email=subscriber.email, language=subscriber.language)
        return cls(
            email=subscriber.email, name=subscriber.name or "",
            organisation=subscriber.organisation or "", kind=subscriber.kind,
            language=subscriber.language,
            sectors=((ALL_SECTORS,) if sub.all_sectors else ()) + tuple(sub.sectors),
            hs_codes=", ".join(sub.hs_codes), keywords="; ".join(sub.keywords),
            markets=tuple(sub.markets), measures=tuple(sub.measures), frequency=sub.frequency,
            risk_warnings=sub.risk_warnings)

    def checked(self, choices: Choices, _: Gettext) -> SubscriptionForm:
        """The form with its errors (field -> message in the reader's language) filled in."""
        errors: dict[str, str] = {}
        if plain_address(self.email) is None:
            errors["email"] = _("Enter one valid e-mail address only, for example "
                                "lan@example.vn, without a name or brackets.")
        for name, value in (("name", self.name), ("organisation", self.organisation)):
            if len(value) > MAX_TEXT:
                errors[name] = _("This is too long (at most 200 characters).")
        for name, value, allowed in (("kind", self.kind, KINDS),
                                     ("language", self.language, LANGUAGES),
                                     ("frequency", self.frequency, FREQUENCIES)):
            if value not in allowed:
                errors[name] = _("Choose one of the options.")
        if not set(self.sectors) <= choices.sector_ids | {ALL_SECTORS}:
            errors["sectors"] = _("Choose sectors from the list.")
        if not set(self.markets) <= set(choices.markets):
            errors["markets"] = _("Choose markets from the list.")
        if not set(self.measures) <= set(choices.measures):
            errors["measures"] = _("Choose measures from the list.")
        codes, bad = parse_codes(self.hs_codes)
        if bad:
            errors["hs_codes"] = _(
                "Not an HS code: %(codes)s. Write 2 to 10 digits (an even number), for example "
                "0306.17 or 94035000, and separate codes with commas.") % {"codes": ", ".join(bad)}
        elif len(codes) > MAX_CODES:
            errors["hs_codes"] = _("At most 50 HS codes.")
        keywords = self.keyword_list
        if len(keywords) > MAX_KEYWORDS or any(len(k) > MAX_KEYWORD_LENGTH for k in keywords):
            errors["keywords"] = _("At most 20 keywords of up to 100 characters each.")
        if not (self.sectors or codes or keywords) and not errors.keys() & {"sectors", "hs_codes"}:
            errors["products"] = _("Choose at least one sector, HS code or keyword.")
        for name in ("name", "organisation", "hs_codes", "keywords"):
            if has_control_characters(getattr(self, name)):
                errors[name] = _("This contains an invisible control character that cannot be "
                                 "stored. Type it again.")
        return replace(self, errors=errors)

    @property
    def keyword_list(self) -> list[str]:
        return list(dict.fromkeys(k.strip() for k in _KEYWORD_SPLIT.split(self.keywords)
                                  if k.strip()))

    def record(self, keep: Subscriber | None = None) -> SubscriberRecord:
        """The storage record of a form without errors. What the form does not show (lowest
        severity, a line for an empty digest) is kept from `keep`'s subscription."""
        assert not self.errors, "record() of a form with errors"
        sub = keep.subscriptions[0] if keep is not None and keep.subscriptions else None
        return SubscriberRecord(
            email=plain_address(self.email) or "", name=self.name or None,
            organisation=self.organisation or None, kind=self.kind, language=self.language,
            sectors=tuple(s for s in self.sectors if s != ALL_SECTORS),
            all_sectors=ALL_SECTORS in self.sectors, frequency=self.frequency,
            hs_codes=tuple(parse_codes(self.hs_codes)[0]), keywords=tuple(self.keyword_list),
            markets=self.markets, measures=self.measures,
            min_severity=sub.min_severity if sub else "low",
            digest_when_empty=sub.digest_when_empty if sub else False,
            risk_warnings=self.risk_warnings,
        )
