from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),  # reader sign-in, password reset
    path("", include("documents.alerts.urls")),
    path("", include("documents.urls")),
]

handler404 = "portal.errors.not_found"
handler400 = "portal.errors.bad_request"
handler500 = "portal.errors.server_error"
