"""Annotations: validation, listing, patching, deletion, and concepts they create."""

from __future__ import annotations

import io

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2
from PIL import Image

from .conftest import Api, image_input, tiny_jpeg

OK = status_code_pb2.SUCCESS
INVALID = status_code_pb2.ANNOTATION_INVALID_ARGUMENT


def box(top: float, left: float, bottom: float, right: float) -> resources_pb2.Region:
    region = resources_pb2.Region()
    bounding = region.region_info.bounding_box
    bounding.top_row, bounding.left_col, bounding.bottom_row, bounding.right_col = (
        top,
        left,
        bottom,
        right,
    )
    region.data.concepts.add(id="dog", value=1.0)
    return region


def polygon(*points: tuple[float, float]) -> resources_pb2.Region:
    region = resources_pb2.Region()
    for row, col in points:
        region.region_info.polygon.points.add(row=row, col=col)
    return region


def mask(data: bytes) -> resources_pb2.Region:
    region = resources_pb2.Region()
    region.region_info.mask.image.base64 = data
    return region


def png_mask() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buffer, "PNG")
    return buffer.getvalue()


def annotation(input_id: str, *regions: resources_pb2.Region, **fields) -> resources_pb2.Annotation:
    item = resources_pb2.Annotation(input_id=input_id, **fields)
    item.data.regions.extend(regions)
    return item


@pytest.fixture
def ready(api: Api) -> Api:
    """The api with two processed image inputs, ``img1`` and ``img2``."""
    api.post_inputs([image_input("img1", tiny_jpeg()), image_input("img2", tiny_jpeg())])
    api.wait_processed(["img1", "img2"])
    return api


def post(api: Api, *annotations: resources_pb2.Annotation):
    return api.call("PostAnnotations", service_pb2.PostAnnotationsRequest(annotations=annotations))


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (box(0.1, 0.1, 1.2, 0.5), "outside 0..1"),
        (box(-0.1, 0.1, 0.5, 0.5), "outside 0..1"),
        (box(0.6, 0.1, 0.5, 0.5), "top_row"),
        (box(0.1, 0.6, 0.5, 0.5), "left_col"),
        (polygon((0.1, 0.1), (0.2, 0.2)), "at least 3"),
        (polygon((0.1, 0.1), (0.2, 0.2), (1.5, 0.3)), "outside 0..1"),
        (mask(b"not an image"), "could not be decoded"),
    ],
    ids=["bottom>1", "top<0", "top>=bottom", "left>=right", "2-points", "point>1", "bad-mask"],
)
def test_invalid_region_rejected(ready: Api, region: resources_pb2.Region, message: str) -> None:
    response = post(ready, annotation("img1", region))
    assert response.status.code == status_code_pb2.FAILURE
    assert response.annotations[0].status.code == INVALID
    assert message in response.annotations[0].status.details


def test_valid_regions_accepted(ready: Api) -> None:
    triangle = polygon((0.1, 0.1), (0.2, 0.9), (0.9, 0.5))
    response = post(
        ready, annotation("img1", box(0.1, 0.2, 0.3, 0.4), triangle, mask(png_mask()), id="a1")
    )
    assert response.status.code == OK
    got = ready.call(
        "GetAnnotation", service_pb2.GetAnnotationRequest(input_id="img1", annotation_id="a1")
    )
    assert len(got.annotation.data.regions) == 3
    assert got.annotation.data.regions[0].region_info.bounding_box.bottom_row == pytest.approx(0.3)


def test_annotation_on_missing_or_pending_input(ready: Api) -> None:
    ready.server._processor.stop()  # keep the next input pending
    ready.post_inputs([image_input("waiting", tiny_jpeg())])
    response = post(ready, annotation("ghost", box(0, 0, 1, 1)), annotation("waiting"))
    assert response.status.code == status_code_pb2.FAILURE
    assert "does not exist" in response.annotations[0].status.details
    assert "INPUT_DOWNLOAD_PENDING" in response.annotations[1].status.details


def test_mixed_annotations(ready: Api) -> None:
    response = post(ready, annotation("img1", box(0, 0, 1, 1)), annotation("img1", box(0, 0, 2, 1)))
    assert response.status.code == status_code_pb2.MIXED_STATUS
    codes = [item.status.code for item in response.annotations]
    assert codes == [status_code_pb2.ANNOTATION_SUCCESS, INVALID]


def test_list_annotations_by_ids_inputs_and_pages(ready: Api) -> None:
    post(ready, *[annotation("img1", box(0, 0, 1, 1), id=f"a{n}") for n in range(5)])
    post(ready, annotation("img2", box(0, 0, 1, 1), id="b0"))

    def listed(**fields) -> list[str]:
        request = service_pb2.ListAnnotationsRequest(**fields)
        return [a.id for a in ready.call("ListAnnotations", request).annotations]

    assert listed(input_ids=["img2"]) == ["b0"]
    assert listed(ids=["a3", "b0"]) == ["a3", "b0"]
    assert listed(list_all_annotations=True, per_page=4, page=1) == ["a0", "a1", "a2", "a3"]
    assert listed(list_all_annotations=True, per_page=4, page=2) == ["a4", "b0"]
    assert listed(list_all_annotations=True, per_page=4, page=3) == []


def test_patch_and_delete_annotations(ready: Api) -> None:
    post(ready, annotation("img1", box(0, 0, 1, 1), id="p1"), annotation("img2", id="p2"))
    change = annotation("img1", box(0.2, 0.2, 0.4, 0.4), id="p1")
    patched = ready.call(
        "PatchAnnotations",
        service_pb2.PatchAnnotationsRequest(annotations=[change], action="overwrite"),
    )
    assert patched.status.code == OK
    region = patched.annotations[0].data.regions[0].region_info.bounding_box
    assert region.top_row == pytest.approx(0.2)

    bad = annotation("img1", box(0.5, 0.2, 0.4, 0.4), id="p1")
    refused = ready.call(
        "PatchAnnotations", service_pb2.PatchAnnotationsRequest(annotations=[bad], action="merge")
    )
    assert refused.status.code == INVALID

    one = service_pb2.DeleteAnnotationRequest(input_id="img1", annotation_id="p1")
    assert ready.call("DeleteAnnotation", one).status.code == OK
    by_input = service_pb2.DeleteAnnotationsRequest(input_ids=["img2"])
    assert ready.call("DeleteAnnotations", by_input).status.code == OK
    left = ready.call("ListAnnotations", service_pb2.ListAnnotationsRequest())
    assert not left.annotations


def test_concepts_from_inputs_and_annotations(api: Api) -> None:
    labelled = image_input("cat-photo", tiny_jpeg())
    labelled.data.concepts.add(id="cat", value=1.0)
    api.post_inputs([labelled])
    api.wait_processed(["cat-photo"])
    input_level = api.call(
        "ListAnnotations", service_pb2.ListAnnotationsRequest(input_ids=["cat-photo"])
    ).annotations
    assert len(input_level) == 1
    assert input_level[0].input_level
    assert [c.id for c in input_level[0].data.concepts] == ["cat"]

    post(api, annotation("cat-photo", box(0, 0, 0.5, 0.5)))
    concepts = api.call("ListConcepts", service_pb2.ListConceptsRequest()).concepts
    assert [c.id for c in concepts] == ["cat", "dog"]

    posted = api.call(
        "PostConcepts",
        service_pb2.PostConceptsRequest(concepts=[resources_pb2.Concept(id="bird", name="Bird")]),
    )
    assert posted.status.code == OK
    got = api.call("GetConcept", service_pb2.GetConceptRequest(concept_id="bird"))
    assert got.concept.name == "Bird"
    again = api.call(
        "PostConcepts", service_pb2.PostConceptsRequest(concepts=[resources_pb2.Concept(id="cat")])
    )
    assert again.status.code == status_code_pb2.CONCEPTS_INVALID_REQUEST
