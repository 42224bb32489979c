from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Safety audits and drills")

    def ready(self):
        from actions.sources import register_source
        from audits import services
        from audits.models import DebriefAnswer, Finding

        # A finding and a drill's debrief answer can each become an action item; its author and
        # everyone who attended hear of each status change. A debrief answer is private: the
        # officer reads it and words the action, which is public.
        register_source(
            Finding,
            kind="finding",
            label=_("Safety audit finding"),
            prefill=services.finding_prefill,
            audience=services.finding_audience,
        )
        register_source(
            DebriefAnswer,
            kind="debrief",
            label=_("Drill debrief"),
            prefill=services.debrief_prefill,
            audience=services.debrief_audience,
            private_text=services.debrief_private_text,
        )
