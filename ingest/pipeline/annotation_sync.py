"""Bringing annotations that another job wrote up to date with the source.

Annotation ids derive from the input and the annotation's place in the source, not from its
content. When an input is already present from an earlier job and one of its annotations
exists with different content (a corrected box or label), the existing annotation is
overwritten with the source's version.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from clarifai_grpc.grpc.api import resources_pb2, service_pb2

from ingest.errors import ApiError
from ingest.pipeline.api_calls import CallContext, ItemError, api_error_item

logger = logging.getLogger(__name__)


def update_changed(
    context: CallContext, wanted: Sequence[resources_pb2.Annotation]
) -> tuple[list[str], dict[str, ItemError]]:
    """Overwrite the existing annotations whose content differs from ``wanted``.

    Returns the ids that were overwritten and the ids that could not be read or written,
    with the error. Annotations that already match are in neither.
    """
    if not wanted:
        return [], {}
    request = service_pb2.ListAnnotationsRequest(
        user_app_id=context.user_app,
        ids=[a.id for a in wanted],
        list_all_annotations=True,
        per_page=len(wanted),
        page=1,
    )
    try:
        response = context.send("ListAnnotations", request)
    except ApiError as error:
        failed = api_error_item(error)
        return [], {a.id: failed for a in wanted}
    found = {a.id: a for a in response.annotations}  # type: ignore[attr-defined]
    changed = [a for a in wanted if a.id in found and _content(a) != _content(found[a.id])]
    if not changed:
        return [], {}
    patch = service_pb2.PatchAnnotationsRequest(
        user_app_id=context.user_app, annotations=changed, action="overwrite"
    )
    try:
        context.send("PatchAnnotations", patch)
    except ApiError as error:
        failed = api_error_item(error)
        return [], {a.id: failed for a in changed}
    logger.info("%s: overwrote %d changed annotations", context.label, len(changed))
    return [a.id for a in changed], {}


def _content(annotation: resources_pb2.Annotation) -> tuple[object, ...]:
    """Return what identifies an annotation's meaning: concepts and regions, without ids."""
    data = annotation.data
    concepts = sorted((c.id, round(c.value, 4)) for c in data.concepts)
    regions = []
    for region in data.regions:
        info = resources_pb2.RegionInfo()
        info.CopyFrom(region.region_info)
        regions.append(
            (
                info.SerializeToString(deterministic=True),
                tuple(sorted((c.id, round(c.value, 4)) for c in region.data.concepts)),
                region.data.text.raw,
            )
        )
    return (tuple(concepts), tuple(sorted(regions)), data.text.raw)
