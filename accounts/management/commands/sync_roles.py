from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import ROLE_PERMISSIONS
from accounts.staff_access import staff_access_changed


class Command(BaseCommand):
    help = "Create the staff groups (Officers, Tip reviewers) with exactly the permissions they need."

    def handle(self, *args, **options):
        for group_name, apps in ROLE_PERMISSIONS.items():
            wanted = []
            for app_label, models in apps.items():
                for model, actions in models.items():
                    for action in actions:
                        codename = f"{action}_{model}"
                        try:
                            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
                        except Permission.DoesNotExist:
                            raise CommandError(
                                f"Permission {app_label}.{codename} does not exist; run migrate first."
                            ) from None
            group, _created = Group.objects.get_or_create(name=group_name)
            group.permissions.set(wanted)
            self.stdout.write(f"{group_name}: {len(wanted)} permissions")
            # A role may have lost a permission: its members may have lost a standing role with it.
            staff_access_changed(user_ids=group.user_set.values_list("pk", flat=True))
