"""Email as the site writes it: text parts whose lines, links included, stay whole."""

import email.policy

from django.core.mail import EmailMultiAlternatives

SMTP_LINE_MAX = 998  # RFC 5322 2.1.1, octets without the CRLF


class WholeLinesEmail(EmailMultiAlternatives):
    """EmailMultiAlternatives whose text parts are sent as 7bit (or 8bit, when not ASCII
    and the policy allows it) whenever every line fits SMTP's 998 octets.

    The email package quoted-printable-encodes any part with a line over 78 characters,
    so a confirmation link in the console backend's output, or in a mail client's
    source view, was cut by `=` soft breaks and could not be copied. 78 is RFC 5322's
    SHOULD for readability; 998 is its MUST, and a link on its own line is more
    readable whole. Only a part with a longer line keeps the package's choice.
    """

    def message(self, *, policy=email.policy.default):
        msg = super().message(policy=policy)
        for part in msg.walk():
            if part.get_content_maintype() != "text" or part.is_attachment():
                continue
            charset = part.get_content_charset() or "utf-8"
            content = part.get_content()
            data = content.encode(charset)
            if max(map(len, data.splitlines()), default=0) > SMTP_LINE_MAX:
                continue
            if data.isascii():
                cte = "7bit"
            elif msg.policy.cte_type == "8bit":
                cte = "8bit"
            else:
                continue
            part.set_content(content, subtype=part.get_content_subtype(), charset=charset, cte=cte)
        return msg
