"""Demo tips: two tips, one with a question from the demo officer. Their receipt phrases are fixed
(and printed nowhere else than here) so a developer can try the follow-up page:

- "window welcome family search early screen signal"   (a theft tip; the officer asked a question)
- "simple number thin legal topic brief check"     (a vandalism tip, in review)
"""

from datetime import timedelta

from tips import receipt, services
from tips.clock import coarse_now
from tips.models import Tip, TipCategory

DEMO_TIPS = [
    {
        "phrase": "window welcome family search early screen signal",
        "category": "theft",
        "what": "Two people have been trying car doors on Elm Street most nights around 2am this week.",
        "where": "Elm Street, between 3rd and 5th",
        "when": "Most nights this week, around 2am",
        "question": "Thank you. Did you see which way they left, or a vehicle they used?",
    },
    {
        "phrase": "simple number thin legal topic brief check",
        "category": "vandalism",
        "what": "Someone keeps spraying tags on the bus shelter next to the library.",
        "where": "Bus shelter by the public library",
        "when": "Weekend evenings",
        "status": Tip.Status.IN_REVIEW,
    },
]


def create_demo_data(*, officer, neighbourhoods):
    for position, demo in enumerate(DEMO_TIPS):
        if Tip.objects.filter(receipt_index=receipt.receipt_index(demo["phrase"])).exists():
            continue
        tip = services.tip_create(
            category=TipCategory.objects.get(slug=demo["category"]),
            what=demo["what"],
            where=demo["where"],
            when=demo["when"],
            neighbourhood=neighbourhoods[position % len(neighbourhoods)],
            files=[],
            receipt_phrase=demo["phrase"],
        )
        # Demo tips are no one's: settled at once, so reviewers see them without waiting for the hour.
        services.tips_settle(before=coarse_now() + timedelta(hours=1))
        if demo.get("question"):
            services.tip_reply(tip=tip, actor=officer, text=demo["question"])
        if demo.get("status"):
            services.tip_triage(tip=tip, actor=officer, status=demo["status"], assigned_to=officer)
