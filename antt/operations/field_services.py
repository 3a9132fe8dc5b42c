"""Writes from the field, one import for callers: orders acknowledged, check-ins, incident reports and
photos, SOS, positions.

Every function: keyword-only, an ``actor``, one transaction, ``operations.report`` required, typed errors
with vi/en messages, one audit entry (positions: one per batch, with the digest of its points). None of them
touches planning rows, so the plan's version (and its cached coverage) is unchanged by the day's traffic.
They live by what they are: ``field_checkins`` (orders and check-ins with their proofs), ``field_reports``
(incident reports and photos), ``field_sos``, ``field_positions``; ``field_input`` holds the checks they share.
"""

from __future__ import annotations

from antt.operations.field_checkins import (
    Proof,
    acknowledge_orders,
    check_in,
    configure_proof,
    post_proof,
)
from antt.operations.field_input import ACTION
from antt.operations.field_positions import MAX_BATCH, PositionResult, purge_positions, record_positions
from antt.operations.field_reports import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    add_photo,
    report_incident,
    strip_jpeg_metadata,
)
from antt.operations.field_sos import cancel_sos, raise_sos, sos_position

__all__ = [
    "ACTION",
    "MAX_BATCH",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "PositionResult",
    "Proof",
    "acknowledge_orders",
    "add_photo",
    "cancel_sos",
    "check_in",
    "configure_proof",
    "post_proof",
    "purge_positions",
    "raise_sos",
    "record_positions",
    "report_incident",
    "sos_position",
    "strip_jpeg_metadata",
]
