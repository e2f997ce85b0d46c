"""One-time invitation links: an admin invites a person, who sets their own password.

A token is 32 random bytes (URL-safe base64); the database keeps only its SHA-256, so a
reader of the table cannot use a pending invitation. A token works once, until it expires
(``VALID_FOR``); accepting it creates the account with the invited email, name and role and
marks the invitation used in the same transaction. Inviting someone again replaces their
pending invitation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from api.db.models import StaffAccount, StaffInvitation, StaffRole
from api.directory.staff_accounts import create_account, find_account

__all__ = [
    "VALID_FOR",
    "Invited",
    "accept_invitation",
    "find_invitation",
    "invitation_path",
    "invite",
]

VALID_FOR = timedelta(days=3)
TOKEN_BYTES = 32


@dataclass(frozen=True, kw_only=True)
class Invited:
    invitation: StaffInvitation
    token: str
    """Shown once, in the link; never stored."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_path(token: str) -> str:
    return f"/staff/invitations/{token}"


def invite(
    session: Session, *, email: str, name: str, role: str, invited_by: str, now: datetime
) -> Invited:
    """A new invitation; ``ValueError`` names what is wrong (a taken email or name, a role)."""
    email, name = email.strip().lower(), name.strip()
    if "@" not in email or len(email) > 254:
        raise ValueError(f"{email!r} is not an email address")
    if not name or len(name) > 100:
        raise ValueError("the name must have 1 to 100 characters")
    try:
        parsed = StaffRole(role)
    except ValueError:
        known = ", ".join(r.value for r in StaffRole)
        raise ValueError(f"unknown role {role!r}: expected one of {known}") from None
    if find_account(session, email) is not None:
        raise ValueError(f"an account for {email} already exists")
    if session.exec(select(StaffAccount).where(StaffAccount.name == name)).first() is not None:
        raise ValueError(f"an account named {name!r} already exists")
    for pending in session.exec(
        select(StaffInvitation).where(
            StaffInvitation.email == email, col(StaffInvitation.used_at).is_(None)
        )
    ):
        pending.expires_at = now
        session.add(pending)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = StaffInvitation(
        token_hash=_digest(token),
        email=email,
        name=name,
        role=parsed,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    session.add(invitation)
    session.flush()
    return Invited(invitation=invitation, token=token)


def find_invitation(session: Session, token: str, *, now: datetime) -> StaffInvitation | None:
    """The pending, unexpired invitation of this token, else ``None``."""
    if not 20 <= len(token) <= 100:
        return None
    digest = _digest(token)
    found = session.exec(
        select(StaffInvitation).where(StaffInvitation.token_hash == digest)
    ).first()
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    if found.used_at is not None or found.expires_at <= now:
        return None
    return found


def accept_invitation(
    session: Session, token: str, *, password: str, now: datetime
) -> StaffAccount:
    """The invited account, created with this password; ``LookupError`` when the link is
    unknown, used or expired, ``ValueError`` when the password will not do."""
    invitation = session.exec(
        select(StaffInvitation)
        .where(StaffInvitation.token_hash == _digest(token))
        .with_for_update()
    ).first()
    if invitation is None or find_invitation(session, token, now=now) is None:
        raise LookupError("this invitation link is unknown, used or expired")
    account = create_account(
        session,
        email=invitation.email,
        name=invitation.name,
        role=invitation.role,
        password=password,
    )
    invitation.used_at = now
    session.add(invitation)
    session.flush()
    return account
