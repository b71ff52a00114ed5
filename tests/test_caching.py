from django.urls import reverse


def test_pages_for_signed_in_users_are_not_stored(client, employee):
    client.force_login(employee)

    response = client.get(reverse("accounts:profile"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_public_pages_may_be_cached_by_the_browser(client, db):
    response = client.get(reverse("courses:course_list"))

    assert "no-store" not in response.get("Cache-Control", "")
