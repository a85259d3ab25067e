"""Site options for colors.jac (PROTEGE_SITE_OPTIONS): read by the Jac plugin when it serves the
site and by protege's own environment when it trains and gates it."""

import protege

COLORS = ("red", "green", "blue", "yellow", "purple", "orange", "black", "white")


@protege.validator(name="not_black")
def not_black(output, inputs):
    """Black is not allowed on stage: a request for it is refused whatever answers it."""
    return "black" not in inputs["text"] and output["color"] != "black", "black is not allowed on stage"


SITES = {
    "colors:pick_color": {
        "validators": [not_black],
        "graduation": protege.Graduation(
            gate=protege.GateConfig(min_samples=8, threshold=0.5, monitor_min_samples=5, monitor_window=20),
            spot_check_fraction=0.01,
            min_logprob=-1e9,  # every valid answer is served; confidence has its own tests
        ),
    },
}
