from shared import catalogue


def test_dutch_is_the_default_and_english_is_chosen_by_preference():
    assert catalogue.language(None) == "nl"
    assert catalogue.language("en-GB,en;q=0.9") == "en"
    assert catalogue.language("fr, en;q=0.5, nl;q=0.8") == "nl"
    assert catalogue.language("de") == "nl"
    assert catalogue.language("en;q=0") == "nl"


def test_a_text_fills_in_its_parameters_and_lists_read_as_words():
    assert catalogue.text("user_not_found", "nl", {"code": "123"}) == "Er is geen gebruiker met code 123."
    assert catalogue.text("user_not_found", "en", {"code": ["1", "2"]}) == "No user has code 1, 2."


def test_a_missing_parameter_stays_visible_and_an_unknown_code_falls_back():
    assert catalogue.text("user_not_found", "nl") == "Er is geen gebruiker met code {code}."
    assert catalogue.text("no_such_code", "nl", fallback="As raised.") == "As raised."


def test_notes_become_text_in_the_readers_language_and_old_strings_stay():
    notes = [catalogue.note("user_not_found", code="7"), "An old message."]
    assert catalogue.render(notes, "en") == ["No user has code 7.", "An old message."]


def test_both_languages_have_the_same_codes():
    assert catalogue.catalogue("nl").keys() == catalogue.catalogue("en").keys()
