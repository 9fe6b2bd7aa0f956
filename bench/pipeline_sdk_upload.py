"""Upload a folder with the official clarifai SDK and print the elapsed seconds as JSON.

Run with the SDK's interpreter: python pipeline_sdk_upload.py BASE_URL USER APP DATASET FOLDER
(the PAT comes from CLARIFAI_PAT).
"""

import json
import os
import sys
import time

from clarifai.client.dataset import Dataset


def main() -> None:
    base_url, user_id, app_id, dataset_id, folder = sys.argv[1:6]
    dataset = Dataset(
        dataset_id=dataset_id,
        user_id=user_id,
        app_id=app_id,
        base_url=base_url,
        pat=os.environ["CLARIFAI_PAT"],
    )
    started = time.perf_counter()
    dataset.upload_from_folder(folder_path=folder, input_type="image", labels=False)
    print(json.dumps({"seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
