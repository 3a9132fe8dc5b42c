"""NTAG 424 DNA "secure unique NFC" (SUN / SDM) messages, AES mode, as in NXP's application note AN12196.

A tap gives a URL with ``e`` (PICCData encrypted with the SDMMetaReadKey: tag byte, UID, tap counter) and
``c`` (SDMMAC: an AES-CMAC under a session key derived from the SDMFileReadKey, UID and counter, truncated
to its odd bytes). The server decrypts, checks the MAC in constant time, and accepts a counter only if it
is above the last one it accepted for that tag — so a copied URL or a replayed tap is refused.
Pure: no Django. The caller keeps the keys and the last counter.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

PICC_TAG_UID = 0x80
PICC_TAG_COUNTER = 0x40
SV2_PREFIX = bytes.fromhex("3CC300010080")


class SunError(ValueError):
    """The message is malformed, tampered with, from another key, or a replay."""


@dataclass(frozen=True)
class SunMessage:
    uid: bytes
    counter: int


def _cmac(key: bytes, data: bytes) -> bytes:
    mac = CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()


def decrypt_picc(meta_key: bytes, picc_enc: bytes) -> SunMessage:
    """Decrypt ``e``: AES-128-CBC with a zero IV over one block."""
    if len(picc_enc) != 16:
        raise SunError("PICCData must be one 16-byte block")
    decryptor = Cipher(algorithms.AES(meta_key), modes.CBC(bytes(16))).decryptor()
    plain = decryptor.update(picc_enc) + decryptor.finalize()
    tag = plain[0]
    if not (tag & PICC_TAG_UID and tag & PICC_TAG_COUNTER) or (tag & 0x0F) != 7:
        raise SunError("PICCData does not carry a 7-byte UID and a counter")
    uid = plain[1:8]
    counter = int.from_bytes(plain[8:11], "little")
    return SunMessage(uid=uid, counter=counter)


def session_mac_key(file_key: bytes, uid: bytes, counter: int) -> bytes:
    """KSesSDMFileReadMAC = CMAC(SDMFileReadKey, SV2), SV2 = 3CC3 0001 0080 ‖ UID ‖ SDMReadCtr (LSB first)."""
    return _cmac(file_key, SV2_PREFIX + uid + counter.to_bytes(3, "little"))


def sdm_mac(file_key: bytes, uid: bytes, counter: int, mac_input: bytes = b"") -> bytes:
    """The 8-byte SDMMAC: the CMAC under the session key, its odd-numbered bytes (1, 3, … 15)."""
    full = _cmac(session_mac_key(file_key, uid, counter), mac_input)
    return full[1::2]


def verify(
    *,
    meta_key: bytes,
    file_key: bytes,
    picc_enc_hex: str,
    mac_hex: str,
    last_counter: int,
    expected_uid: bytes | None = None,
    mac_input: bytes = b"",
) -> SunMessage:
    """Decrypt and authenticate one tap; raise ``SunError`` unless it is genuine and newer than
    ``last_counter``."""
    try:
        picc_enc = bytes.fromhex(picc_enc_hex)
        mac = bytes.fromhex(mac_hex)
    except ValueError as exc:
        raise SunError("not hexadecimal") from exc
    if len(mac) != 8:
        raise SunError("SDMMAC must be 8 bytes")
    message = decrypt_picc(meta_key, picc_enc)
    if expected_uid is not None and not hmac.compare_digest(message.uid, expected_uid):
        raise SunError("another tag")
    if not hmac.compare_digest(sdm_mac(file_key, message.uid, message.counter, mac_input), mac):
        raise SunError("bad SDMMAC")
    if message.counter <= last_counter:
        raise SunError("replayed tap")
    return message


def encrypt_picc(meta_key: bytes, uid: bytes, counter: int, padding: bytes = bytes(5)) -> bytes:
    """What a tag would send (for tests, the benchmark and the demo's simulated tag)."""
    plain = bytes([0xC7]) + uid + counter.to_bytes(3, "little") + padding
    encryptor = Cipher(algorithms.AES(meta_key), modes.CBC(bytes(16))).encryptor()
    return encryptor.update(plain) + encryptor.finalize()
