"""Where ``arkiv serve`` may listen: loopback by default; another address only for the public view,
or with an explicit ``--allow-remote`` (the application has no login)."""

from __future__ import annotations

import ipaddress

__all__ = ["BindRefused", "NO_LOGIN_WARNING", "check_bind", "is_loopback"]

NO_LOGIN_WARNING = (
    "Warning: {host} is reachable from other machines and there is no login: "
    "anyone who can reach it sees closed items and the aktindsigt requests"
)


class BindRefused(Exception):
    """The address may not be served without ``--public`` or ``--allow-remote``."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, public: bool, allow_remote: bool) -> str | None:
    """None when ``host`` may be served quietly; the warning to print when it may be served with one;
    ``BindRefused`` when it may not be served."""
    if is_loopback(host) or public:
        return None
    if not allow_remote:
        raise BindRefused(
            f"--host {host} is not a loopback address and the internal view (closed items, aktindsigt) has no "
            "login; serve it with --public, or give --allow-remote to serve everything to the network"
        )
    return NO_LOGIN_WARNING.format(host=host)
