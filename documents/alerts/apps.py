from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Watches, the alert outbox and the pages that say what changed (feeds, recent
    changes, the citation check). Its own app so its tables migrate on their own."""

    name = "documents.alerts"
    label = "alerts"
    verbose_name = "Watches and alerts"
    default_auto_field = "django.db.models.BigAutoField"
