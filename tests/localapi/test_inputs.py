"""PostInputs and its processing, listing, counting, jobs and deletion."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2, status_pb2

from tests.conftest import HeldDecoding

from .conftest import Api, create_app, image_input, open_stub, text_input, tiny_jpeg

OK = status_code_pb2.SUCCESS
PENDING = status_code_pb2.INPUT_DOWNLOAD_PENDING
DONE = status_code_pb2.INPUT_DOWNLOAD_SUCCESS
FAILED = status_code_pb2.INPUT_DOWNLOAD_FAILED


def edge_case(datasets: Path, name: str) -> bytes:
    return (datasets / "image-edge-cases" / name).read_bytes()


def test_post_inputs_then_processed(api: Api) -> None:
    response = api.post_inputs([image_input("a", tiny_jpeg((40, 30))), text_input("t", "hi")])
    assert response.status.code == OK
    assert [i.status.code for i in response.inputs] == [PENDING, PENDING]
    assert response.inputs_add_job.id

    found = api.wait_processed(["a", "t"])
    assert found["a"].status.code == DONE
    info = found["a"].data.image.image_info
    assert (info.width, info.height, info.format) == (40, 30, "JPEG")
    assert found["t"].data.text.raw == "hi"


@pytest.mark.parametrize(
    ("name", "width", "height"),
    [("orientation_rectangle.jpg", 1, 2), ("hopper_orientation_6.jpg", 128, 128)],
)
def test_exif_rotated_image_reports_display_size(
    api: Api, datasets: Path, name: str, width: int, height: int
) -> None:
    api.post_inputs([image_input("rotated", edge_case(datasets, name))])
    info = api.wait_processed(["rotated"])["rotated"].data.image.image_info
    assert (info.width, info.height) == (width, height)


@pytest.mark.parametrize(
    "name", ["pil_sample_cmyk.jpg", "hopper_gray.jpg", "i_trns.png", "uncompressed_la.png"]
)
def test_unusual_images_decode(api: Api, datasets: Path, name: str) -> None:
    api.post_inputs([image_input("odd", edge_case(datasets, name))])
    assert api.wait_processed(["odd"])["odd"].status.code == DONE


def test_corrupt_image_fails_with_reason(api: Api, datasets: Path) -> None:
    response = api.post_inputs([image_input("broken", edge_case(datasets, "broken.png"))])
    assert response.status.code == OK  # accepted; processing decides
    item = api.wait_processed(["broken"])["broken"]
    assert item.status.code == FAILED
    assert "decode" in item.status.details


def test_oversized_image_fails(api: Api) -> None:
    big = b"\xff\xd8" + b"\0" * (20 * 1024 * 1024 + 1)
    api.post_inputs([image_input("big", big)])
    item = api.wait_processed(["big"])["big"]
    assert item.status.code == FAILED
    assert "20 MB" in item.status.details


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_too_many_pixels_fails(api: Api) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (10_000, 9_000)).save(buffer, "PNG")  # 90 megapixels, a small file
    api.post_inputs([image_input("huge", buffer.getvalue())])
    item = api.wait_processed(["huge"])["huge"]
    assert item.status.code == FAILED
    assert "85 megapixels" in item.status.details


def test_unsupported_format_fails(api: Api) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PPM")
    api.post_inputs([image_input("ppm", buffer.getvalue())])
    item = api.wait_processed(["ppm"])["ppm"]
    assert item.status.code == FAILED
    assert "not supported" in item.status.details


def test_duplicate_ids(api: Api) -> None:
    api.post_inputs([image_input("dup", tiny_jpeg())])
    response = api.post_inputs([image_input("dup", tiny_jpeg()), image_input("new", tiny_jpeg())])
    assert response.status.code == status_code_pb2.MIXED_STATUS
    duplicate, fresh = response.inputs
    assert duplicate.status.code == status_code_pb2.INPUT_DUPLICATE
    assert duplicate.status.details == "Input has a duplicate ID."
    assert fresh.status.code == PENDING


def test_duplicate_within_one_request(api: Api) -> None:
    response = api.post_inputs([text_input("same", "a"), text_input("same", "b")])
    codes = [item.status.code for item in response.inputs]
    assert codes == [PENDING, status_code_pb2.INPUT_DUPLICATE]
    assert api.wait_processed(["same"])["same"].data.text.raw == "a"


def test_all_duplicates_is_failure(api: Api) -> None:
    api.post_inputs([text_input("one", "a")])
    response = api.post_inputs([text_input("one", "a")])
    assert response.status.code == status_code_pb2.FAILURE


def test_conflict_resolution_skip_and_suffix(api: Api) -> None:
    api.post_inputs([text_input("c", "first")])
    skipped = api.post_inputs(
        [text_input("c", "second")],
        input_id_conflict_resolution=resources_pb2.InputIDConflictResolution.SKIP,
    )
    assert skipped.status.code == OK
    assert skipped.inputs[0].data.text.raw == "first"
    suffixed = api.post_inputs(
        [text_input("c", "third"), text_input("c", "fourth")],
        input_id_conflict_resolution=resources_pb2.InputIDConflictResolution.SUFFIX,
    )
    assert suffixed.status.code == OK
    assert [item.id for item in suffixed.inputs] == ["c-1", "c-2"]


def test_129_inputs_rejected(api: Api) -> None:
    response = api.post_inputs([text_input(f"t{n}", "x") for n in range(129)])
    assert response.status.code == status_code_pb2.INPUT_INVALID_ARGUMENT
    assert "128" in response.status.details
    listed = api.call("ListInputs", service_pb2.ListInputsRequest())
    assert not listed.inputs


def test_128_inputs_accepted(api: Api) -> None:
    response = api.post_inputs([text_input(f"t{n}", "x") for n in range(128)])
    assert response.status.code == OK
    assert len(response.inputs) == 128


def test_input_without_data_fails(api: Api) -> None:
    response = api.post_inputs([resources_pb2.Input(id="empty")])
    assert response.status.code == status_code_pb2.FAILURE
    assert response.inputs[0].status.code == status_code_pb2.INPUT_INVALID_ARGUMENT


def test_list_inputs_pages_and_filters(api: Api, datasets: Path) -> None:
    inputs = [text_input(f"t{n:02d}", "x") for n in range(7)]
    inputs.append(image_input("bad", edge_case(datasets, "broken.png")))
    api.post_inputs(inputs)
    api.wait_processed([item.id for item in inputs])

    pages = []
    for page in range(1, 5):
        listed = api.call("ListInputs", service_pb2.ListInputsRequest(page=page, per_page=3))
        pages.append([item.id for item in listed.inputs])
    assert pages == [["t00", "t01", "t02"], ["t03", "t04", "t05"], ["t06", "bad"], []]

    failed = api.call(
        "ListInputs", service_pb2.ListInputsRequest(status=status_pb2.Status(code=FAILED))
    )
    assert [item.id for item in failed.inputs] == ["bad"]
    by_ids = api.call("ListInputs", service_pb2.ListInputsRequest(ids=["t03", "t05", "zzz"]))
    assert sorted(item.id for item in by_ids.inputs) == ["t03", "t05"]

    count = api.call("GetInputCount", service_pb2.GetInputCountRequest()).counts
    assert (count.processed, count.errors, count.to_process) == (7, 1, 0)


def test_get_missing_input(api: Api) -> None:
    response = api.call("GetInput", service_pb2.GetInputRequest(input_id="ghost"))
    assert response.status.code == status_code_pb2.INPUT_DOES_NOT_EXIST


def test_delete_inputs(api: Api) -> None:
    api.post_inputs([text_input("keep", "k"), text_input("drop", "d")])
    assert api.call("DeleteInputs", service_pb2.DeleteInputsRequest(ids=[])).status.code == OK
    deleted = api.call("DeleteInputs", service_pb2.DeleteInputsRequest(ids=["drop"]))
    assert deleted.status.code == OK
    listed = api.call("ListInputs", service_pb2.ListInputsRequest())
    assert [item.id for item in listed.inputs] == ["keep"]


def test_inputs_add_job_progress(api: Api, datasets: Path) -> None:
    response = api.post_inputs(
        [image_input("ok", tiny_jpeg()), image_input("bad", edge_case(datasets, "broken.png"))],
        inputs_add_job_id="job-1",
    )
    assert response.inputs_add_job.id == "job-1"
    api.wait_processed(["ok", "bad"])
    job = api.call("GetInputsAddJob", service_pb2.GetInputsAddJobRequest(id="job-1"))
    progress = job.inputs_add_job.progress
    assert (progress.success_count, progress.failed_count, progress.pending_count) == (1, 1, 0)
    assert job.inputs_add_job.status.code == status_code_pb2.JOB_COMPLETED


def test_cancel_inputs_add_job(api: Api) -> None:
    api.post_inputs([text_input("x", "x")], inputs_add_job_id="job-c")
    api.wait_processed(["x"])
    cancelled = api.call("CancelInputsAddJob", service_pb2.CancelInputsAddJobRequest(id="job-c"))
    assert cancelled.status.code == OK
    assert cancelled.inputs_add_job.status.code == status_code_pb2.JOB_CANCELLED
    assert cancelled.inputs_add_job.progress.success_count == 1


def test_url_input_fails_when_fetching_disabled(api: Api) -> None:
    item = resources_pb2.Input(
        id="remote",
        data=resources_pb2.Data(image=resources_pb2.Image(url="http://127.0.0.1:9/a.jpg")),
    )
    api.post_inputs([item])
    found = api.wait_processed(["remote"])["remote"]
    assert found.status.code == FAILED
    assert "--allow-url-fetch" in found.status.details


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server over a temporary folder; yields its base URL."""
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "red.jpg").write_bytes(tiny_jpeg((8, 6)))
    (tmp_path / "www" / "note.txt").write_text("fetched text", encoding="utf-8")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path / "www"), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_url_inputs_fetched_when_allowed(start_server, file_server: str) -> None:
    server = start_server(allow_url_fetch=True)
    channel, stub = open_stub(server.port)
    api = Api(server=server, stub=stub, app=create_app(stub))
    image = resources_pb2.Image(url=f"{file_server}/red.jpg")
    text = resources_pb2.Text(url=f"{file_server}/note.txt")
    api.post_inputs(
        [
            resources_pb2.Input(id="img", data=resources_pb2.Data(image=image)),
            resources_pb2.Input(id="txt", data=resources_pb2.Data(text=text)),
            resources_pb2.Input(
                id="404",
                data=resources_pb2.Data(image=resources_pb2.Image(url=f"{file_server}/no.jpg")),
            ),
        ]
    )
    found = api.wait_processed(["img", "txt", "404"])
    channel.close()
    assert found["img"].status.code == DONE
    assert found["img"].data.image.image_info.width == 8
    assert found["txt"].data.text.raw == "fetched text"
    assert found["404"].status.code == FAILED


def test_concurrent_posts_store_each_id_once(api: Api) -> None:
    """Four clients race to post the same 40 ids; each id is accepted exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    ids = [f"race-{n}" for n in range(40)]

    def post_all(_: int) -> list[str]:
        response = api.post_inputs([text_input(i, i) for i in ids])
        return [item.id for item in response.inputs if item.status.code == PENDING]

    with ThreadPoolExecutor(max_workers=4) as pool:
        accepted = [i for batch in pool.map(post_all, range(4)) for i in batch]

    assert sorted(accepted) == sorted(ids)
    listed = api.call("ListInputs", service_pb2.ListInputsRequest(per_page=100))
    assert sorted(item.id for item in listed.inputs) == sorted(ids)


def test_reused_job_id_joins_the_job(api: Api) -> None:
    api.post_inputs([text_input("first", "a")], inputs_add_job_id="shared")
    second = api.post_inputs([text_input("second", "b")], inputs_add_job_id="shared")
    assert second.status.code == OK
    api.wait_processed(["first", "second"])
    job = api.call("GetInputsAddJob", service_pb2.GetInputsAddJobRequest(id="shared"))
    assert job.inputs_add_job.progress.success_count == 2

    api.call("CancelInputsAddJob", service_pb2.CancelInputsAddJobRequest(id="shared"))
    refused = api.post_inputs([text_input("third", "c")], inputs_add_job_id="shared")
    assert refused.status.code == status_code_pb2.CONN_INVALID_REQUEST


def test_request_size_limit_is_128_mb(api: Api) -> None:
    """A 96 MB request passes the raised gRPC limits; one over 128 MB is rejected whole."""
    chunk = 16 * 1024 * 1024
    accepted = api.post_inputs([image_input(f"big{n}", bytes(chunk)) for n in range(6)])
    assert accepted.status.code == OK

    too_big = api.post_inputs([image_input(f"huge{n}", bytes(chunk + 100_000)) for n in range(8)])
    assert too_big.status.code == status_code_pb2.INPUT_INVALID_ARGUMENT
    assert "128 MB" in too_big.status.details


def test_patch_inputs_merges_metadata(api: Api) -> None:
    item = text_input("note", "some text")
    item.data.metadata.update({"source": "web"})
    api.post_inputs([item])
    change = resources_pb2.Input(id="note")
    change.data.metadata.update({"captions": ["a caption"]})
    patched = api.call(
        "PatchInputs", service_pb2.PatchInputsRequest(inputs=[change], action="merge")
    )
    assert patched.status.code == OK
    stored = api.call("GetInput", service_pb2.GetInputRequest(input_id="note")).input
    assert stored.data.metadata["source"] == "web"
    assert list(stored.data.metadata["captions"]) == ["a caption"]
    assert stored.data.text.raw == "some text"


def test_patch_during_processing_is_kept(api: Api, held_decoding: HeldDecoding) -> None:
    """Processing records its outcome without undoing a PatchInputs that ran meanwhile."""
    api.post_inputs([image_input("photo", tiny_jpeg())])
    assert held_decoding.started.wait(10)
    change = resources_pb2.Input(id="photo")
    change.data.metadata.update({"captions": ["a dog"]})
    request = service_pb2.PatchInputsRequest(inputs=[change], action="merge")
    assert api.call("PatchInputs", request).status.code == OK
    held_decoding.release.set()
    stored = api.wait_processed(["photo"])["photo"]
    assert stored.status.code == status_code_pb2.INPUT_DOWNLOAD_SUCCESS
    assert stored.data.image.image_info.width == 32
    assert list(stored.data.metadata["captions"]) == ["a dog"]


def test_patch_inputs_overwrite_and_errors(api: Api) -> None:
    item = text_input("note", "some text")
    item.data.metadata.update({"source": "web"})
    api.post_inputs([item])
    change = resources_pb2.Input(id="note")
    change.data.metadata.update({"lang": "en"})
    request = service_pb2.PatchInputsRequest(inputs=[change], action="overwrite")
    assert api.call("PatchInputs", request).status.code == OK
    stored = api.call("GetInput", service_pb2.GetInputRequest(input_id="note")).input
    assert dict(stored.data.metadata.items()) == {"lang": "en"}
    bad_action = service_pb2.PatchInputsRequest(inputs=[change], action="remove")
    assert api.call("PatchInputs", bad_action).status.code == status_code_pb2.INPUT_INVALID_ARGUMENT
    ghost = service_pb2.PatchInputsRequest(inputs=[resources_pb2.Input(id="ghost")])
    assert api.call("PatchInputs", ghost).status.code != OK
