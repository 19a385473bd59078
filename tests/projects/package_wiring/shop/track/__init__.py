"""Re-exports the instance under the name of the submodule that builds it."""
from shop.track.notifier import PlanNotifier, notifier  # noqa: F401
