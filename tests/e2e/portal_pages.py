"""The pages and page states every accessibility and HTML check covers.

Each entry names a state, the URL to open, and the form data to send for a
state that only a submitted form reaches. The lead extends these lists as
pages are added; the checks pick new entries up on their own.
"""

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class PageState:
    """A page in one state; ``needs`` names data the state depends on.

    ``"course"`` passes a published course's number to the URL, ``"video"``
    publishes a sign-language video.
    """

    name: str
    url_name: str = ""
    path: str = ""
    post: dict | None = None
    status: int = 200
    needs: tuple = field(default=())

    def url(self, *args):
        return self.path or reverse(self.url_name, args=args)

    def __str__(self):
        return self.name


PAGE_STATES = [
    PageState("start", "home"),
    PageState("login", "accounts:login"),
    PageState("login with errors", "accounts:login", post={}),
    PageState("sign-up", "accounts:signup"),
    PageState("sign-up with errors", "accounts:signup", post={}),
    PageState("catalogue", "courses:course_list"),
    PageState("course detail", "courses:course_detail", needs=("course",)),
    PageState("help", "pages:help"),
    PageState("legal notice", "pages:imprint"),
    PageState("privacy", "pages:privacy"),
    PageState("accessibility statement", "pages:accessibility_statement"),
    PageState(
        "accessibility feedback with errors",
        "pages:accessibility_statement",
        post={},
    ),
    PageState("accessibility feedback received", "pages:accessibility_feedback_done"),
    PageState("easy-to-read German", "pages:easy_language"),
    PageState("sign language without videos", "pages:sign_language"),
    PageState("sign language with a video", "pages:sign_language", needs=("video",)),
    PageState("admin login", "admin:login"),
]

ERROR_STATES = [
    PageState("400", "test_400", status=400),
    PageState("403", "test_403", status=403),
    PageState("404", path="/gibt-es-nicht/", status=404),
    PageState("500", "test_500", status=500),
    PageState("503", "test_503", status=503),
    PageState("CSRF failure", "test_csrf", status=403),
]
