"""Every web.AppKey / RequestKey the gateway uses, in one place."""

from __future__ import annotations

from aiohttp import web

from gateway.exchange import Exchange
from gateway.state import GatewayState

STATE = web.AppKey("gateway_state", GatewayState)
EXCHANGE = web.RequestKey("exchange", Exchange)
