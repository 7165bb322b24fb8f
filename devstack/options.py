"""What a developer may override for ``make run`` and ``make emulator`` (the README lists these)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Options:
    """Ports, region, demo user and where stack.json goes."""

    emulator_port: int
    api_port: int
    web_port: int
    region: str
    demo_user: str
    demo_password: str
    state_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Options:
        """Read ``LOCKER_*`` overrides, refusing malformed ones with one line each."""

        def port(name: str, default: int) -> int:
            raw = env.get(name, str(default))
            if not raw.isdigit() or not 0 <= int(raw) <= 65535:
                raise SystemExit(f"{name} must be a port number, not {raw!r}")
            return int(raw)

        return cls(
            emulator_port=port("LOCKER_EMULATOR_PORT", 5000),
            api_port=port("LOCKER_API_PORT", 8000),
            web_port=port("LOCKER_WEB_PORT", 8080),
            region=env.get("LOCKER_REGION", "us-east-1"),
            demo_user=env.get("LOCKER_DEMO_USER", "demo@example.com"),
            demo_password=env.get("LOCKER_DEMO_PASSWORD", "Locker-demo-2026"),
            state_dir=Path(env.get("LOCKER_STATE_DIR", str(ROOT / ".local"))),
        )
