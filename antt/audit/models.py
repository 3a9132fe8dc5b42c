"""The tamper-evident audit trail: hash chains per event — its main chain (chain = the event id; 0 for actions
outside any event) and lanes beside it for concurrent writers, anchored in the main chain (``services``).

Each entry's ``hash`` covers its ``prev_hash`` (the hash of the entry before it in its chain) and the
thirteen fields in ``chain.HASHED_FIELDS``, in the format its ``alg`` names:

* ``alg = 2`` (every keyed entry written since issue 12): ``hex(BLAKE2b-256(key = K2, body))``, the body the
  UTF-8 of ``prev_hash`` and the fields as text joined by U+FFFF (``chain.body_v2``; integers in decimal, a
  null one as nothing; the time as ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC; text as stored, ``record()``
  storing U+FFFF as U+FFFD), ``K2 = HMAC-SHA256(ANTT_AUDIT_KEY, "antt.audit.entry-key.v2")``;
* ``alg = 1`` (keyed entries written before it): ``HMAC-SHA256(K1, SHA-256(prev_hash + canonical JSON))``,
  ``K1 = HMAC-SHA256(ANTT_AUDIT_KEY, "antt.audit.entry-key.v1")``;
* ``alg = 0`` (entries written before the key, or without one): plain ``SHA-256(prev_hash + canonical JSON)``.

The keys are never stored in the database. A chain may go on from one format into the next; no unkeyed
entry may follow a keyed one. The full definition, for an independent verifier: docs/operations.md,
"Entry formats"; the code: ``antt.audit.chain``. Rows are append-only: database triggers
(see ``antt.audit.db``) refuse UPDATE and DELETE. ``AuditChainHead`` only serialises appends; it is
never trusted by ``verify``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    chain = models.BigIntegerField(_("chain"), db_index=True, help_text=_("The event id; 0 outside events."))
    seq = models.BigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    event_id = models.BigIntegerField(_("event id"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.TextField(_("changes"), blank=True, help_text=_("Canonical JSON of before/after."))
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    alg = models.PositiveSmallIntegerField(
        _("hash algorithm"),
        default=0,
        help_text=_(
            "0: SHA-256 (entries written before the key); 1: HMAC-SHA256 with the audit key; "
            "2: keyed BLAKE2b-256 (entries written since issue 12)."
        ),
    )

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [
            models.Index(fields=["event_id", "-id"], name="audit_event_newest"),
            # the anchors of lanes in their event's main chain (verify checks each against its lane)
            models.Index(fields=["chain", "seq"], condition=Q(action="audit.anchor"), name="audit_anchors"),
        ]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.action}"


class AuditChainHead(models.Model):
    """The last (seq, hash) of each chain, locked while appending so concurrent writers never fork
    (PostgreSQL; its hash follows the newest entry by trigger). SQLite, one writer at a time, reads the head
    from the chain's newest entry and keeps no rows here."""

    chain = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"chain {self.chain} @ {self.seq}"
