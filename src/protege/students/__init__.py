"""Students: base models, the one chat renderer, and the llama.cpp runtime."""
