"""Rendered pieces of a page, remembered per process by what they show.

A catalogue card or a row of "Meine Bildungsmaßnahmen" costs about a tenth
of a millisecond in Django's template engine, and a page has twenty to
forty of them. The same course looks the same to every visitor, so each
piece is rendered once per process and looked up after that, under a key
made of every value it shows together with the language, time zone and
script prefix. A change to any of them makes a new key; the old piece is
never shown again and falls out when the store is full. Nothing is ever
stale, and nothing personal is shared: a key that holds an enrolment
holds its id.

In debug mode nothing is kept, so that an edited template shows at once.
"""

import threading

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language


class Kept:
    """A bounded per-process store; an entry may end at a given time.

    When full, the oldest entry goes first (dicts keep insertion order).
    """

    def __init__(self, size):
        self.size = size
        self._store = {}
        # gunicorn may run threads (GUNICORN_THREADS): one at a time evicts.
        self._lock = threading.Lock()

    def get(self, key):
        entry = self._store.get(key)
        if entry is None or (entry[0] is not None and entry[0] <= timezone.now()):
            return None
        return entry[1]

    def put(self, key, value, *, until=None):
        with self._lock:
            if len(self._store) >= self.size:
                del self._store[next(iter(self._store))]
            self._store[key] = (until, value)
        return value

    def clear(self):
        self._store.clear()


class Fragments:
    def __init__(self, template_name, *, size=5000):
        self.template_name = template_name
        self._kept = Kept(size)

    def render(self, key, context, request=None):
        """Return the template rendered with context; key names its content.

        ``request`` is for templates whose tags read it ({% querystring %});
        whatever they take from it must be part of the key.
        """
        if settings.DEBUG:
            return get_template(self.template_name).render(context, request)
        key = (get_language(), get_current_timezone_name(), get_script_prefix(), key)
        html = self._kept.get(key)
        if html is None:
            html = self._kept.put(
                key, get_template(self.template_name).render(context, request)
            )
        return html

    def clear(self):
        self._kept.clear()
