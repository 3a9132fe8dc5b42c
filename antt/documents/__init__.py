"""Classified documents: versions encrypted at rest, need-to-know grants tied to people, units and duties,
every read recorded, downloads marked per reader."""
