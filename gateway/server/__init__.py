"""Running the gateway: listeners, lifecycle, signals and worker processes."""
