"""An import row refused for missing rights names them in words, as the API's refusals do, in the
reader's language; the codes stay in the note's params for programs."""

from services.importer.representation import notes_in_language, row_in_language
from shared import catalogue


def test_a_users_row_refusal_names_one_missing_right_in_words():
    note = catalogue.note("row_insufficient_rights", code="410001", missing=["users:write"], actor="400002")
    assert notes_in_language([note], "nl") == [
        "400002 mag 410001 niet zo wijzigen: 400002 mist daarvoor het recht ‘Gebruikers wijzigen’."]
    assert notes_in_language([note], "en") == [
        "400002 may not change 410001 this way: 400002 lacks the right ‘Change users’."]


def test_several_missing_rights_are_named_each_and_unknown_ones_by_their_code():
    note = catalogue.note("row_insufficient_rights", code="410001", missing=["school_functions:write", "x:y"],
                          actor="400002")
    [text] = notes_in_language([note], "nl")
    assert text.endswith("mist daarvoor de rechten ‘Schoolfuncties wijzigen’, ‘x:y’.")
    assert "school_functions:write" not in text


def test_an_enrollments_row_refusal_in_the_apis_code_is_worded_too_and_other_notes_stay_as_they_were():
    row = {"messages": [catalogue.note("insufficient_rights", missing=["enrollments:write"], actor="400002"),
                        catalogue.note("insufficient_rights"), "a stored text", catalogue.note("exists", code="1")]}
    assert row_in_language(row, "nl")["messages"] == [
        "Dit mag u niet: u mist het recht ‘Afdelingsdeelnames wijzigen’.",
        catalogue.text("insufficient_rights", "nl"), "a stored text", catalogue.text("exists", "nl", {"code": "1"})]
