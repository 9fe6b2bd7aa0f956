"""YOLO loader: darknet, Ultralytics and loose layouts."""
