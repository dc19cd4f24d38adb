from services.importer.analysis import SeenKeysInMemory
from services.importer.seen_keys import SeenKeysFile


def test_seen_keys_on_disk_answer_like_a_dict_across_calls():
    with SeenKeysFile() as on_disk:
        memory = SeenKeysInMemory()
        calls = [{"100": 2, "101": 3}, {"102": 2002, "100": 2005}, {"101": 4001, "103": 4002, "102": 4003}]
        for first_lines in calls:
            assert on_disk.earlier_lines(dict(first_lines)) == memory.earlier_lines(dict(first_lines))
        assert on_disk.earlier_lines({"103": 9000}) == {"103": 4002}


def test_seen_keys_on_disk_handle_more_keys_than_one_statement_takes():
    with SeenKeysFile() as on_disk:
        on_disk.earlier_lines({str(number): number for number in range(12000)})
        earlier = on_disk.earlier_lines({str(number): 20000 + number for number in range(11990, 12010)})
    assert earlier == {str(number): number for number in range(11990, 12000)}
