"""Signals through which apps above accounts react to account changes."""

from django.dispatch import Signal

# Sent inside the anonymisation's transaction, before any personal data is
# removed, with ``user`` and ``actor``. Receivers settle what the person still
# holds (e.g. enrolments) while the account can still be identified.
account_anonymising = Signal()
