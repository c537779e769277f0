"""Regenerate merchant_risk.parquet for fraud_features.ipynb (deterministic: fixed seed).

A second source, added later than the transactions: each merchant category's risk score, revised
from time to time. A transaction must see the score in effect when it happened (a point-in-time,
or as-of, join), never a later revision.
"""

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

rng = random.Random(11)
rows = []
for category in ["grocery", "travel", "electronics", "restaurants", "fuel"]:
    valid_from = dt.datetime(2026, 2, 20) + dt.timedelta(hours=rng.randint(0, 48))
    for _ in range(rng.randint(3, 6)):
        rows.append({"merchant_category": category, "valid_from": valid_from,
                     "risk_score": round(rng.uniform(0.05, 0.95), 2)})
        valid_from += dt.timedelta(hours=rng.randint(24, 24 * 9), minutes=rng.randint(0, 59))
schema = pa.schema([("merchant_category", pa.string()), ("valid_from", pa.timestamp("us")),
                    ("risk_score", pa.float64())])
pq.write_table(pa.Table.from_pylist(rows, schema=schema),
               Path(__file__).with_name("merchant_risk.parquet"))
