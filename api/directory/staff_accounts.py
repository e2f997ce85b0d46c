"""Staff accounts: who may sign in to the console, with which role, and checking a password.

Passwords are hashed with argon2id (``argon2-cffi``'s defaults, which follow RFC 9106); a
hash made with older parameters is replaced at the next successful sign-in. A role is a
set of the API keys' scopes, so the console and the API ask the same question
(``Staff.allows``). An unknown email costs the same hashing time as a wrong password, so
timing does not tell which emails have accounts.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from api.db.models import StaffAccount, StaffRole, utcnow
from api.directory.keys import Scope, Staff

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLE_SCOPES",
    "SignedIn",
    "check_password",
    "create_account",
    "deactivate_account",
    "find_account",
    "list_accounts",
    "set_password",
    "staff_of",
]

MIN_PASSWORD_LENGTH = 12
ROLE_SCOPES: dict[StaffRole, frozenset[Scope]] = {
    StaffRole.EDITOR: frozenset({Scope.RESOURCES_WRITE, Scope.EVENTS_WRITE, Scope.REPORTS_READ}),
    StaffRole.REVIEWER: frozenset({Scope.REPORTS_READ}),
    StaffRole.ADMIN: frozenset({Scope.ADMIN}),
}
"""Editors change listings and meetings and triage reports; reviewers verify listings and
triage reports; admins may do everything."""

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


@dataclass(frozen=True, kw_only=True)
class SignedIn:
    """The account a password check found, as the console keeps it in a session."""

    account_id: int
    name: str
    role: StaffRole


def staff_of(account: StaffAccount) -> Staff:
    """The account as the API's ``Staff``: its name (for the audit) and its role's scopes."""
    return Staff(name=account.name, scopes=ROLE_SCOPES[StaffRole(account.role)])


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1000:
        raise ValueError("the password may have at most 1000 characters")
    return password


def create_account(
    session: Session, *, email: str, name: str, role: str, password: str
) -> StaffAccount:
    """Add an account; ``ValueError`` names what is wrong (a taken email or name, a short
    password, an unknown role)."""
    email, name = email.strip().lower(), name.strip()
    if "@" not in email or len(email) > 254:
        raise ValueError(f"{email!r} is not an email address")
    if not name or len(name) > 100:
        raise ValueError("the name must have 1 to 100 characters")
    try:
        parsed_role = StaffRole(role)
    except ValueError:
        known = ", ".join(r.value for r in StaffRole)
        raise ValueError(f"unknown role {role!r}: expected one of {known}") from None
    if find_account(session, email) is not None:
        raise ValueError(f"an account for {email} already exists")
    if session.exec(select(StaffAccount).where(StaffAccount.name == name)).first() is not None:
        raise ValueError(f"an account named {name!r} already exists")
    account = StaffAccount(
        email=email,
        name=name,
        role=parsed_role,
        password_hash=_HASHER.hash(_checked_password(password)),
    )
    session.add(account)
    session.flush()
    return account


def find_account(session: Session, email: str) -> StaffAccount | None:
    return session.exec(
        select(StaffAccount).where(StaffAccount.email == email.strip().lower())
    ).first()


def list_accounts(session: Session) -> list[StaffAccount]:
    return list(session.exec(select(StaffAccount).order_by(col(StaffAccount.email))))


def _existing(session: Session, email: str) -> StaffAccount:
    account = find_account(session, email)
    if account is None:
        raise LookupError(f"no account for {email}")
    return account


def deactivate_account(session: Session, email: str, *, now: datetime | None = None) -> None:
    """The account may no longer sign in, and every session it holds ends now."""
    account = _existing(session, email)
    account.active = False
    account.sessions_valid_after = now or utcnow()
    session.add(account)


def set_password(session: Session, email: str, password: str) -> None:
    """A new password; sessions begun with the old one end."""
    account = _existing(session, email)
    account.password_hash = _HASHER.hash(_checked_password(password))
    account.sessions_valid_after = utcnow()
    session.add(account)


def check_password(
    session: Session, email: str, password: str, *, now: datetime | None = None
) -> SignedIn | None:
    """The active account with this email and password, its sign-in recorded; else ``None``."""
    account = find_account(session, email)
    if account is None or not account.active:
        with contextlib.suppress(VerificationError):
            _HASHER.verify(_DUMMY_HASH, password)
        return None
    try:
        _HASHER.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = _HASHER.hash(password)
    account.last_sign_in_at = now or utcnow()
    session.add(account)
    assert account.id is not None
    return SignedIn(account_id=account.id, name=account.name, role=StaffRole(account.role))
