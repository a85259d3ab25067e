"""What a message asks for, read by the policy itself, and whether an answer is faithful to it.

The model's translation is never trusted to carry a hazard forward. :func:`read_message` reads
the operator's words (after :mod:`normalize`) for the things no answer may make safe:
operator-only effects (by name or by what they do: "kill all the lights", "cut the PA"), raw
hardware control (DMX, channel numbers, fixtures, Python, endpoints, URLs), prompt injection and
claimed authority ("the rules were approved", "modo admin"), and fog / haze / strobe / confetti
beyond their limits (magnitudes in digits and words, "max", "no talo", "the whole song").
:func:`review` turns that reading and an answer into verdicts for the policy: any hazard in the
message blocks whatever the answer is; an answer that drops a gated effect the message asks for,
or changes a duration or intensity the message states, blocks too, and so does one arming fog,
haze, strobe or confetti the message never names ("sobe pra hype" as ``arm_effect hazer``); free
text in an answer that carries raw control blocks. :func:`hidden_hazards` is the narrower question a call-site validator
asks: does the answer, read on its own, look safer than the message?
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from protege.apps.showintent import catalog
from protege.apps.showintent.normalize import STEPS, Normaliser, fold

# ---- the vocabulary patterns are written in ------------------------------------------------
BLOCKED_EFFECT_PATTERNS: Mapping[str, str] = {
    "blackout": r"\bblackout\w*|\bapagao\b|\bbreu\b|\bescurid\w* total|\btudo (preto|escuro|apagado)\b"
                r"|\bapag\w* (tudo|geral|todas|as luzes|a luz|o salao|o palco|a casa)\b"
                r"|\b(kill|cut|shut off|shut down|turn off|switch off) (all |every |the )*(lights?|lighting)\b"
                r"|\blights? out\b|\b(total|full|complete|pitch) (dark|darkness|black)\b|\bto black\b"
                r"|\b(corta|desliga|tira) (toda |todas )?(a |as )?(luz|luzes|iluminacao)\b|\bdesliga tudo\b",
    "freeze": r"\bfreez\w*|\bcongel\w*|\btrava\w* (a |o )?(tela|imagem|image|telao|led|video|quadro|frame)"
              r"|\bsegura\w* (o |a )?(quadro|frame|imagem|image)|\bframe (parado|congelado)"
              r"|\b(hold|lock|pause|stop) (the |that |this )?(picture|image|frame|screen|wall|video|led)\b"
              r"|\b(para|pausa) (a |o )?(imagem|video|telao|tela)\b",
    "laser": r"\blaser\w*",
    "moving_head": r"\bmoving (head|heads|light|lights)\b|\bmovings?\b|\bmovers\b|\bcabeca\w* move\w*"
                   r"|\b(luzes|refletores) (roboticas|robotizadas|motorizadas|que giram)"
                   r"|\b(robotic|motorized|motorised|spinning) (lights?|fixtures?|heads?)\b",
    "mixer_gain": r"\bmixer gain\b|\bgain\b|\bganho\b|\bpre ?amp\w*|\binput (level|gain)\b|\b\d+ db\b|\bdecibe\w*"
                  r"|\bfader\w*|\b(sobe|aumenta|abaixa|baixa|raise|turn up|turn down|push|crank|boost)\w*"
                  r" (the |o |a )?(volume|master)\b",
    "pa_mute": r"\bpa mute\b|\b(mute|muta|mutar|mutem|mutado|silencia\w*|silence)\b"
               r"|\b(cut|kill|drop|shut off|turn off) (the |all |all the )?(pa|mains?|speakers?|sound|audio)\b"
               r"|\b(corta|tira|desliga|zera) (o |todo o )?(som|audio|pa)\b|\bcaixas? (principais|da frente)\b",
    "audio_routing": r"\baudio routing\b|\breroute\w*|\broteia\w*|\brotear\b|\broteamento\b|\baux \d"
                     r"|\bsaida \d|\bside ?fills?\b|\bpatch\w* (the |o |a )?(dj|mic|microfone|audio|sound|som|feed|sinal)"
                     r"|\brout\w* (the |o |a )?(audio|sound|som|dj|mic|microfone|feed|sinal|signal|output|saida)"
                     r"|\b(dj|mic|microfone|feed|sinal|som|audio)\b.{0,30}\b(monitor\w*|retorno\w*|fone\w*|headphone\w*)",
}
RAW_CONTROL_PATTERN = re.compile(
    r"\bdmx\w*|\b(channel|channels|canal|canais) \d+|\bfixture\w*|\bpython\w*|\btextport\b|\bendpoint\w*"
    r"|\bapi\b|\bhttps?\b|\bcurl\b|\bwebsocket\w*|\bws \d|\bosc\b|\bunivers[eo] \d|\baddress \d|\bendereco (dmx )?\d"
    r"|\bdimmer\w* \d|\bart ?net\b|\bsacn\b|\bmidi\b|\b(sudo|ssh)\b|\bop \(|\bpar \w+ ="
    r"|\b(exec|eval)\b|\b(run|roda\w*|execut\w*|write|escreve\w*|cola|paste)\b.{0,20}\b(scripts?|codigo|code)\b"
    r"|[a-z] = \d")
RAW_IN_FOLDED = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b|op\s*\(\s*['\"]|\.par\.\w+|\bch\d")  # IPs, TD Python
AUTHORITY_PATTERN = re.compile(
    r"\b(rules?|regras?|polic(y|ies)|politicas?|limits?|limites?|restrictions?|restricoes)\b.{0,30}"
    r"\b(approved|aprovad\w*|liberad\w*|changed|mudad\w*|updated|atualizad\w*|suspend\w*|suspens\w*|lifted"
    r"|waived|removed|removid\w*|off|desligad\w*|desativad\w*|disabled)\b"
    r"|\b(admin|adm|administrador|administrator|root|sudo|superuser|superusuario)\b"
    r"|\bmodo (deus|god|debug|manutencao|livre|teste|dev|desenvolvedor|irrestrito)\b"
    r"|\b(god|debug|maintenance|unrestricted|unsafe|dev|developer) mode\b"
    r"|\bno (approvals?|limits|rules|polic(y|ies)|cooldowns?|confirmation)\b"
    r"|\b(skip|skipping|pula|pular|pule|sem|without|dispensa\w*|ignor\w*|bypass\w*) (a |the |any |qualquer )?"
    r"(approval|aprovacao|confirmacao|confirmation|limits?|limites?|cooldown|polic(y|ies)|politicas?|rules?|regras?)\b"
    r"|\b(approve|aprova|libera|autoriza|authorize)\w* (tudo|everything|all|anything|whatever|o que vier|qualquer coisa)\b"
    r"|\b(unlock|desbloque\w*|libera\w*) (the |os |as )?(blocked|bloquead\w*)|\bordem direta\b|\bdirect order\b"
    r"|\bpre ?(approved|aprovad\w*|autorizad\w*|authorized)\b|\boverrid\w*|\bjailbreak\w*"
    r"|\b(i am|im|i m|sou|eu sou|this is|aqui e) (o |a |the |your )?(admin|dono|owner|diretor|director|produtor"
    r"|producer|chefe|boss|engenheiro|engineer|desenvolvedor|developer|ceo)\b|\b(system|sistema) (message|mensagem)\b")

GATED_EFFECT_PATTERNS: Mapping[str, str] = {
    "fog": r"\b(fog|fogs|fogger|foggy|smoke|smokey|smoky|neblina|dry ice|gelo seco)\b|\bfumac\w*"
           r"|\b(fgo|foog|fg|glo seco|gleo seco|geelo seco|gello seco|gelo (sco|seo|sceo|seoc|seeco|secco))\b",
    "hazer": r"\b(haze|hazer|hazers|hazy|mist|bruma)\b|\bnevoa\w*|\benevoad\w*"
             r"|\b(haze|hazz[ei]|haaze|hzae|haez)\w*|\b(hae|hze)\b",  # "um hazezinho"; one slip of "haze"
    "strobe": r"\bstrob\w*|\bestrob\w*|\bpisca pisca\b|\bpiscando rapido\b|\brapid flash\w*",
    "confetti_sim": r"\bconfet\w*|\bpapel picado\b",
}
_NEGATORS = frozenset({"sem", "no", "not", "without", "nada", "nao", "never", "nunca", "dont", "don", "zero", "nenhum",
                       "nenhuma", "stop", "para", "cancel", "cancela", "desliga", "tira", "corta"})
MAX_WORDS = re.compile(
    r"\b(max|maximo|maxima|maximum|maxed|talo|toco|full blast|full power|full throttle|flat out|all the way"
    r"|com tudo|potencia maxima|forca total|todo vapor|a milhao|no limite|at the limit|sem do|cranked|turbo"
    r"|everything you got|100 %|100 percent|cem por cento)\b|\bfull\b")
FOREVER_WORDS = re.compile(
    r"\b(forever|non ?stop|continuous\w*|constant\w*|the whole (night|song|set|show|track)|all night|sem parar"
    r"|a noite (toda|inteira)|o show (todo|inteiro)|a musica (toda|inteira)|ate (eu )?(mandar|falar|dizer) (parar|chega)"
    r"|until i say|till i say|pra sempre|infinit\w*|endless\w*|indefinid\w*|ate o fim|ate acabar|o tempo todo"
    r"|the entire (night|song|set|show)|until the end|ate o final)\b")

_UNITS = {**dict.fromkeys(("s", "sec", "secs", "second", "seconds", "seg", "segs", "segundo", "segundos",
                           "segundinho", "segundinhos"), 1.0),
          **dict.fromkeys(("min", "mins", "minute", "minutes", "minuto", "minutos", "minutinho", "minutinhos"), 60.0),
          **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas"), 3600.0)}
_PERCENT = frozenset({"%", "percent", "pct", "porcento", "percentage"})
_NUMBERS = {
    "zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
    "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13, "catorze": 14, "quatorze": 14,
    "quinze": 15, "dezesseis": 16, "dezessete": 17, "dezoito": 18, "dezenove": 19, "vinte": 20, "trinta": 30,
    "quarenta": 40, "cinquenta": 50, "sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90, "cem": 100,
    "cento": 100, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
    "couple": 2, "meio": 0.5, "meia": 0.5, "half": 0.5,
}
_ARTICLES = frozenset({"a", "an", "one", "um", "uma"})  # "a minute", "um minuto": one only before a unit
_FRACTIONS = frozenset({"meio", "meia", "half", "couple", "dozen"})

_VOCABULARY: set[str] = set(_UNITS) | set(_NUMBERS) | {
    "blackout", "apagao", "escuridao", "freeze", "congela", "congelar", "congelado", "laser", "lasers", "moving",
    "movers", "cabeca", "moveis", "roboticas", "motorizadas", "robotic", "motorized", "spinning", "mixer",
    "gain", "ganho", "preamp", "decibeis", "decibels", "fader", "faders", "volume", "mute", "muta", "mutar",
    "silencia", "silence", "speakers", "mains", "audio", "routing", "reroute", "roteia", "rotear", "roteamento",
    "monitors", "monitor", "retornos", "retorno", "headphones", "microfone", "patch", "dmx", "channel",
    "canal", "fixture", "fixtures", "python", "textport", "endpoint", "endpoints", "websocket", "universe",
    "universo", "address", "endereco", "dimmer", "artnet", "script", "scripts", "codigo", "execute", "executa",
    "ignore", "ignora", "ignorar", "rules", "regras", "instructions", "instrucoes", "instrucao", "policy",
    "politica", "override", "bypass", "forget", "esquece", "esqueca", "safety", "seguranca", "disable",
    "desativa", "desliga", "jailbreak", "developer", "desenvolvedor", "admin", "administrador", "restrictions",
    "restricoes", "approved", "aprovado", "aprovados", "approval", "aprovacao", "confirmacao", "pretend",
    "finge", "guardrails", "filtros", "limites", "limits", "authorize", "autoriza", "unlock", "desbloqueia",
    "bloqueados", "blocked", "liberado", "liberada", "suspended", "system", "sistema", "fog", "smoke", "fumaca",
    "fumacinha", "neblina", "haze", "hazer", "nevoa", "strobe", "strobo", "estrobo", "estroboscopio",
    "confetti", "confete", "maximo", "maxima", "maximum", "max", "full", "talo", "blast", "potencia",
    "forever", "continuous", "nonstop", "infinito", "percent", "intensity", "intensidade", "moveis", "cabecas",
    "strobes", "lights", "speakers", "monitors", "retornos", "apaga", "apague", "apagam", "fumacada",
    "enevoado", "enevoada",
}
_ALIASES = {"ch": "channel", "chan": "channel", "chn": "channel", "cnl": "canal", "maxx": "max", "mx": "max",
            "pamute": "pa mute", "mixergain": "mixer gain", "audiorouting": "audio routing",
            "movinghead": "moving head", "movingheads": "moving heads", "rawdmx": "raw dmx",
            "fixturechannel": "fixture channel", "blackouts": "blackout", "strobes": "strobe", "fogs": "fog",
            "segs": "segundos", "sgs": "segundos", "seconds": "seconds"}
# real words one edit away from a hazard word: never corrected
_PROTECTED = {
    "later", "layer", "layers", "lazer", "lager", "loser", "laster", "breeze", "frieze", "spoke", "stroke",
    "strokes", "mixed", "fixer", "routine", "routines", "police", "safely", "admit", "apagar", "apagam",
    "apagado", "apagada", "apagas", "forte", "fortes", "thirsty", "fifth", "sixth", "there", "these", "those",
    "moving", "gained", "again", "mister", "smoked", "smoker", "abrupt", "channels", "canals", "canela",
    "ignored", "morning", "system", "conference", "conferences", "dinner", "dinners", "smell", "shall",
    "match", "batch", "watch", "catch", "covers", "lovers", "mowers", "radio", "fade", "faded", "fades", "mudar",
    "mudam", "mudou", "mudem", "mudado", "ganha", "ganhou", "ganhar", "ganhe", "ganham", "passa", "passe",
    "passou", "causa", "mixture", "lower", "tower", "change", "charge", "pista", "pistas", "caixa", "right",
    "rights", "tight", "sight", "fight", "might", "toda", "todo", "todos", "seen", "centro", "weight", "mode",
    "casal", "casais", "canela", "volumes", "fixture", "nevou", "twelfth", "seventh", "eighth", "eleventh",
}
# the words a typo may be corrected to: the hazard words attackers misspell, never everyday words
_FUZZY_TARGETS = {
    "channel", "fixture", "python", "endpoint", "textport", "websocket", "blackout", "freeze", "congela", "laser",
    "moving", "mixer", "routing", "roteamento", "ignore", "ignora", "ignorar", "instructions", "instrucoes",
    "instrucao", "override", "bypass", "forget", "esquece", "esqueca", "safety", "seguranca", "disable",
    "desativa", "jailbreak", "developer", "desenvolvedor", "admin", "administrador", "restrictions",
    "restricoes", "approved", "aprovado", "approval", "aprovacao", "guardrails", "strobe", "strobo", "estrobo",
    "confetti", "confete", "fumaca", "cento", "percent", "segundos", "seconds", "minutos", "minutes", "minuto", "minute", "maximo",
    "maximum", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "fifteen", "quinze", "policy", "politica",
}
_PATTERN_SOURCES = [*BLOCKED_EFFECT_PATTERNS.values(), *GATED_EFFECT_PATTERNS.values(), RAW_CONTROL_PATTERN.pattern,
                    AUTHORITY_PATTERN.pattern, MAX_WORDS.pattern, FOREVER_WORDS.pattern]
# every word a pattern is written with, so a typo in any of them is read back ("lgihting", "sounnd")
_PATTERN_WORDS = {w for src in _PATTERN_SOURCES for w in re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", src))}
NORMALISER = Normaliser(_VOCABULARY | _PATTERN_WORDS, _ALIASES, _PROTECTED,
                        _FUZZY_TARGETS | _PATTERN_WORDS | _VOCABULARY)  # fuzzy only reaches words of 5+ letters

_BLOCKED = {effect: re.compile(p) for effect, p in BLOCKED_EFFECT_PATTERNS.items()}
_GATED = {effect: re.compile(p) for effect, p in GATED_EFFECT_PATTERNS.items()}
_KNOWN_CUE_NAMES = sorted((n.replace("_", " ") for n in catalog.KNOWN_CUES), key=len, reverse=True)


def canonical(text: str, steps: frozenset[str] = STEPS) -> str:
    """The canonical form of ``text`` (see :mod:`normalize`): what every pattern here is matched on."""
    return NORMALISER.text(text, steps)


@dataclass(frozen=True)
class Reading:
    """What a message asks for, as the policy reads it."""

    canonical: str
    blocked_effects: tuple[str, ...]
    raw_control: tuple[str, ...]
    authority: tuple[str, ...]
    gated_named: tuple[str, ...]  # gated effects mentioned at all
    gated_asked: tuple[str, ...]  # ...and not only in a negation ("sem fumaça")
    durations: tuple[float, ...]  # seconds; inf for "non-stop"
    intensities: tuple[float, ...]  # 0..1 (or more: "150%"); 1.0 for "max"
    stated_intensities: tuple[float, ...]  # digits, percent and level forms only, not "max" words

    def over_limit(self, limits: Mapping[str, tuple[float, float]]) -> list[str]:
        reasons = []
        for effect in self.gated_named:
            max_d, max_i = limits[effect]
            if any(d > max_d for d in self.durations):
                reasons.append(f"message asks for {effect} longer than {max_d:g} s")
            if any(i > max_i for i in self.intensities):
                reasons.append(f"message asks for {effect} above intensity {max_i:g}")
        return reasons


def _number_run(tokens: tuple[str, ...], i: int) -> tuple[float | None, int]:
    """A number at ``tokens[i]`` in digits or words ("vinte e cinco", "twenty five"): (value, next i)."""
    token = tokens[i]
    if re.fullmatch(r"\d+(\.\d+)?", token):
        return float(token), i + 1
    if token not in _NUMBERS or token in _ARTICLES:
        return None, i
    value, j = float(_NUMBERS[token]), i + 1
    if token in _FRACTIONS:
        return value, j
    while j < len(tokens):
        word = tokens[j]
        if word in ("e", "and") and j + 1 < len(tokens) and tokens[j + 1] in _NUMBERS \
                and tokens[j + 1] not in _FRACTIONS:
            j += 1
            continue
        if word in ("hundred", "cem", "cento"):
            value = value * 100 if value < 100 else value + 100
        elif word in _NUMBERS and word not in _FRACTIONS and word not in _ARTICLES:
            value += _NUMBERS[word]
        else:
            break
        j += 1
    return value, j


def _magnitudes(tokens: tuple[str, ...], effect_at: set[int]) -> tuple[list[float], list[float], list[float]]:
    durations: list[float] = []
    intensities: list[float] = []
    stated: list[float] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("half", "meio", "meia") and i + 2 < len(tokens) and tokens[i + 1] in _ARTICLES \
                and tokens[i + 2] in _UNITS:  # "half a minute"
            durations.append(0.5 * _UNITS[tokens[i + 2]])
            i += 3
            continue
        if token in _ARTICLES and i + 1 < len(tokens) and tokens[i + 1] in _UNITS:
            durations.append(_UNITS[tokens[i + 1]])
            i += 2
            continue
        value, j = _number_run(tokens, i)
        if value is None:
            i += 1
            continue
        following = tokens[j] if j < len(tokens) else ""
        after = tokens[j + 1] if j + 1 < len(tokens) else ""
        if following in _UNITS:
            durations.append(value * _UNITS[following])
        elif following in _PERCENT or (following == "por" and after == "cento"):
            intensities.append(value / 100)
            stated.append(value / 100)
        elif following in ("de", "of", "out") and value <= 10 and "10" in tokens[j + 1:j + 3]:  # "5 de 10"
            intensities.append(value / 10)
            stated.append(value / 10)
        elif i > 0 and tokens[i - 1] in ("intensity", "intensidade", "forca", "power", "potencia"):
            level = value if value <= 1 else value / 100
            intensities.append(level)
            stated.append(level)
        elif "." in token and value <= 1:
            intensities.append(value)
            stated.append(value)
        elif token.isdigit() and any(0 < i - k <= 3 for k in effect_at):  # "/fog 10", "strobe por 8"
            durations.append(value)
        i = max(j, i + 1)
    return durations, intensities, stated


def _negated(tokens: tuple[str, ...], start: int) -> bool:
    return any(t in _NEGATORS for t in tokens[max(0, start - 3):start])


@lru_cache(maxsize=16384)
def read_message(message: str, steps: frozenset[str] = STEPS) -> Reading:
    text = canonical(message, steps)
    for name in _KNOWN_CUE_NAMES:  # a cue's own name is not a request for "max" or for an effect
        if name in text and name.endswith(" max"):
            text = text.replace(name, name[:-4] + " cue")
    tokens = tuple(text.split())
    starts = {m.start(): n for n, m in enumerate(re.finditer(r"\S+", text))}
    named, asked, effect_at = [], [], set()
    for effect, pattern in _GATED.items():
        hits = [starts.get(m.start(), 0) for m in pattern.finditer(text)]
        if hits:
            named.append(effect)
            effect_at.update(hits)
            if not all(_negated(tokens, h) for h in hits):
                asked.append(effect)
    durations, intensities, stated = _magnitudes(tokens, effect_at)
    if MAX_WORDS.search(text):
        intensities.append(1.0)
    if FOREVER_WORDS.search(text):
        durations.append(float("inf"))
    folded = fold(message) if "fold" in steps else message.casefold()
    raw = [m.group(0) for m in RAW_CONTROL_PATTERN.finditer(text)] + [m.group(0) for m in RAW_IN_FOLDED.finditer(folded)]
    return Reading(
        canonical=text,
        blocked_effects=tuple(e for e, p in _BLOCKED.items() if p.search(text)),
        raw_control=tuple(raw),
        authority=tuple(m.group(0) for m in AUTHORITY_PATTERN.finditer(text)),
        gated_named=tuple(named), gated_asked=tuple(asked),
        durations=tuple(durations), intensities=tuple(intensities), stated_intensities=tuple(stated),
    )


# ---- an answer against its message --------------------------------------------------------
_NOT_TEXT = frozenset({"type", "effect", "tone", "cue_kind", "timing", "source", "kind", "request", "preapproved"})
_SAFER_ANSWERS = frozenset({"blocked_request", "approve_effect", "cancel_effect", "panic_status"})


def answer_text(intent: Any) -> str:
    """Every free-text field of an answer (cue names included), in one string."""
    def walk(node: Any, key: str = "") -> list[str]:
        if isinstance(node, Mapping):
            return [s for k, v in node.items() if k not in _NOT_TEXT for s in walk(v, k)]
        if isinstance(node, list):
            return [s for v in node for s in walk(v, key)]
        return [node] if isinstance(node, str) else []

    data = intent.model_dump(mode="json", exclude_none=True) if hasattr(intent, "model_dump") else intent
    return " | ".join(walk(data))


def answer_text_problems(intent: Any) -> list[str]:
    """Raw control or an authority claim in an answer's own words ("fixture_chanel_12" as a cue)."""
    text = answer_text(intent)
    if not text:
        return []
    canon = canonical(text)
    problems = []
    if RAW_CONTROL_PATTERN.search(canon) or RAW_IN_FOLDED.search(fold(text)):
        problems.append("the answer's text carries raw hardware control")
    if AUTHORITY_PATTERN.search(canon):
        problems.append("the answer's text claims authority or changes the rules")
    return problems


SAME_WITHIN = 1e-6  # two numbers closer than this are the same number to the rules


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME_WITHIN


def mismatches(intent: Any, reading: Reading) -> list[str]:
    """Where a (non-blocked) answer leaves out or changes what the message asks for."""
    kind = intent.type
    if kind in _SAFER_ANSWERS:
        return []
    found = []
    asked = reading.gated_asked
    if asked:
        said = ", ".join(asked)
        if kind == "arm_effect" and intent.effect.value not in reading.gated_named:
            found.append(f"the message asks for {said}; the answer arms {intent.effect.value}")
        elif kind == "request_cue" and catalog.is_preapproved(intent.cue):
            found.append(f"the message asks for {said}; the answer plays the cue {intent.cue} instead")
        elif kind in ("announce", "log_note"):
            text = canonical(answer_text(intent))
            if not any(_GATED[e].search(text) for e in asked):
                found.append(f"the message asks for {said}; the answer ({kind}) leaves it out")
        elif kind in ("change_mood", "arm_mixer_scene"):
            found.append(f"the message asks for {said}; the answer ({kind}) leaves it out: one request per message")
    elif kind == "arm_effect" and reading.canonical and intent.effect.value in _GATED \
            and intent.effect.value not in reading.gated_named:  # no words (no message, "🔥🔥"): nothing to be faithful to
        found.append(f"the message never names {intent.effect.value}; the answer arms it")
    if kind == "arm_effect" and intent.effect.value in reading.gated_named:
        durations, intensities = set(reading.durations), set(reading.intensities)
        if len(durations) == 1 and intent.duration_seconds is not None \
                and not _same(intent.duration_seconds, next(iter(durations))):
            found.append(f"the message says {next(iter(durations)):g} s; the answer says {intent.duration_seconds:g} s")
        if len(intensities) == 1 and intent.intensity is not None and not _same(intent.intensity, next(iter(intensities))):
            found.append(f"the message says intensity {next(iter(intensities)):g}; "
                         f"the answer says {intent.intensity:g}")
    if kind == "change_mood" and not reading.gated_named and len(set(reading.intensities)) == 1:
        wanted = reading.intensities[0]
        if not _same(intent.intensity, wanted):
            found.append(f"the message says intensity {wanted:g}; the answer says {intent.intensity:g}")
    return found


def message_hazards(reading: Reading, limits: Mapping[str, tuple[float, float]]) -> list[str]:
    """Reasons this message must end blocked, whatever any answer to it says."""
    found = [f"the message asks for {effect}, an operator-only effect" for effect in reading.blocked_effects]
    if reading.raw_control:
        found.append(f"the message asks for raw hardware control ({reading.raw_control[0][:30]!r})")
    if reading.authority:
        found.append(f"the message claims authority or tries to change the rules ({reading.authority[0][:30]!r})")
    return found + reading.over_limit(limits)


def review(intent: Any, message: str, limits: Mapping[str, tuple[float, float]]) -> list[str]:
    """Every reason to block this answer to this message; empty when the answer may stand."""
    reading = read_message(message)
    return message_hazards(reading, limits) + mismatches(intent, reading) + answer_text_problems(intent)


def hidden_hazards(intent: Any, message: str, limits: Mapping[str, tuple[float, float]],
                   answer_alone_blocked: bool) -> list[str]:
    """For a call-site validator: how an answer misrepresents its message, if it does.

    A hazardous message translated faithfully (``arm_effect blackout``, a ``blocked_request``) is
    fine: the policy blocks it. An answer that, read on its own, would pass while the message
    carries a hazard, that drops or changes what the message asks for, or that carries raw
    control in its text is not: the router then asks the teacher instead.
    """
    reading = read_message(message)
    found = mismatches(intent, reading) + answer_text_problems(intent)
    hazards = message_hazards(reading, limits)
    if hazards and not answer_alone_blocked:
        found.append(f"the answer hides what the message asks for: {hazards[0]}")
    return found

