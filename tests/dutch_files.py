"""Dutch-like student administration exports, generated (for tests and benchmarks)."""

from __future__ import annotations

import random
from collections.abc import Iterator

FIRST_NAMES = ["Noor", "Bram", "Zoë", "Ilias", "Fleur", "Daniël", "Léa", "Sem", "Emma", "Mohammed", "Saar",
               "Lucas", "Yara", "Finn", "Anouk", "Çelik", "Jesse", "Lotte", "Daan", "Mila"]
PREFIXES = ["", "", "", "van", "de", "van der", "van 't", "el", "ter"]
LAST_NAMES = ["Yilmaz", "Linden", "Bakker", "Amrani", "Groot", "Vermeulen", "Dubois", "Hof", "Jansen", "de Vries",
              "Visser", "Smit", "Meijer", "Mulder", "Bos", "Peters", "Hendriks", "Dekker", "Brouwer", "Kaya"]
DEPARTMENTS = ["h1", "h2", "h3", "h4", "h5", "v1", "v2", "v3", "v4", "v5", "v6"]
HEADER = ["Leerlingnummer", "Roepnaam", "Tussenvoegsel", "Achternaam", "E-mailadres", "Afdeling"]


def student_rows(count: int, first_code: int = 100000, seed: int = 7) -> Iterator[list[str]]:
    generator = random.Random(seed)
    for number in range(count):
        code = str(first_code + number)
        first, prefix, last = (generator.choice(FIRST_NAMES), generator.choice(PREFIXES),
                               generator.choice(LAST_NAMES))
        email = f"{first.lower()}.{code}@leerling.example.nl".replace("ë", "e").replace("é", "e").replace("ç", "c")
        yield [code, first, prefix, last, email, generator.choice(DEPARTMENTS)]


def export_text(rows, header=HEADER, delimiter=";") -> str:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def export_bytes(count: int, first_code: int = 100000, encoding: str = "cp1252") -> bytes:
    return export_text(student_rows(count, first_code)).encode(encoding)
