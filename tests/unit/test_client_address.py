"""Which address a request comes from: X-Forwarded-For counts only as far as trusted proxies vouch."""

import pytest

from shared.client_address import client_address, parse_trusted_proxies
from shared.config import Settings

GATEWAY = parse_trusted_proxies("172.28.0.10")


def address(remote, forwarded=None, trusted=GATEWAY):
    environ = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(environ, trusted)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards():
    assert address("203.0.113.5", "10.9.9.9", trusted=()) == "203.0.113.5"


def test_an_untrusted_client_cannot_pick_its_address_by_sending_x_forwarded_for():
    assert address("203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_the_trusted_gateway_names_the_client_it_appended():
    assert address("172.28.0.10", "203.0.113.5") == "203.0.113.5"


def test_through_the_gateway_a_spoofed_entry_left_of_the_real_one_is_ignored():
    assert address("172.28.0.10", "1.2.3.4, 203.0.113.5") == "203.0.113.5"


def test_a_chain_of_trusted_proxies_is_read_from_the_right():
    trusted = parse_trusted_proxies("172.28.0.10, 10.0.0.0/8")
    assert address("172.28.0.10", "1.2.3.4, 203.0.113.5, 10.1.2.3", trusted) == "203.0.113.5"


def test_a_trusted_proxy_without_x_forwarded_for_is_itself_the_client():
    assert address("172.28.0.10") == "172.28.0.10"


def test_a_forwarded_entry_that_is_no_address_leaves_the_last_trusted_proxy_as_the_client():
    assert address("172.28.0.10", "203.0.113.5, not-an-address") == "172.28.0.10"


@pytest.mark.parametrize("forwarded, client", [
    ("203.0.113.5:51234", "203.0.113.5"),
    ("[2001:db8::1]:443", "2001:db8::1"),
    ("2001:DB8::0001", "2001:db8::1"),
    ("::ffff:203.0.113.5", "203.0.113.5"),
])
def test_forwarded_addresses_are_read_with_ports_and_written_canonically(forwarded, client):
    assert address("172.28.0.10", forwarded) == client


def test_an_ipv4_mapped_peer_is_matched_against_ipv4_proxies():
    assert address("::ffff:172.28.0.10", "203.0.113.5") == "203.0.113.5"


def test_the_setting_takes_addresses_and_networks_and_refuses_anything_else():
    settings = Settings.from_env({"PORTAL_TRUSTED_PROXIES": " 172.28.0.10 , 10.0.0.0/8,,fd00::/8",
                                  "PORTAL_SECRET_KEY": "x" * 40})
    assert [str(network) for network in settings.trusted_proxies] == ["172.28.0.10/32", "10.0.0.0/8", "fd00::/8"]
    assert Settings.from_env({"PORTAL_SECRET_KEY": "x" * 40}).trusted_proxies == ()
    with pytest.raises(ValueError, match="gateway"):
        parse_trusted_proxies("gateway")
