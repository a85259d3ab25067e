"""`protege rpg data build --filtered/--unfiltered` and `protege rpg data versions` on a real
store: the core's dataset builder with and without the validators, and which set a registered
version was trained on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

import protege
from protege.apps.rpg.callsite import create_next_map
from protege.apps.rpg.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from rpg_maps import good_map, level, pos  # noqa: E402

runner = CliRunner()
SITE = create_next_map.site
BAD = 12


def teacher_data() -> list[int]:
    """Valid maps from the procedural teacher, and BAD imported maps with an enemy on a wall
    (which fails enemies_clear and reachable). Returns the ids of the bad examples."""
    played = runner.invoke(app, ["play", "--levels", "8", "--seed", "3", "--json"])
    assert played.exit_code == 0, played.output
    bad = good_map(enemies=[pos(5, 0), pos(1, 2)]).model_dump(mode="json")
    rows = [protege.ExampleIn(inputs={"level": level(name=f"Broken Keep {i}").model_dump(mode="json")},
                              output=bad, source="import") for i in range(BAD)]
    return protege.Store.default().add_examples(SITE.name, SITE.fingerprint, rows)


def build(*args: str) -> dict:
    result = runner.invoke(app, ["data", "build", "--site", "map", "--json", *args])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.stdout)["sites"]
    return summary


def test_filtered_and_unfiltered_sets_differ_by_the_examples_the_validators_remove(home, tmp_path):
    bad_ids = teacher_data()
    filtered = build("--out", str(tmp_path / "out"))
    store = protege.Store.default()
    splits = {r.id: r.split for r in store.examples(SITE.name, SITE.fingerprint)}
    bad_in_train = sum(splits[i] == "train" for i in bad_ids)
    assert bad_in_train > 0  # the rest went to the locked eval set, which is never filtered
    assert filtered["data_set"] == "filtered" and filtered["filtered_out"] == bad_in_train
    assert filtered["filtered_out_by_rule"] == {"enemies_clear": bad_in_train, "reachable": bad_in_train}
    assert filtered["train_with"] == f"protege train {SITE.name}"
    assert filtered["train"] + filtered["eval"] == 8 + BAD - bad_in_train
    lines = (tmp_path / "out" / "map-filtered.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == filtered["train"] and all(json.loads(line)["output"] != good_map(enemies=[pos(5, 0), pos(1, 2)])
                                                   .model_dump(mode="json") for line in lines)

    unfiltered = build("--unfiltered")
    assert unfiltered["data_set"] == "unfiltered" and unfiltered["filtered_out"] == 0
    assert unfiltered["train"] == filtered["train"] + bad_in_train and unfiltered["eval"] == filtered["eval"]
    assert unfiltered["train_with"] == f"protege train {SITE.name} --no-filter"
    assert unfiltered["dataset_hash"] != filtered["dataset_hash"]
    assert build()["dataset_hash"] == filtered["dataset_hash"]  # the split is locked: same data again

    text = runner.invoke(app, ["data", "build", "--unfiltered"])
    assert text.exit_code == 0, text.output
    assert f"{SITE.name} (unfiltered, dataset {unfiltered['dataset_hash']}): {unfiltered['train']} train" in text.stdout
    assert f"train on it: protege train {SITE.name} --no-filter" in text.stdout
    assert "create_next_level (unfiltered" in text.stdout  # both sites by default
    assert runner.invoke(app, ["data", "build", "--site", "maps"]).exit_code == 1


def register(store, data, *, recorded: bool = False) -> None:
    """A version registered from a staging folder holding what training writes about its data
    (the model itself is not needed to tell which set it learned from). ``recorded``: as the
    trainer writes it now, with the flag; without it, as versions trained before the flag."""
    registry = protege.Registry(store)
    staging = registry.staging_dir(SITE.name)
    (staging / "dataset.json").write_text(json.dumps({
        "site": SITE.name, "fingerprint": SITE.fingerprint, "dataset_hash": data.hash,
        "train_ids": [r.id for r in data.train], "eval_ids": [r.id for r in data.eval],
        "filtered_out": data.filtered_out, **({"filter_with_validators": data.filtered} if recorded else {})}))
    registry.register(SITE.name, SITE.fingerprint, staging, base_model="test", base_sha256=None, gguf_file=None,
                      dataset_hash=data.hash, n_train=len(data.train), train_config={})


def test_versions_say_which_data_set_they_were_trained_on(home):
    runner.invoke(app, ["play", "--levels", "8", "--seed", "3", "--json"])
    store = protege.Store.default()
    register(store, protege.build_dataset(SITE, store))  # nothing to remove yet: both sets are one
    teacher_data()
    register(store, protege.build_dataset(SITE, store, filter_with_validators=True))
    register(store, protege.build_dataset(SITE, store, filter_with_validators=False))
    result = runner.invoke(app, ["data", "versions", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["versions"]
    assert [(r["site"], r["version"], r["trained_on"]) for r in rows] == [
        (SITE.name, "v1", "same"), (SITE.name, "v2", "filtered"), (SITE.name, "v3", "unfiltered")]
    assert rows[2]["n_train"] > rows[1]["n_train"]
    text = runner.invoke(app, ["data", "versions"])
    assert f"{SITE.name} v3: {rows[2]['n_train']} train, dataset {rows[2]['dataset_hash']}, trained on: unfiltered" in text.stdout


def test_a_recorded_flag_wins_over_the_inference(home):
    """Nothing failed a validator, so the inference could only say "same"; the flag the trainer
    records says which command built the set."""
    runner.invoke(app, ["play", "--levels", "4", "--seed", "5", "--json"])
    store = protege.Store.default()
    register(store, protege.build_dataset(SITE, store, filter_with_validators=False), recorded=True)
    register(store, protege.build_dataset(SITE, store), recorded=True)
    rows = json.loads(runner.invoke(app, ["data", "versions", "--json"]).stdout)["versions"]
    assert [r["trained_on"] for r in rows] == ["unfiltered", "filtered"]


def test_no_versions_yet(home):
    result = runner.invoke(app, ["data", "versions"])
    assert result.exit_code == 0 and "no trained versions yet" in result.stdout
