"""Impact facts: what a change to a source, dataset or feature reaches downstream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.lineage.graph import lineage_graph
from consider.lineage.reach import IMPACT_LIMIT, reach

if TYPE_CHECKING:
    from consider.analysis import Analysis


def _impact(spec: Analysis, kind: str) -> dict[str, Any]:
    graph = lineage_graph(spec)
    table = reach(spec)
    result = {}
    for entity in spec.entities(kind):
        models, outputs, truncated = table[graph.nodes[entity.ref]]
        result[entity.id] = {
            "retrain": [graph.refs[i] for i in models],
            "outputs": [graph.refs[i] for i in outputs],
            "truncated": truncated,
        }
    return result


_IMPACT_DOC = (
    "What a change to this {what} reaches, following lineage edges downstream (feedback "
    "edges left out): `retrain` (refs of models that must re-train because their training "
    "data or features are downstream), `outputs` (refs of outputs that change), in plan "
    "order, at most {limit} each, with `truncated: true` when more exist. "
    "`consider impact` gives the full ordered plan with timings."
)


@fact("impact", kind="sources", doc=_IMPACT_DOC.format(what="source", limit=IMPACT_LIMIT))
def source_impact(spec: Analysis) -> Mapping[str, Any]:
    return _impact(spec, "sources")


@fact("impact", kind="datasets", doc=_IMPACT_DOC.format(what="dataset", limit=IMPACT_LIMIT))
def dataset_impact(spec: Analysis) -> Mapping[str, Any]:
    return _impact(spec, "datasets")


@fact("impact", kind="features", doc=_IMPACT_DOC.format(what="feature", limit=IMPACT_LIMIT))
def feature_impact(spec: Analysis) -> Mapping[str, Any]:
    return _impact(spec, "features")
