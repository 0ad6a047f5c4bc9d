from django.core.management.base import BaseCommand

from documents.alerts import services


class Command(BaseCommand):
    help = (
        "Send the alert e-mails waiting in the outbox: match saved searches against new "
        "change sets, then send each due alert once. Failed sends are retried on later runs "
        "with exponential backoff. Safe to run often and from several places at once "
        "(cron or a systemd timer every minute, and after publishing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=0, help="Send at most this many alerts in this run.")

    def handle(self, *args, limit, **options):
        report = services.alerts_deliver(limit=limit or None)
        self.stdout.write(f"Alerts: {report}.")
        for error in report.errors:
            self.stderr.write(f"  {error}")
