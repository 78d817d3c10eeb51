"""The admin for reference data: django-otp's OTPAdminSite (a verified second factor), open only to
administrators by policy. Model admins save through services; the admin is never a back door."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from liaison import policy
from liaison.core.transactions import interface_boundary
from liaison.org.actor import actor_for_request


class LiaisonAdminSite(OTPAdminSite):
    site_header = _("Liaison — reference data")
    site_title = _("Liaison administration")
    index_title = _("Reference data and accounts")

    def has_permission(self, request):
        if not super(OTPAdminSite, self).has_permission(request) and not request.user.is_active:
            return False
        if not (request.user.is_authenticated and request.user.is_verified()):
            return False
        return policy.can(actor_for_request(request), "reference.manage")

    def login(self, request, extra_context=None):
        """One sign-in form for the whole node (/accounts/login/: lockout per account, throttle by
        address, second factor, every failure audited); the admin's own form would bypass them."""
        from django.contrib.auth.views import redirect_to_login
        from django.urls import reverse
        from django.utils.http import url_has_allowed_host_and_scheme

        target = request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, login_url=reverse("accounts:login"))


site = LiaisonAdminSite(name="admin")


class PolicyAdmin(admin.ModelAdmin):
    """Permissions come from policy, not from Django's per-model permissions."""

    manage_action = "reference.manage"

    def _actor(self, request):
        return actor_for_request(request)

    def has_module_permission(self, request):
        return policy.can(self._actor(request), self.manage_action)

    def has_view_permission(self, request, obj=None):
        return policy.can(self._actor(request), self.manage_action)

    def has_add_permission(self, request):
        return policy.can(self._actor(request), self.manage_action)

    def has_change_permission(self, request, obj=None):
        return policy.can(self._actor(request), self.manage_action)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return policy.visible(self._actor(request), self.model)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Django's change form, with its transaction opened as an interface boundary, so that the
        service `save_model` calls (durable: `core/transactions.py`) joins it."""
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return self._changeform_view(request, object_id, form_url, extra_context)
        with interface_boundary():
            return self._changeform_view(request, object_id, form_url, extra_context)
