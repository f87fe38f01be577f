# EMIM-S on Something-Something V1 straight from ImageNet-1k UniFormer-S: the setting of the paper's ablations
# (Tables 5-8, 11: "for simplicity, we perform the following comparisons based on ImageNet-1K").
_base_ = ['./uniformer-emim_small_k400-pre_8xb4-50e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(pretrained='data/pretrained/uniformer_small_in1k.pth'))
load_from = None
