import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from pages.models import AccessibilityFeedback
from tests.factories import SignLanguageVideoFactory

INFORMATION_PAGES = [
    ("pages:help", "Hilfe"),
    ("pages:imprint", "Impressum"),
    ("pages:privacy", "Datenschutz"),
    ("pages:accessibility_statement", "Erklärung zur Barrierefreiheit"),
    ("pages:easy_language", "Leichte Sprache"),
    ("pages:sign_language", "Gebärdensprache"),
]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(("url_name", "title"), INFORMATION_PAGES)
def test_information_page_is_public(client, db, url_name, title):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert f"<title>{title} – Bildungsportal</title>" in response.content.decode()


@pytest.mark.parametrize("url_name", [url_name for url_name, _ in INFORMATION_PAGES])
def test_every_page_footer_links_the_information_pages(client, db, url_name):
    response = client.get(reverse("courses:course_list"))

    assert f'href="{reverse(url_name)}"' in response.content.decode()


def test_start_page_links_easy_to_read_german(client, db):
    response = client.get(reverse("home"))

    html = response.content.decode()
    assert "Das Bildungsportal in Leichter Sprache" in html
    assert f'href="{reverse("pages:easy_language")}"' in html


@pytest.mark.parametrize(
    ("setting", "value", "url_name"),
    [
        ("PORTAL_OPERATOR_NAME", "Ministerium für Beispiele", "pages:imprint"),
        (
            "PORTAL_OPERATOR_ADDRESS",
            ["Beispielweg 7", "79098 Freiburg"],
            "pages:imprint",
        ),
        ("PORTAL_OPERATOR_PHONE", "0761 0000-0", "pages:imprint"),
        ("PORTAL_CONTENT_RESPONSIBLE", "Dr. Erika Beispiel", "pages:imprint"),
        ("PORTAL_PRIVACY_OFFICER", ["Max Schutz", "dsb@example.org"], "pages:privacy"),
        ("PORTAL_OPERATOR_NAME", "Ministerium für Beispiele", "pages:privacy"),
        (
            "PORTAL_OPERATOR_NAME",
            "Ministerium für Beispiele",
            "pages:accessibility_statement",
        ),
    ],
)
def test_operator_details_come_from_settings(
    client, db, settings, setting, value, url_name
):
    setattr(settings, setting, value)

    response = client.get(reverse(url_name))

    html = response.content.decode()
    for line in value if isinstance(value, list) else [value]:
        assert line in html


def test_accessibility_statement_names_status_date_and_conciliation_body(
    client, db, settings
):
    settings.PORTAL_ACCESSIBILITY_STATEMENT_DATE = "2026-11-30"

    response = client.get(reverse("pages:accessibility_statement"))

    html = response.content.decode()
    assert "teilweise vereinbar" in html
    assert "30. November 2026" in html
    assert "Landeszentrum Barrierefreiheit" in html
    assert "Schlichtungsverfahren" in html


def test_accessibility_feedback_is_stored_mailed_and_confirmed(client, db, settings):
    settings.PORTAL_ACCESSIBILITY_FEEDBACK_EMAIL = "barrierefreiheit@example.org"
    data = {
        "message": "Der Kalender lässt sich nicht mit der Tastatur bedienen.",
        "page_url": "/veranstaltungen/",
        "name": "Erika Muster",
        "email": "erika.muster@example.org",
    }

    response = client.post(reverse("pages:accessibility_statement"), data)

    assert response.status_code == 302
    assert response.url == reverse("pages:accessibility_feedback_done")
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == data["message"]
    (message,) = mail.outbox
    assert message.to == ["barrierefreiheit@example.org"]
    assert message.reply_to == ["erika.muster@example.org"]
    assert message.subject == "Bildungsportal: Rückmeldung zur Barrierefreiheit"
    assert data["message"] in message.body
    assert AuditEntry.objects.filter(action="pages.accessibility_feedback").exists()


def test_accessibility_feedback_without_contact_data_is_accepted(client, db):
    response = client.post(
        reverse("pages:accessibility_statement"), {"message": "Kontrast zu schwach."}
    )

    assert response.status_code == 302
    assert mail.outbox[0].reply_to == []


def test_accessibility_feedback_without_message_is_refused(client, db):
    response = client.post(reverse("pages:accessibility_statement"), {"message": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["message"]
    assert 'href="#id_message"' in response.content.decode()
    assert AccessibilityFeedback.objects.count() == 0
    assert mail.outbox == []


def test_feedback_received_page_confirms_receipt(client, db):
    response = client.get(reverse("pages:accessibility_feedback_done"))

    assert "Vielen Dank für Ihre Rückmeldung" in response.content.decode()


def test_sign_language_page_shows_published_videos_with_size_and_duration(
    client, db, media_root
):
    video = SignLanguageVideoFactory(title="Was das Portal bietet")
    SignLanguageVideoFactory(title="Noch nicht fertig", is_published=False)

    response = client.get(reverse("pages:sign_language"))

    html = response.content.decode()
    assert list(response.context["videos"]) == [video]
    assert "Dauer 3 Min. 20 Sek., Dateigröße 2,0\xa0KB" in html
    assert "Noch nicht fertig" not in html


def test_sign_language_video_downloads_as_attachment(client, db, media_root):
    video = SignLanguageVideoFactory()
    url = reverse("pages:sign_language_video", args=[video.pk])

    response = client.get(url, {"download": ""})
    content = b"".join(response.streaming_content)
    response.close()

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith("attachment;")
    with video.file.open("rb") as stored:
        assert content == stored.read()


@pytest.mark.parametrize(
    ("video_kwargs", "query"),
    [({"is_published": False}, {}), ({}, {"captions": ""})],
    ids=["unpublished video", "missing captions"],
)
def test_sign_language_video_is_404_when_not_available(
    client, db, media_root, video_kwargs, query
):
    video = SignLanguageVideoFactory(**video_kwargs)

    response = client.get(reverse("pages:sign_language_video", args=[video.pk]), query)

    assert response.status_code == 404


def test_unknown_address_gets_the_german_404_page(client, db):
    response = client.get("/gibt-es-nicht/")

    assert response.status_code == 404
    assert "Seite nicht gefunden – Bildungsportal" in response.content.decode()


def test_server_error_gets_the_german_500_page(db, settings):
    settings.ROOT_URLCONF = "tests.e2e.error_urls"
    client = Client(raise_request_exception=False)

    response = client.get(reverse("test_500"))

    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.content.decode()


def test_accessibility_feedback_is_limited_per_address(client, db, settings):
    settings.PORTAL_FEEDBACK_LIMIT_PER_IP = 2
    settings.PORTAL_ACCESSIBILITY_FEEDBACK_EMAIL = "barrierefreiheit@example.org"
    url = reverse("pages:accessibility_statement")
    for number in range(2):
        response = client.post(url, {"message": f"Meldung {number}"})
        assert response.status_code == 302

    response = client.post(url, {"message": "Meldung 3"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte versuchen Sie es später erneut" in html
    assert "barrierefreiheit@example.org" in html
    assert AccessibilityFeedback.objects.count() == 2
    assert len(mail.outbox) == 2
    assert response.context["form"]["message"].value() == "Meldung 3"


def test_navigation_marks_the_page_shown_on_every_visit(client, employee):
    # The links are kept rendered per process (portal_fragments): the mark
    # must still follow the page.
    client.force_login(employee)
    marked = '<a href="{}" aria-current="page">'
    catalogue = reverse("courses:course_list")
    profile = reverse("accounts:profile")

    on_catalogue = client.get(catalogue).content.decode()
    on_profile = client.get(profile).content.decode()
    on_help = client.get(reverse("pages:help")).content.decode()

    assert marked.format(catalogue) in on_catalogue
    assert marked.format(profile) not in on_catalogue
    assert marked.format(profile) in on_profile
    assert marked.format(catalogue) not in on_profile
    assert 'aria-current="page"' not in on_help
