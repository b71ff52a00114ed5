"""The pieces of every page that are the same for everyone: kept rendered.

The footer, the navigation's links and the stylesheets' links cost about
half of the base template; they are kept per process through
portal.fragments, under everything they show. What is personal (the logout
form with its CSRF token) stays in base.html.
"""

from django import template

from portal.fragments import Fragments
from portal.urlcache import cached_reverse

register = template.Library()

_footers = Fragments("partials/footer.html", size=10)
_nav_links = Fragments("partials/nav_links.html", size=50)
_stylesheets = Fragments("partials/stylesheets.html", size=1)
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
