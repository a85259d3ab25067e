"""The words the ShowIntent policy reads a message with, and the canonical form it reads it in.

Patterns for operator-only effects (by name and by what they do), raw hardware control, claimed
authority, the gated effects (fog, haze, strobe, confetti), "max" and "forever" words, and the
units and number words magnitudes are written in. Every pattern is matched on
:func:`canonical` text: :mod:`normalize` with this vocabulary, so a typo in any word a pattern
is written with ("lgihting", "fumcada") is read back. :mod:`safety` reads messages with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from protege.apps.showintent.normalize import STEPS, Normaliser

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
NEGATORS = frozenset({"sem", "no", "not", "without", "nada", "nao", "never", "nunca", "dont", "don", "zero", "nenhum",
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

UNITS = {**dict.fromkeys(("s", "sec", "secs", "second", "seconds", "seg", "segs", "segundo", "segundos",
                           "segundinho", "segundinhos"), 1.0),
          **dict.fromkeys(("min", "mins", "minute", "minutes", "minuto", "minutos", "minutinho", "minutinhos"), 60.0),
          **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas"), 3600.0)}
PERCENT = frozenset({"%", "percent", "pct", "porcento", "percentage"})
NUMBERS = {
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
ARTICLES = frozenset({"a", "an", "one", "um", "uma"})  # "a minute", "um minuto": one only before a unit
FRACTIONS = frozenset({"meio", "meia", "half", "couple", "dozen"})

_VOCABULARY: set[str] = set(UNITS) | set(NUMBERS) | {
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
    "forever", "continuous", "nonstop", "infinito", "percent", "intensity", "intensidade", "cabecas",
    "strobes", "lights", "apaga", "apague", "apagam", "fumacada",
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
    "casal", "casais", "volumes", "fixture", "nevou", "twelfth", "seventh", "eighth", "eleventh",
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


def canonical(text: str, steps: frozenset[str] = STEPS) -> str:
    """The canonical form of ``text`` (see :mod:`normalize`): what every pattern here is matched on."""
    return NORMALISER.text(text, steps)
