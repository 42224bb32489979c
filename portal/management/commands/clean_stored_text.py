from django.core.management.base import BaseCommand

from portal.text import stored_text_clean


class Command(BaseCommand):
    help = (
        "Clean invisible control characters out of text saved before the forms cleaned them "
        "(once, after upgrading). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the rows that would change; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        changed = stored_text_clean(dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        for label, count in sorted(changed.items()):
            self.stdout.write(f"{label}: {count} row(s) {verb}")
        self.stdout.write(f"{sum(changed.values())} row(s) {verb} in all.")
