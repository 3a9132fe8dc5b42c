from django.contrib.auth import views as auth_views
from django.urls import path

from antt.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", views.otp_verify, name="otp-verify"),
    path("two-factor/enrol/", views.otp_enrol, name="otp-enrol"),
    path("two-factor/backup-codes/", views.backup_codes, name="backup-codes"),
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password-change"),
    path("tokens/", views.token_create, name="token-create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
