"""A subscriber process built on the shared helper: appends each handled event id to a file,
catches up with the stream and exits. Used to prove that events are handled exactly once."""

import os
import sys

import redis

from shared.events.subscriber import Subscriber


def main(group: str, output: str) -> None:
    def record(envelope):
        with open(output, "a") as handle:
            handle.write(f"{envelope.type} {envelope.data['code']} {envelope.id}\n")
            handle.flush()
            os.fsync(handle.fileno())

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    Subscriber(client, group, "recorder", record).catch_up()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
