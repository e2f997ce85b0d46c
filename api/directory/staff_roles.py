"""Changing a staff member's role, and the admin who may not lock the console out.

A role is read again on every console request, so a change applies at the member's next
click. The last active admin can be neither demoted nor deactivated: someone must always be
able to manage the staff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.db.models import StaffAccount, StaffRole
from api.directory.staff_accounts import deactivate_account

__all__ = ["change_role", "deactivate", "staff_account"]


def staff_account(session: Session, account_id: int) -> StaffAccount:
    account = session.get(StaffAccount, account_id)
    if account is None:
        raise LookupError(f"no staff account {account_id}")
    return account


def _other_active_admins(session: Session, account_id: int) -> int:
    return session.exec(
        select(func.count(col(StaffAccount.id))).where(
            StaffAccount.role == StaffRole.ADMIN.value,
            col(StaffAccount.active).is_(True),
            StaffAccount.id != account_id,
        )
    ).one()


def change_role(session: Session, account_id: int, role: str) -> StaffAccount:
    """The account with its new role; ``ValueError`` for an unknown role or the last admin."""
    account = staff_account(session, account_id)
    try:
        parsed = StaffRole(role)
    except ValueError:
        known = ", ".join(r.value for r in StaffRole)
        raise ValueError(f"unknown role {role!r}: expected one of {known}") from None
    if (
        account.role == StaffRole.ADMIN
        and parsed != StaffRole.ADMIN
        and account.active
        and _other_active_admins(session, account_id) == 0
    ):
        raise ValueError("the last active admin keeps the admin role")
    account.role = parsed
    session.add(account)
    return account


def deactivate(session: Session, account_id: int, *, now: datetime) -> StaffAccount:
    """No more sign-ins, and every session of the account ends; never the last admin."""
    account = staff_account(session, account_id)
    if account.role == StaffRole.ADMIN and _other_active_admins(session, account_id) == 0:
        raise ValueError("the last active admin cannot be deactivated")
    deactivate_account(session, account.email, now=now)
    return account
