"""Run by the official clarifai SDK's interpreter against a local API (see test_sdk_compat.py).

Reads CLARIFAI_API_BASE, CLARIFAI_PAT and CLARIFAI_USER_ID from the environment, takes the
datasets folder as its only argument, and prints one JSON object with what it observed.
"""

import json
import logging
import os
import sys
from pathlib import Path

from clarifai.client.model import Model
from clarifai.client.user import User


def main() -> None:
    datasets = Path(sys.argv[1])
    logging.disable(logging.WARNING)
    user = User(user_id=os.environ["CLARIFAI_USER_ID"])
    app = user.create_app(app_id="sdk-app", base_workflow="Empty")
    images = app.create_dataset(dataset_id="ramen")
    images.upload_from_folder(
        folder_path=str(datasets / "food-101-folder" / "ramen"), input_type="image", labels=True
    )
    texts = app.create_dataset(dataset_id="imdb")
    texts.upload_from_csv(
        csv_path=str(datasets / "imdb-reviews" / "imdb.csv"),
        input_type="text",
        csv_type="raw",
        labels=True,
    )
    listed = list(app.inputs().list_inputs())
    ramen_ids = [i.id for i in app.inputs().list_inputs(dataset_id="ramen")]
    model = Model(
        url="https://clarifai.com/clarifai/main/models/sentiment-analysis",
        pat=os.environ["CLARIFAI_PAT"],
        base_url=os.environ["CLARIFAI_API_BASE"],
    )
    prediction = model.predict_by_bytes(b"What a wonderful, lovely day", input_type="text")
    print(
        json.dumps(
            {
                "input_ids": [i.id for i in listed],
                "ramen_ids": ramen_ids,
                "statuses": sorted({i.status.code for i in listed}),
                "concepts": sorted({c.id for i in listed for c in i.data.concepts}),
                "prediction": [[c.id, c.value] for c in prediction.outputs[0].data.concepts],
            }
        )
    )


if __name__ == "__main__":
    main()
