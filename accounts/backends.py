from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.sessions import account_read_with_session


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

    def get_user(self, user_id):
        """Load the user of a session, with whether a second factor is set up.

        The middleware that asks for the second factor needs to know on every
        request; reading it with the user saves a query per page. Signed-in
        requests take the account read with their session instead
        (``accounts.middleware.SessionAccountMiddleware``).
        """
        user = account_read_with_session(user_id)
        if user is not None:
            return user if self.user_can_authenticate(user) else None
        user_model = get_user_model()
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        try:
            user = user_model._default_manager.annotate(
                second_factor_at_load=Exists(devices)
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
