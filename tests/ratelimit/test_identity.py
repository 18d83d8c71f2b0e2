from __future__ import annotations

from multidict import CIMultiDict, CIMultiDictProxy
from redis.crc import key_slot

from gateway.crypto.digest import KeyedDigest
from gateway.http.clientip import resolve_client
from gateway.ratelimit.identity import Identifier, Identity, network_of

IDENT = Identifier(b"s" * 32, "X-Device-Id")


def test_keys_are_keyed_hashes_per_dimension() -> None:
    who = IDENT.identify("secret-key", "dev-1", "203.0.113.7")
    assert set(who.keys) == {"subject", "device", "ip", "net"}
    text = " ".join(who.keys.values())
    for raw in ("secret-key", "dev-1", "203.0.113.7", "203.0.113"):
        assert raw not in text
    same_net = IDENT.identify(None, None, "203.0.113.99")
    assert same_net.keys["net"] == who.keys["net"] and same_net.keys["ip"] != who.keys["ip"]
    assert "subject" not in same_net.keys
    other_secret = Identifier(b"t" * 32, None).identify(None, None, "203.0.113.7")
    assert other_secret.keys["ip"] != who.keys["ip"]
    assert who.tag("subject") == "{" + who.keys["subject"] + "}"
    # an address in its network's slot (one slot group on a cluster), its own key
    assert who.tag("ip") == "{" + who.keys["net"] + "}" + who.keys["ip"]
    assert key_slot(f"pgw:rl:{who.tag('ip')}:r".encode()) == key_slot(
        f"pgw:rl:{who.tag('net')}:r".encode())
    assert len({f"pgw:pen:{who.tag(d)}" for d in who.keys}) == 4
    assert same_net.tag("ip") != who.tag("ip")
    odd = Identity({"ip": "ab12"})  # an address with no network: a tag of its own
    assert odd.tag("ip") == "{ab12}" and odd.tag("net") is None


def test_the_run_offset_is_secret_and_stable() -> None:
    assert IDENT.run_offset == Identifier(b"s" * 32, None).run_offset
    assert IDENT.run_offset != Identifier(b"t" * 32, None).run_offset
    assert 0 <= IDENT.run_offset < 2**48


def test_networks() -> None:
    assert network_of("203.0.113.7") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2:3::9") == "2001:db8:1:2::/64"
    assert network_of("unknown") is None


def test_forged_forwarding_headers_from_untrusted_peers_change_no_key() -> None:
    keys = set()
    for forged in ("1.2.3.4", "5.6.7.8, 9.9.9.9"):
        headers = CIMultiDictProxy(CIMultiDict({"X-Forwarded-For": forged,
                                                "Forwarded": f"for={forged}",
                                                "X-Real-IP": forged}))
        info = resolve_client("198.51.100.5", headers, ())
        keys.add(IDENT.identify(None, None, info.ip).keys["ip"])
    assert keys == {IDENT.identify(None, None, "198.51.100.5").keys["ip"]}


def test_exposure_values_are_normalized_before_hashing() -> None:
    same, landline = IDENT.value_digests("CN_MOBILE", ["138 0013 8000", "13800138000"]), \
        IDENT.value_digests("CN_LANDLINE", ["13800138000"])
    assert same[0] == same[1] and same[1] != landline[0] and len(same[0]) == 16
    # the batch is each value's keyed digest (KeyedDigest.value, the Python path), cut to 64 bits
    values = ["138 0013 8000", "13800138000", "１３９００１３９０００", "zhang@example.com", ""]
    assert IDENT.value_digests("CN_MOBILE", values) == tuple(
        KeyedDigest(IDENT.secret).value("CN_MOBILE", v)[:16] for v in values)


def test_a_client_certificate_is_the_subject_whatever_key_comes_with_it() -> None:
    fingerprint = "ab" * 32
    with_key = IDENT.identify("key-1", None, "203.0.113.7", fingerprint)
    other_key = IDENT.identify("key-2", None, "203.0.113.7", fingerprint)
    assert with_key.keys["subject"] == other_key.keys["subject"]
    assert with_key.keys["subject"] != IDENT.identify("key-1", None, "203.0.113.7").keys["subject"]
    # an API key that spells the fingerprint is another subject
    for spoof in (fingerprint, f"cert:{fingerprint}"):
        assert IDENT.identify(spoof, None, "203.0.113.7").keys["subject"] != with_key.keys[
            "subject"]
