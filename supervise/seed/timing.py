"""When each step of a demo ticket happens: staff in working hours of working days, enterprises any
day, laid out so that open tickets end today and none is in the future."""

from datetime import date, datetime, time, timedelta

from supervise.models import Source
from supervise.seed.plans import FINAL_SCENARIOS, Plan, Step

WORK_START = time(8, 30)


class Timing:
    """Placing plans in time (a part of :class:`supervise.seed.demo.Demo`)."""

    def _next_time(self, prev: datetime, step: Step) -> datetime:
        """When ``step`` happens after ``prev``: staff in working hours of working days, enterprises any day,
        the unrated close the night after the rating deadline."""
        if step.kind == "after_rate_due":
            return datetime.combine(prev.date() + timedelta(days=8), time(1)) + timedelta(minutes=int(step.frac * 60))
        if step.kind == "enterprise":
            if step.wd == 0:
                return prev + timedelta(minutes=15 + int(step.frac * 300))
            at = datetime.combine(prev.date() + timedelta(days=step.wd), time(8)) + timedelta(
                minutes=int(step.frac * 14 * 60)
            )
            return max(at, prev + timedelta(minutes=5))
        if step.wd == 0:
            at = max(prev + timedelta(minutes=20 + int(step.frac * 240)), datetime.combine(prev.date(), WORK_START))
            if at.date() == prev.date() and at.time() <= time(18) and self.cal.is_working_day(at.date()):
                return at
            day = self.cal.add_working_days(prev.date(), 1)
            return datetime.combine(day, WORK_START) + timedelta(minutes=int(step.frac * 120))
        day = self.cal.add_working_days(prev.date(), step.wd)
        return datetime.combine(day, WORK_START) + timedelta(minutes=int(step.frac * 540))

    def _simulate(self, plan: Plan, start: date) -> tuple[list[datetime], date]:
        if plan.source in (Source.ONLINE, Source.API):
            first = datetime.combine(start, time(7)) + timedelta(minutes=int(plan.start_frac * 16 * 60))
        else:
            first = datetime.combine(self.cal.add_working_days(start, 0), WORK_START) + timedelta(
                minutes=int(plan.start_frac * 540)
            )
        times = [first]
        for step in plan.steps:
            times.append(self._next_time(times[-1], step))
        last = times[-1].date()
        if plan.idle_calendar:
            end = last + timedelta(days=plan.idle)
        else:
            end = self.cal.add_working_days(last, plan.idle) if plan.idle else last
        return times, end

    def _fit(self, plan: Plan) -> None:
        """Place ``plan`` in time: open tickets end today, finished ones on a random day of the past year."""
        span = int(sum(step.wd for step in plan.steps) * 1.45) + int(plan.idle * 1.45) + 2
        span += 8 * sum(step.kind == "after_rate_due" for step in plan.steps)
        if plan.scenario in FINAL_SCENARIOS:
            target = self.today - timedelta(days=self.rng.randint(0, max(0, 362 - span)))
        else:
            target = self.today
        start = target - timedelta(days=span)
        for _ in range(20):
            times, end = self._simulate(plan, start)
            if times[-1] > self.now or end > self.today:
                start -= timedelta(days=max(1, (end - self.today).days))
                continue
            gap = (target - end).days
            if gap <= 1:
                break
            start += timedelta(days=gap)
        times, end = self._simulate(plan, start)
        while times[-1] > self.now or end > self.today:
            start -= timedelta(days=1)
            times, end = self._simulate(plan, start)
        plan.created_at = times[0]
        for step, at in zip(plan.steps, times[1:], strict=True):
            step.at = at
