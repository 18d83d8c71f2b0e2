"""The bundled demo lending API (a small cash-loan service with generated data)."""
