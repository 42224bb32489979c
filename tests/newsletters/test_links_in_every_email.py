"""The links the outbox puts in every message, made together: each the link made on its own."""

import time_machine
from django.urls import set_script_prefix

from newsletters import links


def test_both_links_are_the_ones_made_one_by_one_and_open_their_own_page_only():
    with time_machine.travel("2026-12-02 05:00:00+00:00", tick=False):
        for address in ["reader@example.com", " Reader.Two+tag@Example.COM ", "x" * 60 + "@example.com"]:
            both = links.links_in_every_email(address, unsubscribe=True)
            assert both == {
                "preferences_url": links.preferences_url(address),
                "unsubscribe_url": links.unsubscribe_url(address),
            }
            assert links.links_in_every_email(address, unsubscribe=False) == {
                "preferences_url": both["preferences_url"]
            }
            preferences_token = both["preferences_url"].rstrip("/").rsplit("/", 1)[1]
            unsubscribe_token = both["unsubscribe_url"].rstrip("/").rsplit("/", 1)[1]
            normalised = address.strip().lower()
            assert links.address_from_token(preferences_token, salt=links.PREFERENCES_SALT) == normalised
            assert links.address_from_token(unsubscribe_token, salt=links.UNSUBSCRIBE_SALT) == normalised
            assert links.address_from_token(unsubscribe_token, salt=links.PREFERENCES_SALT) is None


def test_the_links_follow_the_script_prefix():
    try:
        set_script_prefix("/portal/")
        both = links.links_in_every_email("reader@example.com", unsubscribe=True)
    finally:
        set_script_prefix("/")
    assert all("/portal/" in url for url in both.values())
    assert "/portal/" not in links.preferences_url("reader@example.com")
