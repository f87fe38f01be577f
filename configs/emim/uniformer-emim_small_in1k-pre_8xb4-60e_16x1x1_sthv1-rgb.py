# The ablation base (paper Sec. 4.4, Tables 5-11): EMIM-S16 on Something-Something V1 straight from ImageNet,
# the official run's recipe (60 epochs, drop-path 0.2).
_base_ = ['./uniformer-emim_small_k400-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(drop_path_rate=0.2, pretrained='data/pretrained/uniformer_small_in1k.pth'))
load_from = None
