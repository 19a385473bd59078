"""Segment's library, handed on the same way: not Customer.io."""
import analytics

analytics.write_key = "segment-write-key"
