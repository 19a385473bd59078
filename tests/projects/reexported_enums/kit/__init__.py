from kit.events import Event, Plain

__all__ = ["Event", "Plain"]
