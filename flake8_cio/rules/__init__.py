"""Rule families, one module each: codes, messages, documentation (RuleDoc), detection and the fix each finding
gets."""
from . import blocking, catalog, clients, event_names, identity, timestamps

FAMILIES = (timestamps, event_names, identity, clients, blocking, catalog)
