"""COCO captions: every caption of an image is kept whole in the input's metadata.

Clarifai inputs have no caption field, and a caption is not a concept, so the captions of an
image go to ``input.data.metadata["captions"]``, a list of strings in file order, and their
COCO annotation ids to ``metadata["caption_ids"]``. The text is stored exactly as written
(no trimming or splitting). A caption that is missing, not a string or empty is recorded as
a failure; images without captions load without the metadata keys.
"""

from __future__ import annotations

from typing import Any

from clarifai_grpc.grpc.api import resources_pb2

from loaders.coco.base import CocoImage, CocoLoader
from loaders.coco.index import annotation_label

CAPTIONS_KEY = "captions"
CAPTION_IDS_KEY = "caption_ids"


class CocoCaptionsLoader(CocoLoader):
    """Load a COCO captions file (``visual_captioning``)."""

    name = "coco-captions"
    task = "visual_captioning"

    def build(self, image: CocoImage) -> tuple[list[resources_pb2.Annotation], dict[str, Any]]:
        captions: list[str] = []
        caption_ids: list[Any] = []
        for annotation in image.annotations:
            caption = annotation.get("caption")
            if not isinstance(caption, str) or not caption.strip():
                self.annotation_failure(
                    image,
                    annotation_label(annotation, annotation.get("_position", -1)),
                    f"caption {caption!r} is missing or empty",
                    "write the caption text as a non-empty string",
                )
                continue
            captions.append(caption)
            caption_ids.append(annotation.get("id"))
        if not captions:
            return [], {}
        return [], {"metadata": {CAPTIONS_KEY: captions, CAPTION_IDS_KEY: caption_ids}}
