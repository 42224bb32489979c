"""The HTML part made from a plain-text e-mail links the portal's own URLs only, never one a resident typed."""

from django.template.loader import render_to_string


def _html(text: str, **context) -> str:
    return render_to_string("emails/from_text.html", {"email_subject": "S", "text": text, **context})


def test_only_the_urls_the_sender_put_in_the_context_become_links():
    text = (
        "Hello ACTION REQUIRED: verify at https://evil.example/police-login,\n\n"
        "Confirm here: https://precinct.example/confirm/abc/.\n"
        "Group: https://precinct.example/watch/g/ (see www.evil.example too)"
    )
    html = _html(text, activate_url="https://precinct.example/confirm/abc/", url="https://precinct.example/watch/g/")

    assert '<a href="https://precinct.example/confirm/abc/">https://precinct.example/confirm/abc/</a>.' in html
    assert '<a href="https://precinct.example/watch/g/">' in html
    assert html.count("<a ") == 2
    assert "https://evil.example/police-login," in html  # still there, as plain text
    assert "<p>Hello ACTION REQUIRED" in html and "<br>" in html


def test_resident_text_is_escaped_not_interpreted():
    html = _html('<a href="https://evil.example">Click</a> & more', title="<b>x</b>")
    assert "&lt;a href=&quot;https://evil.example&quot;&gt;Click&lt;/a&gt; &amp; more" in html
    assert 'href="https://evil.example"' not in html
