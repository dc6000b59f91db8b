"""The public generation: one number that changes with every change to what the public sees."""

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from supervise.extensions import db

#: The one row's key.
ROW = 1


class PublicGeneration(db.Model):
    """One row whose ``value`` rises in the transaction of every change to what the public pages,
    feeds and Open311 show (``supervise.domain.public_generation``). It is part of the key of every
    cached public page, so every process, sharing a cache or not, renders anew after the commit."""

    __tablename__ = "public_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
