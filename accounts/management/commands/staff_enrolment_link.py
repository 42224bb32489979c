from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = (
        "E-mail a staff member a link to set up their first second factor, and print it: for a first "
        "superuser, who has no one to send them one. Earlier unused links stop working."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the staff member's e-mail address")

    def handle(self, *args, email, **options):
        users = get_user_model().objects.filter(email__iexact=email, is_staff=True)
        if len(users) != 1:
            raise CommandError(f"No single staff account has the address {email}.")
        try:
            url = services.staff_enrolment_issue(user=users[0], printed=True)
        except services.EnrolmentError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(url)
