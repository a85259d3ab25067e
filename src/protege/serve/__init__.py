"""``protege serve``: call sites behind OpenAI- and Ollama-compatible HTTP APIs, and the dashboard.

- :mod:`protege.serve.app` builds the FastAPI app (``create_app``); ``protege serve`` runs it.
- :mod:`protege.serve.auth`: who may call (a token off 127.0.0.1), body size limit, ``who()``.
- :mod:`protege.serve.sites`: which call site a request belongs to, and the chat adapters apps
  declare (entry point group ``protege.chat``).
- :mod:`protege.serve.proxy`: proxy sites, call sites with no Python behind them that forward to
  an upstream model and are trained, gated and routed like any other.
- :mod:`protege.serve.openai_api`, :mod:`protege.serve.ollama_api`: the two wire formats.

Importing this package loads nothing; FastAPI is imported by the modules that need it.
"""
