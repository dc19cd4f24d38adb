"""Envelopes made in one go for a chunk: the same envelopes `Envelope.new` makes, ids included."""

import uuid
from datetime import UTC, datetime

from shared.events.envelope import ENVELOPE_VERSION, STUDENT_CREATED, STUDENT_UPDATED, Envelope, random_uuids


def test_random_uuids_are_version_4_uuids_written_as_uuid4_writes_them():
    ids = random_uuids(5000)
    assert len(ids) == 5000
    assert len(set(ids)) == 5000
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # lower case, 8-4-4-4-12


def test_random_uuids_use_every_variant_digit_and_differ_between_calls():
    ids = random_uuids(2000)
    assert {text[19] for text in ids} == set("89ab")
    assert set(ids).isdisjoint(random_uuids(2000))
    assert random_uuids(0) == []


def test_new_many_makes_what_new_makes_in_order():
    moment = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
    items = [(STUDENT_CREATED, {"code": "1"}), (STUDENT_UPDATED, {"code": "2"}), (STUDENT_CREATED, {"code": "3"})]
    envelopes = Envelope.new_many(items, moment)
    single = Envelope.new(STUDENT_CREATED, {"code": "1"}, moment)
    assert [(envelope.type, envelope.data) for envelope in envelopes] == items
    assert {envelope.occurred_at for envelope in envelopes} == {single.occurred_at} == {"2026-11-30T12:00:00.123456Z"}
    assert {envelope.version for envelope in envelopes} == {ENVELOPE_VERSION}
    assert len({envelope.id for envelope in envelopes}) == 3
    assert Envelope.from_json(envelopes[1].to_json()) == envelopes[1]


def test_new_many_of_nothing_is_empty():
    assert Envelope.new_many([]) == []
