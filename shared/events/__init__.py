"""The event contract on the Redis stream `portal:events`: envelopes, publishing, subscribing."""
