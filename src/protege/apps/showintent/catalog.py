"""The 36 cues of the AI Party show as data, and the live gateway's default preapproved set.

The catalog is policy input, not model input: the policy decides whether a named cue is known,
preapproved, or carries a flicker risk. The model only sees the ``cue_catalog_subset`` names the
operator's screen offers and maps a message to one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CueKind = Literal["visual", "lighting", "combined", "physical_effect", "safe_state"]


@dataclass(frozen=True)
class Cue:
    name: str
    kind: CueKind
    section: str | None  # doors, warmup, build, drop, breakdown, closing, any; None = no section
    needs_approval: bool = False
    flicker_risk: bool = False

    @property
    def preapproved(self) -> bool:
        """Safe cues are preapproved; a cue marked for approval never is."""
        return not self.needs_approval


def _cues() -> tuple[Cue, ...]:
    v, c = "visual", "combined"
    plain: list[tuple[str, str, CueKind]] = [
        ("doors", "doors_idle", v), ("doors", "slow_tide", v), ("doors", "dust_gold", v),
        ("doors", "soft_atlas", v),
        ("warmup", "premium_tropical", c), ("warmup", "velvet_grid", c), ("warmup", "liquid_brass", v),
        ("warmup", "polaroid_crowd", c),
        ("build", "neon_pulse", c), ("build", "neon_cascade", c), ("build", "pulse_lattice", c),
        ("build", "signal_bloom", v), ("build", "chromatic_run", v), ("build", "crowd_heat", c),
        ("drop", "audio_reactive_main", v), ("drop", "supernova_bloom", c),
        ("drop", "kinetic_type_storm", c), ("drop", "mirror_shatter", v), ("drop", "tunnel_surge", v),
        ("drop", "crowd_mirror_max", c),
        ("breakdown", "deep_sea_pause", v), ("breakdown", "ember_field", v),
        ("breakdown", "breath_sync", v), ("breakdown", "constellation_drift", v),
        ("closing", "golden_hour_fade", v), ("closing", "thank_you_cascade", c),
        ("closing", "afterglow_archive", v),
        ("any", "brand_hero", c), ("any", "brand_hero_prism", c), ("any", "panic_safe", "safe_state"),
    ]
    cues = [Cue(name, kind, section) for section, name, kind in plain]
    cues += [
        Cue("lightning_veins", "visual", "build", needs_approval=True, flicker_risk=True),
        Cue("photoflash_wall", "visual", "drop", needs_approval=True, flicker_risk=True),
        Cue("fog_veil_sim", "visual", "any", needs_approval=True),
        Cue("fog_short_burst", "physical_effect", None, needs_approval=True),
        Cue("hazer_light", "physical_effect", None, needs_approval=True),
        Cue("strobe_soft_sim", "visual", None, needs_approval=True, flicker_risk=True),
    ]
    return tuple(cues)


CUES: tuple[Cue, ...] = _cues()
CUE_BY_NAME: dict[str, Cue] = {cue.name: cue for cue in CUES}

# The live gateway's default preapproved set; most are gateway cues outside the visual catalog.
DEFAULT_PREAPPROVED: frozenset[str] = frozenset(
    {"doors_idle", "ai_intro_text", "band_intro", "music_reactive_main", "audience_mood_shift",
     "policy_demo", "recap_log"}
)
KNOWN_CUES: frozenset[str] = frozenset(CUE_BY_NAME) | DEFAULT_PREAPPROVED
SECTIONS: tuple[str, ...] = ("doors", "warmup", "build", "drop", "breakdown", "closing", "any")


def is_known(name: str) -> bool:
    return name in KNOWN_CUES


def is_preapproved(name: str) -> bool:
    """Known and needing no operator approval (catalog-safe cue or a gateway preapproved cue)."""
    cue = CUE_BY_NAME.get(name)
    if cue is not None:
        return cue.preapproved
    return name in DEFAULT_PREAPPROVED


def has_flicker_risk(name: str) -> bool:
    cue = CUE_BY_NAME.get(name)
    return bool(cue and cue.flicker_risk)


def cues_in_section(section: str) -> list[Cue]:
    return [cue for cue in CUES if cue.section == section]
