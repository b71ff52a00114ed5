"""The portal's password hasher: Argon2id at a cost a worker can carry."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 46 MiB, two passes and one lane.

    Django's default takes 100 MiB and eight lanes: every login would lift
    a gunicorn worker's resident memory above 150 MiB. These parameters lie
    above both of OWASP's minimums for Argon2id (46 MiB with one pass, or
    19 MiB with two) and cost about as much time as the default on a small
    server. The algorithm name stays "argon2", so hashes made with other
    parameters still verify and are rewritten with these at the next login.
    """

    time_cost = 2
    memory_cost = 46 * 1024
    parallelism = 1
