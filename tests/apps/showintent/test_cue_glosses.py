"""The cue glosses a student may see beside each cue name (an experiment, off by default)."""

from protege.apps.showintent import catalog
from protege.apps.showintent.callsite import cue_gloss, cue_glosses, parse_show_intent
from protege.apps.showintent.metrics import load_locked_eval


def test_each_catalog_cue_has_a_portuguese_gloss_without_its_article():
    for cue in catalog.CUES:
        gloss = cue_gloss(cue.name)
        assert gloss and gloss == gloss.strip() and gloss.split()[0] not in ("o", "a", "os", "as"), cue.name
        assert gloss != cue.name.replace("_", " "), f"{cue.name} has no phrasing in the vocabulary"
    assert cue_gloss("dust_gold") == "poeira dourada"
    assert cue_gloss("recap_log") == "recap log"  # a gateway cue outside the vocabulary reads as its name


def test_glosses_replace_the_screen_list_only_when_it_offers_cues():
    assert cue_glosses({"message": "oi", "cue_catalog_subset": []}) == {}
    assert cue_glosses({"message": "oi"}) == {}
    shown = {"message": "poe o túnel", "cue_catalog_subset": ["tunnel_surge", "recap_log"]}
    assert cue_glosses(shown) == {"cue_catalog_subset": {"tunnel_surge": "túnel", "recap_log": "recap log"}}


def test_no_gloss_says_a_whole_locked_case():
    """A gloss enters every training prompt whose screen offers its cue: it must never carry a
    locked input (the vocabulary is kept apart from the locked set; this checks the glosses too)."""
    locked = {case.input.casefold() for case in load_locked_eval()}
    glosses = {cue_gloss(name).casefold() for name in catalog.KNOWN_CUES}
    assert not glosses & locked


def test_glosses_are_off_unless_asked_for():
    """The site's students were trained without glosses; a run turns them on with
    PROTEGE_SHOWINTENT_CUE_GLOSSES=1 (then every version records them and is checked against it)."""
    site = parse_show_intent.site
    assert site.student_hints is None
    assert site.student_view_changed({"student_inputs": list(site.student_inputs),
                                      "student_hints": "protege.apps.showintent.callsite:cue_glosses"})
