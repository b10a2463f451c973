"""Password rules: at least 10 characters and not a common or guessable password."""

from __future__ import annotations

import re

MIN_LENGTH = 10
MAX_LENGTH = 128

# Bases of the passwords that lead every breach list; a password that is one of these with digits or
# symbols around it, or a keyboard or digit run, is refused.
COMMON_BASES = frozenset(
    """
    password passw0rd passwort motdepasse contraseña qwerty qwertz azerty asdf zxcv letmein welcome iloveyou
    admin administrator root login master monkey dragon football baseball soccer hockey basketball sunshine
    princess starwars whatever trustno freedom shadow superman batman michael jennifer jordan hunter ranger
    buster thomas tigger charlie robert daniel andrew joshua matthew jessica ashley summer winter spring
    autumn secret changeme default guest student students university college campus counselor counselling
    counseling soulroute therapy health welcome hello helloworld abc abcdef abcdefg abcdefgh test testing
    computer internet google facebook microsoft apple samsung pokemon minecraft fortnite love lovely
    """.split()
)
_SEQUENCES = ("0123456789", "9876543210", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, in plain words, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Password must be at most {MAX_LENGTH} characters."
    lowered = password.lower()
    core = re.sub(r"[^a-zäöüßéèàçñ]", "", lowered)
    if len(set(lowered)) <= 2:
        return "Password is too easy to guess: use more different characters."
    if core in COMMON_BASES or any(
        lowered.startswith(b) and not re.search(r"[a-z]", lowered[len(b) :]) for b in COMMON_BASES
    ):
        return "Password is too common. Try a few unrelated words."
    if any(lowered in seq or _is_run_of(lowered, seq) for seq in _SEQUENCES):
        return "Password is too easy to guess: avoid keyboard or number runs."
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        return "Password must not contain your email address."
    if name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        return "Password must not contain your name."
    return None


def _is_run_of(password: str, sequence: str) -> bool:
    """True when the password is mostly one run from `sequence` (e.g. 'qwertyuiop1')."""
    letters = re.sub(r"[^a-z0-9]", "", password)
    return len(letters) >= 6 and any(
        letters.startswith(sequence[i : i + len(letters) - 2]) for i in range(len(sequence) - 5)
    )
