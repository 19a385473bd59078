from etl.context import Ctx, SegmentCtx


class Plugin:
    def __init__(self, ctx: Ctx):
        self.ctx = ctx

    def run(self, row):
        self.ctx.tracker.identify(row.email, plan="pro")  # expect: CIO301
        tracker = self.ctx.tracker
        tracker.track(row.id, "Row Loaded", {"n": 1})  # expect: CIO202


class SegmentPlugin:
    def __init__(self, ctx: SegmentCtx):
        self.ctx = ctx

    def run(self, row):
        self.ctx.tracker.identify(row.email, {"plan": "pro"})  # near miss: Segment's client, its own API
        self.ctx.tracker.track(row.id, "Row Loaded")  # near miss: Segment's event names are Title Case


class UntypedPlugin:
    def __init__(self, ctx):
        self.ctx = ctx

    def run(self, row):
        self.ctx.tracker.identify(row.email, plan="pro")  # near miss: nothing says what ctx holds


class SwappedPlugin:
    def __init__(self, ctx: Ctx):
        self.ctx = ctx

    def use_segment(self, other: SegmentCtx):
        self.ctx = other

    def run(self, row):
        self.ctx.tracker.identify(row.email, plan="pro")  # near miss: set to two kinds of context
