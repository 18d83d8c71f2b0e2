"""Application factories: the proxy app and the admin app."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway.admin import admin_routes
from gateway.appkeys import STATE
from gateway.policy.compiled import CompiledPolicy
from gateway.proxy.handler import proxy_handler
from gateway.proxy.middlewares import add_request_id, gateway_middleware
from gateway.state import GatewayState, PolicyHolder


def create_state(policy: CompiledPolicy, worker_id: int = 0) -> GatewayState:
    return GatewayState(policies=PolicyHolder(policy), worker_id=worker_id)


async def _upstream_sessions(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    await state.pool.sync(state.policies.current, retire_after=0)
    yield
    await state.pool.close()


def create_app(policy: CompiledPolicy | None = None, *,
               state: GatewayState | None = None) -> web.Application:
    """The proxy application. Pass a compiled policy, or a state shared with
    the admin app (as `serve` does)."""
    if state is None:
        if policy is None:
            raise ValueError("create_app needs a policy or a state")
        state = create_state(policy)
    app = web.Application(middlewares=[gateway_middleware], handler_args=None)
    app[STATE] = state
    app.cleanup_ctx.append(_upstream_sessions)
    app.on_response_prepare.append(add_request_id)
    app.router.add_route("*", "/{tail:.*}", proxy_handler)
    return app


def create_admin_app(state: GatewayState) -> web.Application:
    app = web.Application()
    app[STATE] = state
    app.add_routes(admin_routes)
    return app
