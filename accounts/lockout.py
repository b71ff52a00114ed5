"""Hooks that django-axes calls to count and answer failed logins."""

from django.shortcuts import render

from accounts.identifiers import login_id_key


def username_from_request(request, credentials):
    """Return the counter key: one key for every spelling of a login id."""
    if credentials and credentials.get("username") is not None:
        return login_id_key(credentials["username"])
    return login_id_key(request.POST.get("username", ""))


def lockout_response(request, original_response, credentials):
    """Answer every login attempt for a locked Nutzerkennung the same way."""
    return render(request, "accounts/locked.html", status=429)
