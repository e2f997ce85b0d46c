"""The domain's validation messages in the console's language.

The domain (``api.writes``, ``api.directory.schemas``, pydantic; staff accounts,
invitations and API keys in ``api.directory``) explains a bad field in
English, for the API's problem documents. The console shows that explanation beside the
field, so here each known message is matched and given in the page's language from the
``staff`` catalog; what it names (a field, a number, a quoted value) is kept as it was.
A message no rule knows is shown as the domain wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from web.labels import N_

__all__ = ["RULES", "translated"]

RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"may not be null"), N_("may not be null")),
    (re.compile(r"contains a control character"), N_("contains a control character")),
    (re.compile(r"already used(?: by .*)?"), N_("already used by another record")),
    (
        re.compile(r"there is no (?P<kind>[a-z ]+) (?P<id>\d+)"),
        N_("there is no %(kind)s %(id)s"),
    ),
    (re.compile(r"its location is retired"), N_("its location is retired; restore it first")),
    (re.compile(r"say why, in 1 to 500 characters"), N_("say why, in 1 to 500 characters")),
    (
        re.compile(r"the geocoder found no such place.*"),
        N_("the geocoder found no such place; check the address or give latitude and longitude"),
    ),
    (
        re.compile(r"latitude and longitude move together.*"),
        N_("give both latitude and longitude, or neither"),
    ),
    (re.compile(r"expected a number such as 32\.7767"), N_("expected a number such as 32.7767")),
    (re.compile(r"expected a time such as 09:00"), N_("expected a time such as 09:00")),
    (re.compile(r"opens and closes at the same time"), N_("opens and closes at the same time")),
    (
        re.compile(r"the geocoder cannot be reached; try again later"),
        N_("the geocoder cannot be reached; try again later"),
    ),
    (re.compile(r"(?P<name>\w+) must be a finite number"), N_("%(name)s must be a finite number")),
    (
        re.compile(r"languages lists the same language twice"),
        N_("the same language is listed twice"),
    ),
    (
        re.compile(r"unknown language (?P<value>'.*'): expected .*"),
        N_("unknown language %(value)s: give a code such as es or a name such as Spanish"),
    ),
    (
        re.compile(r"String should have at most (?P<n>\d+) characters?"),
        N_("at most %(n)s characters"),
    ),
    (
        re.compile(r"String should have at least (?P<n>\d+) characters?"),
        N_("at least %(n)s characters"),
    ),
    (
        re.compile(r"Input should be greater than or equal to (?P<n>-?[\d.]+)"),
        N_("at least %(n)s"),
    ),
    (re.compile(r"Input should be less than or equal to (?P<n>-?[\d.]+)"), N_("at most %(n)s")),
    (re.compile(r"Input should be a valid (?:integer|number).*"), N_("expected a number")),
    (re.compile(r"Input should be '.*"), N_("not one of the choices")),
    (
        re.compile(r"(?P<rule>'.*'): (?P<part>'.*') is not a time span; .*"),
        N_("%(rule)s: %(part)s is not a time span; expected HH:MM-HH:MM or off"),
    ),
    (
        re.compile(r"(?P<rule>'.*'): (?P<part>'.*') is not a time; .*"),
        N_("%(rule)s: %(part)s is not a time; expected HH:MM"),
    ),
    (
        re.compile(r"(?P<rule>'.*'): (?P<part>'.*') opens and closes at the same time"),
        N_("%(rule)s: %(part)s opens and closes at the same time"),
    ),
    (
        re.compile(r"(?P<rule>'.*'): unknown day (?P<day>'.*'); .*"),
        N_("%(rule)s: unknown day %(day)s; expected Mo Tu We Th Fr Sa Su"),
    ),
    (
        re.compile(r"(?P<rule>'.*'): expected days then times.*"),
        N_("%(rule)s: expected days then times, such as Mo-Fr 09:00-17:00 or Su off"),
    ),
    # Staff accounts, invitations and API keys (api.directory.staff_*, api.directory.keys)
    (
        re.compile(r"(?P<value>'.*') is not an email address"),
        N_("%(value)s is not an email address"),
    ),
    (
        re.compile(r"the name must have 1 to 100 characters"),
        N_("the name must have 1 to 100 characters"),
    ),
    (
        re.compile(r"unknown role (?P<value>'.*'): expected one of (?P<known>.*)"),
        N_("unknown role %(value)s: choose one of %(known)s"),
    ),
    (
        re.compile(r"an account for (?P<email>\S+) already exists"),
        N_("an account for %(email)s already exists"),
    ),
    (
        re.compile(r"an account named (?P<name>'.*') already exists"),
        N_("an account named %(name)s already exists"),
    ),
    (
        re.compile(r"the last active admin keeps the admin role"),
        N_("the last active admin keeps the admin role"),
    ),
    (
        re.compile(r"the last active admin cannot be deactivated"),
        N_("the last active admin cannot be deactivated"),
    ),
    (
        re.compile(r"the password must have at least (?P<n>\d+) characters"),
        N_("the password must have at least %(n)s characters"),
    ),
    (
        re.compile(r"the password may have at most (?P<n>\d+) characters"),
        N_("the password may have at most %(n)s characters"),
    ),
    (
        re.compile(r"unknown scope (?P<value>'.*'): expected one of (?P<known>.*)"),
        N_("unknown scope %(value)s: choose one of %(known)s"),
    ),
    (re.compile(r"give at least one scope"), N_("Choose at least one scope.")),
    (
        re.compile(r"a key named (?P<name>'.*') already exists"),
        N_("a key named %(name)s already exists"),
    ),
]
"""Known English messages (matched whole) and the catalog's message for each."""


def translated(message: str, gettext: Callable[[str], str]) -> str:
    """``message`` in the language ``gettext`` speaks, if a rule knows it."""
    text = message.strip()
    for pattern, msgid in RULES:
        if found := pattern.fullmatch(text):
            return gettext(msgid) % found.groupdict()
    return message
