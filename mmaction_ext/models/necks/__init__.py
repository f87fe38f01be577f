from .csa_necks import ChannelLayerNorm3d, MultiLevelProjection3D, SimplePyramid3D

__all__ = ['ChannelLayerNorm3d', 'MultiLevelProjection3D', 'SimplePyramid3D']
