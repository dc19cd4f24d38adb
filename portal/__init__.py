"""The whole system: the gateway in front of the services, the embedded runner, the `portal` CLI."""
