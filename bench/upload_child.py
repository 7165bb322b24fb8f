"""``python -m bench.upload_child FILE BUCKET KEY PART_SIZE WORKERS``: P5's baseline, in a fresh process.

boto3's ``upload_file`` (its TransferManager) with the same part size and
concurrency as ``locker upload``, to the same emulator, with the admin
credentials the environment carries. Prints the seconds the upload took.
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    path, bucket, key, part_size, workers = sys.argv[1:6]
    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    config = Config(signature_version="s3v4", s3={"addressing_style": "path"})
    s3 = boto3.client("s3", config=config)
    transfer = TransferConfig(
        multipart_threshold=int(part_size),
        multipart_chunksize=int(part_size),
        max_concurrency=int(workers),
    )
    started = time.perf_counter()
    s3.upload_file(path, bucket, key, Config=transfer)
    print(time.perf_counter() - started)


if __name__ == "__main__":
    main()
