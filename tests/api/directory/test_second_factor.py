"""TOTP second factor below HTTP: sealing, the drift window, no replay, reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.db.models import StaffAccount
from api.directory.second_factor import (
    SecondFactorError,
    SecretUnreadable,
    check_code,
    confirm_enrolment,
    enrolled,
    pending_secret,
    provisioning_uri,
    reset_second_factor,
    seal,
    start_enrolment,
    unseal,
)
from api.directory.staff_accounts import create_account

KEY = "a server key for the tests"
NOW = datetime(2026, 12, 2, 7, 0, 15, tzinfo=UTC)


def _account(session: Session) -> int:
    account = create_account(
        session, email="alma@example.org", name="Alma", role="admin", password="x" * 12
    )
    assert account.id is not None
    return account.id


def test_a_sealed_secret_opens_only_with_its_key_and_account() -> None:
    sealed = seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account_id=7, key=KEY)
    assert "JBSWY3DP" not in sealed
    assert unseal(sealed, account_id=7, key=KEY) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with pytest.raises(SecretUnreadable):
        unseal(sealed, account_id=8, key=KEY)
    with pytest.raises(SecretUnreadable):
        unseal(sealed, account_id=7, key="another key")
    with pytest.raises(SecretUnreadable):
        unseal(sealed, account_id=7, key=None)
    assert unseal(seal("ABC", account_id=7, key=None), account_id=7, key=None) == "ABC"


def test_enrolment_is_pending_until_a_right_code(engine: Engine) -> None:
    with Session(engine) as session:
        account_id = _account(session)
        secret = start_enrolment(session, account_id, key=KEY)
        assert start_enrolment(session, account_id, key=KEY) == secret  # still the same
        account = session.get(StaffAccount, account_id)
        assert account is not None and not enrolled(account)
        assert account.totp_secret is not None and secret not in account.totp_secret
        uri = provisioning_uri(secret, email="alma@example.org")
        assert uri.startswith("otpauth://totp/Puente:alma%40example.org?secret=" + secret)
        code = pyotp.TOTP(secret).at(NOW)
        wrong = "000000" if code != "000000" else "111111"
        assert not confirm_enrolment(session, account_id, wrong, key=KEY, now=NOW)
        assert confirm_enrolment(session, account_id, code, key=KEY, now=NOW)
        assert enrolled(account)
        assert pending_secret(account, key=KEY) is None  # never shown again
        assert account.sessions_valid_after == NOW  # sessions begun without it end
        with pytest.raises(SecondFactorError):
            start_enrolment(session, account_id, key=KEY)


def test_a_code_is_taken_once_within_the_drift_window(engine: Engine) -> None:
    with Session(engine) as session:
        account_id = _account(session)
        secret = start_enrolment(session, account_id, key=KEY)
        totp = pyotp.TOTP(secret)
        assert confirm_enrolment(session, account_id, totp.at(NOW), key=KEY, now=NOW)
        # The enrolment's code is spent; so is any earlier one.
        assert not check_code(session, account_id, totp.at(NOW), key=KEY, now=NOW)
        later = NOW + timedelta(seconds=30)
        assert check_code(session, account_id, totp.at(later), key=KEY, now=later)
        assert not check_code(session, account_id, totp.at(later), key=KEY, now=later)
        # One step of drift either way is allowed, two are not.
        much_later = NOW + timedelta(minutes=10)
        ahead = much_later + timedelta(seconds=30)
        assert check_code(session, account_id, totp.at(ahead), key=KEY, now=much_later)
        far = much_later + timedelta(minutes=3)
        assert not check_code(
            session, account_id, totp.at(far + timedelta(seconds=90)), key=KEY, now=far
        )
        assert not check_code(session, account_id, "12345", key=KEY, now=far)
        assert not check_code(session, account_id, "abcdef", key=KEY, now=far)


def test_a_changed_key_is_said_and_a_reset_clears_it(engine: Engine) -> None:
    with Session(engine) as session:
        account_id = _account(session)
        secret = start_enrolment(session, account_id, key=KEY)
        assert confirm_enrolment(session, account_id, pyotp.TOTP(secret).at(NOW), key=KEY, now=NOW)
        later = NOW + timedelta(minutes=1)
        with pytest.raises(SecretUnreadable):
            check_code(session, account_id, pyotp.TOTP(secret).at(later), key="new", now=later)
        reset_second_factor(session, "Alma@example.org", now=later)
        account = session.get(StaffAccount, account_id)
        assert account is not None
        assert not enrolled(account) and account.totp_secret is None
        assert account.sessions_valid_after == later
        with pytest.raises(LookupError):
            reset_second_factor(session, "nobody@example.org")
