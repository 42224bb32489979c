"""One message over an open smtplib connection, as ``SMTP.sendmail`` sends it, without parsing
its addresses for every message.

smtplib puts each address in angle brackets after parsing it with ``email.utils.parseaddr``, for
every message: in a fan-out's worker that is a tenth of what sending a copy costs. A batch's
sender is the same for each of its messages, so it is quoted once; a recipient that is a plain
address (one parseaddr returns as it is) goes in the brackets as it is, any other the standard
library's way.
"""

import contextlib
import functools
import re
import smtplib

# A dot-atom local part and a domain of plain labels: parseaddr returns such an address unchanged.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def quoted(address: str) -> str:
    """``smtplib.quoteaddr(address)``."""
    return f"<{address}>" if _PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


@functools.lru_cache(maxsize=8)
def _quoted_sender(sender: str) -> str:
    return quoted(sender)


def sendmail(smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes) -> None:
    """``smtp.sendmail(sender, [recipient], message)``: the same commands, the same exceptions."""
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(message)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, reply = smtp.docmd("mail", f"FROM:{_quoted_sender(sender)}{size}")
    if code != 250:
        _give_up(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.docmd("rcpt", f"TO:{quoted(recipient)}")
    if code not in (250, 251):
        _give_up(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.data(message)
    if code != 250:
        _give_up(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _give_up(smtp: smtplib.SMTP, code: int) -> None:
    # As sendmail does: a server closing the connection (421) is left, any other reset for the next message.
    if code == 421:
        smtp.close()
    else:
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            smtp.rset()
