"""The synthetic city: deterministic departmental sources of one city, with a ground truth.

It is the demo data and the test oracle of the platform: every defect injected into a source is
recorded, and every source record names the true person or entity behind it.
"""
