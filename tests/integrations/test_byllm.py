"""protege's byLLM plugin on real Jac programs: `jac run` in the Jac environment, the store read
here. Teachers: byLLM's MockLLM (offline) and a real llama.cpp server; students: a real LoRA
student trained here on the captured calls and answered by llama.cpp in the Jac process."""

from __future__ import annotations

import json

import pytest
from jacrun import PROGRAMS, program_copy
from servers import llama_server as start_llama_server

from protege.store import Store

COLORS = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white"]
PHRASES = ["paint it {}", "I like {}", "{} please", "make the wall {}", "the {} one", "{} light", "{} now",
           "use {}", "switch to {}", "something {}"]
PICK, COUNT = "colors:pick_color", "colors:count_words"


def pick(text: str) -> dict:
    return {"fn": "pick_color", "text": text}


def color_in(text: str) -> str:
    return next(c for c in COLORS if c in text)


def test_every_call_captured_per_site_with_full_inputs_and_outputs(jac):
    long_text = "a very long request for the colour green " + "and then some more words " * 200
    calls = [pick("paint it red"), {"fn": "count_words", "text": "one two three"}, pick("blue please"),
             pick(long_text), {"fn": "count_words", "text": "a b"}]
    outputs = [{"color": "red"}, 3, {"color": "blue"}, {"color": "green"}, 2]
    printed = jac.run(PROGRAMS / "colors.jac", outputs=outputs, calls=calls)

    # the program got real instances of its own return types
    assert [(p["answer"], p["type"]) for p in printed] == [
        ("red", "Choice"), (3, "int"), ("blue", "Choice"), ("green", "Choice"), (2, "int")]
    store = Store.default()
    sites = {s["site"]: s for s in store.site_summaries()}
    assert set(sites) == {PICK, COUNT}
    fingerprints = {name: [f["fingerprint"] for f in store.site_fingerprints(name)] for name in sites}
    assert len(fingerprints[PICK]) == len(fingerprints[COUNT]) == 1 and fingerprints[PICK] != fingerprints[COUNT]

    rows = list(reversed(store.calls(PICK, limit=10)))
    assert [r["role"] for r in rows] == ["teacher"] * 3 and all(r["model"] == "mockllm" for r in rows)
    assert [r["inputs"] for r in rows] == [{"text": "paint it red"}, {"text": "blue please"}, {"text": long_text}]
    assert [r["parsed_output"] for r in rows] == [{"color": "red"}, {"color": "blue"}, {"color": "green"}]
    assert len(rows[2]["inputs"]["text"]) == len(long_text) > 5000  # byLLM's own log keeps 500 characters
    # the prompt recorded is the one byLLM sent: its persona, the docstring, the argument
    assert "Name the color the text asks for." in rows[0]["prompt"] and "paint it red" in rows[0]["prompt"]
    source = (PROGRAMS / "colors.jac").read_text().splitlines()
    defined_at = 1 + next(i for i, line in enumerate(source) if "Name the color the text asks for" in line)
    assert rows[0]["meta"]["origin"] == f"{PROGRAMS / 'colors.jac'}:{defined_at}"
    examples = store.examples(PICK)
    assert [(e.inputs["text"][:12], e.output) for e in examples] == [
        ("paint it red", {"color": "red"}), ("blue please", {"color": "blue"}), (long_text[:12], {"color": "green"})]
    assert [e.output for e in store.examples(COUNT)] == [3, 2]
    assert [r["inputs"] for r in reversed(store.calls(COUNT))] == [{"text": "one two three"}, {"text": "a b"}]

    # `protege sites` in this (the main) environment lists the Jac sites
    listed = jac.protege("sites")
    assert PICK in listed and COUNT in listed


def test_a_failing_teacher_is_recorded_and_the_program_gets_byllms_error(jac):
    # MockLLM with one output for two calls: the second call fails inside byLLM
    *printed, stderr = jac.run(PROGRAMS / "colors.jac", outputs=[{"color": "red"}],
                               calls=[pick("paint it red"), pick("blue please")], fails=True)
    assert printed == [{"fn": "pick_color", "text": "paint it red", "answer": "red", "type": "Choice"}]
    assert "pop from empty list" in stderr and "TeacherError" not in stderr  # byLLM's own error, as without protege
    failed, ok = Store.default().calls(PICK)
    assert failed["inputs"] == {"text": "blue please"} and "IndexError" in failed["error"]
    assert failed["parsed_output"] is None and ok["parsed_output"] == {"color": "red"}
    assert [e.inputs for e in Store.default().examples(PICK)] == [{"text": "paint it red"}]


def test_changed_docstring_or_sem_string_makes_a_new_fingerprint(jac, tmp_path):
    variants = [
        {},
        {'"""Name the color the text asks for."""': '"""Name the single color the text asks for."""'},
        {'sem Choice.color = "the color the text asks for";': 'sem Choice.color = "the colour requested";'},
        {'sem count_words.text = "a short phrase";': 'sem count_words.text = "a phrase of a few words";'},
        {},  # unchanged again: the same fingerprint as the first run
    ]
    for i, replace in enumerate(variants):
        # jaclang's global compile cache (~/.cache/jac/jir) can hand a same-named module's old
        # compile-time info (its sem strings) to a fresh copy: each variant gets its own cache.
        jac.run(program_copy(tmp_path, replace), XDG_CACHE_HOME=str(tmp_path / f"jac-cache-{i}"),
                outputs=[{"color": "red"}, 2],
                calls=[pick("paint it red"), {"fn": "count_words", "text": "a b"}])
    store = Store.default()
    pick_fps = {r["fingerprint"] for r in store.calls(PICK, limit=20)}
    count_fps = {r["fingerprint"] for r in store.calls(COUNT, limit=20)}
    assert len(pick_fps) == 3  # original, docstring, field sem; the count_words sem leaves it alone
    assert len(count_fps) == 2  # original, parameter sem
    first, last = store.calls(PICK, limit=20)[-1], store.calls(PICK, limit=20)[0]
    assert first["fingerprint"] == last["fingerprint"]


# SmolLM2's ChatML, reading OpenAI content parts too: byLLM sends every user message as a list of
# parts, which the GGUF's own template (string concatenation) cannot render.
CHATML_WITH_PARTS = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}"
    "{% for part in m['content'] %}{{ part['text'] }}{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "<|im_start|>assistant\n"
)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    template = tmp_path_factory.mktemp("llama") / "tokenizer_config.json"
    template.write_text(json.dumps({"chat_template": CHATML_WITH_PARTS, "bos_token": "", "eos_token": "<|im_end|>"}))
    with start_llama_server("--chat_format", "hf-tokenizer-config", "--hf_tokenizer_config_path", str(template)) as url:
        yield url


def test_llama_cpp_server_as_the_programs_teacher(jac, llama_server):
    # byLLM sends typed outputs as response_format json_schema, which llama-cpp-python's server
    # (0.3.36) refuses ("json_object" only; llama.cpp's own llama-server takes it): a `-> str`
    # function is asked without one, so this server can teach it.
    printed = jac.run(PROGRAMS / "colors.jac", model="openai/smollm2",
                      calls=[{"fn": "describe", "text": "paint it red"}, {"fn": "describe", "text": "soft blue light"}],
                      OPENAI_API_BASE=llama_server, OPENAI_API_KEY="sk-local")
    assert [p["type"] for p in printed] == ["str", "str"], printed
    store = Store.default()
    rows = list(reversed(store.calls("colors:describe")))
    assert [r["role"] for r in rows] == ["teacher", "teacher"]
    assert all(r["model"] == "openai/smollm2" and r["error"] is None for r in rows)
    assert [r["parsed_output"] for r in rows] == [p["answer"] for p in printed]  # the whole answer
    assert [e.inputs for e in store.examples("colors:describe")] == [{"text": "paint it red"}, {"text": "soft blue light"}]
    assert "Describe the mood of the text in a few words." in rows[0]["prompt"]


@pytest.mark.slow
def test_graduated_student_answers_a_jac_call_site_and_falls_back_on_a_validator(jac):
    # 1. capture: the teacher answers every call and each answer becomes an example
    phrases = [p.format(c) for c in COLORS for p in PHRASES]
    jac.run(PROGRAMS / "colors.jac", outputs=[{"color": color_in(t)} for t in phrases], calls=[pick(t) for t in phrases])
    store = Store.default()
    assert len(store.examples(PICK)) == 80

    # 2. train, gate and route here, in the main environment, from the store alone
    trained = jac.protege("train", PICK, "--max-steps", "20", "--batch-size", "8", "--lr", "2e-3")
    assert "registered colors:pick_color v1 as candidate" in trained
    gated = jac.protege("gate", PICK)
    assert "PROMOTED" in gated and "NOT PROMOTED" not in gated, gated
    jac.protege("route", PICK, "student")

    # 3. serve: the student answers; a request the validator refuses goes to the teacher
    printed = jac.run(PROGRAMS / "colors.jac", outputs=[{"color": "black"}] * 3,
                      calls=[pick("paint it red"), pick("paint it black")])
    assert [p["type"] for p in printed] == ["Choice", "Choice"]
    rows = {(r["role"], r["inputs"]["text"]): r for r in store.calls(PICK, limit=5)}
    served = rows[("student", "paint it red")]
    assert served["model"] == f"{PICK}@v1" and served["meta"]["live"] in ("serve", "spot_check")
    assert served["meta"]["fallback"] is None and printed[0]["answer"] == served["parsed_output"]["color"]
    refused = rows[("student", "paint it black")]
    assert refused["meta"]["fallback_kind"] == "validator_failed" and "not_black" in refused["meta"]["fallback"]
    teacher = rows[("teacher", "paint it black")]
    assert teacher["meta"]["fallback_for"] == refused["id"] and printed[1]["answer"] == "black"
    events = jac.protege("events", PICK)
    assert "student" in events


def test_python_by_decorator(jac):
    done = jac.python(PROGRAMS / "pyby.py")
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [(p["fn"], p["type"], p["title"]) for p in printed] == [
        ("summarize", "Summary", "Red paint"), ("summarize", "Summary", "Two words"),
        ("summarize_untracked", "Summary", "Untracked")]
    store = Store.default()
    # protege's `by` made a call site of its function; byllm.lib.by skips the hooks: no site
    assert store.site_names() == ["pyby:summarize"]
    rows = list(reversed(store.calls("pyby:summarize")))
    assert [r["inputs"] for r in rows] == [{"text": "paint it red"}, {"text": "two words"}]
    assert [r["parsed_output"] for r in rows] == [{"title": "Red paint", "words": 3}, {"title": "Two words", "words": 2}]
