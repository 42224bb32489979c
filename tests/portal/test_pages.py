import pytest


@pytest.mark.django_db
def test_home_page_says_what_the_portal_offers(client):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    for offer in ["Join a program", "Come to a meeting", "Send an anonymous tip"]:
        assert offer in content


@pytest.mark.django_db
def test_unknown_page_answers_with_the_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "find that page" in response.content.decode()


def test_a_server_error_shows_the_friendly_500_page_without_touching_the_database(rf, settings):
    from django.db import connection

    from portal.views import server_error

    settings.EMERGENCY_NUMBER = "112"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "cursor", lambda *a, **k: pytest.fail("the 500 page queried the database"))
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong on our side" in content
    assert "call 112" in content
