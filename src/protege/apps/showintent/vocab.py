"""Operator vocabulary for cues and moods: how people on a show actually ask for a look.

A small student memorises surface strings when it sees two phrasings per value, so each cue and
mood here has many: the catalog name, a translation, a description of what the audience sees,
slang and diminutives. Portuguese phrases carry their article ("a maré lenta", "o neon pulse")
so the generator can contract it the way people type ("pra maré lenta", "no neon pulse").
Effects, hardware, injections and the admin flows live in ``vocab_extra``.
The locked eval set is written separately and must never be built from these tables.
"""

from __future__ import annotations

# cue -> (pt-BR phrases with article, en phrases)
CUE_PHRASES: dict[str, tuple[list[str], list[str]]] = {
    "doors_idle": (
        ["a tela de entrada", "o loop de portas abertas", "o doors idle", "o loop de espera",
         "a tela de espera", "o loopzinho da entrada", "o visual de recepção"],
        ["doors idle", "the doors loop", "the holding screen", "the walk-in loop", "the pre-show loop"]),
    "slow_tide": (
        ["a maré lenta", "o slow tide", "as ondinhas lentas", "o mar calminho indo e vindo",
         "o visual de maré", "a água subindo devagar"],
        ["slow tide", "the slow tide", "the slow waves", "the gentle tide visual", "the water rolling in slowly"]),
    "dust_gold": (
        ["a poeira dourada", "o dust gold", "o pozinho dourado", "o brilho dourado flutuando",
         "as partículas douradas", "o glitter dourado no ar"],
        ["gold dust", "dust gold", "the floating gold particles", "the golden sparkle dust", "the gold glitter"]),
    "soft_atlas": (
        ["o atlas suave", "o soft atlas", "o mapa-múndi suave", "o mapinha do mundo",
         "o globo de linhas finas", "o mapa em tom pastel"],
        ["soft atlas", "the soft atlas", "the soft world map", "the pastel map", "the globe with thin lines"]),
    "premium_tropical": (
        ["o tropical premium", "o visual tropical chique", "o premium tropical", "as folhagens douradas",
         "a selva elegante", "o tropical de luxo"],
        ["premium tropical", "the tropical premium look", "the luxe tropical", "the gold palm leaves",
         "the classy jungle look"]),
    "velvet_grid": (
        ["a grade de veludo", "o velvet grid", "a grade aveludada", "o quadriculado de veludo",
         "a trama de veludo vinho", "o gridzinho de veludo"],
        ["velvet grid", "the velvet grid", "the velvet squares", "the plush grid", "the wine-red velvet grid"]),
    "liquid_brass": (
        ["o metal líquido", "o liquid brass", "o latão líquido", "o dourado derretendo",
         "o metal escorrendo", "o bronze líquido"],
        ["liquid brass", "the liquid brass", "the molten brass", "the melting gold metal", "the liquid metal look"]),
    "polaroid_crowd": (
        ["a polaroid do público", "o polaroid crowd", "as fotos da galera estilo polaroid",
         "o mural de polaroids", "as polaroids", "o varal de fotos do público"],
        ["polaroid crowd", "the crowd polaroids", "the polaroid wall of the audience",
         "the instant photos of the crowd", "the polaroids"]),
    "neon_pulse": (
        ["o neon pulsando", "o neon pulse", "o neon batendo no ritmo", "o pulso neon",
         "as linhas neon pulsando", "o neonzinho"],
        ["neon pulse", "the neon pulse", "the pulsing neon", "the neon beating with the music", "the neon throb"]),
    "neon_cascade": (
        ["a cascata neon", "o neon cascade", "o neon caindo em cascata", "a chuva de neon",
         "as linhas neon descendo", "a cachoeira de neon"],
        ["neon cascade", "the neon cascade", "the falling neon", "the neon waterfall", "the neon rain"]),
    "pulse_lattice": (
        ["a treliça pulsante", "o pulse lattice", "a rede pulsando", "a malha geométrica pulsante",
         "a teia de linhas pulsando", "o lattice"],
        ["pulse lattice", "the pulse lattice", "the pulsing mesh", "the throbbing lattice", "the geometric web"]),
    "signal_bloom": (
        ["o signal bloom", "o sinal florescendo", "a flor de sinal", "o bloom de sinal",
         "a onda de sinal abrindo", "as ondas de rádio abrindo em flor"],
        ["signal bloom", "the signal bloom", "the blooming signal", "the radio waves opening like a flower",
         "the signal flower"]),
    "chromatic_run": (
        ["a corrida cromática", "o chromatic run", "o arco-íris correndo", "as cores correndo na tela",
         "a corrida de cores", "o degradê correndo"],
        ["chromatic run", "the chromatic run", "the running rainbow", "the colors racing across", "the color run"]),
    "crowd_heat": (
        ["o calor da galera", "o crowd heat", "o mapa de calor do público", "a câmera térmica da galera",
         "o termômetro da pista", "o calorzinho do público"],
        ["crowd heat", "the crowd heat", "the heat map of the crowd", "the thermal crowd view",
         "the crowd heatmap"]),
    "lightning_veins": (
        ["as veias de raio", "o lightning veins", "os raios", "os relâmpagos nas veias",
         "o visual de raio", "os raios rachando a tela"],
        ["lightning veins", "the lightning veins", "the lightning", "the lightning cracks", "the electric veins"]),
    "audio_reactive_main": (
        ["o visual reativo ao som", "o reativo principal", "o audio reactive", "o visual que dança com o som",
         "o principal reativo", "o visual que mexe com o grave"],
        ["main audio reactive", "audio reactive main", "the audio-reactive main visual",
         "the visual that follows the beat", "the main reactive"]),
    "supernova_bloom": (
        ["a supernova", "o supernova bloom", "a explosão de estrela", "a estrela explodindo",
         "o big bang", "a explosão cósmica"],
        ["supernova bloom", "the supernova", "the exploding star", "the star burst", "the big cosmic explosion"]),
    "kinetic_type_storm": (
        ["a tempestade de tipografia", "o kinetic type", "as letras voando", "a tempestade de letras",
         "a tipografia cinética", "o furacão de palavras"],
        ["kinetic type storm", "the kinetic type", "the flying letters", "the word storm", "the typography storm"]),
    "mirror_shatter": (
        ["o espelho quebrando", "o mirror shatter", "o vidro estilhaçando", "o espelho estourando",
         "os cacos de espelho", "a quebra do espelho"],
        ["mirror shatter", "the mirror shatter", "the shattering glass", "the broken mirror",
         "the mirror breaking"]),
    "tunnel_surge": (
        ["o túnel", "o tunnel surge", "o túnel acelerando", "a viagem no túnel", "o túnel de luz",
         "o tunelzinho"],
        ["tunnel surge", "the tunnel", "the tunnel rush", "the speeding tunnel", "the warp tunnel"]),
    "crowd_mirror_max": (
        ["o espelho da galera no máximo", "o crowd mirror max", "a galera espelhada no telão",
         "o espelho do público", "o público refletido na tela grande", "o crowd mirror"],
        ["crowd mirror max", "the crowd mirror", "the audience mirrored on screen", "the full crowd mirror",
         "the crowd reflection"]),
    "photoflash_wall": (
        ["a parede de flash", "o photoflash wall", "a parede de flashes", "os flashes de fotógrafo",
         "o paredão de flash", "o efeito paparazzi"],
        ["photoflash wall", "the photoflash wall", "the flash wall", "the paparazzi flashes",
         "the camera flash wall"]),
    "deep_sea_pause": (
        ["o fundo do mar", "o deep sea pause", "a pausa no fundo do mar", "o oceano profundo",
         "o azul profundo do mar", "as águas profundas"],
        ["deep sea pause", "the deep sea", "the deep ocean pause", "the underwater pause", "the deep blue sea"]),
    "ember_field": (
        ["o campo de brasas", "o ember field", "as brasinhas", "as brasas subindo",
         "as faíscas de fogueira", "o braseiro"],
        ["ember field", "the ember field", "the glowing embers", "the campfire sparks", "the embers"]),
    "breath_sync": (
        ["a respiração sincronizada", "o breath sync", "o respira junto", "a luz respirando",
         "o visual que respira", "o pulso de respiração"],
        ["breath sync", "the breath sync", "the breathing visual", "the slow breathing light",
         "the breathe-together moment"]),
    "constellation_drift": (
        ["a constelação", "o constellation drift", "as estrelas passando", "o céu estrelado",
         "as constelações flutuando", "o céu de estrelas"],
        ["constellation drift", "the constellations", "the drifting stars", "the starry sky", "the star field"]),
    "golden_hour_fade": (
        ["o golden hour", "o pôr do sol dourado", "o fade dourado", "o entardecer", "o pôr do sol",
         "a luz de fim de tarde"],
        ["golden hour fade", "the golden hour", "the sunset fade", "the golden sunset", "the late-afternoon glow"]),
    "thank_you_cascade": (
        ["a cascata de agradecimento", "o thank you cascade", "o obrigado em cascata",
         "os agradecimentos caindo", "a chuva de obrigados", "o visual de agradecimento"],
        ["thank you cascade", "the thank-you cascade", "the thank you visual", "the falling thank-yous",
         "the thanks rain"]),
    "afterglow_archive": (
        ["o afterglow", "o arquivo afterglow", "o afterglow archive", "a retrospectiva da noite",
         "o arquivo de memórias", "os melhores momentos da noite"],
        ["afterglow archive", "the afterglow", "the night's highlight reel", "the memories archive",
         "the best moments of the night"]),
    "brand_hero": (
        ["o momento hero da marca", "o key visual da marca", "o brand hero", "o logo gigante da marca",
         "o hero da marca", "a assinatura da marca"],
        ["brand hero", "the brand hero moment", "the key visual", "the big logo moment", "the brand hero shot"]),
    "brand_hero_prism": (
        ["o key visual prisma", "o brand hero prism", "o logo no prisma", "a marca com efeito prisma",
         "o hero prisma", "o logo refratado em prisma"],
        ["brand hero prism", "the prism key visual", "the prism logo", "the logo through a prism",
         "the hero prism"]),
    "panic_safe": (
        ["a tela segura", "o panic safe", "a tela neutra", "o estado seguro", "o visual neutro",
         "a tela de segurança"],
        ["the safe screen", "panic safe", "the neutral safe state", "the safe-state look", "the neutral screen"]),
    "fog_veil_sim": (
        ["o véu de fumaça simulado", "o fog veil", "a fumaça de mentirinha no telão", "o véu de névoa virtual",
         "a névoa digital", "o fog virtual"],
        ["fog veil sim", "the simulated fog veil", "the fake fog on screen", "the virtual mist veil",
         "the digital fog"]),
    "fog_short_burst": (
        ["o cue de fumaça curtinha", "o fog short burst", "o burst de fumaça", "o cue do jato curto de fumaça",
         "o tirinho de fumaça do cue", "o cue fog burst"],
        ["fog short burst cue", "the fog burst cue", "the short fog burst", "the quick fog puff cue",
         "fog short burst"]),
    "hazer_light": (
        ["o cue de hazer leve", "o hazer light", "o cue do haze leve", "o hazer light do roteiro",
         "o cue de névoa leve", "o hazerzinho do cue"],
        ["hazer light cue", "the light haze cue", "hazer light", "the hazer light cue from the run sheet",
         "the soft haze cue"]),
    "strobe_soft_sim": (
        ["o strobe suave simulado", "o strobe soft sim", "o strobo de mentira no telão",
         "o pisca suave simulado", "o strobe simulado", "o strobinho virtual"],
        ["soft strobe sim", "strobe soft sim", "the simulated soft strobe", "the fake strobe on screen",
         "the gentle virtual strobe"]),
    "band_intro": (
        ["a entrada da banda", "a intro da banda", "o band intro", "a apresentação da banda",
         "a chamada da banda", "o visual de entrada dos músicos"],
        ["band intro", "the band intro", "the band walk-on", "the band introduction", "the musicians' entrance"]),
    "ai_intro_text": (
        ["o texto de abertura da IA", "a intro da IA", "o ai intro", "a apresentação da IA",
         "o texto da IA se apresentando", "a mensagem de boas-vindas da IA"],
        ["AI intro text", "the AI intro", "the AI's opening text", "the AI introduction", "the AI welcome text"]),
}

# How people ask for a cue. pt placeholders: {c} phrase with article, {c0} without it,
# {pro}/{no}/{do} the article contracted with para/em/de ("pro túnel", "na maré lenta").
CUE_TEMPLATES = (
    ["solta {c}", "manda {c}", "coloca {c} agora", "bota {c} no telão", "chama {c}", "vamos de {c0}",
     "pode rodar {c}", "troca {pro}", "{c0} no telão", "quero {c} agora", "me vê {c}", "joga {c} na tela",
     "puxa {c}", "dispara {c}", "muda {pro}", "segue {pro}", "entra com {c}", "tem como colocar {c}?",
     "consegue soltar {c}?", "dá play {no}", "próximo: {c0}", "agora é {c0}", "partiu {c0}", "roda {c}",
     "manda ver {no}", "vai {pro}", "deixa {c} rodando", "sobe {c} no LED",
     # code-switching: Portuguese sentences with the crew's English words
     "dá um play {no}", "solta o cue {c0}", "bota o look {c0}", "next: {c0}",
     "manda o visual {c0}", "{c0}, go!"],
    ["play {c}", "bring up {c}", "cue {c}", "go to {c}", "switch to {c}", "roll {c}", "{c} on screen",
     "can we get {c}", "let's do {c}", "throw up {c}", "fire {c}", "put {c} on the wall", "I want {c} now",
     "next up: {c}", "give me {c}", "take us to {c}", "run {c}", "could you put up {c}?",
     "change over to {c}", "load {c} on the LED", "we're going to {c}",
     "manda {c} please", "bota {c} on screen"],
)
BRAND_TEMPLATES = (
    ["hora da ativação da marca, {c0}", "entrada do CEO, manda {c}", "reveal do produto: {c0}",
     "patrocinador no palco, solta {c}", "momento do patrocinador, {c0}", "lançamento do produto, vai {pro}",
     "o cliente vai subir, {c0} no telão", "hora do reveal, manda {c}"],
    ["sponsor moment, {c}", "product reveal: {c}", "CEO walk-in, go to {c}", "brand activation, {c}",
     "the client is walking up, {c} please", "launch moment, bring up {c}"],
)
# said around a cue request to place it in the run of show; never a timing by itself
SECTION_CONTEXT: dict[str, tuple[list[str], list[str]]] = {
    "doors": (["na entrada do público", "enquanto a galera entra", "pra abertura das portas", "no credenciamento"],
              ["for doors", "while people walk in", "for the walk-in"]),
    "warmup": (["pro warmup", "no esquenta", "pro aquecimento", "na abertura"],
               ["for the warmup", "during warm-up", "to open the night"]),
    "build": (["na subida", "pro build", "antes do drop", "enquanto sobe a música"],
              ["for the build", "on the build-up", "before the drop"]),
    "drop": (["pro pico", "no auge da festa", "pra parte mais forte"],
             ["for the peak", "at the peak", "for the big moment"]),
    "breakdown": (["no breakdown", "na pausa da música", "na parte calminha"],
                  ["for the breakdown", "in the quiet part", "during the breakdown"]),
    "closing": (["no encerramento", "pro fechamento", "pra saída do público", "no final"],
                ["for the closing", "to close the night", "as people head out"]),
}
UNKNOWN_CUES = [
    "hologram_rain", "neon_koi", "crystal_maze", "solar_flare_max", "quantum_bloom",
    "glitch_city", "lava_lamp", "ocean_storm", "rainbow_tunnel", "cyber_jungle", "ice_palace", "bubble_pop",
    "firefly_swarm", "paper_planes", "origami_birds", "retro_vhs", "kaleidoscope_max", "thunder_dome",
    "sakura_fall", "smoke_rings", "mirror_maze", "velvet_storm", "comet_trail", "hologram_choir_3d",
    "jellyfish_bloom", "candy_cloud", "robot_parade",
    # near misses of real cues: the name must be copied, never "corrected" to the catalog
    "neon_pulse_max", "brand_hero_gold", "golden_hour_max", "deep_sea_storm", "tunnel_surge_v2",
    "supernova_max", "dust_silver", "slow_tide_night",
]
# A look nobody built is described in words (vocab_extra.UNKNOWN_LOOK_HEADS and _STUFF) and its cue is
# the description in snake_case. None of these names or words says a locked eval case's look.
UNKNOWN_TEMPLATES = (
    ["solta {c}", "manda o visual {c0}", "roda {c} que o cliente pediu", "tem {c}? bota aí",
     "coloca o efeito novo {c0}", "vamos de {c0}", "chama o cue {c0}", "o cliente quer {c} agora",
     "dispara {c}", "bota {c} no telão"],
    ["play {c}", "bring up {c}", "cue the {c} visual", "run the new {c} look", "go to {c}",
     "client wants {c} on screen", "fire {c}"],
)

# mood -> (pt phrases, en phrases). pt phrases agree with a masculine noun ("o clima", "o ambiente").
MOODS: dict[str, tuple[list[str], list[str]]] = {
    "premium": (
        ["mais premium", "mais chique", "mais sofisticado", "mais luxuoso", "com cara de luxo", "de luxo",
         "mais requintado", "mais exclusivo", "nível VIP", "mais high-end", "top de linha"],
        ["more premium", "classier", "luxurious", "more upscale", "high-end", "fancier", "more exclusive",
         "VIP-level", "posher", "luxury"]),
    "calm": (
        ["mais calmo", "mais tranquilo", "mais zen", "mais relax", "mais suave", "de boa", "mais chill",
         "mais sereno", "mais leve", "mais devagar", "calminho"],
        ["calmer", "more relaxed", "zen", "chill", "mellow", "softer", "laid-back", "soothing", "more peaceful"]),
    "hype": (
        ["mais animado", "com mais energia", "mais agitado", "pra cima", "mais pilhado", "mais eletrizante",
         "mais intenso", "bombando", "no pique", "com mais pegada", "mais frenético"],
        ["more hype", "more energy", "pumped", "hyped up", "more intense", "amped", "high-energy", "wilder",
         "louder and livelier"]),
    "warm": (
        ["mais quente", "em tons quentes", "mais aconchegante", "mais alaranjado", "puxado pro laranja",
         "mais acolhedor", "em âmbar", "mais caloroso", "cor de fogueira", "em tons de laranja e vermelho"],
        ["warmer", "in warm tones", "cozier", "more amber", "orange-ish", "more welcoming", "toasty",
         "like a fireplace"]),
    "cool": (
        ["mais frio", "em tons frios", "mais azulado", "puxado pro azul", "gelado", "em azul e ciano",
         "mais glacial", "mais ártico", "em tons de gelo", "mais fresquinho"],
        ["cooler", "in cool tones", "bluer", "icy", "more blue and cyan", "frosty", "glacial", "arctic"]),
    "romantic": (
        ["romântico", "mais intimista", "mais romântico", "com clima de casal", "à luz de velas", "apaixonado",
         "meloso", "com clima de valsa", "em rosa suave", "com cara de casamento"],
        ["romantic", "more intimate", "lovey-dovey", "date-night", "dreamy pink", "wedding-like",
         "sweet and intimate", "tender", "candlelit"]),
    "festive": (
        ["festivo", "com clima de festa", "mais festivo", "de carnaval", "celebrando", "com cara de aniversário",
         "em clima de comemoração", "alegre", "mais alegre", "de réveillon", "com cara de festança"],
        ["festive", "more like a party", "celebratory", "like a celebration", "cheerful",
         "like New Year's Eve", "carnival-like", "birthday-party"]),
    "elegant": (
        ["elegante", "mais clean", "mais refinado", "mais discreto", "sóbrio", "mais minimalista",
         "de bom gosto", "mais alinhado", "mais fino", "mais clássico", "black tie"],
        ["elegant", "cleaner", "more refined", "understated", "minimal", "tasteful", "sleek", "black-tie",
         "graceful"]),
    "tropical": (
        ["tropical", "com cara de verão", "praiano", "de praia", "bem Brasil", "com clima de luau",
         "de verão carioca", "com palmeiras", "mais caribenho", "com cara de ilha"],
        ["tropical", "summery", "beachy", "island vibes", "like a beach party", "Caribbean",
         "like Rio in summer", "luau-style"]),
    "corporate": (
        ["mais corporativo", "mais institucional", "mais sério", "mais profissional", "com a cara da marca",
         "mais executivo", "formal", "de empresa", "de convenção", "mais on-brand"],
        ["more corporate", "more on-brand", "more professional", "businesslike", "more formal",
         "conference-style", "boardroom", "more institutional"]),
    "cinematic": (
        ["cinematográfico", "com cara de cinema", "de filme", "épico", "de trailer", "hollywoodiano",
         "dramático", "tipo cena de filme", "com cara de blockbuster", "de estreia de cinema"],
        ["cinematic", "like a movie", "epic", "dramatic", "like a trailer", "Hollywood-style", "filmic",
         "blockbuster"]),
    "bright": (
        ["mais claro", "mais iluminado", "mais luminoso", "mais aceso", "mais vivo", "com mais luz",
         "clarinho", "bem claro", "radiante", "solar"],
        ["brighter", "lighter", "more lit", "more luminous", "radiant", "vivid", "sunny", "lit up"]),
}
MOOD_TEMPLATES = (
    ["deixa {m}", "deixa o clima {m}", "quero o ambiente {m}", "bora deixar {m}", "muda a vibe pra algo {m}",
     "o cliente quer {m}", "pode deixar {m}", "deixa o salão {m}", "vamos pra um clima {m}",
     "preciso do visual {m}", "dá pra deixar {m}?", "clima {m}, por favor", "faz o ambiente ficar {m}",
     "a produção pediu algo {m}", "quero tudo {m}", "deixa o palco {m}", "troca o clima pra algo {m}",
     "o visual tá pedindo algo {m}", "consegue deixar o telão {m}?",
     "muda o mood pra {m}", "deixa a vibe {m}", "bota um mood {m}"],
    ["make it {m}", "set the vibe {m}", "let's go {m}", "client wants it {m}", "can we get it {m}",
     "I need the room {m}", "go {m}", "make the mood {m}", "take the room {m}", "we need something {m}",
     "let's make the vibe {m}", "can the visuals feel {m}?", "make everything {m}", "the producer wants it {m}",
     "deixa {m} please"],
)
# a situation on the floor that implies the mood without naming it
MOOD_SITUATIONS: dict[str, tuple[list[str], list[str]]] = {
    "calm": (["a galera tá jantando", "vai começar o jantar", "o pessoal tá sentado conversando"],
             ["people are having dinner", "guests are sitting down to eat", "it's the quiet networking part"]),
    "premium": (["os convidados VIP tão entrando", "chegou o pessoal do camarote"],
                ["the VIP guests are walking in", "the private lounge guests just arrived"]),
    "hype": (["a pista encheu", "o DJ vai virar o set", "tá todo mundo pulando"],
             ["the dance floor is packed", "everyone's jumping", "the DJ is about to go hard"]),
    "romantic": (["os noivos vão dançar", "primeira dança do casal"],
                 ["the couple's first dance is up", "the bride and groom are dancing"]),
    "festive": (["é aniversário do cliente", "hora do parabéns"],
                ["it's the client's birthday", "time for happy birthday"]),
    "corporate": (["o diretor vai discursar", "vai começar a premiação da empresa"],
                  ["the CEO is about to speak", "the company awards are next"]),
    "cinematic": (["vai rodar o teaser do filme", "chegou a hora do grande momento da noite"],
                  ["we're rolling the film teaser", "this is the big moment of the night"]),
    "tropical": (["abriu o bar de caipirinha", "a banda de axé vai subir"],
                 ["the caipirinha bar just opened", "the samba band is coming on"]),
    "elegant": (["o quarteto de cordas vai tocar", "é cerimônia de gala"],
                ["the string quartet is starting", "it's a black-tie ceremony"]),
    "warm": (["momento família, todo mundo se abraçando", "a galera tá chegando com frio"],
             ["it's the family moment", "guests are coming in from the cold"]),
    "cool": (["tá um calor danado aqui dentro, refresca o visual"], ["it's boiling in here, freshen the visuals"]),
    "bright": (["o fotógrafo precisa de luz", "vão tirar a foto do grupo"],
               ["the photographer needs more light", "we're taking the group photo"]),
}
SITUATION_TEMPLATES = (
    ["{s}, ajusta o clima", "{s}. muda o ambiente", "{s}, deixa o visual no clima", "{s}"],
    ["{s}, adjust the mood", "{s}. set the vibe for it", "{s}"],
)
# complaints that imply a mood: ambiguous, yet translatable
IMPLICIT_MOODS = (
    [("tá muito escuro aqui", "bright"), ("tá pesado demais", "calm"), ("tá muito parado", "hype"),
     ("ninguém tá dançando", "hype"), ("a galera tá cansada", "calm"), ("tá com cara de velório", "festive"),
     ("tá muito brega", "elegant"), ("tá frio demais o visual", "warm"),
     ("tá com cara de escritório", "festive"), ("tá bagunçado demais", "elegant"),
     ("tá agitado demais pra hora do jantar", "calm"), ("tá sem graça", "hype"),
     ("tá com cara de balada barata", "premium"), ("tá quente demais essas cores", "cool")],
    [("way too dark in here", "bright"), ("this feels too heavy", "calm"), ("the room is dead", "hype"),
     ("looks a bit cheap", "premium"), ("too cold visually", "warm"), ("it's way too busy on screen", "elegant"),
     ("nobody's dancing", "hype"), ("this looks like a funeral", "festive"), ("too much orange", "cool"),
     ("it's all so dim", "bright")],
)

# How an intensity is said. {p} percent, {v} decimal, {vc} decimal with a comma, {w} percent in
# words, {t} tenths: the word and tenth forms are used only when the number is exactly sayable.
INTENSITY_FORMS = (
    ["a {p}%", "em {p}%", "{p}%", "{p} por cento", "intensidade {v}", "intensidade {vc}",
     "com {p}% de intensidade", "na intensidade {p}%", "força {p}%", "intensidade de {p}%"],
    ["at {p}%", "{p}%", "{p} percent", "{v} intensity", "intensity {v}", "at {p} percent",
     "with {p}% intensity", "intensity at {p}%"],
)
INTENSITY_WORD_FORMS = (["a {w} por cento", "{w} por cento", "nível {t} de 10"],
                        ["at {w} percent", "{w} percent", "level {t} out of 10"])
INTENSITY_MAX = (["no máximo", "no talo", "full", "a 100%", "com tudo", "potência máxima", "100 por cento",
                  "no limite"],
                 ["full", "max", "at 100%", "all the way", "full blast", "maxed out", "100 percent"])
PERCENT_WORDS = (
    {10: "dez", 20: "vinte", 30: "trinta", 40: "quarenta", 50: "cinquenta", 60: "sessenta", 70: "setenta",
     80: "oitenta", 90: "noventa", 100: "cem"},
    {10: "ten", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
     80: "eighty", 90: "ninety", 100: "one hundred"},
)
NUMBER_WORDS = (
    {1: "um", 2: "dois", 3: "três", 4: "quatro", 5: "cinco", 6: "seis", 8: "oito", 10: "dez", 15: "quinze",
     20: "vinte", 30: "trinta"},
    {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 8: "eight", 10: "ten", 15: "fifteen",
     20: "twenty", 30: "thirty"},
)
