"""Application state. Rules for every state class (see docs/reflex notes):

- every public method is an event handler any browser tab can call with any arguments: validate them
  and re-check the signed-in user inside each handler;
- never name a security-relevant handler `set_*` (reachable through `setvar`);
- keep anything private in `_`-prefixed (backend-only) vars.
"""
