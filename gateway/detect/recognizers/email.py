"""EMAIL_ADDRESS: e-mail addresses, checked for structure without any lookup.

presidio's own e-mail recognizer validates the domain with tldextract, which
fetches the public-suffix list over the network on first use; this one checks
the structure instead (local part up to 64 characters without leading,
trailing or double dots; a domain of valid labels; an alphabetic top-level
label), so it runs offline and also accepts new or internal domains.
"""

from __future__ import annotations

from gateway.detect.recognizers.base import Gate, Spec, ValidatingRecognizer

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]{1,64}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"


def valid_email(text: str) -> bool:
    local, _, domain = text.rpartition("@")
    if not local or local[0] == "." or local[-1] == "." or ".." in local:
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and labels[-1].isalpha() and 2 <= len(labels[-1]) <= 24 and all(
        0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-" for label in labels)


class EmailAddressRecognizer(ValidatingRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    SPECS = (
        Spec("email", f"(?<![A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.\\-]){_LOCAL}@(?:{_LABEL}\\.)+"
             r"[A-Za-z]{2,24}(?![A-Za-z0-9\-])", 0.6, Gate(trigger="@")),
    )
    CONTEXT = ("邮箱", "电子邮件", "邮件", "email", "e-mail", "mail")

    def check(self, text: str) -> bool:
        return valid_email(text)
