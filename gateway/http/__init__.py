"""HTTP primitives with no gateway state: the canonical request target and its
log-safe form, and the client address through trusted proxies."""
