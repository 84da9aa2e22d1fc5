"""A rule that reads a name no entity has could never fire: it is refused at pack load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from consider.engine import load_pack
from consider.errors import PackError


def _pack(tmp_path: Path, risk: str) -> Path:
    path = tmp_path / "pack.yaml"
    body = textwrap.indent(textwrap.dedent(risk).strip(), "    ")
    path.write_text(
        "pack: mine\ntitle: Mine\nrisks:\n  - id: r\n    title: R\n    severity: warning\n"
        "    why: w\n    fix: f\n" + body + "\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("risk", "problem"),
    [
        (
            'for: models\nwhen: "retrain.cadance > `0`"\nmessage: m',
            "'models.retrain' has no field 'cadance'; did you mean 'cadence'?",
        ),
        (
            'for: models\nwhen: "retrian"\nmessage: m',
            "'models' has no field 'retrian'; did you mean 'retrain'?",
        ),
        (
            'for: outputs\nwhen: "_facts.slo"\nmessage: m',
            "there is no fact '_facts.slo' for outputs; did you mean 'slos'?",
        ),
        (
            'for: outputs\nwhen: "mode"\nmessage: "{_product.teir}"',
            "'_product' has no field 'teir'; did you mean 'tier'?",
        ),
        (
            'for: models\nwhen: "retrain.cadence.days"\nmessage: m',
            "'models.retrain.cadence' is a duration (a number once normalised), so it has no "
            "field 'days'",
        ),
        (
            'for: services\nwhen: "critical == true"\nmessage: m',
            "a bare 'true' reads a field named true, which is null; write `true`",
        ),
        (
            'for: outputs\nwhen: "mode"\nmessage: m\nat: [fallbak]',
            "'outputs' has no field 'fallbak'; did you mean 'fallback'?",
        ),
    ],
)
def test_a_name_no_entity_has_is_refused(tmp_path: Path, risk: str, problem: str) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(_pack(tmp_path, risk))
    assert str(caught.value).endswith(problem)
    assert "rule 'r' reads a name that is never there, so it could never fire" in str(caught.value)


@pytest.mark.parametrize(
    "risk",
    [
        # a name one of the kinds has is enough
        'for: [services, stores]\nwhen: "online"\nmessage: m',
        # names inside filters and projections are relative to list items: not checked
        'for: outputs\nwhen: "request_path[?critical == `false`].dep"\nmessage: m',
        # the user's own fields, facts, references and null
        'for: outputs\nwhen: "\\"x-team\\" && _facts.slos && _refs.depends_on && mode != null"'
        '\nmessage: "{_refs.fallback.source._id}{_id}"',
        # a calendar schedule stays a mapping
        'for: outputs\nwhen: "precompute.schedule.cron"\nmessage: m',
    ],
)
def test_names_the_spec_can_have_are_accepted(tmp_path: Path, risk: str) -> None:
    load_pack(_pack(tmp_path, risk))
