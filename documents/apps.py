from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Legal documents"

    def ready(self):
        from documents import immutability, text_repair

        # A SQLite table rebuild in any later migration drops the immutability
        # triggers silently: put them back after every migrate.
        post_migrate.connect(immutability.reinstall_after_migrate, sender=self,
                             dispatch_uid="documents.immutability")
        post_migrate.connect(immutability.reinstall_records_after_migrate, sender=self,
                             dispatch_uid="documents.immutability.records")
        # Names and titles stored before control characters were refused at the door
        # (issue #25): cleaned in place; published text is handled by the renderers.
        post_migrate.connect(text_repair.repair_after_migrate, sender=self,
                             dispatch_uid="documents.text_repair")
