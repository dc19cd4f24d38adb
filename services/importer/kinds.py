"""The kinds of import: which fields a column can be labelled with, which are required, which
headers suggest which field, and where a chunk of rows is sent to be planned and applied.
A new kind is one more entry in KINDS; the pipeline is the same for every kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from shared.messages import APPLY_ENROLLMENT_ROWS, APPLY_LEAVERS, APPLY_USER_ROWS, ENROLLMENTS_QUEUE, USERS_QUEUE

IGNORE = "ignore"


@dataclass(frozen=True)
class ImportKind:
    name: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    key_field: str  # the field a row is identified by (unique within a file)
    suggestions: dict[str, str]  # normalised header → field
    task: str
    queue: str
    # Settings each chunk message carries to the service that decides its rows.
    forwarded_settings: tuple[str, ...] = ()
    # Settings this kind needs, and settings it does not take (held at their only value).
    required_settings: tuple[str, ...] = ()
    fixed_settings: dict[str, Any] = field(default_factory=dict)
    # Fields whose values are secrets: masked in every response, sealed in storage and on the broker.
    secret_fields: tuple[str, ...] = ()
    # Where the chunk of leavers goes (archive_missing): planned from the file's keys, applied as its rows.
    leavers_task: str | None = None

    def suggest(self, header: str) -> str:
        return self.suggestions.get(normalise_header(header), IGNORE)


def normalise_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lower())


USERS = ImportKind(
    name="users",
    fields=("code", "first_name", "prefix", "last_name", "email", "password", "login_method"),
    required=("code",),
    key_field="code",
    suggestions={
        **dict.fromkeys(("leerlingnummer", "stamnummer", "leerlingcode", "leerlingnr", "llnr", "gebruikerscode",
                         "code", "studentnumber", "studentnr", "studentid", "studentcode", "usercode",
                         "userid", "username"), "code"),
        **dict.fromkeys(("roepnaam", "voornaam", "firstname", "givenname", "forename"), "first_name"),
        **dict.fromkeys(("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "voorvoegsels", "prefix", "infix"),
                        "prefix"),
        **dict.fromkeys(("achternaam", "lastname", "surname", "familyname", "familienaam"), "last_name"),
        **dict.fromkeys(("emailadres", "email", "mail", "emailaddress", "mailadres", "eemailadres"), "email"),
        **dict.fromkeys(("wachtwoord", "password"), "password"),
        **dict.fromkeys(("inlogmethode", "loginmethod", "loginmethode"), "login_method"),
    },
    task=APPLY_USER_ROWS,
    queue=USERS_QUEUE,
    forwarded_settings=("mode", "as_student", "login_method"),
    fixed_settings={"schedule_project": None},
    secret_fields=("password",),
    leavers_task=APPLY_LEAVERS,
)

ENROLLMENTS = ImportKind(
    name="enrollments",
    fields=("student", "department", "prognosis", "profile", "education", "main_group"),
    required=("student", "department"),
    key_field="student",
    suggestions={
        **dict.fromkeys(("leerlingnummer", "stamnummer", "leerlingcode", "leerlingnr", "llnr", "student",
                         "studentnumber", "studentnr", "studentid", "studentcode", "code"), "student"),
        **dict.fromkeys(("afdeling", "afdelingcode", "department"), "department"),
        **dict.fromkeys(("pr", "prognose", "prognosis", "prognosepercentage"), "prognosis"),
        **dict.fromkeys(("profiel", "profile"), "profile"),
        **dict.fromkeys(("opleiding", "education", "opleidingscode"), "education"),
        **dict.fromkeys(("stamklas", "klas", "class", "group", "maingroup", "basisgroep"), "main_group"),
    },
    task=APPLY_ENROLLMENT_ROWS,
    queue=ENROLLMENTS_QUEUE,
    forwarded_settings=("schedule_project",),
    required_settings=("schedule_project",),
    # Enrollments are only ever added; they create no users.
    fixed_settings={"mode": "import", "as_student": False, "login_method": None},
)

KINDS = {kind.name: kind for kind in (USERS, ENROLLMENTS)}
