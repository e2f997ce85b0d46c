"""Invitation links: only a hash is stored, a link works once and not after it expires, and
the last admin cannot lock the console out."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import StaffAccount, StaffInvitation, StaffRole, utcnow
from api.directory.staff_accounts import check_password, create_account
from api.directory.staff_invitations import (
    VALID_FOR,
    accept_invitation,
    find_invitation,
    invite,
)
from api.directory.staff_roles import change_role, deactivate

PASSWORD = "correct horse battery staple"


def test_only_the_tokens_hash_is_stored_and_it_works_once(engine: Engine) -> None:
    now = utcnow()
    with Session(engine) as session:
        invited = invite(
            session, email="Nu@Example.org", name="Nu", role="reviewer", invited_by="A", now=now
        )
        session.commit()
        stored = session.exec(select(StaffInvitation)).one()
        columns = StaffInvitation.__table__.columns  # type: ignore[attr-defined]
        assert invited.token not in repr([getattr(stored, column.name) for column in columns])
        assert stored.token_hash == hashlib.sha256(invited.token.encode()).hexdigest()
        account = accept_invitation(session, invited.token, password=PASSWORD, now=now)
        session.commit()
        assert (account.email, account.name, account.role) == ("nu@example.org", "Nu", "reviewer")
        assert check_password(session, "nu@example.org", PASSWORD) is not None
        with pytest.raises(LookupError):
            accept_invitation(session, invited.token, password=PASSWORD, now=now)
        assert find_invitation(session, invited.token, now=now) is None


def test_an_expired_or_replaced_link_does_not_work(engine: Engine) -> None:
    now = utcnow()
    with Session(engine) as session:
        old = invite(
            session, email="x@example.org", name="X", role="editor", invited_by="A", now=now
        )
        new = invite(
            session, email="x@example.org", name="X", role="editor", invited_by="A", now=now
        )
        session.commit()
        assert find_invitation(session, old.token, now=now) is None
        assert find_invitation(session, new.token, now=now) is not None
        later = now + VALID_FOR + timedelta(seconds=1)
        with pytest.raises(LookupError):
            accept_invitation(session, new.token, password=PASSWORD, now=later)
        assert session.exec(select(StaffAccount)).all() == []


def test_a_short_password_creates_nothing(engine: Engine) -> None:
    now = utcnow()
    with Session(engine) as session:
        invited = invite(
            session, email="y@example.org", name="Y", role="editor", invited_by="A", now=now
        )
        session.commit()
        with pytest.raises(ValueError, match="at least 12"):
            accept_invitation(session, invited.token, password="short", now=now)
        session.rollback()
        assert find_invitation(session, invited.token, now=now) is not None


def test_no_invitation_for_a_taken_email_or_an_unknown_role(engine: Engine) -> None:
    now = utcnow()
    with Session(engine) as session:
        create_account(session, email="a@example.org", name="A", role="admin", password=PASSWORD)
        with pytest.raises(ValueError, match="already exists"):
            invite(session, email="a@example.org", name="B", role="editor", invited_by="A", now=now)
        with pytest.raises(ValueError, match="unknown role"):
            invite(session, email="b@example.org", name="B", role="owner", invited_by="A", now=now)


def test_the_last_admin_keeps_the_role(engine: Engine) -> None:
    with Session(engine) as session:
        admin = create_account(
            session, email="a@example.org", name="A", role="admin", password=PASSWORD
        )
        assert admin.id is not None
        with pytest.raises(ValueError, match="last active admin"):
            change_role(session, admin.id, "editor")
        with pytest.raises(ValueError, match="last active admin"):
            deactivate(session, admin.id, now=utcnow())
        other = create_account(
            session, email="b@example.org", name="B", role="admin", password=PASSWORD
        )
        assert other.id is not None
        assert change_role(session, admin.id, "editor").role == StaffRole.EDITOR
        with pytest.raises(ValueError, match="last active admin"):
            deactivate(session, other.id, now=utcnow())
