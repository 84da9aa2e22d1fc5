"""Facts for the questions a launch review asks of the team's own practice: which features
are computed by the team's code (so that their code can be tested, and a new one added)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

_CODE_FIELDS = ("compute", "aggregation", "window")
"""A feature that declares how it is computed is computed by the team's code, not read as
it is from a source."""


def _computed_here(feature: Entity) -> bool:
    return any(feature.fields.get(name) is not None for name in _CODE_FIELDS)


def _code_features(spec: Analysis) -> list[Entity]:
    read: set[str] = set()
    for model in spec.entities("models"):
        features = model.fields.get("features")
        if isinstance(features, list):
            read.update(ref for ref in features if isinstance(ref, str))
    return [f for f in spec.entities("features") if f.ref in read and _computed_here(f)]


@fact(
    "code_features",
    kind="product",
    doc="Refs of the features computed by the team's own code (they declare `compute`, "
    "`aggregation` or `window`) that a model reads, in spec order.",
)
def product_code_features(spec: Analysis) -> Mapping[str, Any]:
    return {"product": [f.ref for f in _code_features(spec)]}


@fact(
    "untested_features",
    kind="product",
    doc="Refs of the features in `code_features` that do not say whether their code is "
    "tested (`tested` absent; `tested: tbd` counts as said).",
)
def product_untested_features(spec: Analysis) -> Mapping[str, Any]:
    tbd = spec.spec.tbd
    return {
        "product": [
            f.ref
            for f in _code_features(spec)
            if f.fields.get("tested") is None and f"{f.pointer}/tested" not in tbd
        ]
    }
