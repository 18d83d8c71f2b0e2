"""TLS: listener and upstream contexts, client-certificate identities, development certificates."""
