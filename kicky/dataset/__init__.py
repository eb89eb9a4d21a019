"""Dataset building: teacher labels -> clip-level splits -> COCO instance segmentation in rfdetr's
layout (train/ valid/ test/ with _annotations.coco.json), 3 classes or 5 with derived interactions."""
