# Beyond the paper: zero-shot classes through eq. 13. The tiny ART demo trained on 8 classes of the larger motion
# demo (its bank: those 8), validated and tested on the 4 others through a bank of the unseen classes
# (ARTHead.zero_shot_bank). Data and banks (after the tiny demo's own setup):
#   D=data/motion_demo_large/classification; Z=data/motion_demo_large/zero_shot
#   python tools/data/split_classes.py $D/train_list.txt $D/classes.txt $Z/seen_train_list.txt \
#       --classes 0 1 2 3 4 5 6 7 --names-out $Z/seen_classes.txt
#   python tools/data/split_classes.py $D/val_list.txt $D/classes.txt $Z/unseen_val_list.txt \
#       --classes 8 9 10 11 --names-out $Z/unseen_classes.txt
#   python tools/build_text_bank.py data/tiny_clip.pth $Z/seen_classes.txt $Z/art_text-bank_seen.pth
#   python tools/build_text_bank.py data/tiny_clip.pth $Z/unseen_classes.txt $Z/art_text-bank_unseen.pth
# With the random tiny CLIP the unseen bank carries no meaning: chance (0.25) is the expected result; the config
# shows the mechanics a real CLIP bank would use.
_base_ = ['./art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-large.py']
split = 'data/motion_demo_large/zero_shot'
model = dict(cls_head=dict(num_classes=8, text_bank=f'{split}/art_text-bank_seen.pth',
                           zero_shot_bank=f'{split}/art_text-bank_unseen.pth'))
train_dataloader = dict(dataset=dict(ann_file=f'{split}/seen_train_list.txt'))
val_dataloader = dict(dataset=dict(ann_file=f'{split}/unseen_val_list.txt'))
test_dataloader = dict(dataset=dict(ann_file=f'{split}/unseen_val_list.txt'))
