"""COCO loaders: detection boxes, segmentation polygons and masks, and captions."""
