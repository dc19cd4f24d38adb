"""Import options (multipart values) and what one users row does."""

import pytest

from services.importer.domain import ImportSettings, apply_options, parse_flag, parse_mapping
from services.importer.kinds import USERS
from services.users.domain import User
from services.users.rows import RowContext, decide_row
from shared import catalogue
from shared.errors import InvalidInput
from shared.messages import RowIn
from shared.policy import Actor
from shared.rights import RIGHTS

FUNCTION_RIGHTS = {"leerling": (), "applicatiebeheerder": RIGHTS}
MANAGER = Actor("admin", frozenset(RIGHTS))


def context(mode: str, as_student: bool, actor: Actor = MANAGER) -> RowContext:
    return RowContext(mode, as_student, FUNCTION_RIGHTS, actor)


def refused_option(options) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        apply_options(ImportSettings(), USERS, options)
    assert refused.value.code == "invalid_option"
    return refused.value


# --- options ------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, field", [
    ({"delimiter": "|"}, "delimiter"),
    ({"delimiter": "pipe"}, "delimiter"),
    ({"delimiter": ";;"}, "delimiter"),
    ({"encoding": "ebcdic"}, "encoding"),
    ({"encoding": "utf-32"}, "encoding"),
    ({"mapping": "{not json"}, "mapping"),
    ({"mapping": '["code", "first_name"]'}, "mapping"),
    ({"mapping": '"code"'}, "mapping"),
    ({"mapping": '{"Leerlingnummer": "shoe_size"}'}, "mapping"),
    ({"mapping": '{"Leerlingnummer": 1}'}, "mapping"),
    ({"colour": "red"}, "colour"),
    ({"mode": "merge"}, "mode"),
    ({"mode": "Import"}, "mode"),
    ({"has_header": "maybe"}, "has_header"),
    ({"as_student": "yes please"}, "as_student"),
    ({"start": "later"}, "start"),
], ids=lambda value: repr(value) if isinstance(value, dict) else value)
def test_a_bad_or_unknown_option_is_invalid_and_names_the_option(options, field):
    assert refused_option(options).details["field"] == field


def test_a_mapping_that_names_an_unknown_field_says_which():
    with pytest.raises(InvalidInput) as refused:
        parse_mapping('{"Klas": "main_group"}', USERS)  # an enrollments field, not a users one
    assert refused.value.code == "invalid_option"
    assert refused.value.details["field"] == "mapping"
    assert "main_group" in refused.value.message


@pytest.mark.parametrize("given, delimiter", [
    ("tab", "\t"), ("semicolon", ";"), ("comma", ","), ("TAB", "\t"),
    ("\t", "\t"), (";", ";"), (",", ","),
])
def test_delimiter_words_and_the_characters_themselves_are_accepted(given, delimiter):
    settings = ImportSettings()
    apply_options(settings, USERS, {"delimiter": given})
    assert settings.delimiter == delimiter


def test_a_literal_tab_delimiter_is_a_tab_not_detect():
    settings = ImportSettings(delimiter=";")
    apply_options(settings, USERS, {"delimiter": "\t"})
    assert settings.delimiter == "\t"


def test_an_empty_delimiter_or_encoding_means_detect():
    settings = ImportSettings(delimiter=";", encoding="cp1252")
    apply_options(settings, USERS, {"delimiter": "", "encoding": ""})
    assert (settings.delimiter, settings.encoding) == (None, None)


@pytest.mark.parametrize("given, encoding", [
    ("utf-8", "utf-8"), ("UTF-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"),
    ("windows-1252", "cp1252"), ("utf-16", "utf-16"),
])
def test_the_contract_encodings_are_accepted(given, encoding):
    settings = ImportSettings()
    apply_options(settings, USERS, {"encoding": given})
    assert settings.encoding == encoding


@pytest.mark.parametrize("given, value", [("true", True), ("false", False), ("1", True), ("0", False),
                                          ("True", True), ("FALSE", False)])
def test_booleans_are_true_false_1_or_0(given, value):
    assert parse_flag(given, "as_student") is value
    settings = ImportSettings(has_header=not value, as_student=not value)
    start = apply_options(settings, USERS, {"has_header": given, "as_student": given, "start": given})
    assert (settings.has_header, settings.as_student, start) == (value, value, value)


def test_the_options_set_the_settings():
    settings = ImportSettings()
    start = apply_options(settings, USERS, {
        "delimiter": "semicolon", "encoding": "cp1252", "has_header": "true",
        "mapping": '{"Leerlingnummer": "code", "0": "code", "Klas": "ignore"}',
        "mode": "synchronize", "as_student": "1"})
    assert settings == ImportSettings(delimiter=";", encoding="cp1252", has_header=True,
                                      mapping={"Leerlingnummer": "code", "0": "code", "Klas": "ignore"},
                                      mode="synchronize", as_student=True)
    assert start is False


@pytest.mark.parametrize("mode", ["import", "update", "synchronize"])
def test_the_three_modes_are_accepted(mode):
    settings = ImportSettings()
    apply_options(settings, USERS, {"mode": mode})
    assert settings.mode == mode


# --- decide_row ---------------------------------------------------------------------------------

def row(line=2, errors=None, **values) -> RowIn:
    return RowIn(line, {name: value for name, value in values.items()}, list(errors or []))


def existing_user(**fields) -> User:
    defaults = {"code": "100234", "first_name": "Zoë", "prefix": "van 't", "last_name": "Hof",
                "email": "zoe@example.org"}
    return User(**{**defaults, **fields})


def existing_student(**fields) -> User:
    return existing_user(is_student=True, school_functions={"leerling"}, **fields)


@pytest.mark.parametrize("mode", ["import", "synchronize"])
def test_a_new_code_is_created_in_import_and_synchronize(mode):
    decision = decide_row(row(code="100234", first_name="Zoë", last_name="Hof"), None, context(mode, False))
    assert decision.action == "create"
    assert decision.line == 2
    assert decision.messages == []
    assert (decision.after.code, decision.after.first_name, decision.after.last_name) == ("100234", "Zoë", "Hof")
    assert decision.after.is_student is False
    assert "leerling" not in decision.after.school_functions


def test_a_new_code_imported_as_student_becomes_a_student_with_function_leerling():
    decision = decide_row(row(code="100234", first_name="Zoë"), None, context("import", True))
    assert decision.action == "create"
    assert decision.after.is_student is True
    assert decision.after.school_functions == {"leerling"}


def test_a_new_code_in_mode_update_is_skipped_with_a_message():
    decision = decide_row(row(code="100234", first_name="Zoë"), None, context("update", False))
    assert decision.action == "skip"
    assert decision.after is None
    assert (decision.reason, decision.params) == ("unknown_user", {"code": "100234"})
    assert len(decision.messages) == 1
    assert "100234" in english(decision)[0] and "update" in english(decision)[0]
    assert "bijwerken" in catalogue.render(decision.messages)[0]  # Dutch by default


def test_an_existing_code_in_mode_import_is_skipped_with_a_message():
    decision = decide_row(row(code="100234", first_name="Anders"), existing_user(), context("import", False))
    assert decision.action == "skip"
    assert decision.after is None
    assert (decision.reason, decision.params) == ("exists", {"code": "100234"})
    assert len(decision.messages) == 1 and "100234" in english(decision)[0]


@pytest.mark.parametrize("mode", ["update", "synchronize"])
def test_an_existing_user_with_a_changed_name_is_updated(mode):
    before = existing_user()
    decision = decide_row(row(code="100234", first_name="Zoey", last_name="Hof"), before, context(mode, False))
    assert decision.action == "update"
    assert decision.after.first_name == "Zoey"
    after = decision.after
    assert (after.prefix, after.last_name, after.email) == ("van 't", "Hof", "zoe@example.org")
    assert decision.before is before
    assert before.first_name == "Zoë"  # the existing user is not changed in place


@pytest.mark.parametrize("mode", ["update", "synchronize"])
def test_an_existing_user_with_identical_values_is_unchanged(mode):
    decision = decide_row(row(code="100234", first_name="Zoë", prefix="van 't", last_name="Hof",
                              email="zoe@example.org"), existing_user(), context(mode, False))
    assert decision.action == "unchanged"
    assert decision.messages == []


def test_spaces_around_cells_do_not_count_as_a_change():
    decision = decide_row(row(code=" 100234 ", first_name=" Zoë ", last_name="Hof  "),
                          existing_user(), context("synchronize", False))
    assert decision.action == "unchanged"


@pytest.mark.parametrize("mode", ["update", "synchronize"])
def test_an_empty_cell_leaves_the_field_unchanged(mode):
    decision = decide_row(row(code="100234", first_name="", prefix="  ", last_name="Hof", email=""),
                          existing_user(), context(mode, False))
    assert decision.action == "unchanged"
    assert (decision.after.first_name, decision.after.prefix, decision.after.email) == (
        "Zoë", "van 't", "zoe@example.org")


def test_an_existing_non_student_imported_as_student_is_updated():
    decision = decide_row(row(code="100234", first_name="Zoë"), existing_user(), context("synchronize", True))
    assert decision.action == "update"
    assert decision.after.is_student is True
    assert "leerling" in decision.after.school_functions
    assert decision.before.is_student is False


def test_an_existing_student_imported_as_student_again_is_unchanged():
    decision = decide_row(row(code="100234", first_name="Zoë"), existing_student(), context("update", True))
    assert decision.action == "unchanged"


@pytest.mark.parametrize("mode", ["import", "synchronize"])
def test_a_non_numeric_code_imported_as_student_is_an_error_saying_digits(mode):
    decision = decide_row(row(code="A100234", first_name="Zoë"), None, context(mode, True))
    assert decision.action == "error"
    assert decision.after is None
    assert decision.reason == "code_not_numeric" and decision.params["value"] == "A100234"
    assert len(decision.messages) == 1 and "digits" in english(decision)[0]


def test_a_non_numeric_code_is_fine_for_a_new_non_student():
    decision = decide_row(row(code="jdevries", first_name="Jan"), None, context("import", False))
    assert decision.action == "create"


def test_a_non_numeric_code_of_an_existing_student_is_an_error():
    before = existing_student(code="ab12")
    decision = decide_row(row(code="ab12", first_name="Zoey"), before, context("synchronize", False))
    assert decision.action == "error"
    assert "digits" in english(decision)[0]


@pytest.mark.parametrize("existing", [None, "existing"])
def test_an_invalid_email_is_an_error(existing):
    before = existing_user() if existing else None
    decision = decide_row(row(code="100234", email="zoe@@example"), before, context("synchronize", False))
    assert decision.action == "error"
    assert decision.reason == "invalid_email" and decision.params["value"] == "zoe@@example"
    assert len(decision.messages) == 1 and "zoe@@example" in english(decision)[0]


def test_a_row_with_errors_found_by_the_importer_is_an_error_with_those_messages():
    found = ["The row has 6 fields; the header has 5.", "100234 was used on line 2 already."]
    decision = decide_row(row(line=7, errors=found, code="100234", first_name="Zoë"), None, context("import", False))
    assert decision.action == "error"
    assert decision.line == 7
    assert decision.messages == found


@pytest.mark.parametrize("values", [{"code": ""}, {"code": "   "}, {}], ids=["empty", "spaces", "no-column"])
def test_a_missing_code_is_an_error(values):
    decision = decide_row(RowIn(3, {**values, "first_name": "Zoë"}), None, context("import", False))
    assert decision.action == "error"
    assert decision.reason == "missing_code"
    assert len(decision.messages) == 1 and "code" in english(decision)[0].lower()


def test_a_code_with_leading_zeros_is_kept_exactly():
    decision = decide_row(row(code="001234", first_name="Zoë"), None, context("import", True))
    assert decision.action == "create"
    assert decision.after.code == "001234"


def test_a_code_with_a_space_inside_is_an_error():
    decision = decide_row(row(code="100 234"), None, context("import", False))
    assert decision.action == "error"


def test_an_error_row_becomes_a_row_result_that_is_never_applied():
    decision = decide_row(row(code=""), None, context("import", False))
    out = decision.to_row_out(applied=True)
    assert (out.line, out.action, out.applied) == (2, "error", False)
    created = decide_row(row(code="100234"), None, context("import", False)).to_row_out(applied=True)
    assert (created.action, created.applied) == ("create", True)


def test_a_row_changing_a_manager_beyond_the_importers_rights_is_an_error_with_the_missing_rights():
    manager = existing_user(code="admin", school_functions={"applicatiebeheerder"})
    importer = Actor("imp", frozenset({"users:write", "imports:write"}))
    decision = decide_row(row(code="admin", password="overgenomen-1"), manager, context("update", False, importer))
    assert (decision.action, decision.reason) == ("error", "insufficient_rights")
    assert decision.params["missing"] == sorted(set(RIGHTS) - {"users:write", "imports:write"})
    names_only = decide_row(row(code="admin", first_name="Ada"), manager, context("update", False, importer))
    assert names_only.action == "update"


def test_rows_cannot_take_away_the_last_active_application_manager():
    first = existing_user(code="admin", school_functions={"applicatiebeheerder"})
    second = existing_user(code="beheer2", school_functions={"applicatiebeheerder"})
    shared_context = RowContext("update", False, FUNCTION_RIGHTS, MANAGER, active_managers={"admin", "beheer2"})
    assert decide_row(row(code="admin", login_method="none"), first, shared_context).action == "update"
    last = decide_row(row(line=3, code="beheer2", login_method="none"), second, shared_context)
    assert (last.action, last.reason) == ("error", "last_application_manager")


def test_a_files_login_method_may_be_written_in_any_case():
    decision = decide_row(RowIn(2, {"code": "123456", "login_method": " SSO "}), None, context("import", True))
    assert (decision.action, decision.after.login_method) == ("create", "sso")


def english(decision):
    return catalogue.render(decision.messages, "en")
