"""A counselor's own profile: expertise, session modes, capacity, availability and bio.

Read and written under the counselor's identity, so row-level security limits both to their own
row. The board follows the profile at once: its policy reads the expertise in the same database.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import text

from soulroute.db.models import SessionMode, TicketCategory, UserRole
from soulroute.domain.errors import NotPermitted
from soulroute.domain.kernel import require_role, transaction
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import DomainInput, Trimmed

BIO_MAX = 1000
CAPACITY_MAX = 50


class ProfileInput(DomainInput):
    expertise: list[TicketCategory] = Field(default_factory=list, max_length=len(TicketCategory))
    session_modes: list[SessionMode] = Field(min_length=1, max_length=len(SessionMode))
    capacity: int = Field(ge=0, le=CAPACITY_MAX)
    accepting_new: bool
    on_call_crisis: bool
    bio: Trimmed = Field(default="", max_length=BIO_MAX)

    @field_validator("expertise", "session_modes")
    @classmethod
    def _unique(cls, value: list[Any]) -> list[Any]:
        return list(dict.fromkeys(value))  # a repeated value (forged form) counts once


class ProfileRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID
    expertise: list[TicketCategory]
    session_modes: list[SessionMode]
    capacity: int
    accepting_new: bool
    on_call_crisis: bool
    bio: str


_COLUMNS = (
    "user_id, expertise::text[] as expertise, session_modes::text[] as session_modes, capacity, "
    "accepting_new, on_call_crisis, bio"
)


def profile_params(data: DomainInput) -> dict[str, Any]:
    """The bind values of a counselor profile update, from the counselor's own form (ProfileInput) or an
    admin's edit (CounselorEdit)."""
    return {
        "expertise": [c.value for c in data.expertise],
        "modes": [m.value for m in data.session_modes],
        "capacity": data.capacity,
        "accepting": data.accepting_new,
        "on_call": data.on_call_crisis,
        "bio": data.bio,
    }


def _profile_row(row: Any) -> ProfileRow:
    if row is None:
        raise NotPermitted("Your counselor profile is missing; ask an admin.")
    return ProfileRow.model_validate(dict(row))


def get_profile(actor: Actor) -> ProfileRow:
    """The signed-in counselor's own profile."""
    require_role(actor, UserRole.COUNSELOR)
    with transaction(actor) as session:
        row = (
            session.execute(text(f"select {_COLUMNS} from counselor_profiles where user_id = :me"), {"me": actor.id})
            .mappings()
            .first()
        )
    return _profile_row(row)


def update_profile(actor: Actor, data: ProfileInput | dict[str, Any]) -> ProfileRow:
    """Replace the editable fields of the counselor's own profile (never anyone else's: RLS)."""
    require_role(actor, UserRole.COUNSELOR)
    data = data if isinstance(data, ProfileInput) else ProfileInput.parse(data)
    with transaction(actor) as session:
        row = (
            session.execute(
                text(
                    f"""
                    update counselor_profiles
                    set expertise = cast(:expertise as ticket_category[]),
                        session_modes = cast(:modes as session_mode[]),
                        capacity = :capacity, accepting_new = :accepting, on_call_crisis = :on_call, bio = :bio
                    where user_id = :me
                    returning {_COLUMNS}
                    """
                ),
                profile_params(data) | {"me": actor.id},
            )
            .mappings()
            .first()
        )
    return _profile_row(row)
