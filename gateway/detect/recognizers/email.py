"""EMAIL_ADDRESS: e-mail addresses, checked for structure without any lookup.

presidio's own e-mail recognizer validates the domain with tldextract, which
fetches the public-suffix list over the network on first use; this one checks
the structure instead (local part up to 64 characters without leading,
trailing or double dots; a domain of valid labels; an alphabetic top-level
label), so it runs offline and also accepts new or internal domains.
Internationalized addresses count too (RFC 6530): letters of any script in the
local part and the labels (`汉字@qq.com`, `user@例子.中国`), punycode labels and
top-level labels (`a@xn--d1acufc.xn--p1ai`), and Chinese top-level labels of
two to ten ideographs (`.中国`, `.公司`).
"""

from __future__ import annotations

from gateway.detect.recognizers.base import Gate, Spec, ValidatingRecognizer

_LOCAL_CHAR = r"[\p{L}0-9!#$%&'*+/=?^_`{|}~.\-]"
_LOCAL = _LOCAL_CHAR + "{1,64}"
_LABEL = r"[\p{L}0-9](?:[\p{L}0-9\-]{0,61}[\p{L}0-9])?"
# ASCII, punycode (xn--), or two to ten ideographs
_TLD = r"(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9\-]{1,59}|\p{Han}{2,10})(?![A-Za-z0-9\-])"


def valid_email(text: str) -> bool:
    local, _, domain = text.rpartition("@")
    if not local or local[0] == "." or local[-1] == "." or ".." in local:
        return False
    labels = domain.split(".")
    tld = labels[-1]
    tld_ok = (tld.isalpha() and 2 <= len(tld) <= 24) or (tld[:4].lower() == "xn--" and len(tld) > 4)
    return len(labels) >= 2 and tld_ok and all(
        0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-" for label in labels)


class EmailAddressRecognizer(ValidatingRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    SPECS = (
        Spec("email", f"(?<!{_LOCAL_CHAR}){_LOCAL}@(?:{_LABEL}\\.)+{_TLD}", 0.6,
             Gate(trigger="@")),
    )
    CONTEXT = ("邮箱", "电子邮件", "邮件", "email", "e-mail", "mail")

    def check(self, text: str) -> bool:
        return valid_email(text)
