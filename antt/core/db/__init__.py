"""Database backends of ANTT (Django's, with what the field load taught us)."""
