"""The ball specialist: a small CenterNet-style heatmap network over three consecutive frames
(t-1, t, t+1 stacked: 9 channels), trained from scratch at the clip's native pixels on crops around
the labelled ball, run over whole frames. It replaces the student's ball while RF-DETR-Seg stays the
student for players and goal (`kicky.detect.merge`).

Modules: `model` (the network), `targets` (Gaussian heatmap / offset / size targets and peak
decoding), `losses` (focal + L1), `frames` (three-frame windows of a decoded stream), `crops` (the
uint8 crop cache of a pass over the clips), `metrics` (AP of top-k peaks), `train` and `detect`
(the two entry points).

Nothing here imports mediapipe, the simulator or rfdetr: it runs on a bare torch image."""
