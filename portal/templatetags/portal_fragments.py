"""The pieces of every page that are the same for everyone: kept rendered.

The footer, the navigation's links and the stylesheets' links cost about
half of the base template; they are kept per process through
portal.fragments, under everything they show. What is personal (the logout
form with its CSRF token) stays in base.html. The warning before a session
ends is kept with stand-ins for its three per-request values.
"""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.fragments import Fragments
from portal.urlcache import cached_reverse

register = template.Library()

_footers = Fragments("partials/footer.html", size=10)
_nav_links = Fragments("partials/nav_links.html", size=50)
_stylesheets = Fragments("partials/stylesheets.html", size=1)
_session_dialogs = Fragments("partials/session_timeout.html", size=10)
# Stand-ins for what differs with every request. No number, token or
# escaped path holds a NUL character.
_SECONDS_LEFT, _CSRF_TOKEN, _NEXT = "\x00seconds\x00", "\x00token\x00", "\x00next\x00"
NAV_VIEWS = ("courses:course_list", "courses:my_enrollments", "accounts:profile")


@register.simple_tag(takes_context=True)
def footer(context):
    email = context.get("training_office_email", "")
    return _footers.render(email, {"training_office_email": email})


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The main navigation's links; the one of the page shown is marked.

    Visitors also get the login link; the logout form of a signed-in person
    carries a CSRF token and stays in base.html.
    """
    request = context.get("request")
    path = getattr(request, "path", "")
    # Only whether the page is one of the links changes what they show.
    current = path if path in {cached_reverse(view) for view in NAV_VIEWS} else ""
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    return _nav_links.render(
        (current, signed_in), {"current_path": current, "signed_in": signed_in}
    )


@register.simple_tag
def stylesheets():
    """The stylesheets' links, with the hashed names of the static files."""
    return _stylesheets.render((), {})


@register.simple_tag(takes_context=True)
def session_dialog(context):
    """The warning before the session ends, on every signed-in page.

    Its texts, links and script cost a quarter of a millisecond in the
    template engine and are the same for everyone; only the seconds left,
    the CSRF token and the page to return to differ from one request to
    the next. Those are put into the kept HTML in their places.
    """
    request = context["request"]
    warning = (context["session_warning_seconds"], context["session_warning_minutes"])
    html = _session_dialogs.render(
        warning,
        {
            "session_warning_seconds": warning[0],
            "session_warning_minutes": warning[1],
            "session_seconds_left": _SECONDS_LEFT,
            "csrf_token": _CSRF_TOKEN,
            "next": _NEXT,
        },
    )
    return mark_safe(  # noqa: S308 - the values put in are a number, a token, escaped
        html.replace(_SECONDS_LEFT, str(int(context["session_seconds_left"])))
        # The token of the page's other forms: masking another costs 0.1 ms.
        .replace(_CSRF_TOKEN, str(context.get("csrf_token") or get_token(request)))
        .replace(_NEXT, escape(request.get_full_path()))
    )
