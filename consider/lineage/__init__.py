"""The lineage analyses: the spec read as a system, every one linear in nodes plus edges.

- ``graph``: the lineage graph (typed edges from the references), its topological order and
  strongly connected groups (``condense``), the one place a graph is ordered or grouped;
- ``flow``: folds over the data-flow references (what every entity reaches, at once);
- ``delays``: what each entity adds to the data passing through it;
- ``staleness``: the worst-case staleness walk and its paths;
- ``serving``: availability and latency along an output's request path;
- ``loops``: feedback loops over lineage and feedback edges;
- ``reach``: what a change reaches downstream.

The facts offered to rules (``consider.facts``) are computed from these; the commands
(``consider impact``, ``consider graph``) read them too.
"""
