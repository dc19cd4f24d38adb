"""Sealed secrets: AES-GCM under a key derived from PORTAL_SECRET_KEY."""

import pytest

from shared.sealing import CannotOpen, Sealer, is_sealed_text

SECRET = "a-secret-key-of-at-least-32-bytes-0123"


def test_a_sealed_text_opens_with_the_same_key_and_shows_nothing_of_the_plain_text():
    sealed = Sealer(SECRET).seal_text("welkom-123")
    assert is_sealed_text(sealed) and "welkom" not in sealed
    assert Sealer(SECRET).open_text(sealed) == "welkom-123"
    assert Sealer(SECRET).seal_text("welkom-123") != sealed  # a fresh nonce every time


def test_another_key_or_an_altered_text_cannot_open():
    sealed = Sealer(SECRET).seal_text("welkom-123")
    with pytest.raises(CannotOpen):
        Sealer(SECRET + "x").open_text(sealed)
    altered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(CannotOpen):
        Sealer(SECRET).open_text(altered)
    with pytest.raises(CannotOpen):
        Sealer(SECRET).open_text("welkom-123")


def test_a_block_opens_only_in_the_place_it_was_sealed_for():
    sealer = Sealer(SECRET)
    block = sealer.seal(b"Leerlingnummer;Wachtwoord\r\n", b"job-1:0")
    assert sealer.open(block, b"job-1:0") == b"Leerlingnummer;Wachtwoord\r\n"
    with pytest.raises(CannotOpen):
        sealer.open(block, b"job-1:1")


def test_each_purpose_has_a_key_of_its_own():
    with pytest.raises(CannotOpen):
        Sealer(SECRET, purpose="b").open_text(Sealer(SECRET, purpose="a").seal_text("x"))
