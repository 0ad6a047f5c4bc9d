from django.urls import path, re_path

from documents import api, upload_views, views
from documents.search import views as search_views

app_name = "documents"

LABEL = r"(?P<label>current|latest|\d{4}-\d{2}-\d{2}(?:-\d+)?)"

urlpatterns = [
    path("", views.home, name="home"),
    path("d/<slug:slug>/", views.document_detail, name="document"),
    re_path(rf"^d/(?P<slug>[-\w]+)/v/{LABEL}/$", views.version_detail, name="version"),
    re_path(rf"^d/(?P<slug>[-\w]+)/v/{LABEL}/pdf/$", views.version_pdf, name="version_pdf"),
    # Clause permalinks: /c/<key>/ follows the lineage to the newest version,
    # /c/<key>/<label>/ pins the clause as it reads in one version.
    path("c/<str:key>/", views.clause_latest, name="clause_latest"),
    re_path(rf"^c/(?P<key>[0-9a-z]+)/{LABEL}/$", views.clause_pinned, name="clause_pinned"),
    path("compare/", views.compare, name="compare"),
    path("compare/rows/", views.compare_rows, name="compare_rows"),
    path("compare/pdf/", views.compare_pdf, name="compare_pdf"),
    path("search/", search_views.search, name="search"),
    path("search/export/", search_views.search_export, name="search_export"),
    path("search/suggest/", search_views.search_suggest, name="search_suggest"),
    path("api/search/", search_views.api_search, name="api_search"),
    path("staff/upload/", upload_views.upload, name="upload"),
    path("staff/drafts/<int:pk>/", upload_views.draft_detail, name="draft"),
    path("staff/drafts/<int:pk>/publish/", upload_views.draft_publish, name="draft_publish"),
    path("staff/drafts/<int:pk>/discard/", upload_views.draft_discard, name="draft_discard"),
    path("api/documents/", api.document_list, name="api_documents"),
    re_path(rf"^api/documents/(?P<slug>[-\w]+)/versions/{LABEL}/$", api.version_detail, name="api_version"),
    path("api/clauses/<str:key>/", api.clause_lineage, name="api_clause"),
    path("api/compare/", api.compare, name="api_compare"),
    # The tracked archives (import_ota): how far each is imported, what was refused.
    path("collection/", views.collection, name="collection"),
    path("api/collection/", api.collection, name="api_collection"),
]
