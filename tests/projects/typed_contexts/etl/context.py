from dataclasses import dataclass

from customerio import CustomerIO
from segment.analytics import Client as SegmentClient


@dataclass
class Ctx:
    tracker: CustomerIO
    batch_size: int = 100


@dataclass
class SegmentCtx:
    tracker: SegmentClient
