"""Registry of Vietnamese administrative units before (legacy) and after the 2025 reorganisation.

`registry()` holds every unit of both eras: legacy (63 provinces, 696 districts, 10,035 communes,
valid until 30/6/2025) and 2025 (34 provinces, 3,321 communes, from 1/7/2025). It is read from the
data files of the `vietnamadminunits` package (MIT) in about 0.3 s once per process, so no cache is
kept in the repository. `LocalityRegistry.resolve` maps a code or a written name to a unit on a
given day; its rules (prefixes, parents, level preference, never guessing) are documented in
`dxw.localities.registry`. `vietnam-provinces` (GPL-3.0-or-later) is only a test-time cross-check.
"""

from dxw.localities.model import Locality, Resolution
from dxw.localities.names import normalise_name
from dxw.localities.registry import LocalityRegistry, registry

__all__ = ["Locality", "LocalityRegistry", "Resolution", "normalise_name", "registry"]
