from services.importer.analysis import InMemoryKeys
from services.importer.keys import ScratchKeys


def test_scratch_keys_answer_like_a_dict_across_calls():
    with ScratchKeys() as scratch:
        memory = InMemoryKeys()
        calls = [{"100": 2, "101": 3}, {"102": 2002, "100": 2005}, {"101": 4001, "103": 4002, "102": 4003}]
        for first_lines in calls:
            assert scratch.earlier_lines(dict(first_lines)) == memory.earlier_lines(dict(first_lines))
        assert scratch.earlier_lines({"103": 9000}) == {"103": 4002}


def test_scratch_keys_handle_more_keys_than_one_statement_takes():
    with ScratchKeys() as scratch:
        scratch.earlier_lines({str(number): number for number in range(12000)})
        earlier = scratch.earlier_lines({str(number): 20000 + number for number in range(11990, 12010)})
    assert earlier == {str(number): number for number in range(11990, 12000)}
