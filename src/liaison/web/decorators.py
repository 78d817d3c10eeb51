from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from liaison.org.actor import actor_for_request


def signed_in(view):
    """A page for a signed-in user; `request.actor` is the acting membership."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.actor = actor_for_request(request)
        return view(request, *args, **kwargs)

    return wrapper
