"""One schedule however many schedulers run.

RQ's cron scheduler enqueues every due job on its own: two ``flask scheduler`` processes (a second
machine, a unit started twice) would run each periodic job twice a period. Here the schedulers elect
a leader through one Redis key, set if absent and renewed by its holder on every loop (RQ's loop
wakes at least once a minute; the key lives longer). Only the leader enqueues; the others move their
clocks on without enqueuing and take over once the leader has stopped (at once when it stops
cleanly, after ``LEASE_SECONDS`` when it dies).
"""

from rq.cron import CronScheduler, now

LEADER_KEY = "supervise:scheduler:leader"
LEASE_SECONDS = 150  # more than the longest sleep of RQ's loop (60 s), with room for a slow Redis

# Give the key up only if it is still ours: a new leader's key must not be deleted by the old one.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# Renew the key only if it is still ours.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) end
return 0
"""


class LeadingCronScheduler(CronScheduler):
    """A cron scheduler that enqueues only while it holds the leader key."""

    def is_leader(self) -> bool:
        """Take the leader key if free, renew it if ours; False when another scheduler holds it."""
        if self.connection.set(LEADER_KEY, self.name, nx=True, ex=LEASE_SECONDS):
            return True
        return bool(self.connection.eval(_RENEW, 1, LEADER_KEY, self.name, LEASE_SECONDS))

    def enqueue_jobs(self):
        if self.is_leader():
            return super().enqueue_jobs()
        at = now()
        for job in self._cron_jobs:  # keep time with the leader, so a takeover starts at the next period
            if job.should_run():
                job.set_enqueue_time(at)
        return []

    def register_death(self, pipeline=None) -> None:
        self.connection.eval(_RELEASE, 1, LEADER_KEY, self.name)
        super().register_death(pipeline)
