"""Models of the paper modules (layers, backbones, necks, heads, losses, recognizers, detectors).

Each paper issue adds its subpackages here; importing this package registers them.
"""
