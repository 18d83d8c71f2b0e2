"""Travel permits between the mainland, Hong Kong, Macau and Taiwan.

- CN_HK_MACAU_PERMIT (往来港澳通行证, mainland residents): C + letter or digit + 7
  digits (electronic, from 2014), W + 8 digits (older booklets).
- CN_HOME_RETURN_PERMIT (港澳居民来往内地通行证, 回乡证): H or M + 8 digits, often
  with a two-digit issue count.
- CN_TAIWAN_PERMIT (往来台湾通行证 L + 8 digits; 台湾居民来往大陆通行证 / 台胞证,
  8 digits).
None of them carries a check digit, so all need context or a field hint.
"""

from __future__ import annotations

from gateway.detect.recognizers.base import NOT_ALNUM_AFTER, NOT_ALNUM_BEFORE, Gate, Spec
from gateway.detect.recognizers.passport import DocumentNumberRecognizer


class HkMacauPermitRecognizer(DocumentNumberRecognizer):
    ENTITY = "CN_HK_MACAU_PERMIT"
    SPECS = (
        Spec("hk macau permit",
             f"{NOT_ALNUM_BEFORE}(?:C[0-9A-HJ-NP-Z][0-9]{{7}}|W[0-9]{{8}}){NOT_ALNUM_AFTER}",
             0.3, Gate(min_digits=7)),
    )
    CONTEXT = ("港澳通行证", "往来港澳", "通行证", "hkmacau", "permit", "eep")


class HomeReturnPermitRecognizer(DocumentNumberRecognizer):
    ENTITY = "CN_HOME_RETURN_PERMIT"
    SPECS = (
        Spec("home return permit",
             f"{NOT_ALNUM_BEFORE}[HM][0-9]{{8}}(?:[0-9]{{2}})?{NOT_ALNUM_AFTER}", 0.3,
             Gate(min_digits=8)),
    )
    CONTEXT = ("回乡证", "来往内地", "港澳居民", "通行证", "homereturn", "permit")


class TaiwanPermitRecognizer(DocumentNumberRecognizer):
    ENTITY = "CN_TAIWAN_PERMIT"
    SPECS = (
        Spec("taiwan travel permit", f"{NOT_ALNUM_BEFORE}L[0-9]{{8}}{NOT_ALNUM_AFTER}", 0.3,
             Gate(min_digits=8)),
        Spec("taiwan compatriot permit", f"{NOT_ALNUM_BEFORE}[0-9]{{8}}{NOT_ALNUM_AFTER}", 0.05,
             Gate(min_digits=8)),
    )
    CONTEXT = ("台胞证", "往来台湾", "台湾居民", "来往大陆", "taiwanpermit", "mtp")
