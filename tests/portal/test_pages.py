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
