"""The published measures: the one place they are defined, kept up to date and added up.

Every count a measure needs is kept per *cell*: the month a ticket was received, its current lead unit
(``NO_UNIT`` before dispatch) and its category (:class:`~supervise.models.StatsCell`). A timeline event
marks its ticket's cell dirty in the same transaction (:func:`cells.mark_dirty`, subscribed in
:mod:`supervise.domain.subscribers`); a job recomputes dirty cells every minute from the tickets of that
cell only, and the nightly job recomputes all of them. Statistics pages add cells up and never scan tickets.

A ticket counts in the period it was *received* and under the unit that *now* leads it: a re-dispatch
moves it from one unit's figures to the other's.

- :mod:`.definitions`: what each measure means, its label and explanation, the counters of a cell;
- :mod:`.periods`: months, quarters and years as the pages and URLs name them;
- :mod:`.cells`: the counters kept with each event and recomputed by the jobs;
- :mod:`.reports`: cells added up into tables, rankings, trends and the headline numbers.
"""
