from funnel.stages import HANDLERS, STAGES
