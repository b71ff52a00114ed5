"""The pieces of every page that are the same for everyone: kept rendered.

The footer and the navigation's links cost about a third of the base
template; they are kept per process through portal.fragments, under
everything they show. What is personal (the logout form with its CSRF
token) stays in base.html.
"""

from django import template

from portal.fragments import Fragments
from portal.urlcache import cached_reverse

register = template.Library()

_footers = Fragments("partials/footer.html", size=10)
_nav_links = Fragments("partials/nav_links.html", size=50)
NAV_VIEWS = ("courses:course_list", "courses:my_enrollments", "accounts:profile")


@register.simple_tag(takes_context=True)
def footer(context):
    email = context.get("training_office_email", "")
    return _footers.render(email, {"training_office_email": email})


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The main navigation's links; the one of the page shown is marked."""
    request = context.get("request")
    path = getattr(request, "path", "")
    # Only whether the page is one of the links changes what they show.
    current = path if path in {cached_reverse(view) for view in NAV_VIEWS} else ""
    return _nav_links.render(current, {"current_path": current})
