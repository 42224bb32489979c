"""A guardian's address written another way (``pat@ｅxample.com``, delivered to pat@example.com) is
the same guardian: their opt-out holds, and a minor cannot name their own address that way."""

import pytest

from programs import services as programs
from programs.models import GuardianOptOut
from programs.services import ProgramError
from tests.accounts.test_address_variants import variant
from tests.programs.conftest import years_ago

pytestmark = pytest.mark.django_db


def test_a_minor_cannot_name_a_variant_of_their_own_address_as_guardian(resident, youth_program):
    with pytest.raises(ProgramError, match="must be theirs, not yours"):
        programs.application_submit(
            program=youth_program,
            applicant=resident,
            date_of_birth=years_ago(14),
            guardian_name="Me",
            guardian_email=variant(resident.email),
        )


def test_a_guardians_opt_out_covers_every_spelling_of_their_address(resident, youth_program):
    GuardianOptOut.objects.create(email="pat@example.com")
    with pytest.raises(ProgramError, match="asked not to get consent requests"):
        programs.application_submit(
            program=youth_program,
            applicant=resident,
            date_of_birth=years_ago(14),
            guardian_name="Pat",
            guardian_email=variant("pat@example.com"),
        )
