"""Rule families, one module each: codes, messages, documentation (RuleDoc), detection and the fix each finding
gets."""
from . import blocking, catalog, clients, event_names, identity, lifecycle, timestamps

FAMILIES = (timestamps, event_names, identity, lifecycle, clients, blocking, catalog)
