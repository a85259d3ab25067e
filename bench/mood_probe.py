"""How well does a ShowIntent student read moods it was never shown? A dev set beside the locked one.

    PROTEGE_HOME=runs/X/home PROTEGE_SHOWINTENT_CUE_GLOSSES=1 python bench/mood_probe.py [--out F.json]

Across six Qwen students (sessions 24-29) mood was the weakest field of the locked eval: 33 of
their 55 known-value misses were among its 29 mood cases. This asks a student 48 mood requests
written for this probe, four per mood, half Portuguese, in forms the generator's rows do not say
(each is checked: no generated row of the demo's data and no locked case contains one), and
prints the share it answers with the right mood and what it answers instead. Held apart from
training and from the locked set, it can compare students trained on different rows without
spending the locked set. Not a test: about a minute for Qwen on 2 cores.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

import protege
from protege.apps.showintent.callsite import default_show_state, parse_show_intent
from protege.apps.showintent.generator import generate_rows
from protege.apps.showintent.metrics import load_locked_eval
from protege.evaluate.runner import load_student

# mood -> (pt requests, en requests)
PROBES: dict[str, tuple[list[str], list[str]]] = {
    "premium": (["visual de hotel cinco estrelas", "clima de lounge exclusivo no salão"],
                ["make it feel expensive", "give it a five-star hotel look"]),
    "calm": (["baixa a bola do visual, hora da conversa", "diminui o ritmo, o pessoal vai comer"],
             ["keep things gentle while dessert is served", "slow everything down for the speeches dinner"]),
    "hype": (["bota pilha na galera", "joga lá pra cima, a pista lotou"],
             ["we need the place buzzing", "get everyone on their feet"]),
    "warm": (["cores de outono no salão", "um clima aconchegante de inverno"],
             ["make it glow amber and gold like a campfire", "autumn colors everywhere"]),
    "cool": (["tudo em azul gelo", "cores de manhã fria no telão"],
             ["colors like a cold morning", "ice blue everything"]),
    "romantic": (["luz de jantar a dois", "clima de lua de mel"],
                 ["the couple is renewing their vows, make it tender", "honeymoon feeling please"]),
    "festive": (["deixa com cara de comemoração de fim de ano", "clima de arraial no salão"],
                ["it's a birthday bash, make it fun", "throw some holiday cheer on screen"]),
    "elegant": (["menos poluição visual, algo clássico", "visual de gala discreto"],
                ["keep it restrained and graceful", "less clutter, more refinement"]),
    "tropical": (["clima de quiosque na areia", "cara de férias no nordeste"],
                 ["beach bar feeling, please", "palm trees and sunshine vibe"]),
    "corporate": (["deixa com cara de reunião de acionistas", "visual de apresentação de resultados"],
                  ["serious business look for the presentation", "make it look like an investor meeting"]),
    "cinematic": (["visual de cena final de filme", "clima de tapete vermelho de cinema"],
                  ["make it look like a movie premiere", "give it that big-screen drama"]),
    "bright": (["põe mais claridade no palco", "tá tudo meio sombrio, mais luz"],
               ["open it up, I can't see faces on stage", "everything needs more light"]),
}


def probes() -> list[tuple[str, str, str]]:
    """(message, locale, mood) for every probe; a probe that training rows or the locked set say
    would measure recall, not reading, so it raises."""
    said = [r.inputs["message"].casefold() for r in generate_rows(4000, seed=0, deal=True)]
    said += [c.input.casefold() for c in load_locked_eval()]
    out = []
    for mood, (pt, en) in PROBES.items():
        out += [(m, "pt-BR", mood) for m in pt] + [(m, "en", mood) for m in en]
    clashes = [m for m, _, _ in out if any(m.casefold() in s for s in said)]
    if clashes:
        raise SystemExit(f"probes said by training rows or the locked set: {clashes}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--out", help="JSON file for every answer")
    args = parser.parse_args()
    site = parse_show_intent.site
    version = protege.Registry().get(site.name, args.version)
    runtime = load_student(site, version)
    rows, wrong = [], Counter()
    for message, locale, mood in probes():
        inputs = {"message": message, "show_state": default_show_state(), "cue_catalog_subset": [],
                  "chat_role": "operator", "user_role": "foh", "locale": locale}
        answer = runtime.answer(site.student_prompt(inputs), site.decode_schema_for(inputs))
        got = answer.parsed_json if isinstance(answer.parsed_json, dict) else {}
        said = got.get("mood") if got.get("type") == "change_mood" else got.get("type", "unreadable")
        rows.append({"message": message, "locale": locale, "mood": mood, "answer": answer.text, "right": said == mood})
        if said != mood:
            wrong[f"{mood} -> {said}"] += 1
    right = sum(r["right"] for r in rows)
    print(f"student {version.label}: {right}/{len(rows)} moods right "
          f"(pt {sum(r['right'] for r in rows if r['locale'] == 'pt-BR')}/{len(rows) // 2}, "
          f"en {sum(r['right'] for r in rows if r['locale'] == 'en')}/{len(rows) // 2})")
    for what, n in wrong.most_common():
        print(f"  {n} x {what}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
