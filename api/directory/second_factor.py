"""The staff's second factor: TOTP (RFC 6238) codes from an authenticator app.

Enrolment draws a secret and keeps it *pending* until the member types a code it gives;
only then is it in use. The secret is shown during enrolment and never again. In the
database it is sealed with AES-GCM under a key derived from ``PUENTE_SECOND_FACTOR_KEY``
and bound to its account (a sealed secret copied onto another account does not open);
without that setting it is kept unsealed.

A code is taken for its own 30-second step or the one either side (clock drift), and only
once: the step of the last accepted code is kept, and no code of that step or an earlier
one is taken again, so an overheard code cannot be replayed. The account row is locked
while a code is checked, so two requests cannot both spend the same code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, select

from api.db.models import StaffAccount, utcnow

__all__ = [
    "ISSUER",
    "SecondFactorError",
    "SecretUnreadable",
    "check_code",
    "confirm_enrolment",
    "enrolled",
    "pending_secret",
    "provisioning_uri",
    "reset_second_factor",
    "seal",
    "start_enrolment",
    "unseal",
]

ISSUER = "Puente"
DRIFT_STEPS = 1
"""Codes of this many steps before or after the current one are taken too."""
_SEALED = "v1:"
_PLAIN = "plain:"


class SecondFactorError(ValueError):
    """The second factor cannot be set up as asked (already enrolled, nothing pending)."""


class SecretUnreadable(SecondFactorError):  # noqa: N818 - reads as "secret unreadable"
    """The stored secret does not open with this server's key (the key changed or is
    missing); an admin resets the member's second factor (``puente staff
    reset-second-factor``)."""


def _cipher(key: str) -> AESGCM:
    derived = hmac.new(key.encode(), b"puente staff second factor", hashlib.sha256).digest()
    return AESGCM(derived)


def seal(secret: str, *, account_id: int, key: str | None) -> str:
    """The secret as stored: sealed under ``key`` and bound to the account, or unsealed."""
    if not key:
        return _PLAIN + secret
    nonce = os.urandom(12)
    body = _cipher(key).encrypt(nonce, secret.encode(), f"staff_account:{account_id}".encode())
    return _SEALED + base64.urlsafe_b64encode(nonce + body).decode()


def unseal(stored: str, *, account_id: int, key: str | None) -> str:
    if stored.startswith(_PLAIN):
        return stored.removeprefix(_PLAIN)
    if not key or not stored.startswith(_SEALED):
        raise SecretUnreadable("the second factor cannot be read without its key")
    raw = base64.urlsafe_b64decode(stored.removeprefix(_SEALED))
    try:
        opened = _cipher(key).decrypt(raw[:12], raw[12:], f"staff_account:{account_id}".encode())
    except InvalidTag:
        raise SecretUnreadable("the second factor does not open with this key") from None
    return opened.decode()


def enrolled(account: StaffAccount) -> bool:
    """The account signs in with a code as well as its password."""
    return account.totp_confirmed_at is not None and account.totp_secret is not None


def _locked(session: Session, account_id: int) -> StaffAccount:
    account = session.exec(
        select(StaffAccount).where(StaffAccount.id == account_id).with_for_update()
    ).first()
    if account is None:
        raise LookupError(f"no staff account {account_id}")
    return account


def start_enrolment(session: Session, account_id: int, *, key: str | None) -> str:
    """The pending secret to show (a new one unless one is already pending)."""
    account = _locked(session, account_id)
    if enrolled(account):
        raise SecondFactorError("a second factor is already in use; reset it first")
    if account.totp_secret is not None:
        try:
            return unseal(account.totp_secret, account_id=account_id, key=key)
        except SecretUnreadable:
            pass  # pending under another key: draw a new one
    secret = pyotp.random_base32()
    account.totp_secret = seal(secret, account_id=account_id, key=key)
    account.totp_last_step = None
    session.add(account)
    session.flush()
    return secret


def pending_secret(account: StaffAccount, *, key: str | None) -> str | None:
    """The secret waiting for its first code, if any (``None`` once enrolled)."""
    if enrolled(account) or account.totp_secret is None or account.id is None:
        return None
    try:
        return unseal(account.totp_secret, account_id=account.id, key=key)
    except SecretUnreadable:
        return None


def provisioning_uri(secret: str, *, email: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, *, after: int | None, now: datetime) -> int | None:
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(
    session: Session, account_id: int, code: str, *, key: str | None, now: datetime | None = None
) -> bool:
    """Whether ``code`` is a fresh code of the account's second factor; a taken code is
    spent (written to the session's transaction). ``SecretUnreadable`` if the key changed."""
    account = _locked(session, account_id)
    if not enrolled(account):
        return False
    assert account.totp_secret is not None
    secret = unseal(account.totp_secret, account_id=account_id, key=key)
    step = _matching_step(secret, code, after=account.totp_last_step, now=now or utcnow())
    if step is None:
        return False
    account.totp_last_step = step
    session.add(account)
    return True


def confirm_enrolment(
    session: Session, account_id: int, code: str, *, key: str | None, now: datetime | None = None
) -> bool:
    """Put the pending secret in use if ``code`` is one of its codes. Every other session
    of the account ends (they began without the second factor)."""
    account = _locked(session, account_id)
    if enrolled(account) or account.totp_secret is None:
        raise SecondFactorError("there is no second factor waiting to be confirmed")
    secret = unseal(account.totp_secret, account_id=account_id, key=key)
    moment = now or utcnow()
    step = _matching_step(secret, code, after=None, now=moment)
    if step is None:
        return False
    account.totp_confirmed_at = moment
    account.totp_last_step = step
    account.sessions_valid_after = moment
    session.add(account)
    return True


def reset_second_factor(session: Session, email: str, *, now: datetime | None = None) -> None:
    """Forget the account's second factor (a lost phone): it enrols again at its next
    sign-in (an admin must), and every session it holds ends now."""
    account = session.exec(
        select(StaffAccount).where(StaffAccount.email == email.strip().lower())
    ).first()
    if account is None:
        raise LookupError(f"no account for {email}")
    account.totp_secret = None
    account.totp_confirmed_at = None
    account.totp_last_step = None
    account.sessions_valid_after = now or utcnow()
    session.add(account)
