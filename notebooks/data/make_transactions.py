"""Regenerate transactions.parquet, the quickstart's small sample (deterministic: fixed seed)."""

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

rng = random.Random(20261127)
start = dt.datetime(2026, 3, 1)
categories = ["grocery", "travel", "electronics", "restaurants", "fuel", None]
rows = []
for tx_id in range(1, 241):
    user_id = rng.randint(1, 12)
    amount = round(rng.lognormvariate(3.5, 1.2), 2)
    if tx_id % 37 == 0:
        amount = -amount  # refunds
    rows.append({
        "tx_id": tx_id,
        "user_id": user_id,
        "amount": amount,
        "currency": rng.choice(["EUR", "EUR", "EUR", "USD", "GBP"]),
        "merchant_category": rng.choice(categories),
        "ts": start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
        "is_online": rng.random() < 0.4,
    })
schema = pa.schema([
    ("tx_id", pa.int64()), ("user_id", pa.int64()), ("amount", pa.float64()),
    ("currency", pa.string()), ("merchant_category", pa.string()),
    ("ts", pa.timestamp("us")), ("is_online", pa.bool_()),
])
table = pa.Table.from_pylist(rows, schema=schema)
pq.write_table(table, Path(__file__).with_name("transactions.parquet"))
