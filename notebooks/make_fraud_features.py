"""Write fraud_features.ipynb from the cells below (fixed cell ids, so the file is reproducible)."""

from pathlib import Path

from nbwrite import write_example

cells = [
    ("markdown", """# Card-transaction fraud features

Per-transaction behaviour features over each user's history (windows), then a per-user profile
joined with the users table. Every exported feature set is verified on Spark by
`nb2jvm verify fraud_features.ipynb`."""),
    ("code", "%load_ext transpiler"),
    ("code", """import ibis
from ibis import _

con = ibis.duckdb.connect()
transactions = con.read_parquet("data/transactions.parquet")
users = con.read_parquet("data/users.parquet")"""),
    ("code", "users.head(3).to_pandas()"),
    ("markdown", """## Shared definitions

Windows and thresholds used by several feature cells. Each window orders by `ts` and breaks ties
with the unique `tx_id`, so the result does not depend on the engine's row order."""),
    ("code", """%%export
LARGE_AMOUNT = 250
NIGHT_HOURS = range(0, 6)
history = ibis.window(group_by="user_id", order_by=["ts", "tx_id"])
last_three = ibis.window(group_by="user_id", order_by=["ts", "tx_id"], preceding=2, following=0)
running = ibis.window(group_by="user_id", order_by=["ts", "tx_id"], preceding=None, following=0)"""),
    ("markdown", "## Per-transaction features"),
    ("code", """%%export
tx_features = (
    transactions
    .filter(_.amount > 0)
    .mutate(
        tx_seq=ibis.row_number().over(history),
        prev_amount=_.amount.lag().over(history),
        prev_ts=_.ts.lag().over(history),
        running_total=_.amount.sum().over(running),
        mean_last_three=_.amount.mean().over(last_three),
        is_large=_.amount > LARGE_AMOUNT,
        is_night=_.ts.hour().isin(list(NIGHT_HOURS)),
        online_large=(_.amount > LARGE_AMOUNT) & _.is_online,
    )
)"""),
    ("markdown", "## Per-user profile, joined with the users table"),
    ("code", """%%export
user_profile = (
    tx_features
    .group_by("user_id")
    .aggregate(
        n_tx=_.count(),
        n_large=_.is_large.sum(),
        n_night=_.is_night.sum(),
        max_amount=_.amount.max(),
        avg_last_three=_.mean_last_three.mean(),
        categories=_.merchant_category.nunique(),
    )
    .join(users, "user_id")
    .mutate(home_market=_.country.fill_null("unknown").isin(["DE", "FR"]))
)"""),
    ("code", "user_profile.order_by(\"user_id\").to_pandas()"),
]

write_example(Path(__file__).with_name("fraud_features.ipynb"), "fraud", cells)
