"""Integrations of protege with other LLM frameworks; each is loaded only by its framework."""
