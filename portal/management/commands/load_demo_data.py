from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from portal import demo

# Each app's demo module exposes create_demo_data(officer, neighbourhoods); order matters.
APP_DEMO_MODULES: list[str] = [
    "meetings.demo",
    "programs.demo",
    "tips.demo",
    "alerts.demo",
    "watch.demo",
    "newsletters.demo",
    # After meetings and watch: its actions come out of their questions, feedback and concerns.
    "actions.demo",
    # After meetings (the drill it plans) and after actions exist (a walk's findings become actions).
    "audits.demo",
    # Last: adds a year of history and computes the figures of everything above.
    "transparency.demo",
]


class Command(BaseCommand):
    help = "Create demo neighbourhoods, an officer account and each app's demo content. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        neighbourhoods = demo.create_neighbourhoods()
        officer, password = demo.create_officer()
        totp_secret = demo.create_officer_authenticator(officer)
        for module_name in APP_DEMO_MODULES:
            import_module(module_name).create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"  Officer log-in: {demo.OFFICER_EMAIL} / {password}  (new password each run)")
        self.stdout.write(f"  Officer authenticator-app secret: {totp_secret}  (add it to any TOTP app; new each run)")
