"""Sealing addresses (phone numbers, chat ids) so that only the sending code can read them.

A sealed address is Fernet-encrypted (AES-128-CBC with HMAC-SHA256) with CONTACT_VAULT_KEY
(derived from HOTLINE_SECRET_KEY when unset). Staff tools never decrypt; the database and
its backups hold only ciphertext."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from bot import settings


class VaultError(RuntimeError):
    """A sealed value that cannot be opened with the current key."""


def _fernet() -> Fernet:
    return Fernet(settings.contact_vault_key())


def seal(address: str) -> str:
    return _fernet().encrypt(address.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise VaultError("sealed address cannot be opened with this key") from error
