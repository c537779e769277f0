"""Regenerate users.parquet for fraud_features.ipynb (deterministic: fixed seed)."""

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

rng = random.Random(7)
rows = [{
    "user_id": user_id,
    "country": rng.choice(["DE", "DE", "FR", "US", None]),
    "signup_date": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
    "segment": rng.choice(["retail", "business", "student"]),
} for user_id in range(1, 12)]  # user 12 has transactions but no profile: the join drops it
schema = pa.schema([("user_id", pa.int64()), ("country", pa.string()),
                    ("signup_date", pa.date32()), ("segment", pa.string())])
pq.write_table(pa.Table.from_pylist(rows, schema=schema), Path(__file__).with_name("users.parquet"))
