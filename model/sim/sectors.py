"""Industrial sectors of the simulated firms and platforms.

The six emerging sectors are those the report names for the Jiashan incubator (electronic
information, intelligent equipment, health, new materials; report §1.3), Changxing's new-energy
complex (§1.3) and Deqing's geographic-information town (§1.3). ``traditional`` stands for the
rest of county manufacturing, which is not high-tech (report §2.2: few firms do R&D).
"""

from __future__ import annotations

from typing import NamedTuple


class Sector(NamedTuple):
    """One sector: its index in the ``sector`` arrays and its labels."""

    index: int
    key: str
    name_en: str
    name_zh: str
    high_tech: bool


SECTORS: tuple[Sector, ...] = (
    Sector(0, "electronic_information", "Electronic information", "电子信息", True),
    Sector(1, "intelligent_equipment", "Intelligent equipment", "智能装备", True),
    Sector(2, "health", "Health and biomedicine", "生命健康", True),
    Sector(3, "new_materials", "New materials", "新材料", True),
    Sector(4, "new_energy", "New energy", "新能源", True),
    Sector(5, "geo_information", "Geographic information", "地理信息", True),
    Sector(6, "traditional", "Traditional manufacturing", "传统制造业", False),
)

N_SECTORS: int = len(SECTORS)
SECTOR_KEYS: tuple[str, ...] = tuple(s.key for s in SECTORS)
TRADITIONAL: int = 6
