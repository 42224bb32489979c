"""What is published: each data set, its measures and the data dictionary that describes them."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

COUNT = "count"  # events in the period: a month's figures add up to a quarter's
STOCK = "stock"  # how many there are at the end of the period
AVERAGE = "average"
SHARE = "share"


@dataclass(frozen=True)
class Measure:
    name: str
    kind: str
    meaning: object
    unit: object
    how: object
    # SHARE: numerator / denominator (measure names); AVERAGE: weight is the number of answers.
    numerator: str = ""
    denominator: str = ""

    @property
    def json_type(self) -> str:
        return "integer" if self.kind in (COUNT, STOCK) else "number"


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object
    description: object
    measures: tuple[Measure, ...]
    caveats: tuple = ()
    # What the category column holds, if anything.
    category_meaning: object = ""
    # Tips are published by whole month only (never for a rolling window).
    rolling: bool = True
    # Whether "city" is the sum of the neighbourhoods and "none" (checked when suppressing).
    additive_areas: bool = True
    keywords: tuple = field(default=())

    def measure(self, name: str) -> Measure:
        return next(measure for measure in self.measures if measure.name == name)


HELD = _("Published meetings that started in the period, have ended and were not cancelled.")

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "meetings",
        _("Meetings and attendance"),
        _("Town halls, forums, beat meetings and drills held, how many people came, and the questions sent ahead."),
        (
            Measure("meetings_held", COUNT, _("Meetings held"), _("meetings"), HELD),
            Measure("attendance", COUNT, _("Attendance"), _("people"), _("People checked in at the meetings held.")),
            Measure(
                "questions_sent",
                COUNT,
                _("Questions sent ahead"),
                _("questions"),
                _("Questions residents sent for the meetings held, whether published, answered or not."),
            ),
            Measure(
                "questions_answered",
                COUNT,
                _("Questions answered"),
                _("questions"),
                _("Of the questions sent ahead, those the officers answered."),
            ),
            Measure(
                "questions_answered_share",
                SHARE,
                _("Share of questions answered"),
                _("percent"),
                _("Questions answered divided by questions sent ahead, times 100, to one decimal."),
                numerator="questions_answered",
                denominator="questions_sent",
            ),
        ),
        caveats=(
            _("Attendance counts people checked in at the door; people who came without checking in are missed."),
        ),
        keywords=("meetings", "attendance", "community engagement"),
    ),
    Dataset(
        "feedback",
        _("How residents rated meetings"),
        _("Anonymous feedback after the meetings held: four ratings from 1 to 5 and whether a concern was addressed."),
        (
            Measure(
                "responses",
                COUNT,
                _("Feedback answers"),
                _("answers"),
                _("Feedback answers about the meetings held whose feedback has closed."),
            ),
            *(
                Measure(
                    name,
                    AVERAGE,
                    label,
                    _("rating from 1 (poor) to 5 (very good)"),
                    _("The mean of the answers' ratings, to two decimals."),
                    denominator="responses",
                )
                for name, label in (
                    ("rating_information_avg", _("Average rating: useful information")),
                    ("rating_listening_avg", _("Average rating: officers listened")),
                    ("rating_organisation_avg", _("Average rating: well organised")),
                    ("rating_overall_avg", _("Average rating: overall")),
                )
            ),
            Measure(
                "concerns_raised",
                COUNT,
                _("Answers that brought a concern"),
                _("answers"),
                _('Answers that said yes, partly or no to "was your concern addressed".'),
            ),
            Measure(
                "concern_addressed_yes",
                COUNT,
                _("Concern addressed: yes"),
                _("answers"),
                _("Answers that said their concern was addressed."),
            ),
            Measure(
                "concern_addressed_yes_share",
                SHARE,
                _("Share of concerns addressed"),
                _("percent"),
                _('"Yes" answers divided by answers that brought a concern, times 100, to one decimal.'),
                numerator="concern_addressed_yes",
                denominator="concerns_raised",
            ),
        ),
        caveats=(
            _(
                "A meeting's answers are counted once its feedback has closed (two weeks after it), so "
                "the latest meetings are missing."
            ),
            _("Only people who chose to answer are counted."),
        ),
        keywords=("feedback", "satisfaction", "trust"),
    ),
    Dataset(
        "programs",
        _("Programs"),
        _(
            "Academies, youth programs, workshops, ride-alongs and volunteer programs: "
            "started, places filled, completed."
        ),
        (
            Measure(
                "programs_started",
                COUNT,
                _("Programs run"),
                _("programs"),
                _("Programs whose first session started in the period."),
            ),
            Measure(
                "places_filled",
                COUNT,
                _("Places filled"),
                _("places"),
                _("Accepted and completed applications to the programs run."),
            ),
            Measure(
                "completions",
                COUNT,
                _("Completions"),
                _("people"),
                _("Applications marked completed in the period."),
            ),
        ),
        keywords=("programs", "academy", "youth"),
    ),
    Dataset(
        "watch",
        _("Neighbourhood Watch"),
        _("Approved Neighbourhood Watch groups and their members at the end of the period."),
        (
            Measure(
                "groups",
                STOCK,
                _("Watch groups"),
                _("groups"),
                _("Groups approved before the end of the period."),
            ),
            Measure(
                "members",
                STOCK,
                _("Watch group members"),
                _("memberships"),
                _("Active memberships of those groups, begun before the end of the period."),
            ),
        ),
        caveats=(
            _("A resident in two groups counts twice."),
            _("Groups and members that left are not counted in earlier periods either."),
        ),
        keywords=("neighbourhood watch", "volunteers"),
    ),
    Dataset(
        "alerts",
        _("Alerts by category"),
        _("Safety alerts published in the period, by category."),
        (
            Measure(
                "alerts_published",
                COUNT,
                _("Alerts published"),
                _("alerts"),
                _("Alerts first published in the period (later cancelled ones included)."),
            ),
        ),
        caveats=(
            _(
                "An alert for several neighbourhoods counts in each; the city figure counts it once, "
                "city-wide alerts included, so neighbourhoods do not add up to the city."
            ),
        ),
        category_meaning=_("The alert's category (CAP 1.2 code)."),
        additive_areas=False,
        keywords=("alerts", "warnings"),
    ),
    Dataset(
        "actions",
        _("Action items"),
        _("What the department and its partners committed to do: items by status, on time and overdue."),
        (
            Measure(
                "actions",
                COUNT,
                _("Action items"),
                _("action items"),
                _("Action items created in the period, by their present status (the category)."),
            ),
            Measure(
                "done_with_due_date",
                COUNT,
                _("Done, with a due date"),
                _("action items"),
                _("Action items done in the period that had a due date."),
            ),
            Measure(
                "done_on_time",
                COUNT,
                _("Done on time"),
                _("action items"),
                _("Of those, the ones done on or before their due date."),
            ),
            Measure(
                "on_time_share",
                SHARE,
                _("On-time rate"),
                _("percent"),
                _("Done on time divided by done with a due date, times 100, to one decimal."),
                numerator="done_on_time",
                denominator="done_with_due_date",
            ),
            Measure(
                "overdue",
                STOCK,
                _("Overdue"),
                _("action items"),
                _("Items due before the end of the period and not done by then (nor found not possible)."),
            ),
        ),
        caveats=(
            _("Statuses are today's: an item created in an earlier period is counted under its present status."),
            _("An item found not possible is left out of the overdue count, whenever that was decided."),
        ),
        category_meaning=_('For "actions": the status (proposed, planned, in_progress, done, not_possible).'),
        keywords=("action plans", "accountability", "follow-through"),
    ),
    Dataset(
        "tips",
        _("Anonymous tips"),
        _("Tips received through the anonymous tip line and where they stand, by month and category, city-wide only."),
        (
            Measure(
                "received", COUNT, _("Tips received"), _("tips"), _("Tips received in the month (city's time zone).")
            ),
            *(
                Measure(name, COUNT, label, _("tips"), _("Of the tips received in the month, those now in this state."))
                for name, label in (
                    ("outcome_open", _("Still being reviewed")),
                    ("outcome_actionable", _("Actionable")),
                    ("outcome_referred", _("Referred")),
                    ("outcome_closed", _("Closed")),
                    ("outcome_spam", _("Spam")),
                )
            ),
        ),
        caveats=(
            _("Published for whole months only, once the month is over, and never by neighbourhood or by day."),
            _("Tips are deleted a year after they are closed; older months then count fewer."),
        ),
        category_meaning=_("The tip category's short name; empty for all categories together."),
        rolling=False,
        keywords=("tips", "crime stoppers"),
    ),
)

DATASET_BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}

# The columns of every CSV file and of each JSON record: (name, JSON type, meaning).
COLUMNS = (
    ("dataset", "string", _("The data set's short name.")),
    ("period", "string", _("The period's key: last-30-days, YYYY-MM, YYYY-Qn, YYYY or YYYY-MM--YYYY-MM.")),
    ("period_start", "string", _("The period's first day (ISO 8601 date, city time zone).")),
    ("period_end", "string", _("The period's last day (ISO 8601 date, city time zone).")),
    ("area", "string", _('"city" (the whole city), "none" (no single neighbourhood) or a neighbourhood\'s slug.')),
    ("area_name", "string", _("The area's name.")),
    ("category", "string", _("A breakdown within the data set (see the data set); empty when there is none.")),
    ("measure", "string", _("What is counted (see the measures).")),
    ("value", "number|null", _("The figure (an integer for counts); empty (null) when suppressed.")),
    ("display", "string", _('The figure as the page shows it: the number, or "fewer than N" when suppressed.')),
    ("unit", "string", _("The figure's unit.")),
    (
        "suppressed",
        "boolean",
        _("True when the figure is not published: it counts fewer than the threshold, or would let one be worked out."),
    ),
)
