"""Model against the local API: predictions from protos, bytes, files and URLs, the output
config, the 128-input limit, input types and versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ingest.client import ApiError, App, Inputs, Model, UserError

SENTIMENT_URL = "https://clarifai.com/clarifai/main/models/sentiment-analysis"


@pytest.fixture
def sentiment(api_env: Any) -> Model:
    return Model(SENTIMENT_URL)


@pytest.fixture
def red_png(tmp_path: Path) -> Path:
    path = tmp_path / "red.png"
    Image.new("RGB", (16, 16), (220, 10, 10)).save(path)
    return path


def top_concept(response: Any) -> str:
    return str(response.outputs[0].data.concepts[0].id)


def test_predict_text_inputs(sentiment: Model) -> None:
    inputs = [
        Inputs.get_text_input("a", "I love this wonderful film"),
        Inputs.get_text_input("b", "I hate this awful film"),
    ]
    response = sentiment.predict(inputs)
    assert len(response.outputs) == 2
    assert top_concept(response) == "positive"
    assert response.outputs[1].data.concepts[0].id == "negative"


def test_predict_128_inputs_accepted(sentiment: Model) -> None:
    inputs = [Inputs.get_text_input(f"t{i}", "good") for i in range(128)]
    assert len(sentiment.predict(inputs).outputs) == 128


def test_predict_129_inputs_names_limit(sentiment: Model) -> None:
    inputs = [Inputs.get_text_input(f"t{i}", "good") for i in range(129)]
    with pytest.raises(UserError, match="129 inputs.*maximum of 128"):
        sentiment.predict(inputs)


@pytest.mark.parametrize("bad", [[], "text", [b"bytes"]])
def test_predict_invalid_inputs_raise(sentiment: Model, bad: Any) -> None:
    with pytest.raises(UserError):
        sentiment.predict(bad)


def test_predict_by_bytes_text(sentiment: Model) -> None:
    assert top_concept(sentiment.predict_by_bytes(b"What a great day", "text")) == "positive"


def test_predict_by_filepath_text(sentiment: Model, tmp_path: Path) -> None:
    path = tmp_path / "review.txt"
    path.write_text("terrible, awful, the worst", encoding="utf-8")
    assert top_concept(sentiment.predict_by_filepath(str(path), "text")) == "negative"


def test_predict_by_filepath_image(api_env: Any, red_png: Path) -> None:
    colors = Model(model_id="color-recognition", user_id="clarifai", app_id="main")
    response = colors.predict_by_filepath(red_png, "image")
    data = response.outputs[0].data
    assert len(data.colors) + len(data.concepts) > 0


def test_predict_by_bytes_image(api_env: Any, red_png: Path) -> None:
    colors = Model(model_id="color-recognition", user_id="clarifai", app_id="main")
    response = colors.predict_by_bytes(red_png.read_bytes(), "image")
    assert response.outputs[0].status.code == 10000


def test_predict_by_url_rejected_without_fetch(sentiment: Model) -> None:
    # The test server does not download URLs, so the prediction fails on the server side.
    with pytest.raises(ApiError):
        sentiment.predict_by_url("http://127.0.0.1:9/review.txt", "text")


@pytest.mark.parametrize("method", ["predict_by_bytes", "predict_by_url", "predict_by_filepath"])
def test_unknown_input_type_raises(sentiment: Model, method: str) -> None:
    with pytest.raises(UserError, match="input_type 'pdf' is invalid"):
        getattr(sentiment, method)(b"x" if method == "predict_by_bytes" else "x", "pdf")


def test_predict_by_filepath_missing_file(sentiment: Model, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        sentiment.predict_by_filepath(tmp_path / "missing.txt", "text")


def test_predict_by_bytes_invalid_utf8(sentiment: Model) -> None:
    with pytest.raises(UserError, match="UTF-8"):
        sentiment.predict_by_bytes(b"\xff\xfe", "text")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"max_concepts": 1}, 1),
        ({"min_value": 0.99}, 0),
        ({"select_concepts": ["negative"]}, 1),
        ({"select_concepts": [{"id": "negative"}, {"id": "positive"}]}, 2),
    ],
)
def test_output_config_filters_concepts(
    api_env: Any, config: dict[str, Any], expected: int
) -> None:
    model = Model(SENTIMENT_URL, output_config=config)
    response = model.predict_by_bytes(b"I really love it", "text")
    assert len(response.outputs[0].data.concepts) == expected


@pytest.mark.parametrize(
    "config",
    [{"max_concept": 1}, {"min_value": 2}, {"max_concepts": -1}, {"select_concepts": [3]}],
)
def test_invalid_output_config_raises(api_env: Any, config: dict[str, Any]) -> None:
    with pytest.raises(UserError, match="output_config|select_concepts"):
        Model(SENTIMENT_URL, output_config=config)


def test_list_versions(sentiment: Model) -> None:
    versions = sentiment.list_versions()
    assert [version.model_version.id for version in versions] == ["1"]
    assert all(version.id == "sentiment-analysis" for version in versions)


def test_pinned_version_from_url(api_env: Any) -> None:
    model = Model(f"{SENTIMENT_URL}/versions/1")
    assert model.model_version.id == "1"
    assert top_concept(model.predict_by_bytes(b"lovely", "text")) == "positive"


def test_unknown_model_raises_api_error(api_env: Any, app: App) -> None:
    model = Model(model_id="missing", user_id="tester", app_id="demo")
    with pytest.raises(ApiError) as caught:
        model.predict_by_bytes(b"hi", "text")
    assert "missing" in str(caught.value)


def test_predict_by_url_downloads(fetch_api: Any, file_server: tuple[str, Path]) -> None:
    base, folder = file_server
    (folder / "review.txt").write_text("I adore this, wonderful", encoding="utf-8")
    model = Model(SENTIMENT_URL)
    assert top_concept(model.predict_by_url(f"{base}/review.txt", "text")) == "positive"
