"""Chunk messages on the wire: one JSON text each way, and the dict form older workers sent."""

import json

from shared.messages import Chunk, ChunkResult, RowIn, RowOut


def a_chunk() -> Chunk:
    rows = [RowIn(2, {"code": "123456", "last_name": "Çelik-Dubois"}),
            RowIn(3, {"code": "123456"}, ["123456 was used on line 2 already."])]
    return Chunk("job", 2, 7, False, {"mode": "synchronize", "as_student": True, "schedule_project": None}, rows)


def test_a_chunk_is_one_json_text_that_reads_back_the_same():
    chunk = a_chunk()
    message = chunk.to_message()
    assert isinstance(message, str) and "Çelik-Dubois" in message  # non-ASCII kept, not escaped
    assert json.loads(message)["rows"][1]["errors"] == ["123456 was used on line 2 already."]
    again = Chunk.from_message(message)
    assert again == chunk and again.key == "job:2:7"


def test_a_result_reads_back_the_same_with_its_problem():
    result = ChunkResult("job", 2, 7, True, [RowOut(2, "create"), RowOut(3, "error", ["empty code"])],
                         problem={"code": "unknown_schedule_project", "message": "No schedule project."})
    assert ChunkResult.from_message(result.to_message()) == result


def test_the_dict_form_of_earlier_workers_is_still_read():
    chunk = a_chunk()
    as_dict = json.loads(chunk.to_message())
    assert Chunk.from_message(as_dict) == chunk
