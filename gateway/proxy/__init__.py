"""The reverse proxy: connection guard, middleware, handler, upstream forwarding."""
