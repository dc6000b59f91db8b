"""An SMS gateway for the worker-crash test: it marks that it started, then takes its time."""

import os
import time

from supervise.jobs.delivery import FileGateway


class SlowGateway:
    def send(self, mobile: str, text: str, key: str) -> None:
        directory = os.environ["SLOW_GATEWAY_DIR"]
        with open(os.path.join(directory, "started"), "a") as marker:
            marker.write(f"{os.getpid()} {key}\n")  # the work horse's pid, for the test to kill
        time.sleep(float(os.environ.get("SLOW_GATEWAY_SECONDS", "30")))
        FileGateway(os.path.join(directory, "sms.jsonl")).send(mobile, text, key)
