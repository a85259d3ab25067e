"""The RPG level app: the Jac byLLM game's two call sites (next level, its map), validators that
say which rule a map breaks, an offline procedural teacher, and the game loop (`protege rpg`)."""
