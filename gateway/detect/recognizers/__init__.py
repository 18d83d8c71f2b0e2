"""The built-in recognizers, by entity type (the registry)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gateway.detect.recognizers.address import AddressRecognizer
from gateway.detect.recognizers.bank_card import BankCardRecognizer
from gateway.detect.recognizers.base import ValidatingRecognizer
from gateway.detect.recognizers.credit_card import CardBrandRecognizer
from gateway.detect.recognizers.email import EmailAddressRecognizer
from gateway.detect.recognizers.ip_address import IpAddressRecognizer
from gateway.detect.recognizers.landline import LandlineRecognizer
from gateway.detect.recognizers.license_plate import LicensePlateRecognizer
from gateway.detect.recognizers.mobile import MobileRecognizer
from gateway.detect.recognizers.passport import PassportRecognizer
from gateway.detect.recognizers.person_name import PersonNameRecognizer
from gateway.detect.recognizers.resident_id import ResidentIdRecognizer
from gateway.detect.recognizers.travel_permits import (
    HkMacauPermitRecognizer,
    HomeReturnPermitRecognizer,
    TaiwanPermitRecognizer,
)
from gateway.detect.recognizers.uscc import UsccRecognizer

BUILTIN: Mapping[str, type[ValidatingRecognizer]] = MappingProxyType({
    cls.ENTITY: cls for cls in (
        ResidentIdRecognizer, MobileRecognizer, LandlineRecognizer, BankCardRecognizer,
        CardBrandRecognizer, UsccRecognizer, PassportRecognizer, HkMacauPermitRecognizer,
        HomeReturnPermitRecognizer, TaiwanPermitRecognizer, LicensePlateRecognizer,
        EmailAddressRecognizer, IpAddressRecognizer, PersonNameRecognizer, AddressRecognizer,
    )
})

__all__ = ["BUILTIN", "ValidatingRecognizer"]
