from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LoginIdBackend(ModelBackend):
    """Authenticate with the Nutzerkennung, whatever its case or white space.

    Accounts that must reset their password first never authenticate, not even
    with the password they had in the old system.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or not password:
            return None
        return super().authenticate(request, username=username, password=password)

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.must_reset_password
