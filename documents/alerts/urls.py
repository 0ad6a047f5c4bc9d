from django.urls import path

from documents import feeds
from documents.alerts import views

app_name = "alerts"

# One feed of all changes, under two names: /atom/ is the address people try.
all_changes = feeds.AllChangesFeed()

urlpatterns = [
    path("changes/", views.changes, name="changes"),
    path("api/changes/", views.api_changes, name="api_changes"),
    path("feed/", all_changes, name="feed"),
    path("atom/", all_changes, name="atom"),
    path("feed/publisher/<slug:slug>/", feeds.PublisherChangesFeed(), name="feed_publisher"),
    path("d/<slug:slug>/feed/", feeds.DocumentChangesFeed(), name="feed_document"),
    path("c/<str:key>/feed/", feeds.ClauseChangesFeed(), name="feed_clause"),
    path("citations/", views.citations_page, name="citations"),
    path("api/citations/", views.api_citations, name="api_citations"),
    path("watches/", views.watches, name="watches"),
    path("watches/add/", views.watch_add, name="watch_add"),
    path("watches/<int:pk>/remove/", views.watch_remove, name="watch_remove"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
