"""reverse() for links repeated in lists, remembered per process.

Django's reverse() works out a URL anew on every call, about 50 µs; a
catalogue page or "Meine Bildungsmaßnahmen" needs one or two per row. The
result depends only on the arguments, the URL configuration and the script
prefix, which are all part of the key.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


def cached_reverse(viewname, *args):
    return _reverse(get_urlconf(), get_script_prefix(), viewname, args)


@lru_cache(maxsize=20_000)
def _reverse(urlconf, prefix, viewname, args):
    return reverse(viewname, urlconf=urlconf, args=args)


@receiver(setting_changed)
def _forget_on_new_urlconf(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()
