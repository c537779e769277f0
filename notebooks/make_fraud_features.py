"""Write fraud_features.ipynb from the cells below (fixed cell ids, so the file is reproducible)."""

from pathlib import Path

from nbwrite import write_example

cells = [
    ("markdown", """# Card-transaction fraud features

Per-transaction behaviour features over each user's history (windows), velocity over the last
24 hours and 7 days (windows over time) with the merchant's risk score as it was when the
transaction happened (a point-in-time join with a second source), then a per-user profile
joined with the users table. Every exported feature set is verified on Spark by
`nb2jvm verify fraud_features.ipynb`."""),
    ("code", "%load_ext transpiler"),
    ("code", """import ibis
from ibis import _

con = ibis.duckdb.connect()
transactions = con.read_parquet("data/transactions.parquet")
users = con.read_parquet("data/users.parquet")
merchant_risk = con.read_parquet("data/merchant_risk.parquet")"""),
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
    ("markdown", """## Velocity and point-in-time merchant risk

Sums and counts over the last 24 hours and 7 days of each user's transactions (RANGE windows
over `ts`), the seconds since the user's previous transaction, the amount relative to the
7-day average, and the merchant category's risk score in effect at the transaction's time
(`asof_join`: the latest revision at or before `ts`, never a later one)."""),
    ("code", """%%export
last_24h = ibis.range_window(group_by="user_id", order_by="ts",
                             preceding=ibis.interval(hours=24), following=0)
last_7d = ibis.range_window(group_by="user_id", order_by="ts",
                            preceding=ibis.interval(days=7), following=0)
tx_velocity = (
    transactions
    .filter(_.amount > 0)
    .mutate(
        amount_24h=_.amount.sum().over(last_24h),
        count_24h=_.amount.count().over(last_24h),
        avg_7d=_.amount.mean().over(last_7d),
        secs_since_prev=_.ts.delta(_.ts.lag().over(history), unit="second"),
    )
    .mutate(ratio_to_7d=(_.amount / _.avg_7d).round(3))
    .asof_join(merchant_risk, on=_.ts >= merchant_risk.valid_from,
               predicates="merchant_category")
    .select("tx_id", "user_id", "ts", "amount_24h", "count_24h", "avg_7d", "secs_since_prev",
            "ratio_to_7d", "risk_score")
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
