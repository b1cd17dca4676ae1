from django.utils import timezone
from rest_framework.views import APIView


class UserApi(APIView):
    """An authenticated API view that reads and writes times in the user's own zone."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token-authenticated requests are identified only here, after the middleware ran.
        if request.user.is_authenticated:
            timezone.activate(request.user.tz)
