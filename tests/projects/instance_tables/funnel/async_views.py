"""The same tables from coroutines."""
from funnel.stages import QUIET_STAGES, STAGES


async def on_event(kind, user_id):
    STAGES[kind].enter(user_id)  # expect: CIO502


async def on_quiet(kind, user_id):
    QUIET_STAGES[kind].enter(user_id)  # near miss: no stage of this table tracks
