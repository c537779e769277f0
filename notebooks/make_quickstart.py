"""Write quickstart.ipynb from the cells below (fixed cell ids, so the file is reproducible)."""

from pathlib import Path

from nbwrite import write_example

cells = [
    ("markdown", """# Quickstart: card transaction features

A small feature notebook as a data scientist writes it: set-up, a look at the data, then two
feature cells marked `%%export`. `nb2jvm build quickstart.ipynb -o out/` turns the exported cells
into Spark SQL in a JVM artifact; `nb2jvm verify quickstart.ipynb` proves that Spark computes what
this notebook computes."""),
    ("code", "%load_ext transpiler"),
    ("code", """import ibis
from ibis import _

con = ibis.duckdb.connect()
transactions = con.read_parquet("data/transactions.parquet")"""),
    ("markdown", "## A look at the data"),
    ("code", "transactions.head(5).to_pandas()"),
    ("code", """transactions.aggregate(
    rows=_.count(), users=_.user_id.nunique(), mean_amount=_.amount.mean()
).to_pandas()"""),
    ("markdown", """## Features

`enriched` cleans and converts each transaction; `user_features` aggregates per user.
Both are exported: every table assigned in an `%%export` cell is a feature set."""),
    ("code", """%%export
enriched = (
    transactions
    .filter(_.amount > 0)
    .mutate(
        amount_eur=ibis.cases(
            (_.currency == "USD", _.amount * 0.92),
            (_.currency == "GBP", _.amount * 1.17),
            else_=_.amount,
        ),
        is_large=ibis.ifelse(_.amount > 250, 1, 0),
        tx_hour=_.ts.hour(),
        category=_.merchant_category.fill_null("unknown"),
    )
    .select("tx_id", "user_id", "amount_eur", "is_large", "tx_hour", "category", "is_online")
)"""),
    ("code", """%%export
user_features = enriched.group_by("user_id").aggregate(
    tx_count=_.count(),
    total_eur=_.amount_eur.sum(),
    avg_eur=_.amount_eur.mean(),
    max_eur=_.amount_eur.max(),
    large_tx=_.is_large.sum(),
    night_tx=(_.tx_hour < 6).sum(),
    online_tx=_.is_online.sum(),
    categories=_.category.nunique(),
)"""),
    ("code", "user_features.order_by(\"user_id\").to_pandas()"),
]

write_example(Path(__file__).with_name("quickstart.ipynb"), "quickstart", cells)
