# Beyond the paper: zero-shot classes through eq. 13. The tiny ART demo trained on 8 classes of the online motion
# demo (its bank: those 8), validated and tested on the 4 others through a bank of the unseen classes
# (ARTHead.zero_shot_bank). Banks (after the tiny demo's own setup):
#   Z=data/motion_demo_online/zero_shot
#   python tools/data/generate_motion_demo.py $Z --flavour classes --class-indices 0 1 2 3 4 5 6 7 \
#       --classes-file seen_classes.txt
#   python tools/data/generate_motion_demo.py $Z --flavour classes --class-indices 8 9 10 11 \
#       --classes-file unseen_classes.txt
#   python tools/build_text_bank.py data/tiny_clip.pth $Z/seen_classes.txt $Z/art_text-bank_seen.pth
#   python tools/build_text_bank.py data/tiny_clip.pth $Z/unseen_classes.txt $Z/art_text-bank_unseen.pth
# With the random tiny CLIP the unseen bank carries no meaning: chance (0.25) is the expected result; the config
# shows the mechanics a real CLIP bank would use.
_base_ = ['./art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py']
split = 'data/motion_demo_online/zero_shot'
seen, unseen = [0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11]
model = dict(cls_head=dict(num_classes=8, text_bank=f'{split}/art_text-bank_seen.pth',
                           zero_shot_bank=f'{split}/art_text-bank_unseen.pth'))
train_dataloader = dict(dataset=dict(class_indices=seen))
val_dataloader = dict(dataset=dict(class_indices=unseen))
test_dataloader = dict(dataset=dict(class_indices=unseen))
