from portal.demo import create_neighbourhoods, create_officer
from tips import demo, selectors, services
from tips.models import Tip, TipMessage


def test_demo_tips_are_created_once_and_open_with_their_phrases(db):
    # The demo officer is a tip reviewer, as load_demo_data makes them.
    officer, _password = create_officer()
    neighbourhoods = create_neighbourhoods()
    demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    assert Tip.objects.count() == len(demo.DEMO_TIPS)
    assert TipMessage.objects.count() == 1
    first = services.tip_open_with_receipt(phrase=demo.DEMO_TIPS[0]["phrase"])
    assert [message.text for message in selectors.tip_messages(first)] == [demo.DEMO_TIPS[0]["question"]]
    second = services.tip_open_with_receipt(phrase=demo.DEMO_TIPS[1]["phrase"])
    assert second.status == Tip.Status.IN_REVIEW
    # Reviewers see them at once: demo tips need not wait for their hour to be over.
    assert Tip.objects.filter(settled=True).count() == len(demo.DEMO_TIPS)
