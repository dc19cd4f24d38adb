"""What the importer takes: the multipart upload's fields and the settings a PATCH changes, as typed
request definitions (see `shared/api_types.py`). Their values' meaning (a mapping naming the kind's
fields, a schedule project the kind needs) is the domain's to check (`domain.apply_options`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Json, model_validator

from services.importer.domain import LOGIN_METHODS, MODES, invalid_option
from services.importer.kinds import IGNORE, KINDS
from shared.api_types import Body, Code, whole_number
from shared.csvfile import DELIMITER_WORDS, DELIMITERS, ENCODING_ALIASES, ENCODINGS

# Left empty: detected from the file.
Delimiter = Literal[(*DELIMITERS, *DELIMITER_WORDS, "")]  # type: ignore[valid-type]
Encoding = Literal[(*sorted(ENCODINGS), *ENCODING_ALIASES, "")]  # type: ignore[valid-type]
Mode = Literal[MODES]  # type: ignore[valid-type]
Kind = Literal[tuple(KINDS)]  # type: ignore[valid-type]
LoginMethod = Literal[LOGIN_METHODS]  # type: ignore[valid-type]
LoginMethodOrDefault = Literal[(*LOGIN_METHODS, "")]  # type: ignore[valid-type]
Percent = whole_number(0, 100)
# Header text or 0-based column index → a field of the job's kind, or "ignore".
FieldName = Literal[tuple(sorted({name for kind in KINDS.values() for name in kind.fields} | {IGNORE}))]  # type: ignore[misc]
Mapping = Annotated[dict[Annotated[str, Field(max_length=1000)], FieldName], Field(max_length=500)]


class ImportSettingsPatch(Body):
    """Any option but `file` and `kind`; the job is analysed again."""

    error_code = "invalid_option"

    delimiter: Delimiter | None = None
    encoding: Encoding | None = None
    has_header: bool = True
    mapping: Mapping | None = None
    mode: Mode = "import"
    as_student: bool = False
    schedule_project: Code | Literal[""] | None = None
    login_method: LoginMethod | None = Field("password", description="users: the login method of the users the "
                                             "import creates (a file's login_method column wins)")
    archive_missing: bool = Field(False, description="users, mode synchronize with as_student: archive every "
                                  "active student whose code is not in the file (the leavers)")
    max_archive_percent: Percent = Field(10, description="start refuses (409 change_threshold_exceeded) while "
                                         "more than this share of the active students would be archived")
    start: bool = False

    @model_validator(mode="before")
    @classmethod
    def file_and_kind_stay(cls, body: Any) -> Any:
        for name in ("file", "kind"):
            if isinstance(body, dict) and name in body:
                raise invalid_option(name, f"{name} cannot be changed; upload the file again.")
        return body


class ImportUpload(Body):
    """The upload's form fields: texts, read as the types they spell ("true", a JSON object)."""

    model_config = ConfigDict(strict=False)
    error_code = "invalid_option"

    file: bytes = Field(description="the export: CSV or tab-separated text; its encoding is detected when not given",
                        json_schema_extra={"contentMediaType": "application/octet-stream"})
    kind: Kind
    delimiter: Delimiter = ""
    encoding: Encoding = ""
    has_header: Literal["true", "false", "1", "0"] = "true"
    mapping: Json[Mapping | None] = None
    mode: Mode = "import"
    as_student: Literal["true", "false", "1", "0"] = "false"
    schedule_project: Code | Literal[""] = ""
    login_method: LoginMethodOrDefault = Field("", description="users: the login method of the users the "
                                                    "import creates (default password)")
    archive_missing: Literal["true", "false", "1", "0"] = Field("false", description="users, mode synchronize "
                                                                "with as_student: archive the active students "
                                                                "missing from the file")
    max_archive_percent: Percent = Field(10, description="start refuses (409 change_threshold_exceeded) while "
                                         "more than this share of the active students would be archived")
    start: Literal["true", "false", "1", "0"] = "false"

    def options(self) -> dict[str, Any]:
        """The options as the domain reads them: every field the form gave but the file and the kind."""
        return {name: value for name, value in self.given().items() if name not in ("file", "kind")}
