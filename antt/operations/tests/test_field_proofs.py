"""The proofs themselves: the NTAG 424 DNA SUN message (AN12196's vectors), the rotating code, the geofence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from antt.operations import ntag, proofs
from antt.operations.tests.field_setup import FAR, INSIDE, SQUARE

ZERO = bytes(16)
# AN12196 (NTAG 424 DNA features and hints), SUN with encrypted PICCData and a CMAC over an empty input:
# https://…?e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086, both keys all zero.
AN12196_E = "EF963FF7828658A599F3041510671E88"
AN12196_C = "94EED9EE65337086"
AN12196_UID = "04DE5F1EACC040"
AN12196_COUNTER = 61  # SDMReadCtr 3D0000 (LSB first)
AN12196_SESSION_MAC_KEY = "3FB5F6E3A807A03D5E3570ACE393776F"


def test_the_an12196_message_is_accepted_with_its_uid_counter_and_session_key() -> None:
    message = ntag.verify(
        meta_key=ZERO, file_key=ZERO, picc_enc_hex=AN12196_E, mac_hex=AN12196_C, last_counter=-1
    )
    assert message.uid.hex().upper() == AN12196_UID
    assert message.counter == AN12196_COUNTER
    assert ntag.session_mac_key(ZERO, message.uid, message.counter).hex().upper() == AN12196_SESSION_MAC_KEY


def test_a_replayed_tap_is_refused() -> None:
    with pytest.raises(ntag.SunError, match="replayed"):
        ntag.verify(meta_key=ZERO, file_key=ZERO, picc_enc_hex=AN12196_E, mac_hex=AN12196_C, last_counter=61)


@pytest.mark.parametrize(
    ("e", "c"),
    [
        (AN12196_E, "94EED9EE65337087"),  # MAC's last bit flipped
        ("EF963FF7828658A599F3041510671E89", AN12196_C),  # PICCData tampered
        (AN12196_E, "00"),  # truncated MAC
        ("not hex", AN12196_C),
    ],
)
def test_a_tampered_message_is_refused(e: str, c: str) -> None:
    with pytest.raises(ntag.SunError):
        ntag.verify(meta_key=ZERO, file_key=ZERO, picc_enc_hex=e, mac_hex=c, last_counter=-1)


def test_another_tags_key_or_uid_is_refused() -> None:
    with pytest.raises(ntag.SunError):
        ntag.verify(
            meta_key=ZERO,
            file_key=bytes([1]) * 16,
            picc_enc_hex=AN12196_E,
            mac_hex=AN12196_C,
            last_counter=-1,
        )
    with pytest.raises(ntag.SunError, match="another tag"):
        ntag.verify(
            meta_key=ZERO,
            file_key=ZERO,
            picc_enc_hex=AN12196_E,
            mac_hex=AN12196_C,
            last_counter=-1,
            expected_uid=bytes.fromhex("04000000000000"),
        )


def test_a_simulated_tag_round_trips_and_its_next_tap_is_newer() -> None:
    key, uid = bytes(range(16)), bytes.fromhex("04A1B2C3D4E5F6")
    for counter in (1, 2):
        e = ntag.encrypt_picc(key, uid, counter).hex()
        c = ntag.sdm_mac(key, uid, counter).hex()
        assert (
            ntag.verify(
                meta_key=key, file_key=key, picc_enc_hex=e, mac_hex=c, last_counter=counter - 1
            ).counter
            == counter
        )


SECRET = "3132333435363738393031323334353637383930"  # RFC 4226's test secret "12345678901234567890"


def test_the_rotating_code_is_rfc4226s_hotp() -> None:
    # RFC 4226 appendix D (6 digits): counter 0 → 755224, 1 → 287082; RFC 6238 (8 digits) at T=59 s → 94287082.
    assert proofs.hotp(SECRET, 0, digits=6) == "755224"
    assert proofs.hotp(SECRET, 1, digits=6) == "287082"
    assert proofs.code_at(SECRET, datetime.fromtimestamp(59, tz=UTC)) == (1, "94287082")


def test_a_code_proves_its_step_and_an_old_or_future_code_proves_nothing() -> None:
    now = datetime(2026, 11, 10, 8, 5, 10, tzinfo=UTC)
    step, code = proofs.code_at(SECRET, now)
    assert proofs.check_code(
        SECRET, step=step, code=code, device_time=now, received_at=now
    ) == proofs.step_start(step)
    # Scanned offline at 08:05, received at 09:00: it still proves 08:05.
    later = now + timedelta(hours=1)
    assert proofs.check_code(
        SECRET, step=step, code=code, device_time=now, received_at=later
    ) == proofs.step_start(step)
    # A photo of the code used ten minutes later (the phone's clock says now): nothing.
    assert (
        proofs.check_code(
            SECRET, step=step, code=code, device_time=now + timedelta(minutes=10), received_at=later
        )
        is None
    )
    assert proofs.check_code(SECRET, step=step, code="00000000", device_time=now, received_at=now) is None
    future_step, future_code = proofs.code_at(SECRET, now + timedelta(minutes=5))
    assert (
        proofs.check_code(SECRET, step=future_step, code=future_code, device_time=None, received_at=now)
        is None
    )


def test_the_geofence_measures_metres_to_the_polygon() -> None:
    assert proofs.distance_m(SQUARE, *INSIDE) == 0
    assert 1000 < (proofs.distance_m(SQUARE, *FAR) or 0) < 1200
    assert proofs.within(SQUARE, *INSIDE, radius_m=50, accuracy_m=10)
    assert not proofs.within(SQUARE, *INSIDE, radius_m=50, accuracy_m=500)  # a vague fix proves nothing
    assert not proofs.within(SQUARE, *FAR, radius_m=50, accuracy_m=10)
    assert proofs.distance_m(None, *INSIDE) is None
    point = {"type": "Point", "coordinates": [108.3380, 15.8801]}
    assert proofs.distance_m(point, 15.8801, 108.3380) == pytest.approx(0, abs=0.01)
