from django.urls import path

from liaison.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.otp_view, name="otp"),
    path("logout/", views.logout_view, name="logout"),
    path("activate/", views.activate_view, name="activate"),
    path("switch/", views.switch_unit, name="switch"),
    path("memberships/", views.memberships_pending, name="memberships"),
    path("memberships/<uuid:membership_id>/confirm/", views.membership_confirm, name="membership_confirm"),
    path("activations/<uuid:user_id>/", views.activation_reissue, name="activation_reissue"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
