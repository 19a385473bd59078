from .notifier import RideNotifier

__all__ = ["RideNotifier"]
