from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.core.errors import DomainError
from liaison.org import services
from liaison.org.models import Membership, Unit, User
from liaison.web.admin_site import PolicyAdmin, site


def _refused(request, exc: DomainError) -> None:
    """An action refused row by row is audited like a refusal anywhere else (core.middleware)."""
    refused = getattr(exc, "refused", None)
    if refused:
        from liaison.audit import log as audit
        from liaison.audit.verbs import Verb
        from liaison.core.api import refused_object
        from liaison.org.actor import actor_for_request

        action, obj = refused
        audit.record_separately(
            actor_for_request(request), Verb.ACCESS_REFUSED, refused_object(obj), changes={"action": action}
        )


def _raise_as_validation(exc: DomainError):
    raise ValidationError({e.field: e.message for e in exc.errors} or exc.message)


class UnitAdminForm(forms.ModelForm):
    """Field errors come from the same checks as the service, so the admin shows them on the form
    instead of failing on save."""

    actor = None

    class Meta:
        model = Unit
        fields = ("code", "name", "short_name", "force", "kind", "country", "parent", "area", "is_active")

    def clean(self):
        data = super().clean()
        errors = services._validate_unit(
            code=data.get("code") or "",
            name=data.get("name") or "",
            short_name=data.get("short_name") or "",
            force=data.get("force"),
            kind=data.get("kind"),
            country=data.get("country") or "",
            exclude=None if self.instance._state.adding else self.instance.pk,
        )
        for e in errors:
            if e.field in self.fields and e.field not in self.errors:
                self.add_error(e.field, e.message)
        parent = data.get("parent")
        adding = self.instance._state.adding
        moving = adding or (self.instance.parent_id != getattr(parent, "pk", None))
        if moving and not policy.can(self.actor, "unit.create", parent):
            self.add_error("parent", _("Choose a parent unit within your own subtree."))
        if not adding and parent is not None and parent.path.startswith(self.instance.path):
            self.add_error("parent", _("A unit cannot move below itself."))
        return data


@admin.register(Unit, site=site)
class UnitAdmin(PolicyAdmin):
    form = UnitAdminForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = self._actor(request)
        return form

    list_display = ("code", "name", "force", "kind", "level", "country", "parent", "is_active")
    list_filter = ("force", "kind", "level", "country")
    search_fields = ("code", "name")
    fields = ("code", "name", "short_name", "force", "kind", "country", "parent", "area", "is_active")
    autocomplete_fields = ("parent", "area")

    def save_model(self, request, obj, form, change):
        actor = self._actor(request)
        try:
            if change:
                fields = {f: form.cleaned_data[f] for f in form.changed_data if f != "is_active"}
                saved = services.unit_update(actor, unit=Unit.objects.get(pk=obj.pk), **fields)
            else:
                saved = services.unit_create(
                    actor,
                    code=obj.code,
                    name=obj.name,
                    short_name=obj.short_name,
                    force=obj.force,
                    kind=obj.kind,
                    parent=obj.parent,
                    country=obj.country,
                    area=obj.area,
                )
            obj.pk, obj.path, obj.level = saved.pk, saved.path, saved.level
        except DomainError as exc:
            messages.error(request, "; ".join(f"{e.field}: {e.message}" for e in exc.errors) or exc.message)
            raise


@admin.register(Membership, site=site)
class MembershipAdmin(PolicyAdmin):
    list_display = ("user", "unit", "role", "status", "granted_by", "approved_by")
    list_filter = ("role", "status")
    fields = ("user", "unit", "role")
    autocomplete_fields = ("user", "unit")  # searchable pickers, not raw ids
    actions = ["approve", "revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        saved = services.membership_grant(self._actor(request), user=obj.user, unit=obj.unit, role=obj.role)
        obj.pk, obj.status, obj.granted_by = saved.pk, saved.status, saved.granted_by
        if saved.status == Membership.Status.PENDING:
            who = policy.choices(self._actor(request), "membership.approvers", saved)
            names = ", ".join(f"{m.user} ({m.get_role_display()}, {m.unit})" for m in who) or _("nobody yet")
            messages.warning(
                request,
                _("%(membership)s is pending: it gives no access until one of these confirms it: %(who)s.")
                % {"membership": saved, "who": names},
            )

    @admin.action(description=_("Confirm (second person: not the granter, not the member)"))
    def approve(self, request, queryset):
        issued = []
        for m in queryset:
            try:
                confirmed = services.membership_approve(self._actor(request), membership=m)
            except DomainError as exc:
                _refused(request, exc)
                messages.error(request, f"{m}: {exc.message}")
            else:
                messages.success(request, _("%(membership)s: confirmed.") % {"membership": m})
                if confirmed.activation_code:
                    issued.append({"user": m.user, "code": confirmed.activation_code})
        if issued:
            # Activation codes are shown in this answer only: never in a message cookie, never stored.
            from django.template.response import TemplateResponse

            return TemplateResponse(
                request, "admin/activation_codes.html", {**site.each_context(request), "issued": issued}
            )
        return None

    @admin.action(description=_("Revoke"))
    def revoke(self, request, queryset):
        for m in queryset:
            try:
                services.membership_revoke(self._actor(request), membership=m)
            except DomainError as exc:
                _refused(request, exc)
                messages.error(request, f"{m}: {exc.message}")


@admin.register(User, site=site)
class UserAdmin(PolicyAdmin):
    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name")
    fields = ("username", "full_name", "email")
    readonly_fields = ()

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        created = services.user_create(
            self._actor(request), username=obj.username, full_name=obj.full_name, email=obj.email
        )
        obj.pk = created.pk
        messages.info(
            request,
            _(
                "%(user)s has no password yet: whoever confirms the account's first membership receives "
                "a one-time activation code to hand to its owner, who then chooses a password."
            )
            % {"user": obj.username},
        )
