"""Copies of one message as bytes: built and flattened once per batch, each copy only gets its
recipient's values put in.

For a newsletter's copies, building a MIME tree and flattening it (header folding, a boundary
check compiled per message) is most of the CPU a copy costs. Here the message is built once with
placeholders; a copy folds only the headers that carry its own values (address, signed link,
date, Message-ID) and has its values put into the body. The first copy made from a prototype is
also built the ordinary way and compared byte for byte, and a copy whose values could change the
body's encoding (non-ASCII, over-long lines) is built the ordinary way instead.
"""

import re
import secrets
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid

from outbox.headers import site_host

# What goes into an 8-bit body as it is: printable ASCII, no white space.
_SAFE_VALUE = re.compile(r"[!-~]+")
_SAFE_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")
_MAX_LINE = 998  # RFC 5322's limit; Django makes a body quoted-printable beyond it
# Header values the standard library's folding (compat32, 78 characters) leaves as they are:
# printable ASCII words with single spaces between that fit on the header's line, or one word
# (a link) that does not, which then goes alone on the next line.
_PLAIN_WORDS = re.compile(r"[!-~]+(?: [!-~]+)*")
# Made afresh for each copy, in the same form as Django makes them.
_PER_COPY = ("date", "message_id")


class Prototype:
    """A message flattened with placeholders for the values that differ between copies."""

    def __init__(self, build, names: list[str]):
        """``build(values)`` returns the EmailMultiAlternatives for a dict of values: "recipient"
        (the address) and each of ``names``."""
        token = secrets.token_hex(8)
        self.placeholders = {name: f"precinct-{name}-{token}" for name in names}
        self.placeholders["recipient"] = f"precinct-recipient-{token}@placeholder.invalid"
        self.placeholders["date"] = f"precinct-date-{token}"
        self.placeholders["message_id"] = f"<precinct-message-id-{token}@placeholder.invalid>"
        message = _mime(build, self.placeholders)
        raw = message.as_bytes(linesep="\r\n")  # also puts the boundary into the Content-Type header
        self.boundary = message.get_boundary()
        self.usable = self.boundary is not None and all(
            part.get("Content-Transfer-Encoding") in ("7bit", "8bit") for part in message.get_payload()
        )
        self.policy = message.policy.clone(linesep="\r\n")
        # The shortcut in _fold knows compat32's folding only (Django's messages use it).
        self.fold_width = self.policy.max_line_length if isinstance(self.policy, type(compat32)) else None
        # Each header as folded bytes, or (name, value with placeholders) to fold for each copy.
        self.headers = [
            (name, self._template(value)) if self._has_placeholder(value) else self.policy.fold_binary(name, value)
            for name, value in message.raw_items()
        ]
        self.body = raw.split(b"\r\n\r\n", 1)[1]
        self._body_template, self._line_lengths = self._template_of_body()
        # Whether a copy matched the message built the ordinary way: None until one is compared.
        self.verified: bool | None = None if self.usable else False

    def copy(self, values: dict[str, str]) -> bytes | None:
        """The copy for ``values`` (one per name given to the constructor, plus "recipient", and
        optionally "message_id"), dated now; None when it must be built the ordinary way."""
        return self._fill(_per_copy(values))

    def verified_copy(self, build, values: dict[str, str]) -> bytes | None:
        """The copy for ``values`` if it is exactly the message ``build`` makes of them, else None."""
        values = _per_copy(values)
        raw = self._fill(values)
        if raw is None:
            return None
        message = _mime(build, values)
        message.set_boundary(self.boundary)
        self.verified = message.as_bytes(linesep="\r\n") == raw
        return raw if self.verified else None

    def _fill(self, values: dict[str, str]) -> bytes | None:
        if not (self.usable and _SAFE_ADDRESS.fullmatch(values["recipient"])):
            return None
        for name in self.placeholders:
            value = values[name]
            if name in _PER_COPY:
                if "\r" in value or "\n" in value:  # would end a line: _line_lengths would not hold
                    return None
            elif not _SAFE_VALUE.fullmatch(value) or self.boundary in value:
                return None
        encoded = {name.encode(): values[name].encode() for name in self.placeholders}
        for fixed, names in self._line_lengths:
            if fixed + sum(len(encoded[name]) for name in names) > _MAX_LINE:
                return None
        headers = [
            header if isinstance(header, bytes) else self._fold(header[0], header[1] % values)
            for header in self.headers
        ]
        return b"".join(headers) + b"\r\n" + self._body_template % encoded

    def _template(self, text: str) -> str:
        """``text`` as a %-format whose keys are the names of the placeholders it has."""
        text = text.replace("%", "%%")
        for name, placeholder in self.placeholders.items():
            text = text.replace(placeholder, f"%({name})s")
        return text

    def _template_of_body(self) -> tuple[bytes, list[tuple[int, list[bytes]]]]:
        """The body as a bytes %-format (see ``_template``), and what a copy's line lengths depend
        on: for each line with placeholders, its length without them and the names of those in it;
        a line over the limit without any makes every copy too long (a name that never occurs)."""
        placeholders = {placeholder.encode(): name.encode() for name, placeholder in self.placeholders.items()}
        pattern = re.compile(b"|".join(re.escape(placeholder) for placeholder in placeholders))
        lengths = []
        for line in self.body.split(b"\r\n"):
            names = [placeholders[found] for found in pattern.findall(line)]
            fixed = len(line) - sum(len(found) for found in pattern.findall(line))
            if names or fixed > _MAX_LINE:
                lengths.append((fixed, names))
        template = pattern.sub(
            lambda found: b"%(" + placeholders[found.group()] + b")s", self.body.replace(b"%", b"%%")
        )
        return template, lengths

    def _fold(self, name: str, value: str) -> bytes:
        """``policy.fold_binary(name, value)``, without its general algorithm for the plain values
        a copy's own headers (address, date, Message-ID, a signed link) nearly always are."""
        if self.fold_width and _PLAIN_WORDS.fullmatch(value):
            if len(name) + 2 + len(value) <= self.fold_width:
                return f"{name}: {value}\r\n".encode()
            if " " not in value:
                return f"{name}: \r\n {value}\r\n".encode()
        return self.policy.fold_binary(name, value)

    def _has_placeholder(self, value) -> bool:
        return isinstance(value, str) and any(placeholder in value for placeholder in self.placeholders.values())


def _mime(build, values: dict[str, str]):
    message: EmailMultiAlternatives = build({name: value for name, value in values.items() if name not in _PER_COPY})
    # First among the extra headers: where Django puts the ones it makes itself. The copy's own
    # Message-ID replaces any the build gave (the outbox gives each row its own).
    own = {"Date": values["date"], "Message-ID": values["message_id"]}
    message.extra_headers = {**own, **message.extra_headers, **own}
    return message.message()


def _per_copy(values: dict[str, str]) -> dict[str, str]:
    """``values`` with a date, and a Message-ID unless they carry one, in the form Django makes them."""
    if "message_id" not in values:  # not made when there is one: the outbox gives each row its own
        values = {**values, "message_id": make_msgid(domain=site_host())}
    return {**values, "date": _date()}


def _date() -> str:
    return formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
